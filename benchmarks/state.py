"""Generated benchmark state under benchmarks/.state/ (gitignored): token, seeded lists, timings,
raw tool outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.config import STATE_DIR

TOKEN = STATE_DIR / "token"
CAMERA_IDS = STATE_DIR / "camera_ids.txt"
TORINO_POINTS = STATE_DIR / "torino_points.txt"
LOAD_TIMINGS = STATE_DIR / "load.json"
RAW = STATE_DIR / "raw"


def ensure() -> None:
    RAW.mkdir(parents=True, exist_ok=True)


def write_lines(path: Path, lines: list[str]) -> None:
    ensure()
    path.write_text("".join(f"{line}\n" for line in lines))


def read_lines(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line]


def write_json(path: Path, data: Any) -> None:
    ensure()
    path.write_text(json.dumps(data, indent=2) + "\n")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text()) if path.exists() else None


def token() -> str:
    return TOKEN.read_text().strip()


def points() -> list[tuple[float, float]]:
    """The seeded random points in Torino, (lon, lat)."""
    return [(float(a), float(b)) for a, b in (line.split(",") for line in read_lines(TORINO_POINTS))]


def camera_ids() -> list[int]:
    return [int(line) for line in read_lines(CAMERA_IDS)]

"""The raw database floor: pgbench running the SQL that returns each workload's GeoJSON.

Scripts are rendered from benchmarks/sql/*.sql (string.Template) into .state/sql/. Random
parameters come from pgbench itself (`\\set`, `--random-seed`): ids uniform over the table, points
Gaussian around Torino's centre like the cameras and the wrk lists (truncated to the city box).
Latency percentiles come from pgbench's per-transaction log.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from string import Template

import psycopg

from benchmarks import config, state, synthetic
from benchmarks.loadgen import Pass
from benchmarks.towns import PIEMONTE_BBOX, TORINO, TORINO_CITY_BBOX, TORINO_VIEWPORT_BBOX
from benchmarks.workloads import SEARCH_HALF_SIDE_M

SQL_DIR = config.BENCH_DIR / "sql"
READABLE = "c.visibility IN ('public', 'shared')"  # the carabinieri viewer's read scope
LISTED = f"{READABLE} AND c.status <> 'decommissioned'"  # lists hide decommissioned cameras
ZOOM = 8
CELL_M = 2 * math.pi * 6_378_137.0 / (2**ZOOM * 4)
SCRIPTS = {
    ("W1", "peer"): ("items_peer", {"bbox": TORINO_VIEWPORT_BBOX, "limit": 500}),
    ("W1", "lean"): ("items_lean", {"bbox": TORINO_VIEWPORT_BBOX, "limit": 500}),
    ("W2", "lean"): ("item", {}),
    ("W3", "peer"): ("items_peer", {"bbox": TORINO_CITY_BBOX, "limit": 1000}),
    ("W3", "lean"): ("items_lean", {"bbox": TORINO_CITY_BBOX, "limit": 1000}),
    ("W4", "lean"): ("sees", {}),
    ("W5", "lean"): ("near", {}),
    ("W6", "lean"): ("search", {}),
    ("W7", "lean"): ("clusters", {"bbox": PIEMONTE_BBOX}),
}


@dataclass(frozen=True)
class FloorResult:
    transactions_per_s: float
    p50_ms: float | None
    p99_ms: float | None
    transactions: int
    script: Path
    raw: Path
    command: str

    @property
    def samples(self) -> int:
        return self.transactions


def _columns(conn: psycopg.Connection) -> str:
    """Every column but public_location; fov as GeoJSON with 7 decimals, as Observo renders it."""
    names = [
        name
        for (name,) in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'cameras'"
            " AND column_name NOT IN ('public_location', 'fov') ORDER BY ordinal_position"
        )
    ]
    return ", ".join([*(f"c.{n}" for n in names), "ST_AsGeoJSON(c.fov, 7)::json AS fov"])


def _point_parameters() -> dict[str, str]:
    sigma_lon, sigma_lat = synthetic.torino_sigma_deg()
    west, south, east, north = TORINO_CITY_BBOX
    lon_p = min(east - TORINO.lon, TORINO.lon - west) / sigma_lon
    lat_p = min(north - TORINO.lat, TORINO.lat - south) / sigma_lat
    return {
        "lon0": f"{TORINO.lon}",
        "lat0": f"{TORINO.lat}",
        "lon_p": f"{lon_p:.3f}",
        "lat_p": f"{lat_p:.3f}",
        # random_gaussian(-1e6, 1e6, p) / 1e6 spans ±1 for ±p standard deviations.
        "lon_spread": f"{sigma_lon * lon_p:.9f}",
        "lat_spread": f"{sigma_lat * lat_p:.9f}",
    }


def _square() -> str:
    dlat = SEARCH_HALF_SIDE_M / 111_132.0
    dlon = f"({SEARCH_HALF_SIDE_M} / (111320.0 * cos(radians(:lat))))"
    return f"ST_MakeEnvelope(:lon - {dlon}, :lat - {dlat:.9f}, :lon + {dlon}, :lat + {dlat:.9f}, 4326)"


def render(key: str, variant: str) -> Path:
    """Write the pgbench script for one workload and variant; return its path."""
    template, params = SCRIPTS[(key, variant)]
    with psycopg.connect(config.conninfo()) as conn:
        columns = _columns(conn)
        (n,) = conn.execute("SELECT coalesce(max(id), 1) FROM cameras").fetchone() or (1,)
    values = {
        **_point_parameters(),
        "columns": columns,
        "n": str(n),
        "listed": LISTED,
        "readable": READABLE,
        "square": _square(),
        "cell_m": f"{CELL_M:.6f}",
        "limit": str(params.get("limit", 100)),
        "bbox": ", ".join(f"{v:g}" for v in params.get("bbox", (0, 0, 0, 0))),
        **dict(
            zip(
                ("west", "south", "east", "north"),
                (f"{v:g}" for v in params.get("bbox", (0, 0, 0, 0))),
                strict=True,
            )
        ),
    }
    text = Template((SQL_DIR / f"{template}.sql").read_text()).substitute(values)
    path = state.STATE_DIR / "sql" / f"{key}_{variant}.sql"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _percentile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, int(q / 100 * len(sorted_values)))]


def run(script: Path, load: Pass, seed: int, raw: Path) -> FloorResult:
    """pgbench -n -f script with per-transaction logging; keep its output in ``raw``."""
    log_dir = raw.with_suffix("")
    log_dir.mkdir(parents=True, exist_ok=True)
    for old in log_dir.glob("tx.*"):
        old.unlink()
    command = ["pgbench", "-n", "-f", str(script), f"--random-seed={seed}", f"-c{load.connections}"]
    command += [f"-j{load.threads}", f"-T{load.seconds}", "-l", f"--log-prefix={log_dir}/tx"]
    completed = subprocess.run(command, capture_output=True, text=True, env=config.pg_env())
    raw.write_text("$ " + " ".join(command) + "\n" + completed.stdout + completed.stderr)
    if completed.returncode != 0:
        raise RuntimeError(f"pgbench failed on {script.name}; see {raw}")
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", completed.stdout)
    latencies = sorted(
        int(line.split()[2]) / 1000 for log in log_dir.glob("tx.*") for line in log.read_text().splitlines()
    )
    return FloorResult(
        transactions_per_s=float(tps.group(1)) if tps else math.nan,
        p50_ms=_percentile(latencies, 50),
        p99_ms=_percentile(latencies, 99),
        transactions=len(latencies),
        script=script,
        raw=raw,
        command=" ".join(command),
    )


def sample_answer(script: Path) -> tuple[int, int]:
    """(bytes, features) of one answer, with the first pgbench variables replaced by fixed values."""
    lon, lat = state.points()[0]
    values = {"lon": f"{lon}", "lat": f"{lat}", "id": str(state.camera_ids()[0])}
    sql = "\n".join(line for line in script.read_text().splitlines() if not line.startswith("\\"))
    sql = re.sub(r":(lon|lat|id)\b", lambda m: values[m.group(1)], sql)
    with psycopg.connect(config.conninfo()) as conn:
        row = conn.execute(sql).fetchone()
    text = row[0] if row else "{}"
    answer = json.loads(text)
    return len(text.encode()), len(answer.get("features", [])) if "features" in answer else 1

"""Drive one target with wrk (seeded request list, fixed connections and duration) and parse it."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from benchmarks.config import BENCH_DIR
from benchmarks.workloads import Request

LUA = BENCH_DIR / "wrk" / "requests.lua"


@dataclass(frozen=True)
class Pass:
    """One wrk run: how hard and how long."""

    connections: int
    threads: int
    seconds: int


@dataclass(frozen=True)
class WrkResult:
    requests_per_s: float
    p50_ms: float | None  # None when no request completed within the pass
    p90_ms: float | None
    p99_ms: float | None
    requests: int
    bytes: int
    non_2xx: int
    socket_errors: int
    raw: Path
    command: str

    @property
    def samples(self) -> int:
        return self.requests


def write_requests(path: Path, requests: list[Request]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{r.method}\t{r.path}\t{r.body}" if r.body else f"{r.method}\t{r.path}" for r in requests]
    path.write_text("\n".join(lines) + "\n")
    return path


def run(
    base_url: str,
    requests_file: Path,
    load: Pass,
    headers: list[str],
    raw: Path,
    script: Path = LUA,
    token_file: str = "benchmarks/.state/token",
) -> WrkResult:
    """Run wrk --latency with ``script`` (it must print WRK_JSON); keep its full output in ``raw``."""
    command = ["wrk", f"-t{load.threads}", f"-c{load.connections}", f"-d{load.seconds}s", "--latency"]
    command += ["--timeout", "30s", "-s", str(script)]
    for header in headers:
        command += ["-H", header]
    command += [base_url, "--", str(requests_file)]
    completed = subprocess.run(command, capture_output=True, text=True, check=True)
    shown = " ".join(_quoted(part, token_file) for part in command)
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text("$ " + shown + "\n" + completed.stdout + completed.stderr)
    return parse(completed.stdout, raw, shown)


def _quoted(part: str, token_file: str) -> str:
    # The token stays out of logs and RESULTS.md: shown as the shell expression that reads it.
    if part.startswith("Authorization: Bearer "):
        return f'"Authorization: Bearer $(cat {token_file})"'
    return f'"{part}"' if " " in part else part


def parse(output: str, raw: Path, command: str = "") -> WrkResult:
    line = next(x for x in output.splitlines() if x.startswith("WRK_JSON "))
    data = json.loads(line.removeprefix("WRK_JSON "))
    seconds = data["duration_us"] / 1e6
    done = data["requests"] > 0
    return WrkResult(
        requests_per_s=data["requests"] / seconds if seconds else 0.0,
        p50_ms=data["p50_us"] / 1000 if done else None,
        p90_ms=data["p90_us"] / 1000 if done else None,
        p99_ms=data["p99_us"] / 1000 if done else None,
        requests=data["requests"],
        bytes=data["bytes"],
        non_2xx=data["non_2xx_3xx"],
        socket_errors=sum(data[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")),
        raw=raw,
        command=command,
    )

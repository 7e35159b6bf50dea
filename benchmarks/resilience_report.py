"""Figures of the loopback load test: one pass's answers by status and its socket errors, and the
"Loopback load test (issue 8)" section of benchmarks/RESULTS.md."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import sections
from benchmarks.loadgen import Pass, WrkResult

SOCKET_ERRORS = ("connect_errors", "read_errors", "write_errors", "timeouts")


def _line(text: str, prefix: str) -> dict[str, int]:
    line = next((x for x in text.splitlines() if x.startswith(prefix)), None)
    if line is None:
        raise ValueError(f"no {prefix.strip()} line in the wrk output")
    return json.loads(line.removeprefix(prefix))


@dataclass(frozen=True)
class PassResult:
    name: str
    load: Pass
    wrk: WrkResult
    statuses: dict[int, int]
    socket_errors: dict[str, int]
    max_ms: float
    load_average: tuple[float, float, float]  # just before the pass
    expected: tuple[int, ...] = ()  # non-2xx statuses that are correct answers (412 for writes)
    db_busy: float | None = None  # mean PostgreSQL backends in a statement or transaction
    db_lock_waits: float | None = None  # mean backends waiting for a lock

    def count(self, low: int, high: int) -> int:
        return sum(n for status, n in self.statuses.items() if low <= status < high)

    @property
    def server_errors(self) -> int:
        return self.count(500, 600)

    @property
    def unexpected(self) -> dict[int, int]:
        return {s: n for s, n in self.statuses.items() if not (200 <= s < 300 or s in self.expected)}

    @property
    def failures(self) -> list[str]:
        found = []
        if self.server_errors:
            found.append(f"{self.server_errors} answers 5xx")
        if sum(self.socket_errors.values()):
            found.append(f"socket errors {self.socket_errors}")
        if self.unexpected:
            found.append(f"unexpected statuses {self.unexpected}")
        return [f"{self.name}: {what}" for what in found]


def from_wrk(
    name: str, load: Pass, wrk: WrkResult, load_average: tuple[float, ...], expected: tuple[int, ...] = ()
) -> PassResult:
    """Read the WRK_JSON and WRK_STATUS lines the Lua scripts print (kept in the raw output)."""
    text = wrk.raw.read_text()
    summary = _line(text, "WRK_JSON ")
    return PassResult(
        name=name,
        load=load,
        wrk=wrk,
        statuses={int(status): n for status, n in _line(text, "WRK_STATUS ").items()},
        socket_errors={kind: int(summary[kind]) for kind in SOCKET_ERRORS},
        max_ms=summary["max_us"] / 1000,
        load_average=(load_average[0], load_average[1], load_average[2]),
        expected=tuple(expected),
    )


@dataclass(frozen=True)
class RunInfo:
    date: str
    command: str
    data: str
    server: str
    machine: str
    database: str
    commands: list[str]
    observations: list[str] = field(default_factory=list)


def _ms(value: float | None) -> str:
    return "—" if value is None else (f"{value:,.1f}" if value < 100 else f"{value:,.0f}")


def _mean(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _statuses(statuses: dict[int, int]) -> str:
    return ", ".join(f"{status}: {n:,}" for status, n in sorted(statuses.items())) or "none"


def _row(r: PassResult) -> str:
    w = r.wrk
    socket = "/".join(str(r.socket_errors[k]) for k in SOCKET_ERRORS)
    expected = sum(r.statuses.get(s, 0) for s in r.expected)
    other_4xx = r.count(400, 500) - expected
    cells = [
        r.name, f"{r.load.connections} × {r.load.seconds} s", f"{r.load_average[0]:.2f}",
        f"{w.requests:,}", f"{w.requests_per_s:,.1f}", _ms(w.p50_ms), _ms(w.p90_ms), _ms(w.p99_ms),
        _ms(r.max_ms), f"{r.count(200, 300):,}", f"{expected:,}" if r.expected else "—",
        f"{other_4xx:,}", f"{r.server_errors:,}", socket, f"{_mean(r.db_busy)} / {_mean(r.db_lock_waits)}",
    ]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


def section(results: list[PassResult], info: RunInfo) -> list[str]:
    verdict = [f for r in results for f in r.failures]
    header = (
        "| pass | connections × duration | load avg (1 min) before | requests | req/s | p50 ms | p90 ms"
        " | p99 ms | max ms | 2xx | 412 | other 4xx | 5xx | socket errors connect/read/write/timeout"
        " | DB backends busy / waiting for a lock |"
    )
    return [
        sections.LOAD_TEST,
        "",
        f"Date: {info.date}. Command: `{info.command}` (or `make load`).",
        "",
        f"- Data: {info.data}",
        f"- Server: {info.server}",
        f"- Database: {info.database}",
        f"- Machine: {info.machine}",
        "",
        "Result: "
        + ("**failed**: " + "; ".join(verdict) if verdict else "**no 5xx, no socket errors**")
        + ". Latencies are wrk's (`--latency`, every request of the pass); the per-endpoint passes run"
        " each kind of request alone at the mix's connections, after the mix.",
        "",
        header,
        "| --- | --- |" + " ---: |" * 13,
        *(_row(r) for r in results),
        "",
        "Answers by status:",
        "",
        *(f"- {r.name}: {_statuses(r.statuses)}" for r in results),
        "",
        *(f"- {note}" for note in info.observations),
        "",
        "```",
        *info.commands,
        "```",
        "",
    ]


def write(path: Path, results: list[PassResult], info: RunInfo) -> None:
    """Replace (or append) the section; the rest of RESULTS.md stays as it is."""
    sections.replace(path, section(results, info))

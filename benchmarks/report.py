"""benchmarks/RESULTS.md: one table per workload, ratios, targets, load timings, versions, commands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchmarks import sections
from benchmarks.results import Measurement, find
from benchmarks.workloads import WORKLOADS

TARGET_LABELS = {
    "observo": "Observo",
    "tipg": "tipg (uvicorn ×2)",
    "pygeoapi": "pygeoapi (gunicorn ×2)",
    "floor-peer": "DB floor, peer semantics (count + ORDER BY id)",
    "floor-lean": "DB floor, lean (no count, no sort)",
}


@dataclass(frozen=True)
class RunInfo:
    date: str
    title: str
    command: str
    observo_serving: str
    passes: str
    environment: dict[str, str]
    load: dict[str, object] | None
    commands: list[str]
    notes: list[str]


def _num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}" if value < 100 or digits == 0 else f"{value:,.0f}"


def _row(m: Measurement) -> str:
    if not m.ok:
        return f"| {TARGET_LABELS[m.target]} | {m.status} | | | | | |"
    loaded = f"{_num(m.p50_loaded_ms)} / {_num(m.p99_loaded_ms)}"
    cells = [
        TARGET_LABELS[m.target],
        _num(m.requests_per_s),
        _num(m.p50_ms, 2),
        _num(m.p99_ms, 2),
        loaded,
        _num(m.bytes, 0),
        _num(m.features, 0),
    ]
    return "| " + " | ".join(cells) + " |"


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _ratios(ms: list[Measurement], key: str) -> list[str]:
    observo = find(ms, key, "observo")
    if observo is None or not observo.ok:
        return []
    lines = []
    for peer in ("tipg", "pygeoapi"):
        other = find(ms, key, peer)
        if other is not None and other.ok:
            ratio = _ratio(observo.requests_per_s, other.requests_per_s)
            lines.append(f"Observo / {peer} throughput: **{_num(ratio, 2)}×**")
    for variant in ("lean", "peer"):
        floor = find(ms, key, f"floor-{variant}")
        if floor is not None and floor.ok:
            lines.append(
                f"Observo p50 / {variant} floor p50: **{_num(_ratio(observo.p50_ms, floor.p50_ms), 2)}×**"
            )
    return lines


def _workload_section(ms: list[Measurement]) -> list[str]:
    out = []
    for workload in WORKLOADS:
        rows = [m for m in ms if m.workload == workload.key]
        if not rows:
            continue
        out += [
            f"### {workload.key} — {workload.title}",
            "",
            "| target | req/s (throughput pass) | p50 ms | p99 ms | p50 / p99 ms under throughput load"
            " | bytes/response | features/response |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            *(_row(m) for m in rows),
            "",
        ]
        ratios = _ratios(ms, workload.key)
        out += [" · ".join(ratios), ""] if ratios else []
    return out


Check = Callable[[list[Measurement]], tuple[str, bool | None]]


def _throughput_vs(key: str, other: str, factor: float) -> Check:
    def check(ms: list[Measurement]) -> tuple[str, bool | None]:
        a, b = find(ms, key, "observo"), find(ms, key, other)
        ratio = _ratio(a.requests_per_s, b.requests_per_s) if a and b and a.ok and b.ok else None
        return (f"{_num(ratio, 2)}×", None if ratio is None else ratio >= factor)

    return check


def _latency(key: str, field: str, limit: float, floor_factor: bool = False) -> Check:
    def check(ms: list[Measurement]) -> tuple[str, bool | None]:
        a = find(ms, key, "observo")
        value = getattr(a, field) if a and a.ok else None
        if floor_factor:
            floor = find(ms, key, "floor-lean")
            value = _ratio(value, floor.p50_ms) if floor and floor.ok else None
            return (f"{_num(value, 2)}×", None if value is None else value <= limit)
        return (f"{_num(value, 1)} ms", None if value is None else value <= limit)

    return check


TARGETS: list[tuple[str, Check]] = [
    ("W1 throughput ≥ 1.0× tipg (issue; targets: ≥ 5×)", _throughput_vs("W1", "tipg", 1.0)),
    ("W1 throughput ≥ 3× pygeoapi", _throughput_vs("W1", "pygeoapi", 3.0)),
    ("W3 throughput ≥ 1.0× tipg (issue; targets: ≥ 5×)", _throughput_vs("W3", "tipg", 1.0)),
    ("W3 throughput ≥ 3× pygeoapi", _throughput_vs("W3", "pygeoapi", 3.0)),
    ("W1 throughput ≥ 50 % of the lean floor (targets)", _throughput_vs("W1", "floor-lean", 0.5)),
    ("W3 throughput ≥ 50 % of the lean floor (targets)", _throughput_vs("W3", "floor-lean", 0.5)),
    ("W2 throughput ≥ 3× tipg (targets)", _throughput_vs("W2", "tipg", 3.0)),
    *((f"{k} p50 ≤ 2× lean floor p50", _latency(k, "p50_ms", 2.0, True)) for k in ("W1", "W2", "W3")),
    *((f"{k} p50 ≤ 2× lean floor p50", _latency(k, "p50_ms", 2.0, True)) for k in ("W4", "W5", "W6")),
    *((f"{k} p99 ≤ 50 ms", _latency(k, "p99_ms", 50.0)) for k in ("W4", "W5", "W6")),
    ("W7 p50 ≤ 150 ms", _latency("W7", "p50_ms", 150.0)),
]  # fmt: skip


def _targets_section(ms: list[Measurement], load: dict[str, object] | None) -> list[str]:
    out = ["| target | measured | met |", "| --- | ---: | :---: |"]
    marks = {True: "yes", False: "**no**", None: "n/a"}
    for label, check in TARGETS:
        value, met = check(ms)
        out.append(f"| {label} | {value} | {marks[met]} |")
    timings = (load or {}).get("timings_s") if load else None
    if isinstance(timings, dict) and load and load.get("n") == 1_000_000:
        total = float(timings.get("total", 0))
        out.append(f"| loading 1,000,000 cameras ≤ 120 s | {total:.1f} s | {marks[total <= 120]} |")
    return [*out, ""]


def _load_section(load: dict[str, object] | None) -> list[str]:
    if not load:
        return ["No load report (benchmarks/.state/load.json) was found.", ""]
    timings = load.get("timings_s", {})
    assert isinstance(timings, dict)
    rows = [f"| {name} | {float(seconds):.1f} |" for name, seconds in timings.items()]
    return [
        f"{int(str(load['n'])):,} cameras, seed {load['seed']}, loaded {load['date']}, "
        f"{load.get('workers')} generator process(es); table with indexes: {load.get('table_size')}.",
        "",
        "| phase | seconds |",
        "| --- | ---: |",
        *rows,
        "",
        "`generate_cpu` is the generator processes' CPU time, overlapped with `copy` (wall time of the "
        "single COPY FREEZE stream); `total` is wall time from dropping the database to the end of ANALYZE.",
        "",
    ]


def write(path: Path, ms: list[Measurement], info: RunInfo) -> None:
    lines = [
        f"# {info.title}",
        "",
        f"Date: {info.date}. Command: `{info.command}`.",
        "",
        f"Passes: {info.passes}. Observo served by {info.observo_serving}.",
        "",
        "## Targets (issue 3 and docs/architecture.md, \"Performance targets\")",
        "",
        *_targets_section(ms, info.load),
        "## Workloads",
        "",
        "p50/p99 come from the latency pass (bounded load); req/s and the loaded latencies from the "
        "throughput pass. Bytes and features: one answer fetched in full (the floor: the query's text).",
        "",
        *_workload_section(ms),
        "## Load",
        "",
        *_load_section(info.load),
        "## Environment",
        "",
        *(f"- {name}: {value}" for name, value in info.environment.items()),
        "",
        "## Notes",
        "",
        *(f"- {note}" for note in info.notes),
        "",
        "## Commands",
        "",
        "```",
        *info.commands,
        "```",
        "",
    ]
    kept = sections.kept(path)  # e.g. the loopback load test's figures: another command writes them
    path.write_text("\n".join([*lines, *kept, ""] if kept else lines))

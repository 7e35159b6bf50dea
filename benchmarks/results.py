"""What one target measured on one workload (the rows of RESULTS.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

OK = "ok"
NOT_AVAILABLE = "not available"


@dataclass
class Measurement:
    workload: str
    target: str  # observo, tipg, pygeoapi, floor-peer, floor-lean
    status: str = OK  # ok, not available, or "failed: ..."
    requests_per_s: float | None = None  # throughput pass (many connections)
    p50_ms: float | None = None  # latency pass (bounded load)
    p99_ms: float | None = None
    p50_loaded_ms: float | None = None  # latencies of the throughput pass
    p99_loaded_ms: float | None = None
    bytes: int | None = None  # one answer
    features: int | None = None
    raw: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == OK


def find(measurements: list[Measurement], workload: str, target: str) -> Measurement | None:
    return next((m for m in measurements if m.workload == workload and m.target == target), None)

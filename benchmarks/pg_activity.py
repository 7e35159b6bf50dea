"""What PostgreSQL's client backends do during the load test, sampled from pg_stat_activity: how
many are connected (pool sizing against max_connections), busy, and waiting for a lock."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from types import TracebackType

import psycopg

from benchmarks import config

_QUERY = (
    "SELECT count(*) FILTER (WHERE datname = %(db)s), count(*),"
    " count(*) FILTER (WHERE datname = %(db)s AND state <> 'idle'),"
    " count(*) FILTER (WHERE datname = %(db)s AND wait_event_type = 'Lock')"
    " FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
)


@dataclass(frozen=True)
class Sample:
    at: float  # time.monotonic()
    connections: int  # to the database under test
    all_connections: int  # to every database of the server (max_connections counts these)
    busy: int  # in a statement or a transaction (state <> idle)
    lock_waits: int  # waiting for a heavyweight lock (row, transaction id)


class ActivitySampler:
    """Samples in a background thread, from a connection of its own, while the context is open."""

    def __init__(self, database: str, interval_s: float = 0.25) -> None:
        self.database = database
        self.interval_s = interval_s
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ActivitySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with psycopg.connect(config.conninfo("postgres"), autocommit=True) as conn:
            while not self._stop.wait(self.interval_s):
                row = conn.execute(_QUERY, {"db": self.database}).fetchone()
                if row:
                    self.samples.append(Sample(time.monotonic(), *(int(v) for v in row)))

    def between(self, start: float, end: float) -> list[Sample]:
        return [s for s in self.samples if start <= s.at <= end]

    def peak(self) -> tuple[int, int]:
        """(connections to the database, connections in all) at their highest."""
        return (
            max((s.connections for s in self.samples), default=0),
            max((s.all_connections for s in self.samples), default=0),
        )


def means(samples: list[Sample]) -> tuple[float | None, float | None]:
    """Mean busy backends and mean lock-waiting backends over the samples."""
    if not samples:
        return None, None
    return sum(s.busy for s in samples) / len(samples), sum(s.lock_waits for s in samples) / len(samples)

"""Reads served by PostgreSQL streaming replicas; writes, audit entries and fresh reads by the primary.

A request is read on a replica only when all of these hold (http/read_routing.py decides):
- it changes nothing and appends nothing to the audit log (its route has no write intent);
- its caller has not changed data in the last `read_your_writes_s` seconds (users.last_write_at):
  an editor sees their own change at once;
- a replica is healthy: streaming from the primary, and its replay at most `replica_max_lag_s` behind.

Credentials and the caller's scope are always resolved on the primary, so a revoked token or a left
pact takes effect at once however far a replica lags. A replica whose health check fails, or that
fails in the middle of a read, is left alone for `replica_retry_s`; the read is answered by the
primary. See docs/performance.md, "Read replicas".
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from observo.spatial.engine import keep_prepared_statements

log = logging.getLogger(__name__)

# The engine this request's reads go to; None: the primary (the session's own bind).
read_engine: ContextVar[sa.Engine | None] = ContextVar("observo_read_engine", default=None)

# How long a health check is trusted: a request does not pay for one more often than this per replica.
_CHECK_EVERY_S = 1.0
# Streaming, and seconds behind: 0 when everything received is replayed (an idle primary sends nothing,
# so the last replayed transaction's age would be no lag at all).
_HEALTH_SQL = sa.text(
    """SELECT COALESCE((SELECT status = 'streaming' FROM pg_stat_wal_receiver), false),
              CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                   ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"""
)


@dataclass
class _Replica:
    engine: sa.Engine
    checked_at: float = float("-inf")
    usable: bool = False
    down_until: float = float("-inf")
    lock: threading.Lock = field(default_factory=threading.Lock)


class ReplicaSet:
    """The replicas of one app, each with its last health check; thread-safe."""

    def __init__(
        self,
        urls: Sequence[str],
        engine_options: dict[str, Any],
        max_lag_s: float,
        retry_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._replicas = [_Replica(_engine(url, engine_options)) for url in urls]
        self._max_lag_s = max_lag_s
        self._retry_s = retry_s
        self._clock = clock
        self._turn = itertools.count()

    def __bool__(self) -> bool:
        return bool(self._replicas)

    def pick(self) -> sa.Engine | None:
        """A healthy replica (in turn), or None: read from the primary."""
        count = len(self._replicas)
        start = next(self._turn)
        for offset in range(count):
            replica = self._replicas[(start + offset) % count]
            if self._healthy(replica):
                return replica.engine
        return None

    def failed(self, engine: sa.Engine) -> None:
        """A read on `engine` failed: leave it alone for a while."""
        for replica in self._replicas:
            if replica.engine is engine:
                replica.down_until = self._clock() + self._retry_s
                replica.usable = False
                log.warning("read replica %s failed: the primary reads for %s s", engine.url, self._retry_s)

    def dispose(self) -> None:
        for replica in self._replicas:
            replica.engine.dispose()

    def _healthy(self, replica: _Replica) -> bool:
        now = self._clock()
        if now < replica.down_until:
            return False
        if now - replica.checked_at < _CHECK_EVERY_S:
            return replica.usable
        with replica.lock:  # one check at a time per replica; the others use the last answer
            if self._clock() - replica.checked_at >= _CHECK_EVERY_S:
                replica.usable = self._check(replica)
                replica.checked_at = self._clock()
        return replica.usable

    def _check(self, replica: _Replica) -> bool:
        try:
            with replica.engine.connect() as conn:
                streaming, lag_s = conn.execute(_HEALTH_SQL).one()
        except sa.exc.SQLAlchemyError as error:
            self.failed(replica.engine)
            log.warning("read replica %s unreachable: %s", replica.engine.url, getattr(error, "orig", error))
            return False
        usable = bool(streaming) and lag_s is not None and float(lag_s) <= self._max_lag_s
        if not usable:
            log.info(
                "read replica %s skipped (streaming %s, %s s behind)", replica.engine.url, streaming, lag_s
            )
        return usable


@contextmanager
def on_primary() -> Iterator[None]:
    """Statements inside read the primary, even in a request routed to a replica: for a row another
    process is changing now (a background import's job), where a replica's lag would show it stale."""
    token = read_engine.set(None)
    try:
        yield
    finally:
        read_engine.reset(token)


def _engine(url: str, engine_options: dict[str, Any]) -> sa.Engine:
    engine = sa.create_engine(url, **engine_options)
    keep_prepared_statements(engine)  # replicas only read: every transaction ends by COMMIT
    return engine

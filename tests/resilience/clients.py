"""HTTP clients in separate processes that fire at the same instant (a barrier), for races.

Standard library only: the pool spawns fresh interpreters, and each imports just this module.
"""

from __future__ import annotations

import http.client
import multiprocessing
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.pool import Pool
from typing import Any

BARRIER_TIMEOUT_S = 60.0
_barrier: Any = None  # set in each client process by `_init`


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    etag: str | None
    body: bytes


class Clients:
    """`size` client processes; `fire` sends one call from each, all released together."""

    def __init__(self, size: int) -> None:
        # spawn, not fork: the test process has database connections and threads a fork would copy.
        context = multiprocessing.get_context("spawn")
        self.size = size
        self._pool: Pool = context.Pool(size, initializer=_init, initargs=(context.Barrier(size),))

    def fire(self, calls: Sequence[Call]) -> list[Answer]:
        if len(calls) != self.size:
            raise ValueError(f"one call per client: {self.size}, not {len(calls)}")
        # Each client blocks on the barrier holding its call, so every client takes exactly one.
        return self._pool.map(_send, calls, chunksize=1)

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()


def _init(barrier: Any) -> None:
    global _barrier
    _barrier = barrier


def _send(call: Call) -> Answer:
    parts = urllib.parse.urlsplit(call.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=BARRIER_TIMEOUT_S)
    try:
        connection.connect()  # connected before the barrier: the requests leave together
        _barrier.wait(BARRIER_TIMEOUT_S)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(call.method, path, body=call.body, headers=dict(call.headers))
        response = connection.getresponse()
        body = response.read()
        content_type = response.getheader("Content-Type", "")
        return Answer(response.status, content_type, response.getheader("ETag"), body)
    finally:
        connection.close()

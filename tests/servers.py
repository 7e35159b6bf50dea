"""The production server for tests that need real worker processes: gunicorn on `observo.wsgi:app`.

Starting, waiting and stopping are the benchmark harness's (`benchmarks.servers`): one process group
per server, so stopping it ends its workers and nothing else.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from benchmarks import servers

GUNICORN = Path(sys.executable).parent / "gunicorn"  # the one installed next to this Python


@contextmanager
def gunicorn(
    database_url: str,
    instance: os.PathLike[str],
    *,
    workers: int = 4,
    threads: int = 3,
    env: Mapping[str, str] | None = None,
    ready_timeout_s: float = 60.0,
) -> Iterator[servers.Server]:
    """Serve the database at `database_url` on a free loopback port until the block ends.

    Yields once /readyz answers 200; the server (workers included) is stopped however the block ends.
    Its log is `<instance>/gunicorn.log`.
    """
    folder = Path(instance)
    folder.mkdir(parents=True, exist_ok=True)
    port = servers.free_port()
    command = [
        str(GUNICORN),
        *("-w", str(workers), "-k", "gthread", "--threads", str(threads)),
        *("--no-control-socket", "--log-level", "warning", "-b", f"{servers.HOST}:{port}"),
        "observo.wsgi:app",
    ]
    environment = {
        "OBSERVO_DATABASE_URL": database_url,
        "OBSERVO_INSTANCE_PATH": str(folder),
        "OBSERVO_SECRET_KEY": secrets.token_hex(32),  # given, so workers do not race to create one
        "OBSERVO_RATELIMIT_ENABLED": "0",  # per-process counters would only add noise to a test
        "OBSERVO_SESSION_COOKIE_SECURE": "0",  # plain http on loopback
        **(env or {}),
    }
    server = servers.Server("observo", port, command, folder / "gunicorn.log")
    try:
        servers.start(server, environment, cwd=folder)
        servers.wait_ready(server, "/readyz", ready_timeout_s)
        yield server
    finally:
        servers.stop(server)


def log_tail(server: servers.Server, lines: int = 40) -> str:
    """The end of the server's log, for assertion messages."""
    if not server.log.exists():
        return "(no log)"
    return "\n".join(server.log.read_text(errors="replace").splitlines()[-lines:])

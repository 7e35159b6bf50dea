"""Start and stop the HTTP servers under test on free loopback ports.

Each server runs in its own session (process group), so stopping it ends its workers too, and
nothing but what this module started is ever signalled.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"


@dataclass
class Server:
    name: str
    port: int
    command: list[str]
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def worker_pids(self) -> list[int]:
        """Children of the master process (gunicorn/uvicorn workers), for profiling."""
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start(server: Server, env: dict[str, str], cwd: Path | None = None) -> Server:
    server.log.parent.mkdir(parents=True, exist_ok=True)
    with server.log.open("wb") as log:
        server.process = subprocess.Popen(
            server.command,
            env={**os.environ, **env},
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return server


def wait_ready(server: Server, path: str, timeout_s: float = 90.0) -> None:
    """Poll until ``path`` answers 200; fail with the log's tail if the server dies or never answers."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited at start-up:\n{_tail(server.log)}")
        try:
            with urllib.request.urlopen(server.base_url + path, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{server.name} not ready after {timeout_s:.0f} s:\n{_tail(server.log)}")


def stop(server: Server) -> None:
    """SIGTERM the server's process group, SIGKILL it if it lingers."""
    process = server.process
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no log)"

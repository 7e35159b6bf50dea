"""A PostgreSQL 15 cluster of the test's own, on a temporary directory and a free port.

The outage tests stop, kill and restart it: the shared test server must never be the one that goes
down. initdb refuses to run as root, so as root every server command runs as the `postgres` user.
Missing binaries are an error, never a skip: CI must not pass by testing nothing.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa

from benchmarks import servers

PG_BIN = Path(os.environ.get("OBSERVO_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
_START_TIMEOUT_S = 30
# Fast and small: nothing here needs to survive a machine crash, only a server stop.
_SERVER_OPTIONS = "-c fsync=off -c full_page_writes=off -c shared_buffers=16MB -c max_connections=30"


class ClusterError(RuntimeError):
    pass


def _server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ClusterError("running as root needs runuser (util-linux) to start PostgreSQL as `postgres`")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise ClusterError(
            "running as root needs the `postgres` OS user (apt-get install postgresql-15)"
        ) from None
    return [runuser, "-u", "postgres", "--"]


class Cluster:
    """initdb on creation; start(), stop(mode), destroy(). `url(database)` is a psycopg URL."""

    def __init__(self, primary: Cluster | None = None) -> None:
        """A new cluster (initdb), or with `primary` a streaming replica of it (pg_basebackup -R)."""
        for tool in ("initdb", "pg_ctl", "pg_basebackup"):
            if not (PG_BIN / tool).is_file():
                raise ClusterError(f"{PG_BIN / tool} is missing: apt-get install postgresql-15")
        self._as_server = _server_user()
        # Not under pytest's tmp_path: its parents are private to root, and the server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="observo-pg-"))
        self.data = self.root / "data"
        self.port = servers.free_port()
        if self._as_server:
            shutil.chown(self.root, "postgres", "postgres")
        if primary is None:
            self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        else:  # initdb's trust rules let 127.0.0.1 replicate; -R makes it a standby of the primary
            address = ("-h", "127.0.0.1", "-p", primary.port, "-U", "postgres")
            # -c fast: checkpoint now rather than wait for the next one
            copy = ("-D", self.data, "-R", "-X", "stream", "-c", "fast", "--no-sync")
            self._run("pg_basebackup", *address, *copy)

    def create_postgis_database(self, name: str) -> None:
        admin = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        with sa.create_engine(self.url(name), poolclass=sa.NullPool).begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION postgis")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 {_SERVER_OPTIONS}"
        log = self.root / "server.log"
        self._run("pg_ctl", "start", "-w", "-t", _START_TIMEOUT_S, "-D", self.data, "-l", log, "-o", options)

    def stop(self, mode: str = "fast") -> None:
        """`fast`: clients are disconnected, a clean shutdown; `immediate`: like a crash."""
        self._run("pg_ctl", "stop", "-w", "-m", mode, "-D", self.data)

    def destroy(self) -> None:
        if self.running:
            try:
                self.stop("immediate")
            except ClusterError:
                self._kill_postmaster()
        shutil.rmtree(self.root, ignore_errors=True)

    def _kill_postmaster(self) -> None:
        # Only the postmaster this cluster started, by the pid it wrote.
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().split()[0])
            subprocess.run([*self._as_server, "kill", "-KILL", str(pid)], check=False)

    def _run(self, tool: str, *args: object) -> None:
        command = [*self._as_server, str(PG_BIN / tool), *(str(arg) for arg in args)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=_START_TIMEOUT_S + 10)
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise ClusterError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}\n{tail}")

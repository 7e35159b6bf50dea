"""Where things are: the project, the benchmark database, generated state, the peers' venv."""

from __future__ import annotations

import os
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
# Another run (the loopback load test) keeps its token and lists apart from the benchmark's.
STATE_DIR = Path(os.environ.get("BENCH_STATE_DIR", str(BENCH_DIR / ".state"))).resolve()
PEERS_VENV = BENCH_DIR / ".venv-peers"
PROJECT_BIN = PROJECT_DIR / ".venv" / "bin"

PG_HOST = os.environ.get("BENCH_PGHOST", "127.0.0.1")
PG_PORT = int(os.environ.get("BENCH_PGPORT", "5432"))
PG_USER = os.environ.get("BENCH_PGUSER", "postgres")
BENCH_DB = os.environ.get("BENCH_DATABASE", "observo_bench")


def conninfo(dbname: str = BENCH_DB) -> str:
    """libpq connection string (trust auth on the loopback: no password)."""
    return f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={dbname}"


def observo_url(dbname: str = BENCH_DB) -> str:
    return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}"


def pg_env() -> dict[str, str]:
    """Environment for libpq command-line tools (psql, pgbench)."""
    return {
        **os.environ,
        "PGHOST": PG_HOST,
        "PGPORT": str(PG_PORT),
        "PGUSER": PG_USER,
        "PGDATABASE": BENCH_DB,
    }

"""The benchmark database: recreate it, build Observo's schema, seed owners, and take the cameras
table's secondary indexes and foreign keys off for COPY and back on afterwards (in parallel)."""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg

from benchmarks import config
from benchmarks.owners import all_owners

TABLE = "cameras"
# Index builds are sorts: give each one memory (two run at once on a 23 GB machine).
MAINTENANCE_WORK_MEM = "1GB"


def recreate(dbname: str = config.BENCH_DB) -> None:
    """Drop and create the database with PostGIS, configured as docs/architecture.md says to deploy."""
    with psycopg.connect(config.conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')
        # Parallel workers and JIT slow short PostGIS queries (docs/architecture.md, "Spatial
        # backends"); every client of this database (Observo, tipg, pygeoapi, pgbench) gets the same.
        conn.execute(f'ALTER DATABASE "{dbname}" SET jit = off')
        conn.execute(f'ALTER DATABASE "{dbname}" SET max_parallel_workers_per_gather = 0')
    with psycopg.connect(config.conninfo(dbname), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION postgis")


def upgrade_schema(instance_path: Path, dbname: str = config.BENCH_DB) -> None:
    """Observo's own migrations, so the table is exactly the application's."""
    env = {
        **os.environ,
        "OBSERVO_DATABASE_URL": config.observo_url(dbname),
        "OBSERVO_INSTANCE_PATH": str(instance_path),
    }
    subprocess.run([str(config.PROJECT_BIN / "observo"), "db", "upgrade"], env=env, check=True)


def insert_owners(conn: psycopg.Connection) -> None:
    rows = [
        (o.id, o.slug, o.name, o.kind, o.istat_code, o.sponsor_id, o.public_precision_m) for o in all_owners()
    ]
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO organisations (id, slug, name, kind, istat_code, sponsor_id, public_precision_m,"
            " created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, now() AT TIME ZONE 'UTC')",
            rows,
        )
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('organisations', 'id'),"
            " (SELECT max(id) FROM organisations))"
        )


def missing_columns(conn: psycopg.Connection, provided: list[str]) -> list[str]:
    """NOT NULL columns without a default that the loader does not fill (the schema moved on)."""
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
        " AND is_nullable = 'NO' AND column_default IS NULL",
        (TABLE,),
    ).fetchall()
    return sorted({name for (name,) in rows} - set(provided))


@dataclass(frozen=True)
class Detached:
    """What was taken off the table for COPY: CREATE statements to run afterwards."""

    indexes: list[str]
    foreign_keys: list[str]


def detach(conn: psycopg.Connection) -> Detached:
    """Drop the secondary indexes (not the primary key) and the foreign keys of the table."""
    indexes = conn.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " WHERE i.indrelid = %s::regclass AND NOT i.indisprimary"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
        (TABLE,),
    ).fetchall()
    keys = conn.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass"
        " AND contype = 'f'",
        (TABLE,),
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f"DROP INDEX {name}")
    for name, _ in keys:
        conn.execute(f'ALTER TABLE {TABLE} DROP CONSTRAINT "{name}"')
    return Detached(
        indexes=[sql for _, sql in indexes],
        foreign_keys=[f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {sql}' for name, sql in keys],
    )


def _run(statement: str) -> None:
    with psycopg.connect(config.conninfo(), autocommit=True) as conn:
        conn.execute(f"SET maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
        conn.execute(statement)


def attach(detached: Detached, jobs: int = 2) -> None:
    """Rebuild indexes and foreign keys, ``jobs`` statements at a time (GiST builds are serial)."""
    # Longest first (the sector GiST), so the two connections finish together.
    order = sorted(detached.indexes, key=lambda sql: ("gist" not in sql, "(fov)" not in sql))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(_run, order + detached.foreign_keys))


def finish(conn: psycopg.Connection) -> None:
    """Sequence after the explicit ids, then VACUUM ANALYZE (visibility map, statistics)."""
    conn.execute(f"SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), (SELECT max(id) FROM {TABLE}))")
    conn.execute(f"VACUUM (ANALYZE) {TABLE}")
    conn.execute("ANALYZE")

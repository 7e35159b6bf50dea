"""The cluster counts' PostgreSQL trigger functions run their statements through EXECUTE.

PL/pgSQL keeps a statement's plan from its first run in a session. The update trigger's plan, made for
a one-row UPDATE, stayed for later UPDATEs of many rows on the same (pooled) connection and grew with
the cube of the rows (161 demo cameras: 2.7 s instead of 0.06 s; benchmarks/VISIBILITY.md). EXECUTE
plans each statement for the transition tables it really gets. The SQL itself is migration
d7b3e9f1a2c4's, unchanged; SQLite's row triggers have no such cache and stay as they are.

Revision ID: b8e1f4c7d2a9
Revises: a6d9e3c1f7b5
Create Date: 2026-12-13 09:00:00.000000
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "b8e1f4c7d2a9"
down_revision = "a6d9e3c1f7b5"
branch_labels = None
depends_on = None


def _cell_counts_migration():
    """Migration d7b3e9f1a2c4, whose statements these functions run (one source for the SQL)."""
    path = Path(__file__).with_name("20261205_d7b3e9f1a2c4_camera_cell_counts.py")
    spec = importlib.util.spec_from_file_location("observo_migration_d7b3e9f1a2c4", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _replace_functions(executed: bool) -> None:
    for event, body in _cell_counts_migration()._PG_FUNCTIONS.items():
        statements = [statement.strip() for statement in body.split(";") if statement.strip()]
        if executed:
            body = " ".join(f"EXECUTE $q${statement}$q$;" for statement in statements)
        op.execute(
            f"""CREATE OR REPLACE FUNCTION camera_cell_counts_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {body} RETURN NULL; END $$"""
        )


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        _replace_functions(executed=True)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _replace_functions(executed=False)

"""PostgreSQL: statistics on the coordinates of `location` and `public_location`.

A bbox page asks for matches inside the box twice over: the GiST `&&` (fast, float4-rounded) and
an exact test on ST_X/ST_Y. Without statistics on those expressions the planner multiplied the two
selectivities as if independent, expected 2 rows where a city box has 104,000, and sorted them all
instead of walking the index nearest-first: 202 ms instead of 6 ms at a million cameras
(docs/performance.md, "Indexes"). SQLite plans without such estimates: nothing to do there.

Revision ID: f1a9d3c7e2b0
Revises: e8c4f0a3b5d6
Create Date: 2026-12-05 11:00:00.000000
"""

from alembic import op

revision = "f1a9d3c7e2b0"
down_revision = "e8c4f0a3b5d6"
branch_labels = None
depends_on = None

COLUMNS = ("location", "public_location")


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        coordinates = f"(ST_X({column})), (ST_Y({column}))"
        op.execute(f"CREATE STATISTICS cameras_{column}_xy ON {coordinates} FROM cameras")
    op.execute("ANALYZE cameras")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for column in COLUMNS:
        op.execute(f"DROP STATISTICS cameras_{column}_xy")

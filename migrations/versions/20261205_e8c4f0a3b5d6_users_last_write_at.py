"""Users: when each last changed data, so that for a while after it they read from the primary.

Reads may be served by PostgreSQL streaming replicas (OBSERVO_DATABASE_REPLICA_URLS); an editor must
see their own change at once (spatial/replicas.py, docs/performance.md).

Revision ID: e8c4f0a3b5d6
Revises: d7b3e9f1a2c4
Create Date: 2026-12-05 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "e8c4f0a3b5d6"
down_revision = "d7b3e9f1a2c4"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("last_write_at", sa.DateTime(), nullable=True))


def downgrade():
    op.execute("ALTER TABLE users DROP COLUMN last_write_at")  # in place on SQLite (>= 3.35)

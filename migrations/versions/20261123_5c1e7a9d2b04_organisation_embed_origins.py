"""Organisations list the web origins that may frame their public embed.

`embed_origins` is one space-separated text of CSP sources (`https://www.comune.it
https://*.comune.it`), NULL for none: readable in SQL, and the header's own syntax.

Revision ID: 5c1e7a9d2b04
Revises: ae5f401f3d98
Create Date: 2026-11-23 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "5c1e7a9d2b04"
down_revision = "ae5f401f3d98"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("embed_origins", sa.Text(), nullable=True))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # A batch copy of `organisations` would trip the foreign keys that point at it: SQLite >= 3.35
        # drops the column in place.
        op.execute("ALTER TABLE organisations DROP COLUMN embed_origins")
        return
    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("embed_origins")

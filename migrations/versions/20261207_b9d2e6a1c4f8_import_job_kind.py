"""Import jobs say what they import: `cameras` (every job so far) or `obstacles` (a large obstacle layer
imported in the background, issue 20).

Revision ID: b9d2e6a1c4f8
Revises: a4c7e2f9b3d1
Create Date: 2026-12-07 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "b9d2e6a1c4f8"
down_revision = "a4c7e2f9b3d1"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "imports",
        sa.Column("kind", sa.String(length=16), nullable=False, server_default="cameras"),
    )


def downgrade():
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_column("kind")

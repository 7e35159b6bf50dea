"""Owners re-confirm their cameras every year (issue 19, docs/owners.md, "Yearly re-confirmation"):
`cameras.owner_confirmed_on`, and `owner_reminders` (one reminder per camera and period).

Cameras approved from a declaration before this revision count as confirmed on the day of their
latest approval.

Revision ID: a6d9e3c1f7b5
Revises: f3b8d6a2c9e4
Create Date: 2026-12-12 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "a6d9e3c1f7b5"
down_revision = "f3b8d6a2c9e4"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("cameras", sa.Column("owner_confirmed_on", sa.Date(), nullable=True))
    day = "date(d.decided_at)" if op.get_bind().dialect.name == "sqlite" else "CAST(d.decided_at AS DATE)"
    op.execute(
        f"""UPDATE cameras SET owner_confirmed_on = (
                SELECT max({day}) FROM owner_camera_declarations d
                WHERE d.camera_id = cameras.id AND d.status = 'approved')
            WHERE source = 'owner_registration'"""
    )
    op.create_table(
        "owner_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"],
            ["cameras.id"],
            name=op.f("fk_owner_reminders_camera_id_cameras"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owner_reminders")),
        sa.UniqueConstraint("camera_id", "due_on", name=op.f("uq_owner_reminders_camera_id")),
    )


def downgrade():
    op.drop_table("owner_reminders")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE cameras DROP COLUMN owner_confirmed_on")  # in place (SQLite >= 3.35)
    else:
        op.drop_column("cameras", "owner_confirmed_on")

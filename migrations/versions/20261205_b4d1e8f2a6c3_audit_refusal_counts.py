"""Audit log: refusals of unidentified callers counted per address and window, summarised once.

A flood of requests with random tokens must not append one five-year entry each: the window's first
refusal is logged in full, the later ones are counted here and logged as one summary entry with the
count (services/audit_refusals.py, docs/security.md).

Revision ID: b4d1e8f2a6c3
Revises: 7a3e9c2d4f10
Create Date: 2026-12-05 12:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "b4d1e8f2a6c3"
down_revision = "7a3e9c2d4f10"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_refusal_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_refusal_counts")),
        sa.UniqueConstraint("action", "address", "window_start", name=op.f("uq_audit_refusal_counts_action")),
    )
    op.create_index(
        op.f("ix_audit_refusal_counts_window_start"), "audit_refusal_counts", ["window_start"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_audit_refusal_counts_window_start"), table_name="audit_refusal_counts")
    op.drop_table("audit_refusal_counts")

"""Owners answer the preservation requests addressed to them (issue 19, docs/owners.md, "Footage
requests"): `preservation_answers`, every answer kept.

Revision ID: e7a4c1f9b2d6
Revises: d5e8b2f4a7c1
Create Date: 2026-12-10 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "e7a4c1f9b2d6"
down_revision = "d5e8b2f4a7c1"
branch_labels = None
depends_on = None

ANSWERS = ("preserved", "nothing_recorded", "refused", "handed_over")


def upgrade():
    op.create_table(
        "preservation_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column(
            "answer",
            sa.Enum(
                *ANSWERS, name="preservation_answer", native_enum=False, create_constraint=True, length=16
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "answer != 'refused' OR reason IS NOT NULL", name=op.f("ck_preservation_answers_refusal_reason")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["preservation_requests.id"],
            name=op.f("fk_preservation_answers_request_id_preservation_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["owner_accounts.id"],
            name=op.f("fk_preservation_answers_account_id_owner_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preservation_answers")),
    )
    op.create_index(
        op.f("ix_preservation_answers_request_id"), "preservation_answers", ["request_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_preservation_answers_request_id"), table_name="preservation_answers")
    op.drop_table("preservation_answers")

"""Owners' API tokens (issue 19, docs/owners.md, "API and CLI"): `owner_tokens`, kept apart from the
police's `api_tokens` so that an owner token can never name a user.

Revision ID: f3b8d6a2c9e4
Revises: e7a4c1f9b2d6
Create Date: 2026-12-11 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "f3b8d6a2c9e4"
down_revision = "e7a4c1f9b2d6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "owner_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["owner_accounts.id"],
            name=op.f("fk_owner_tokens_account_id_owner_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owner_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_owner_tokens_token_hash")),
    )
    op.create_index(op.f("ix_owner_tokens_account_id"), "owner_tokens", ["account_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_owner_tokens_account_id"), table_name="owner_tokens")
    op.drop_table("owner_tokens")

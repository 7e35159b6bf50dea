"""Owners sign up (issue 19, docs/owners.md): `owner_accounts`, kept apart from police users, and an
owner organisation's tax code and address.

Plain ADD COLUMN on both databases (nullable columns): no rebuild of `organisations`.

Revision ID: c3f7a1e9d5b2
Revises: b9d2e6a1c4f8
Create Date: 2026-12-08 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "c3f7a1e9d5b2"
down_revision = "b9d2e6a1c4f8"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("organisations", sa.Column("tax_code", sa.String(length=16), nullable=True))
    op.add_column("organisations", sa.Column("address", sa.String(length=300), nullable=True))
    op.create_table(
        "owner_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("email_verified_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_owner_accounts_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owner_accounts")),
        sa.UniqueConstraint("email", name=op.f("uq_owner_accounts_email")),
    )
    op.create_index(
        op.f("ix_owner_accounts_organisation_id"), "owner_accounts", ["organisation_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_owner_accounts_organisation_id"), table_name="owner_accounts")
    op.drop_table("owner_accounts")
    # In place on SQLite (>= 3.35), as the other migrations do: no table rebuild.
    op.execute("ALTER TABLE organisations DROP COLUMN address")
    op.execute("ALTER TABLE organisations DROP COLUMN tax_code")

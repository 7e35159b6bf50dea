"""Owners declare cameras for the police to verify (issue 19, docs/owners.md):
`owner_camera_declarations`.

Revision ID: d5e8b2f4a7c1
Revises: c3f7a1e9d5b2
Create Date: 2026-12-09 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "d5e8b2f4a7c1"
down_revision = "c3f7a1e9d5b2"
branch_labels = None
depends_on = None

KINDS = ("new", "change")
STATUSES = ("pending", "changes_requested", "approved", "rejected", "cancelled")


def upgrade():
    op.create_table(
        "owner_camera_declarations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="declaration_kind", native_enum=False, create_constraint=True, length=6),
            nullable=False,
        ),
        sa.Column("camera_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                *STATUSES, name="declaration_status", native_enum=False, create_constraint=True, length=17
            ),
            nullable=False,
        ),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_owner_camera_declarations_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["owner_accounts.id"],
            name=op.f("fk_owner_camera_declarations_account_id_owner_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["camera_id"],
            ["cameras.id"],
            name=op.f("fk_owner_camera_declarations_camera_id_cameras"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_owner_camera_declarations_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owner_camera_declarations")),
    )
    for column in ("organisation_id", "camera_id", "status"):
        op.create_index(
            op.f(f"ix_owner_camera_declarations_{column}"),
            "owner_camera_declarations",
            [column],
            unique=False,
        )


def downgrade():
    for column in ("status", "camera_id", "organisation_id"):
        op.drop_index(op.f(f"ix_owner_camera_declarations_{column}"), table_name="owner_camera_declarations")
    op.drop_table("owner_camera_declarations")

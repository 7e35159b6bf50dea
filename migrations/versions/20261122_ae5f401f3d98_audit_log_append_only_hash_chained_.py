"""Audit log: append-only, hash-chained entries; users may be auditors of their organisation.

Revision ID: ae5f401f3d98
Revises: ad0562812790
Create Date: 2026-11-22 00:32:51.973332
"""

import sqlalchemy as sa
from alembic import op

revision = "ae5f401f3d98"
down_revision = "ad0562812790"
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64  # frozen here: the chain's first link, as the application defines it today

# The database itself refuses to change or remove an entry, whoever asks.
POSTGRES_GUARD = """
CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only();
"""
SQLITE_GUARD = (
    "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries "
    "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: DELETE refused'); END",
)


def upgrade():
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_chain_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    op.execute(
        sa.text("INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (1, 0, :h)").bindparams(
            h=GENESIS_HASH
        )
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("subject_organisation_id", sa.Integer(), nullable=True),
        sa.Column("object_type", sa.String(length=32), nullable=True),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("geometry_hash", sa.String(length=64), nullable=True),
        sa.Column("result_count", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("source_ip", sa.String(length=45), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_entries_hash")),
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        for column in (
            "action",
            "actor_user_id",
            "at",
            "organisation_id",
            "request_id",
            "subject_organisation_id",
        ):
            batch_op.create_index(batch_op.f(f"ix_audit_entries_{column}"), [column], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_GUARD:
            op.execute(statement)
    else:
        op.execute(POSTGRES_GUARD)
    # ALTER TABLE ... ADD COLUMN on both databases (no table copy: other tables point at users).
    op.add_column("users", sa.Column("auditor", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE users DROP COLUMN auditor")  # in place (SQLite >= 3.35), as above
    else:
        op.drop_column("users", "auditor")
    op.drop_table("audit_entries")  # its triggers go with it
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION audit_entries_append_only()")
    op.drop_table("audit_chain_head")

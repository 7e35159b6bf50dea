"""Sessions that end, and audit entries authenticated by a key kept outside the database.

- `users.session_epoch`: every browser session carries the epoch it was opened in; sign-out, a new
  password, a new role or deactivation move it on, which ends every earlier session at once.
- `audit_entries.key_id`: which key's HMAC the entry's hash is (None: an entry chained before keys,
  a plain SHA-256). See docs/security.md.

Plain ADD COLUMN on both databases: a batch (copy-and-move) rebuild of `audit_entries` on SQLite
would drop its append-only triggers.

Revision ID: 7a3e9c2d4f10
Revises: 965b125072b6
Create Date: 2026-12-05 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "7a3e9c2d4f10"
down_revision = "965b125072b6"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False))
    op.add_column("audit_entries", sa.Column("key_id", sa.String(length=32), nullable=True))


def downgrade():
    # In place on SQLite (>= 3.35), as the audit log migration does: no table rebuild.
    op.execute("ALTER TABLE audit_entries DROP COLUMN key_id")
    op.execute("ALTER TABLE users DROP COLUMN session_epoch")

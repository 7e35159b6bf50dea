"""Imports keep what a source says: unmapped tags, operator names, licences, unknown directions;
import jobs run in the background, may skip invalid rows and keep warnings (issue 17).

Revision ID: a3e6c9d2f4b7
Revises: f1a9d3c7e2b0
Create Date: 2026-12-05 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "a3e6c9d2f4b7"
down_revision = "f1a9d3c7e2b0"
branch_labels = None
depends_on = None

_CAMERA_COLUMNS = (
    # Tags or columns of the source that no camera field holds, verbatim ({"name": "text"}).
    sa.Column("source_tags", sa.JSON(), nullable=True),
    # The operator as the source names it, when no organisation matches (OSM `operator`).
    sa.Column("operator_name", sa.String(200), nullable=True),
    # The licence of the row's source (ODbL-1.0 for OpenStreetMap): exports carry its attribution.
    sa.Column("licence", sa.String(100), nullable=True),
    # A head that does not see all round but whose direction nobody knows (docs/importing.md).
    sa.Column("direction_unknown", sa.Boolean(), nullable=False, server_default=sa.false()),
)
_IMPORT_COLUMNS = (
    sa.Column("skip_invalid", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("skipped", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("warnings", sa.Text(), nullable=True),  # JSON list of {row, field, code, message}
    sa.Column("summary", sa.Text(), nullable=True),  # JSON: kept/ignored columns, encoding, CRS...
    sa.Column("options", sa.Text(), nullable=True),  # JSON: column map, key, CRS as requested
    sa.Column("rows_total", sa.Integer(), nullable=True),
    sa.Column("rows_done", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("payload", sa.LargeBinary(), nullable=True),  # the file, while a background job waits
    sa.Column("filename", sa.String(255), nullable=True),
    sa.Column("failure", sa.Text(), nullable=True),
    sa.Column("finished_at", sa.DateTime(), nullable=True),
)


def upgrade():
    for column in _CAMERA_COLUMNS:
        op.add_column("cameras", column)
    for column in _IMPORT_COLUMNS:
        op.add_column("imports", column)
    # Cameras imported from OpenStreetMap before the licence was kept: theirs is OSM's.
    op.execute("UPDATE cameras SET licence = 'ODbL-1.0' WHERE source = 'osm_import' AND licence IS NULL")
    # The name earlier imports gave a node without one held its id, and a public camera shows its
    # name: the id would give away the exact position its public position generalises.
    op.execute(
        "UPDATE cameras SET name = 'Telecamera OpenStreetMap' "
        "WHERE source = 'osm_import' AND name LIKE 'Telecamera OSM node/%'"
    )


def downgrade():
    # In place on SQLite (>= 3.35), as the other migrations drop columns.
    for column in reversed(_IMPORT_COLUMNS):
        op.execute(f"ALTER TABLE imports DROP COLUMN {column.name}")
    for column in reversed(_CAMERA_COLUMNS):
        op.execute(f"ALTER TABLE cameras DROP COLUMN {column.name}")

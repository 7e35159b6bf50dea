"""Cameras: an index on (owner_id, osm_id), the key an OpenStreetMap re-import finds a node's heads by.

Without it each node of an OSM file read every camera of its owner (a 2,000-node file against an
owner with 100,000 cameras: 2,000 scans of them). Partial: most cameras come from no OSM node.

Revision ID: b9d4f2e6a8c1
Revises: a3e6c9d2f4b7
Create Date: 2026-12-05 13:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "b9d4f2e6a8c1"
down_revision = "a3e6c9d2f4b7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_cameras_owner_osm",
        "cameras",
        ["owner_id", "osm_id"],
        postgresql_where=sa.text("osm_id IS NOT NULL"),
        sqlite_where=sa.text("osm_id IS NOT NULL"),
    )


def downgrade():
    op.drop_index("ix_cameras_owner_osm", table_name="cameras")

"""Cameras keep their generalised public position, so anonymous filters can use an index.

Revision ID: ad0562812790
Revises: 938277d84e43
Create Date: 2026-11-21 22:28:58.550785
"""

import math

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from pyproj import Transformer

revision = "ad0562812790"
down_revision = "938277d84e43"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cameras", schema=None) as batch_op:
        batch_op.add_geospatial_column(
            sa.Column(
                "public_location",
                Geometry(
                    geometry_type="POINT",
                    srid=4326,
                    dimension=2,
                    spatial_index=False,
                    from_text="ST_GeomFromEWKT",
                    name="geometry",
                ),
                nullable=True,
            )
        )
        batch_op.create_geospatial_index(
            "idx_cameras_public_location",
            ["public_location"],
            unique=False,
            postgresql_using="gist",
            postgresql_ops={},
        )
    _backfill_public_locations()


def _backfill_public_locations():
    """The centre of the owner's EPSG:3035 cell, as the application computes it at this revision."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT c.id, ST_X(c.location), ST_Y(c.location), o.public_precision_m "
            "FROM cameras c JOIN organisations o ON o.id = c.owner_id"
        )
    ).all()
    to_grid = Transformer.from_crs("EPSG:4326", "EPSG:3035", always_xy=True)
    from_grid = Transformer.from_crs("EPSG:3035", "EPSG:4326", always_xy=True)
    update = sa.text("UPDATE cameras SET public_location = ST_GeomFromText(:wkt, 4326) WHERE id = :id")
    for camera_id, lon, lat, cell in rows:
        if cell:
            easting, northing = to_grid.transform(lon, lat)
            lon, lat = from_grid.transform(
                (math.floor(easting / cell) + 0.5) * cell, (math.floor(northing / cell) + 0.5) * cell
            )
        bind.execute(update, {"id": camera_id, "wkt": f"POINT({round(lon, 7)} {round(lat, 7)})"})


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # A batch copy of `cameras` would trip the foreign keys that point at it: SQLite >= 3.35
        # drops the column in place once SpatiaLite has let go of its index and metadata.
        op.execute("SELECT DisableSpatialIndex('cameras', 'public_location')")
        op.execute("DROP TABLE IF EXISTS idx_cameras_public_location")
        op.execute("SELECT DiscardGeometryColumn('cameras', 'public_location')")
        op.execute("ALTER TABLE cameras DROP COLUMN public_location")
        return
    with op.batch_alter_table("cameras", schema=None) as batch_op:
        batch_op.drop_geospatial_index(
            "idx_cameras_public_location", postgresql_using="gist", column_name="public_location"
        )
        batch_op.drop_geospatial_column("public_location")

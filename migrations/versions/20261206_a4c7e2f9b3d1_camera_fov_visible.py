"""Cameras keep their visible area: the sector minus the shadows of the obstacles it meets (NULL when
no obstacle touches it), indexed on both databases so searches can use it.

Revision ID: a4c7e2f9b3d1
Revises: c8e2f4a6b1d3
Create Date: 2026-12-06 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "a4c7e2f9b3d1"
down_revision = "c8e2f4a6b1d3"
branch_labels = None
depends_on = None


def upgrade():
    # Empty for every camera: `observo fov recompute` fills it once obstacles are imported (NULL means
    # the sector is what the camera sees, which is true until then).
    with op.batch_alter_table("cameras", schema=None) as batch_op:
        batch_op.add_geospatial_column(
            sa.Column(
                "fov_visible",
                Geometry(
                    geometry_type="GEOMETRY",
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
            "idx_cameras_fov_visible",
            ["fov_visible"],
            unique=False,
            postgresql_using="gist",
            postgresql_ops={},
        )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # As for public_location: a batch copy of `cameras` would trip the foreign keys pointing at it.
        op.execute("SELECT DisableSpatialIndex('cameras', 'fov_visible')")
        op.execute("DROP TABLE IF EXISTS idx_cameras_fov_visible")
        op.execute("SELECT DiscardGeometryColumn('cameras', 'fov_visible')")
        op.execute("ALTER TABLE cameras DROP COLUMN fov_visible")
        return
    with op.batch_alter_table("cameras", schema=None) as batch_op:
        batch_op.drop_geospatial_index(
            "idx_cameras_fov_visible", postgresql_using="gist", column_name="fov_visible"
        )
        batch_op.drop_geospatial_column("fov_visible")

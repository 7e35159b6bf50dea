"""Obstacles: building footprints and walls that block cameras' views, imported per organisation and
source, with a spatial index on both databases (GiST; SpatiaLite's R*Tree).

Revision ID: c8e2f4a6b1d3
Revises: b9d4f2e6a8c1
Create Date: 2026-12-05 16:30:00.000000
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "c8e2f4a6b1d3"
down_revision = "b9d4f2e6a8c1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_geospatial_table(
        "obstacles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("building", "wall", name="obstacle_kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column(
            "geometry",
            Geometry(
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("height_m", sa.Double(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("source_ref", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("height_m IS NULL OR height_m > 0", name=op.f("ck_obstacles_height_positive")),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_obstacles_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_obstacles")),
    )
    with op.batch_alter_table("obstacles", schema=None) as batch_op:
        batch_op.create_geospatial_index(
            "idx_obstacles_geometry", ["geometry"], unique=False, postgresql_using="gist", postgresql_ops={}
        )
        batch_op.create_index("ix_obstacles_organisation_source", ["organisation_id", "source"], unique=False)


def downgrade():
    with op.batch_alter_table("obstacles", schema=None) as batch_op:
        batch_op.drop_index("ix_obstacles_organisation_source")
        batch_op.drop_geospatial_index(
            "idx_obstacles_geometry", postgresql_using="gist", column_name="geometry"
        )

    op.drop_geospatial_table("obstacles")

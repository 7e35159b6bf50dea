"""Coordinated interventions (targets, sharing, footage preservation requests) and sensitive places
with their coverage measurements.

Revision ID: 6d2f8b1c3e05
Revises: 5c1e7a9d2b04
Create Date: 2026-11-24 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "6d2f8b1c3e05"
down_revision = "5c1e7a9d2b04"
branch_labels = None
depends_on = None


def upgrade():
    op.create_geospatial_table(
        "places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "school",
                "park",
                "playground",
                "square",
                "station",
                "market",
                "place_of_worship",
                "hospital",
                "sports",
                "other",
                name="place_category",
                native_enum=False,
                create_constraint=True,
            ),
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
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_places_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
        sa.UniqueConstraint("organisation_id", "name", name="uq_places_organisation_name"),
    )
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_places_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "interventions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "proximity_patrol",
                "mobile_office",
                "event",
                "investigation",
                "other",
                name="intervention_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "planned",
                "active",
                "closed",
                name="intervention_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("window_end", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("protocol_number", sa.String(length=100), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=True),
        sa.Column("snapshot_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("version >= 1", name=op.f("ck_interventions_version_positive")),
        sa.CheckConstraint("window_end >= window_start", name=op.f("ck_interventions_window_order")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_interventions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["organisations.id"],
            name=op.f("fk_interventions_lead_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_interventions_updated_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interventions")),
    )
    with op.batch_alter_table("interventions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_interventions_lead_id"), ["lead_id"], unique=False)

    op.create_table(
        "place_coverage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column("measured_at", sa.DateTime(), nullable=False),
        sa.Column("area_m2", sa.Double(), nullable=False),
        sa.Column("covered_m2", sa.Double(), nullable=False),
        sa.Column("ratio", sa.Double(), nullable=False),
        sa.Column("camera_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"], name=op.f("fk_place_coverage_place_id_places"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_coverage")),
    )
    with op.batch_alter_table("place_coverage", schema=None) as batch_op:
        batch_op.create_index("ix_place_coverage_place_measured", ["place_id", "measured_at"], unique=False)

    op.create_table(
        "intervention_organisations",
        sa.Column("intervention_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["interventions.id"],
            name=op.f("fk_intervention_organisations_intervention_id_interventions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_intervention_organisations_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "intervention_id", "organisation_id", name=op.f("pk_intervention_organisations")
        ),
    )
    op.create_table(
        "intervention_pacts",
        sa.Column("intervention_id", sa.Integer(), nullable=False),
        sa.Column("pact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["interventions.id"],
            name=op.f("fk_intervention_pacts_intervention_id_interventions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pact_id"], ["pacts.id"], name=op.f("fk_intervention_pacts_pact_id_pacts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("intervention_id", "pact_id", name=op.f("pk_intervention_pacts")),
    )
    op.create_geospatial_table(
        "intervention_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intervention_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
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
        sa.Column("buffer_m", sa.Double(), nullable=False),
        sa.CheckConstraint("buffer_m >= 0", name=op.f("ck_intervention_targets_buffer_positive")),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["interventions.id"],
            name=op.f("fk_intervention_targets_intervention_id_interventions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intervention_targets")),
    )
    with op.batch_alter_table("intervention_targets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_intervention_targets_intervention_id"), ["intervention_id"], unique=False
        )

    op.create_table(
        "preservation_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("intervention_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("camera_ids", sa.JSON(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "pec",
                "email",
                "phone",
                "in_person",
                "letter",
                "other",
                name="preservation_channel",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("contact", sa.String(length=300), nullable=True),
        sa.Column("protocol_number", sa.String(length=100), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "preserved",
                "refused",
                "expired",
                name="preservation_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["intervention_id"],
            ["interventions.id"],
            name=op.f("fk_preservation_requests_intervention_id_interventions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organisations.id"],
            name=op.f("fk_preservation_requests_owner_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_preservation_requests_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preservation_requests")),
    )
    with op.batch_alter_table("preservation_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_preservation_requests_intervention_id"), ["intervention_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("preservation_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_preservation_requests_intervention_id"))

    op.drop_table("preservation_requests")
    with op.batch_alter_table("intervention_targets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_intervention_targets_intervention_id"))

    op.drop_geospatial_table("intervention_targets")
    op.drop_table("intervention_pacts")
    op.drop_table("intervention_organisations")
    with op.batch_alter_table("place_coverage", schema=None) as batch_op:
        batch_op.drop_index("ix_place_coverage_place_measured")

    op.drop_table("place_coverage")
    with op.batch_alter_table("interventions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interventions_lead_id"))

    op.drop_table("interventions")
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_places_organisation_id"))

    op.drop_geospatial_table("places")

"""Registry core: organisations, pacts, users, API tokens, cameras and their status history.

Revision ID: 938277d84e43
Revises:
Create Date: 2026-11-21 22:02:56.592275
"""

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "938277d84e43"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "municipality",
                "local_police",
                "state_police",
                "carabinieri",
                "public_body",
                "private",
                name="organisation_kind",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("istat_code", sa.String(length=6), nullable=True),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("contact_pec", sa.String(length=254), nullable=True),
        sa.Column("sponsor_id", sa.Integer(), nullable=True),
        sa.Column("public_precision_m", sa.Integer(), server_default="100", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "public_precision_m >= 0 AND public_precision_m <= 10000",
            name=op.f("ck_organisations_precision_range"),
        ),
        sa.CheckConstraint(
            "sponsor_id IS NULL OR sponsor_id <> id", name=op.f("ck_organisations_not_own_sponsor")
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"],
            ["organisations.id"],
            name=op.f("fk_organisations_sponsor_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
        sa.UniqueConstraint("istat_code", name=op.f("uq_organisations_istat_code")),
        sa.UniqueConstraint("slug", name=op.f("uq_organisations_slug")),
    )
    op.create_table(
        "pacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pacts")),
        sa.UniqueConstraint("slug", name=op.f("uq_pacts_slug")),
    )
    op.create_table(
        "pact_members",
        sa.Column("pact_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_pact_members_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pact_id"], ["pacts.id"], name=op.f("fk_pact_members_pact_id_pacts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("pact_id", "organisation_id", name=op.f("pk_pact_members")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("admin", "editor", "viewer", name="user_role", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_users_organisation_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_geospatial_table(
        "cameras",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=True),
        sa.Column(
            "source",
            sa.Enum(
                "census",
                "owner_registration",
                "osm_import",
                "csv_import",
                "api",
                name="camera_source",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("osm_id", sa.BigInteger(), nullable=True),
        sa.Column("site_ref", sa.String(length=100), nullable=True),
        sa.Column(
            "location",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("municipality", sa.String(length=6), nullable=True),
        sa.Column("indoor", sa.Boolean(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=True),
        sa.Column(
            "mount",
            sa.Enum(
                "wall",
                "pole",
                "ceiling",
                "street_lamp",
                "building",
                "traffic_signal",
                "gantry",
                "other",
                name="camera_mount",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("height_m", sa.Double(), nullable=True),
        sa.Column(
            "surveillance_type",
            sa.Enum("camera", "alpr", name="surveillance_type", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column(
            "camera_type",
            sa.Enum(
                "fixed",
                "dome",
                "panning",
                "panorama",
                "thermal",
                name="camera_type",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "area_class",
            sa.Enum(
                "public", "outdoor", "indoor", name="area_class", native_enum=False, create_constraint=True
            ),
            nullable=True,
        ),
        sa.Column(
            "zone",
            sa.Enum(
                "town",
                "traffic",
                "parking",
                "shop",
                "bank",
                "building",
                "entrance",
                "park",
                "public_transport",
                "school",
                "other",
                name="camera_zone",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("make", sa.String(length=100), nullable=True),
        sa.Column("model", sa.String(length=100), nullable=True),
        sa.Column("bearing_deg", sa.Double(), nullable=True),
        sa.Column("hfov_deg", sa.Double(), nullable=False),
        sa.Column("tilt_deg", sa.Double(), nullable=True),
        sa.Column("range_m", sa.Double(), nullable=False),
        sa.Column(
            "fov",
            Geometry(
                geometry_type="POLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "fov_method",
            sa.Enum(
                "computed", "drawn", "occluded", name="fov_method", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("range_derived", sa.Boolean(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("data_controller", sa.String(length=200), nullable=True),
        sa.Column("footage_contact_name", sa.String(length=200), nullable=True),
        sa.Column("footage_contact_phone", sa.String(length=40), nullable=True),
        sa.Column("footage_contact_email", sa.String(length=254), nullable=True),
        sa.Column("footage_contact_pec", sa.String(length=254), nullable=True),
        sa.Column("footage_contact_hours", sa.String(length=200), nullable=True),
        sa.Column(
            "purpose",
            sa.Enum(
                "urban_security",
                "traffic",
                "ztl_access",
                "environmental",
                "property_protection",
                "other",
                name="camera_purpose",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column("legal_basis", sa.String(length=300), nullable=True),
        sa.Column("retention_hours", sa.Integer(), nullable=True),
        sa.Column(
            "signage",
            sa.Enum(
                "present", "absent", "unknown", name="signage", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("signage_checked_on", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "active",
                "faulty",
                "inactive",
                "decommissioned",
                name="camera_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("records", sa.Boolean(), nullable=False),
        sa.Column("live_link", sa.Boolean(), nullable=False),
        sa.Column("night_vision", sa.Boolean(), nullable=True),
        sa.Column("resolution", sa.String(length=40), nullable=True),
        sa.Column("installed_on", sa.Date(), nullable=True),
        sa.Column("last_verified_on", sa.Date(), nullable=True),
        sa.Column(
            "verification",
            sa.Enum(
                "unverified",
                "owner_confirmed",
                "surveyed",
                "disputed",
                name="verification",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("temporary", sa.Boolean(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column(
            "visibility",
            sa.Enum(
                "public", "shared", "private", name="visibility", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "NOT records OR retention_hours IS NOT NULL", name=op.f("ck_cameras_retention_when_recording")
        ),
        sa.CheckConstraint(
            "bearing_deg IS NULL OR (bearing_deg >= 0 AND bearing_deg < 360)",
            name=op.f("ck_cameras_bearing_range"),
        ),
        sa.CheckConstraint(
            "height_m IS NULL OR (height_m >= 0 AND height_m <= 300)", name=op.f("ck_cameras_height_range")
        ),
        sa.CheckConstraint("hfov_deg >= 1 AND hfov_deg <= 360", name=op.f("ck_cameras_hfov_range")),
        sa.CheckConstraint("range_m >= 1 AND range_m <= 500", name=op.f("ck_cameras_range_range")),
        sa.CheckConstraint(
            "retention_hours IS NULL OR (retention_hours >= 1 AND retention_hours <= 8760)",
            name=op.f("ck_cameras_retention_range"),
        ),
        sa.CheckConstraint(
            "tilt_deg IS NULL OR (tilt_deg >= -90 AND tilt_deg <= 90)", name=op.f("ck_cameras_tilt_range")
        ),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from",
            name=op.f("ck_cameras_validity_order"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_cameras_version_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_cameras_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["organisations.id"],
            name=op.f("fk_cameras_operator_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["organisations.id"],
            name=op.f("fk_cameras_owner_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_cameras_updated_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cameras")),
    )
    with op.batch_alter_table("cameras", schema=None) as batch_op:
        batch_op.create_geospatial_index(
            "idx_cameras_fov", ["fov"], unique=False, postgresql_using="gist", postgresql_ops={}
        )
        batch_op.create_geospatial_index(
            "idx_cameras_location", ["location"], unique=False, postgresql_using="gist", postgresql_ops={}
        )
        batch_op.create_index(batch_op.f("ix_cameras_municipality"), ["municipality"], unique=False)
        batch_op.create_index(batch_op.f("ix_cameras_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_cameras_owner_ref", ["owner_id", "ref"], unique=True)
        batch_op.create_index(batch_op.f("ix_cameras_status"), ["status"], unique=False)

    op.create_table(
        "camera_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "planned",
                "active",
                "faulty",
                "inactive",
                "decommissioned",
                name="from_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "planned",
                "active",
                "faulty",
                "inactive",
                "decommissioned",
                name="to_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["camera_id"],
            ["cameras.id"],
            name=op.f("fk_camera_status_changes_camera_id_cameras"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_camera_status_changes_changed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_camera_status_changes")),
    )
    with op.batch_alter_table("camera_status_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_camera_status_changes_camera_id"), ["camera_id"], unique=False)


def downgrade():
    with op.batch_alter_table("camera_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_camera_status_changes_camera_id"))

    op.drop_table("camera_status_changes")
    with op.batch_alter_table("cameras", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cameras_status"))
        batch_op.drop_index("ix_cameras_owner_ref")
        batch_op.drop_index(batch_op.f("ix_cameras_owner_id"))
        batch_op.drop_index(batch_op.f("ix_cameras_municipality"))
        batch_op.drop_geospatial_index(
            "idx_cameras_location", postgresql_using="gist", column_name="location"
        )
        batch_op.drop_geospatial_index("idx_cameras_fov", postgresql_using="gist", column_name="fov")

    op.drop_geospatial_table("cameras")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    op.drop_table("users")
    op.drop_table("pact_members")
    op.drop_table("pacts")
    op.drop_table("organisations")

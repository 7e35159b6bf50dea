"""The Alembic history builds, drops and rebuilds the schema the models describe, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from geoalchemy2 import alembic_helpers
from geoalchemy2.shape import to_shape

from observo.extensions import db
from observo.models import Camera
from tests import factories
from tests.conftest import drop_postgis_database, fresh_database_url, make_app, own_database_name

pytestmark = pytest.mark.migrations

SPATIAL_INDEXES = {
    "idx_cameras_location": "location",
    "idx_cameras_fov": "fov",
    "idx_cameras_public_location": "public_location",
    "idx_cameras_fov_visible": "fov_visible",
}


def our_tables() -> set[str]:
    return set(db.metadata.tables)


def include_object(obj, name, obj_type, reflected, compare_to):
    """Same meaning as migrations/env.py: only Observo's own tables, minus the spatial extensions' ones."""
    if obj_type == "table" and reflected and name not in db.metadata.tables:
        return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)


@pytest.fixture
def fresh_app(dialect: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """An app on its own empty database (named after the test); at the end its connections are closed
    and a PostGIS database is dropped."""
    name = own_database_name("mig_", request)
    application = make_app(fresh_database_url(dialect, tmp_path, name), tmp_path)
    yield application
    with application.app_context():
        url = db.engine.url
        db.session.remove()
        db.engine.dispose()
    if dialect == "postgis":
        drop_postgis_database(url.database)


def schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"include_object": include_object, "compare_type": True, "render_as_batch": True},
        )
        return compare_metadata(context, db.metadata)


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_matches_the_models(fresh_app: Flask) -> None:
    with fresh_app.app_context():
        assert not our_tables() & table_names()
        flask_migrate.upgrade()
        assert our_tables() <= table_names()
        assert schema_differences() == []
        flask_migrate.check()  # Flask-Migrate exits (SystemExit) when autogenerate finds operations


def test_models_differences_would_be_detected(fresh_app: Flask) -> None:
    """The comparison above is not blind: a column the history does not create is reported."""
    with fresh_app.app_context():
        flask_migrate.upgrade()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("ALTER TABLE pacts ADD COLUMN stray_column INTEGER")
        differences = schema_differences()
        assert any(diff[0] == "remove_column" and diff[3].name == "stray_column" for diff in differences)
        with pytest.raises(SystemExit):
            flask_migrate.check()


def test_downgrade_to_base_and_upgrade_again(fresh_app: Flask, dialect: str) -> None:
    with fresh_app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        left = table_names()
        assert not our_tables() & left
        assert not {name for name in left if name.startswith("idx_cameras_")}
        if dialect == "spatialite":
            assert spatialite_geometry_columns() == {}

        flask_migrate.upgrade()
        assert our_tables() <= table_names()
        assert schema_differences() == []
        assert_spatial_indexes(dialect)
        assert_camera_round_trip(dialect)


def test_spatial_indexes_exist(fresh_app: Flask, dialect: str) -> None:
    with fresh_app.app_context():
        flask_migrate.upgrade()
        assert_spatial_indexes(dialect)


def assert_spatial_indexes(dialect: str) -> None:
    with db.engine.connect() as connection:
        if dialect == "spatialite":
            rows = connection.execute(
                sa.text(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                    "AND name IN ('idx_cameras_location', 'idx_cameras_fov', 'idx_cameras_public_location', "
                    "'idx_cameras_fov_visible')"
                )
            )
            virtual = {name: sql for name, sql in rows}
            assert set(virtual) == set(SPATIAL_INDEXES)
            assert all("USING RTREE" in sql.upper() for sql in virtual.values()), virtual
            assert spatialite_geometry_columns() == {
                ("cameras", "location"): (4326, 1, 1),  # POINT, XY, R*Tree index enabled
                ("cameras", "fov"): (4326, 3, 1),  # POLYGON, XY, R*Tree index enabled
                ("cameras", "public_location"): (4326, 1, 1),
                ("cameras", "fov_visible"): (4326, 0, 1),  # any type (Polygon, MultiPolygon), R*Tree
                # any geometry type, XY, no index: read by id, never searched spatially
                ("intervention_targets", "geometry"): (4326, 0, 0),
                ("places", "geometry"): (4326, 0, 0),
                ("obstacles", "geometry"): (4326, 0, 1),  # any type, R*Tree: views are clipped by box
            }
            assert connection.execute(
                sa.text("SELECT count(*) FROM sqlite_master WHERE name = 'idx_obstacles_geometry'")
            ).scalar_one()
        else:
            rows = connection.execute(
                sa.text(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                    "AND tablename = 'cameras'"
                )
            )
            definitions = {name: definition for name, definition in rows}
            for index, column in SPATIAL_INDEXES.items():
                assert index in definitions, definitions
                assert f"USING gist ({column})" in definitions[index]
            obstacles = connection.execute(
                sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_obstacles_geometry'")
            ).scalar_one()
            assert "USING gist (geometry)" in obstacles


def spatialite_geometry_columns() -> dict[tuple[str, str], tuple[int, int, int]]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT f_table_name, f_geometry_column, srid, geometry_type, spatial_index_enabled "
                "FROM geometry_columns"
            )
        )
        return {(table, column): (srid, kind, indexed) for table, column, srid, kind, indexed in rows}


def assert_camera_round_trip(dialect: str) -> None:
    """Write a camera through the services, then find it again with indexed spatial predicates."""
    owner = factories.org(db.session, "rebuilt")
    created = factories.camera(db.session, owner, lon=factories.TURIN[0], lat=factories.TURIN[1])
    lon, lat = factories.TURIN
    frame = sa.func.ST_GeomFromText(
        f"POLYGON(({lon - 0.001} {lat - 0.001}, {lon + 0.001} {lat - 0.001}, {lon + 0.001} {lat + 0.001}, "
        f"{lon - 0.001} {lat + 0.001}, {lon - 0.001} {lat - 0.001}))",
        4326,
    )
    stmt = sa.select(Camera.id).where(sa.func.ST_Intersects(Camera.location, frame))
    if dialect == "spatialite":  # SpatiaLite only uses its R*Tree through the SpatialIndex table
        stmt = stmt.where(
            Camera.id.in_(
                sa.text(
                    "SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'cameras' "
                    "AND f_geometry_column = 'location' AND search_frame = BuildMbr(:x0, :y0, :x1, :y1, 4326)"
                ).bindparams(x0=lon - 0.001, y0=lat - 0.001, x1=lon + 0.001, y1=lat + 0.001)
            )
        )
    assert db.session.scalars(stmt).all() == [created.id]
    sees = sa.select(Camera.id).where(
        sa.func.ST_Contains(Camera.fov, sa.func.ST_GeomFromText(f"POINT({lon + 0.0005} {lat})", 4326))
    )  # 39 m east; the factory's camera looks east, 100 m
    assert db.session.scalars(sees).all() == [created.id]
    db.session.expire_all()
    again = db.session.get(Camera, created.id)
    assert to_shape(again.location).coords[0] == pytest.approx((lon, lat))
    assert to_shape(again.fov).geom_type == "Polygon"

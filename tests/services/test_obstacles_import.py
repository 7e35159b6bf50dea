"""Obstacle imports through the service: OSM and a UTM GeoJSON become the expected shapes (checked with
shapely), heights, replace per organisation and source, all or nothing, who may, one audit entry."""

from __future__ import annotations

import numpy as np
import osmium
import pytest
import shapely
import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from pyogrio import raw
from shapely.geometry import LineString, box

from observo.domain.obstacles import height_of, kind_of
from observo.domain.permissions import SYSTEM
from observo.errors import Forbidden, InvalidInput
from observo.models import AuditEntry, Obstacle
from observo.services import obstacles as service
from observo.services.actors import actor_for
from observo.services.organisations import create_pact
from tests import factories
from tests import obstacle_data as data


@pytest.fixture
def town(session):
    return factories.org(session, "torino")


def _actor(session, organisation, role="editor"):
    return actor_for(session, factories.user(session, organisation, role))


def _import(session, actor, content, name, organisation="torino", **options):
    result = service.import_obstacles(session, actor, content, name, organisation, **options)
    session.commit()
    return result


def _layer(session, organisation, source=None):
    stmt = sa.select(Obstacle).where(Obstacle.organisation_id == organisation.id).order_by(Obstacle.id)
    if source is not None:
        stmt = stmt.where(Obstacle.source == source)
    return list(session.scalars(stmt))


def _audits(session, action="obstacles.import"):
    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)))


def test_osm_xml_buildings_multipolygon_and_wall(session, town):
    result = _import(session, SYSTEM, data.osm_xml(), "centro.osm")
    assert (result.source, result.format, result.crs) == ("osm", "osm_xml", "EPSG:4326")
    assert result.counts == {"building": 2, "wall": 1}
    assert result.skipped == 2  # the footway and the bench
    found = {o.source_ref: o for o in _layer(session, town)}
    assert set(found) == {"way/10", "way/11", "relation/20"}
    house, wall, block = found["way/10"], found["way/11"], found["relation/20"]
    assert (house.kind, house.height_m) == ("building", 12.5)
    assert (wall.kind, wall.height_m) == ("wall", 2.0)
    assert (block.kind, block.height_m) == ("building", 12.0)  # 4 levels x 3 m
    assert to_shape(house.geometry).equals_exact(data.HOUSE, 1e-9) or to_shape(house.geometry).equals(
        data.HOUSE
    )
    assert to_shape(wall.geometry).equals(data.WALL)
    stored_block = to_shape(block.geometry)
    assert stored_block.equals(data.BLOCK)  # the split outer ring joined, the courtyard a hole
    assert stored_block.area == pytest.approx(data.BLOCK.area)
    assert len(stored_block.interiors) == 1


def test_osm_pbf(session, town, tmp_path):
    source, pbf = tmp_path / "centro.osm", tmp_path / "centro.osm.pbf"
    source.write_bytes(data.osm_xml())
    writer = osmium.SimpleWriter(str(pbf))
    for item in osmium.FileProcessor(str(source)):
        writer.add(item)
    writer.close()
    result = _import(session, SYSTEM, pbf.read_bytes(), "centro.osm.pbf")
    assert (result.format, result.source, result.counts) == ("osm_pbf", "osm", {"building": 2, "wall": 1})
    found = {o.source_ref: to_shape(o.geometry) for o in _layer(session, town)}
    for ref, expected in (("relation/20", data.BLOCK), ("way/11", data.WALL)):  # PBF keeps 7 decimals
        assert found[ref].normalize().equals_exact(expected.normalize(), 1e-7)


def test_overpass_out_geom(session, town):
    result = _import(session, SYSTEM, data.overpass_json(), "overpass.json")
    assert (result.source, result.format, result.counts) == ("osm", "overpass", {"building": 1, "wall": 0})
    (house,) = _layer(session, town)
    assert to_shape(house.geometry).equals(data.HOUSE) and house.height_m == 9.0


def test_geojson_in_utm_is_reprojected(session, town):
    result = _import(session, SYSTEM, data.city_geojson(), "dbt/edifici.geojson")
    assert (result.source, result.crs, result.counts) == (
        "edifici.geojson",
        "EPSG:32632",
        {"building": 2, "wall": 1},
    )
    stored = _layer(session, town)
    assert [o.source_ref for o in stored] == ["b1", "b2", "w1"]
    assert [o.kind for o in stored] == ["building", "building", "wall"]
    assert [o.height_m for o in stored] == [12.0, 6.0, None]
    for obstacle, expected in zip(stored, data.city_shapes(), strict=True):
        assert to_shape(obstacle.geometry).normalize().equals_exact(expected.normalize(), 1e-9)


def test_reimport_replaces_only_that_source(session, town):
    _import(session, SYSTEM, data.osm_xml(), "centro.osm")
    _import(session, SYSTEM, data.city_geojson(), "edifici.geojson")
    other = factories.org(session, "asti")
    _import(session, SYSTEM, data.osm_xml(), "asti.osm", organisation="asti")
    again = _import(session, SYSTEM, data.osm_xml(with_wall=False, house_height="20"), "centro-2.osm")
    assert again.replaced == 3 and again.counts == {"building": 2, "wall": 0}
    osm = _layer(session, town, "osm")
    assert sorted(o.source_ref for o in osm) == ["relation/20", "way/10"]
    assert {o.source_ref: o.height_m for o in osm}["way/10"] == 20.0
    assert len(_layer(session, town, "edifici.geojson")) == 3  # the other source is kept
    assert len(_layer(session, other)) == 3  # and so is the other organisation's layer
    named = _import(session, SYSTEM, data.city_geojson(), "export.geojson", source="edifici.geojson")
    assert named.replaced == 3 and len(_layer(session, town, "edifici.geojson")) == 3


@pytest.mark.parametrize(
    ("name", "content", "codes"),
    [
        (  # a bow tie, a feature without geometry
            "edifici.geojson",
            data.bad_geojson,
            {"self_intersection", "no_geometry"},
        ),
        (
            "centro.osm",
            lambda: data.osm_xml(drop_node=33),
            {"invalid_geometry"},
        ),  # the relation's ways lack a node
        ("vuoto.geojson", lambda: b'{"type": "FeatureCollection", "features": []}', {"no_obstacles"}),
        ("rotto.osm", lambda: b"<osm><way id='1'>", {"malformed_xml"}),
        ("punti.csv", lambda: b"nome;x;y\nuno;1;2\n", {"unknown_format"}),
    ],
)
def test_bad_files_change_nothing(session, town, name, content, codes):
    _import(session, SYSTEM, data.osm_xml(), "centro.osm")
    before = [(o.id, o.source_ref) for o in _layer(session, town)]
    with pytest.raises(InvalidInput) as refused:
        service.import_obstacles(session, SYSTEM, content(), name, "torino")
    session.rollback()
    assert codes <= {issue.code for issue in refused.value.issues}, refused.value.issues
    assert [(o.id, o.source_ref) for o in _layer(session, town)] == before
    assert len(_audits(session)) == 1


def test_out_of_extent_and_missing_crs(session, town):
    paris = data.feature(
        {"type": "Polygon", "coordinates": [[[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]]]}
    )
    wgs84 = b'{"type": "FeatureCollection", "features": [' + __import__("json").dumps(paris).encode() + b"]}"
    with pytest.raises(InvalidInput) as refused:
        service.import_obstacles(session, SYSTEM, wgs84, "paris.geojson", "torino")
    assert {issue.code for issue in refused.value.issues} == {"out_of_range"}
    assert refused.value.issues[0].pointer.startswith("/features/0/geometry")
    projected = (
        b'{"type": "FeatureCollection", "features": ['
        + __import__("json").dumps(data.feature(data.utm_square(data.X0, data.Y0, 20))).encode()
        + b"]}"
    )
    with pytest.raises(InvalidInput) as no_crs:
        service.import_obstacles(session, SYSTEM, projected, "dbt.geojson", "torino")
    assert no_crs.value.issues[0].code == "crs_required"
    done = service.import_obstacles(session, SYSTEM, projected, "dbt.geojson", "torino", crs="EPSG:32632")
    assert done.counts["building"] == 1


def test_who_may_import_and_delete(session, town):
    asti = factories.org(session, "asti")
    carabinieri = factories.org(session, "cc", kind="carabinieri")
    create_pact(session, slug="pact", name="Pact", member_slugs=["torino", "asti"])
    session.commit()
    with pytest.raises(Forbidden):
        service.import_obstacles(session, _actor(session, town, "viewer"), data.osm_xml(), "a.osm", "torino")
    with pytest.raises(Forbidden):  # a partner sees Torino but does not write for it
        service.import_obstacles(session, _actor(session, asti), data.osm_xml(), "a.osm", "torino")
    outsider = factories.org(session, "cuneo")
    for stranger in (outsider, carabinieri):  # an organisation it may not see: as an unknown one
        with pytest.raises(InvalidInput) as hidden:
            service.import_obstacles(session, _actor(session, stranger), data.osm_xml(), "a.osm", "torino")
        assert hidden.value.issues[0].code == "unknown_organisation"
    session.rollback()
    assert _layer(session, town) == []
    editor = _actor(session, town)
    assert _import(session, editor, data.osm_xml(), "a.osm").counts["building"] == 2
    admin = _actor(session, factories.org(session, "regione", kind="public_body"), "admin")
    assert _import(session, admin, data.city_geojson(), "b.geojson").counts["building"] == 2
    with pytest.raises(Forbidden):
        service.delete_obstacles(session, _actor(session, town, "viewer"), "torino", "osm")
    assert service.delete_obstacles(session, editor, "torino", "osm") == 3
    session.commit()
    assert [o.source for o in _layer(session, town)] == ["b.geojson"] * 3
    (deleted,) = _audits(session, "obstacles.delete")
    assert (deleted.result_count, deleted.object_id, deleted.actor_user_id) == (
        3,
        "torino/osm",
        editor.user_id,
    )


def test_one_audit_entry_per_import_with_counts(session, town):
    editor = _actor(session, town)
    _import(session, editor, data.osm_xml(), "centro.osm")
    (entry,) = _audits(session)
    assert entry.subject_organisation_id == town.id and entry.result_count == 3
    assert entry.object_id == "torino/osm" and entry.actor_user_id == editor.user_id
    details = __import__("json").loads(entry.details) if isinstance(entry.details, str) else entry.details
    assert details["counts"] == {"building": 2, "wall": 1} and details["replaced"] == 0
    assert details["source"] == "osm" and len(details["sha256"]) == 64


def test_readers_see_their_own_partners_and_state_forces_all(session, town):
    asti, cuneo = factories.org(session, "asti"), factories.org(session, "cuneo")
    carabinieri = factories.org(session, "cc", kind="carabinieri")
    create_pact(session, slug="pact", name="Pact", member_slugs=["torino", "asti"])
    session.commit()
    for slug in ("torino", "asti", "cuneo"):
        _import(session, SYSTEM, data.osm_xml(), f"{slug}.osm", organisation=slug)
    slugs = {
        name: {row[0] for row in service.obstacle_counts(session, _actor(session, organisation, "viewer"))}
        for name, organisation in (("torino", town), ("asti", asti), ("cuneo", cuneo), ("cc", carabinieri))
    }
    assert slugs == {
        "torino": {"torino", "asti"},
        "asti": {"torino", "asti"},
        "cuneo": {"cuneo"},
        "cc": {"torino", "asti", "cuneo"},
    }


@pytest.mark.parametrize(
    ("tags", "height"),
    [
        ({"height": "12"}, 12.0),
        ({"height": "12 m"}, 12.0),
        ({"height": "12,5"}, 12.5),
        ({"height": "12.5m"}, 12.5),
        ({"HEIGHT": 7}, 7.0),
        ({"altezza": "9,0 metri"}, 9.0),
        ({"building:levels": "4"}, 12.0),
        ({"height": "tall", "building:levels": "2"}, 6.0),
        ({"height": "-3"}, None),
        ({"height": "40 ft"}, None),
        ({}, None),
    ],
)
def test_heights(tags, height):
    assert height_of(tags, "/properties")[0] == height


def test_kinds():
    assert kind_of({}, "Polygon") == "building" and kind_of({}, "MultiLineString") == "wall"
    assert kind_of({"building": "no"}, "Polygon") is None
    assert kind_of({"highway": "footway"}, "LineString") == "wall"  # untagged as obstacle: the shape decides
    assert kind_of({"barrier": "fence"}, "LineString") is None
    assert kind_of({"barrier": "wall"}, "LineString") == "wall"
    assert kind_of({}, "Point") is None


def test_geopackage_layer_in_utm(session, town, tmp_path):
    """A GIS office's GeoPackage (UTM 32N, an Italian height column with a decimal comma)."""
    x, y = data.X0, data.Y0
    shapes = [box(x, y, x + 20, y + 20), LineString([(x, y - 10), (x + 50, y - 10)])]
    path = tmp_path / "edifici.gpkg"
    raw.write(
        str(path),
        np.array([shapely.to_wkb(s) for s in shapes], dtype=object),
        field_data=[np.array(["7,5", None], dtype=object)],
        fields=["ALTEZZA"],
        crs="EPSG:32632",
        driver="GPKG",
        geometry_type="Unknown",
    )
    result = _import(session, SYSTEM, path.read_bytes(), "edifici.gpkg")
    assert (result.format, result.crs, result.counts) == ("gpkg", "EPSG:32632", {"building": 1, "wall": 1})
    stored = _layer(session, town)
    assert [(o.kind, o.height_m, o.source_ref) for o in stored] == [
        ("building", 7.5, "edifici/1"),
        ("wall", None, "edifici/2"),
    ]
    for obstacle, expected in zip(stored, shapes, strict=True):
        moved = data.utm_to_lonlat(expected)
        assert to_shape(obstacle.geometry).normalize().equals_exact(moved.normalize(), 1e-9)


def test_a_building_kilometres_across_is_refused_a_long_factory_and_a_long_wall_are_not(session, town):
    """A municipal boundary or a land-use area tagged building=* would blank every view inside it:
    refused (too_large) with the whole file; a real factory hall 1.3 km long and a city wall 3 km long
    are imported."""
    huge = data.feature(data.utm_square(data.X0, data.Y0, 2500), "confine", building="yes")
    with pytest.raises(InvalidInput) as refused:
        _import(session, SYSTEM, data.utm_geojson(huge), "comune.geojson")
    session.rollback()
    [issue] = refused.value.issues
    assert issue.code == "too_large" and issue.pointer == "/features/0/geometry"
    # Its box's diagonal, about the square's 3,536 m (the box of the square turned by UTM's convergence).
    span = int(issue.detail.removeprefix("a building ").split(" m across")[0])
    assert 3500 <= span <= 3700 and "(at most 2000 m)" in issue.detail
    assert _layer(session, town) == []

    ring = [
        [data.X0, data.Y0],
        [data.X0 + 1300, data.Y0],
        [data.X0 + 1300, data.Y0 + 120],
        [data.X0, data.Y0 + 120],
    ]
    factory = data.feature({"type": "Polygon", "coordinates": [ring + [ring[0]]]}, "capannone")
    wall = data.feature(
        {"type": "LineString", "coordinates": [[data.X0, data.Y0 - 50], [data.X0 + 3000, data.Y0 - 50]]},
        "mura",
    )
    done = _import(session, SYSTEM, data.utm_geojson(factory, wall), "zona.geojson")
    assert done.counts == {"building": 1, "wall": 1}

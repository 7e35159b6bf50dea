"""The demo's generated buildings (demo/territory_buildings.py): plausible, stable, clear of the cameras;
seeded as each town's obstacle layer so that some demo cameras are clipped and none is blinded."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections import Counter

import pytest
import shapely
import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from shapely.geometry import Point, shape

from observo.demo.territory import demo_camera_places, demo_cameras
from observo.demo.territory_buildings import CAMERA_CLEAR_M, SOURCE, demo_building_layers
from observo.demo.territory_places import PLACES, TOWNS
from observo.domain.fov import LocalFrame
from observo.models import Camera, Obstacle, Organisation
from observo.services.demo import seed_demo
from observo.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def layers() -> dict[str, dict]:
    return demo_building_layers()


def _local_shapes(town: str, layer: dict) -> list:
    frame = LocalFrame(*TOWNS[town]["centre"])
    return [frame.to_local(shape(feature["geometry"])) for feature in layer["features"]]


def test_every_town_has_a_layer_of_valid_polygons_near_it(layers) -> None:
    assert set(layers) == set(TOWNS)
    for town, layer in layers.items():
        features = layer["features"]
        assert len(features) >= 80, town
        assert len({feature["id"] for feature in features}) == len(features)
        centre = Point(TOWNS[town]["centre"])
        for feature in features:
            geometry = shape(feature["geometry"])
            assert geometry.geom_type == "Polygon" and geometry.is_valid, feature["id"]
            assert geometry.distance(centre) < 0.03  # within ~2 km of the town centre, lon/lat not swapped


def test_heights_are_storeys_or_unknown(layers) -> None:
    heights = [
        feature["properties"].get("height") for layer in layers.values() for feature in layer["features"]
    ]
    known = [height for height in heights if height is not None]
    assert set(known) <= {9.0, 12.0, 15.0, 18.0, 21.0}
    assert 0.2 <= 1 - len(known) / len(heights) <= 0.5  # some unknown, as in OpenStreetMap


def test_buildings_do_not_overlap_and_have_plausible_sizes(layers) -> None:
    for town, layer in layers.items():
        shapes = _local_shapes(town, layer)
        areas = [footprint.area for footprint in shapes]
        assert min(areas) >= 20 and max(areas) <= 2000, town
        tree = shapely.STRtree(shapes)
        for index, footprint in enumerate(shapes):
            for other in tree.query(footprint, predicate="intersects"):
                if other != index:
                    assert footprint.intersection(shapes[other]).area < 0.5, (town, index, other)


def test_no_building_stands_on_a_camera_or_a_square(layers) -> None:
    """Every camera stands clear of the buildings (none inside one, none against a wall it faces), and
    every place's centre (the square the cameras watch) is open."""
    for town, layer in layers.items():
        frame = LocalFrame(*TOWNS[town]["centre"])
        tree = shapely.STRtree(_local_shapes(town, layer))
        for camera in demo_cameras():
            spot = frame.to_local(Point(camera["lon"], camera["lat"]))
            nearest = tree.geometries[tree.nearest(spot)]
            assert nearest.distance(spot) >= CAMERA_CLEAR_M - 0.05, (town, camera["properties"]["ref"])
        for place in (p for p in PLACES if p["town"] == town):
            if place["zone"] != "building":  # a castle's centre is the castle
                centre = frame.to_local(Point(place["centre"]))
                assert not len(tree.query(centre, predicate="intersects")), place["key"]


def test_each_camera_sees_the_point_it_looks_at(layers) -> None:
    """The street a camera looks down is open: no building across the line to its aim."""
    places = demo_camera_places()
    footprints = [shape(f["geometry"]) for layer in layers.values() for f in layer["features"]]
    tree = shapely.STRtree(footprints)
    for camera in demo_cameras():
        properties = camera["properties"]
        if properties["owner"] not in TOWNS or properties.get("bearing_deg") is None:
            continue  # private sites and domes
        place = places[(properties["owner"], properties["ref"])]
        sight = shapely.LineString([(camera["lon"], camera["lat"]), place["aim"]])
        blocked = [footprints[i] for i in tree.query(sight, predicate="intersects")]
        castle = [p for p in PLACES if p["centre"] == place["centre"] and p["zone"] == "building"]
        assert not blocked or castle, properties["ref"]  # only a castle's own walls end a sight line


def test_the_same_buildings_whatever_the_hash_seed(layers) -> None:
    code = (
        "import hashlib, json; from observo.demo.territory_buildings import demo_building_layers; "
        "print(hashlib.sha256(json.dumps(demo_building_layers(), sort_keys=True).encode()).hexdigest())"
    )
    digest = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    ).stdout.strip()
    assert digest == hashlib.sha256(json.dumps(layers, sort_keys=True).encode()).hexdigest()


def test_seeded_buildings_clip_some_demo_cameras_and_blind_none(session, layers) -> None:
    first = seed_demo(session, "demo-password-not-used")
    session.commit()
    assert first.buildings == sum(len(layer["features"]) for layer in layers.values())
    per_town = Counter(
        dict(
            session.execute(
                sa.select(Organisation.slug, sa.func.count())
                .join(Obstacle, Obstacle.organisation_id == Organisation.id)
                .where(Obstacle.source == SOURCE)
                .group_by(Organisation.slug)
            ).all()
        )
    )
    assert per_town == Counter({town: len(layer["features"]) for town, layer in layers.items()})

    rows = session.execute(sa.select(Camera.ref, Camera.fov, Camera.fov_visible)).all()
    clipped = [(ref, to_shape(fov), to_shape(visible)) for ref, fov, visible in rows if visible is not None]
    assert 0.10 <= len(clipped) / len(rows) <= 0.60, len(clipped) / len(rows)
    for ref, sector, visible in clipped:
        # None blinded: each clipped camera still sees a fair part of its sector.
        assert not visible.is_empty and visible.area >= 0.2 * sector.area, ref

    again = seed_demo(session, "demo-password-not-used")  # every start of `make run`
    assert again.buildings == 0
    total = session.scalar(sa.select(sa.func.count()).select_from(Obstacle).where(Obstacle.source == SOURCE))
    assert total == sum(per_town.values())

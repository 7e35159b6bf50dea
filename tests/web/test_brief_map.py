"""The brief's SVG map: well-formed, with the target, sectors, gaps, suggestions, and escaped text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from shapely.geometry import LineString, Point, Polygon, box, mapping

from observo.domain.shapes import Area
from observo.web import brief_map
from observo.web.brief_map import HEIGHT, WIDTH, Frame, nice_length, target_map_svg

SVG = "{http://www.w3.org/2000/svg}"
CENTRE = Area(Point(7.6869, 45.0703))


def lonlat(geometry):
    """A shape drawn in metres around the centre, in EPSG:4326."""
    return CENTRE.to_lonlat(geometry)


def area_target(**coverage) -> dict:
    gap = lonlat(box(-50, -50, 0, 0))
    return {
        "id": 3,
        "name": "Giardini",
        "kind": "area",
        "buffer_m": 0,
        "geometry": mapping(lonlat(box(-50, -50, 50, 50))),
        "coverage": {
            "gaps": {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "geometry": mapping(gap), "properties": {"rank": 1, "area_m2": 2500}}
                ],
            },
            "suggestions": [
                {"rank": 1, "geometry": mapping(lonlat(Point(-25, -25))), "range_m": 30.0, "added_m2": 1900.0}
            ],
            "route": None,
            **coverage,
        },
    }


def camera(code: str = "OBS-000012", target_ids=(3,), east: float = 50, name: str = "Porta") -> dict:
    sector = lonlat(Polygon([(east, 0), (east - 40, 20), (east - 40, -20)]))
    return {
        "id": 12,
        "code": code,
        "name": name,
        "target_ids": list(target_ids),
        "location": list(lonlat(Point(east, 0)).coords[0]),
        "fov": mapping(sector),
    }


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # raises on anything not well-formed
    assert root.tag == f"{SVG}svg" and root.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}"
    return root


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [element for element in root.iter() if element.get("class") == name]


def test_area_map_has_target_sectors_gaps_suggestions_and_furniture():
    root = parse(target_map_svg(area_target(), [camera()], "m1", title="Mappa dei giardini"))
    assert root.find(f"{SVG}title").text == "Mappa dei giardini"
    (target,) = by_class(root, "target")
    assert target.get("d").startswith("M") and target.get("d").endswith("Z")
    assert len(by_class(root, "fov")) == 1
    assert len(by_class(root, "gap")) == 1 and len(by_class(root, "gap-hatch")) == 1
    assert by_class(root, "gap-hatch")[0].get("fill") == "url(#m1-hatch)"
    assert root.find(f"{SVG}defs/{SVG}pattern").get("id") == "m1-hatch"
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "G1" in texts and "1" in texts and "OBS-000012" in texts and "N" in texts
    assert any(text and text.endswith(" m") for text in texts)  # the scale bar's label
    assert len(by_class(root, "suggestion")) == 1 and len(by_class(root, "suggestion-range")) == 1


def test_every_point_lies_inside_the_view_box():
    svg = target_map_svg(area_target(), [camera(east=400)], "m2")  # a camera far east widens the frame
    numbers = [float(value) for value in re.findall(r"[ML](-?[\d.]+) (-?[\d.]+)", svg) for value in value]
    assert numbers and all(-0.5 <= value <= max(WIDTH, HEIGHT) + 0.5 for value in numbers)


def test_only_the_targets_cameras_are_drawn():
    other = camera(code="OBS-000099", target_ids=(4,), east=-50)
    root = parse(target_map_svg(area_target(), [camera(), other], "m3"))
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "OBS-000012" in texts and "OBS-000099" not in texts
    assert len(by_class(root, "fov")) == 1


def test_route_map_draws_corridor_line_and_uncovered_stretches():
    line = lonlat(LineString([(-100, 0), (100, 0)]))
    stretch = lonlat(LineString([(-100, 0), (-40, 0)]))
    target = {
        "id": 5,
        "name": "Via Roma",
        "kind": "route",
        "buffer_m": 15,
        "geometry": mapping(line),
        "coverage": {
            "gaps": {"type": "FeatureCollection", "features": []},
            "suggestions": [],
            "route": {"uncovered": [{"from_m": 0, "to_m": 60, "length_m": 60, "geometry": mapping(stretch)}]},
        },
    }
    root = parse(target_map_svg(target, [], "r1"))
    assert len(by_class(root, "target")) == 1 and len(by_class(root, "route")) == 1
    (uncovered,) = by_class(root, "uncovered")
    assert uncovered.get("d").count("L") == 1 and not uncovered.get("d").endswith("Z")
    assert by_class(root, "gap") == [] and by_class(root, "camera") == []


def test_malicious_names_are_escaped():
    evil = '</text><script>alert("x")</script><text x="0">'
    svg = target_map_svg(
        area_target(), [camera(code=evil, name=evil)], 'm4"><script>alert(1)</script>', title=f"{evil} & co"
    )
    root = parse(svg)
    assert "<script" not in svg and not list(root.iter(f"{SVG}script"))
    assert root.find(f"{SVG}title").text == f"{evil} & co"
    assert evil in [element.text for element in root.iter(f"{SVG}text")]
    # The id prefix keeps to letters, digits and dashes.
    assert all(
        re.fullmatch(r"[A-Za-z0-9-]+", element.get("id")) for element in root.iter() if element.get("id")
    )


@pytest.mark.parametrize(
    ("limit", "expected"), [(0.4, 1), (1, 1), (7, 5), (19.9, 10), (20, 20), (430, 200), (999, 500)]
)
def test_scale_bar_lengths_are_round(limit, expected):
    assert nice_length(limit) == expected


def test_scale_bar_label_matches_its_length():
    frame = Frame(0, 0, 200, 100)  # 200 m across the drawing
    bar = brief_map.scale_bar(frame)
    width = float(re.search(r'width="([\d.]+)"', bar).group(1))
    label = re.search(r">([\d.]+) (m|km)<", bar)
    metres = float(label.group(1)) * (1000 if label.group(2) == "km" else 1)
    assert width == pytest.approx(metres * frame.scale, abs=0.1)

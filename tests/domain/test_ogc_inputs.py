"""The OGC API's pure inputs: `datetime` (Part 1's grammar) and CRS URIs and bboxes (Part 2)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pyproj import Transformer

from observo.domain.crs import CRS84, SUPPORTED, from_lonlat, parse_bbox_in, parse_crs
from observo.domain.ogc_datetime import parse_datetime
from observo.errors import MalformedQuery

EPSG = "http://www.opengis.net/def/crs/EPSG/0/"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024-06-01T12:00:00Z", utc(2024, 6, 1, 12), utc(2024, 6, 1, 12)),
        ("2024-06-01t12:00:00z", utc(2024, 6, 1, 12), utc(2024, 6, 1, 12)),
        ("2024-06-01T14:00:00+02:00", utc(2024, 6, 1, 12), utc(2024, 6, 1, 12)),
        (
            "2024-06-01T12:00:00.1234567Z",
            utc(2024, 6, 1, 12, 0, 0, 123456),
            utc(2024, 6, 1, 12, 0, 0, 123456),
        ),
        ("2024-06-01", utc(2024, 6, 1), utc(2024, 6, 1, 23, 59, 59, 999999)),
        ("2024-06-01/2024-06-02", utc(2024, 6, 1), utc(2024, 6, 2, 23, 59, 59, 999999)),
        ("../2024-06-01T00:00:00Z", None, utc(2024, 6, 1)),
        ("/2024-06-01T00:00:00Z", None, utc(2024, 6, 1)),
        ("2024-06-01T00:00:00Z/..", utc(2024, 6, 1), None),
        ("2024-06-01T00:00:00Z/", utc(2024, 6, 1), None),
    ],
)
def test_datetime_grammar(text, start, end):
    found = parse_datetime(text)
    assert (found.start, found.end) == (start, end)


@pytest.mark.parametrize(
    "text",
    ["", "../..", "/", "2024-06-01T12:00:00", "2024-02-30", "2024-06-02/2024-06-01", "now", "1717243200"],
)
def test_datetime_off_the_grammar(text):
    with pytest.raises(MalformedQuery) as refused:
        parse_datetime(text)
    assert (
        refused.value.issues[0].code == "invalid_datetime" and refused.value.issues[0].pointer == "/datetime"
    )


def test_crs_uris_and_axis_orders():
    assert parse_crs(None, "crs") is CRS84
    assert parse_crs("[EPSG:3003]", "crs").srid == 3003
    assert parse_crs(f"{EPSG}4326", "crs").lat_first and not CRS84.lat_first
    assert [crs.srid for crs in SUPPORTED] == [4326, 4326, 3857, 32632, 3003]
    with pytest.raises(MalformedQuery) as refused:
        parse_crs("EPSG:4326", "bbox-crs")
    assert (
        refused.value.issues[0].pointer == "/bbox-crs" and refused.value.issues[0].code == "unsupported_crs"
    )


@pytest.mark.parametrize("srid", [3857, 32632, 3003])
def test_a_projected_bbox_becomes_the_region_pyproj_draws(srid):
    crs = next(c for c in SUPPORTED if c.srid == srid)
    x, y = from_lonlat(7.6869, 45.0703, crs)
    assert (x, y) == pytest.approx(
        Transformer.from_crs(4326, srid, always_xy=True).transform(7.6869, 45.0703)
    )
    region = parse_bbox_in(f"{x - 500},{y - 500},{x + 500},{y + 500}", crs)
    back = Transformer.from_crs(srid, 4326, always_xy=True)
    corners = [back.transform(x + dx, y + dy) for dx in (-500, 500) for dy in (-500, 500)]
    for lon, lat in corners:  # each corner of the projected box is a vertex of the region
        assert min(abs(lon - vx) + abs(lat - vy) for vx, vy in region.exterior.coords) < 1e-9
    assert len(region.exterior.coords) > 200  # densified edges


def test_an_epsg_4326_bbox_is_latitude_first():
    crs = parse_crs(f"{EPSG}4326", "bbox-crs")
    assert parse_bbox_in("45.0,7.6,45.1,7.7", crs).bounds == pytest.approx((7.6, 45.0, 7.7, 45.1))

"""Properties of the API for any number and box, on both databases.

- no number is a server error: NaN, infinities, 1e400, subnormals and huge values written as JSON
  text (which Python's json module reads without complaint) or as query strings answer 4xx
  problem+json, or are accepted as the finite values they are;
- no shape of JSON is a server error: arrays and objects nested thousands deep, numbers thousands
  of digits long, anywhere in a body, anonymous or signed in: beyond the limits a 400
  `malformed_json` (domain.json_limits), within them the contract's answer;
- results(bbox) is a subset of results(any box containing it).
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import factories
from tests.fuzzing import DEEP_JSON, LONG_NUMBERS, fuzz_settings

PROBLEM = "application/problem+json"
# JSON number texts that break naive parsers, and ordinary ones around Turin.
NUMBER_TEXT = st.one_of(
    st.sampled_from(
        ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1e-400", "5e-324", "1.7976931348623157e308",
         "-0", "0", "1e16", "12345678901234567890123"]
    ),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.floats(7.6, 7.8).map(repr),
    st.floats(45.0, 45.1).map(repr),
)
EXAMPLES = fuzz_settings(60)


def _post_json_text(client, path: str, body: str, headers: dict[str, str]):
    """POST a JSON text as written (json= would refuse NaN and Infinity before they are sent)."""
    return client.post(path, data=body, headers={**headers, "Content-Type": "application/json"})


def _answers_without_server_error(response) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    if response.status_code >= 400:
        assert response.mimetype == PROBLEM
        assert "Traceback" not in response.get_data(as_text=True)


@pytest.fixture(autouse=True)
def _unlimited(configure) -> None:
    # Hundreds of requests a test under `make fuzz`: the per-caller quota (tested elsewhere) would
    # answer 429 long before the properties are checked.
    configure(ratelimit_api="1000000 per minute")


def test_no_number_in_a_search_body_is_a_server_error(client, session):
    headers = factories.headers_for(session, factories.org(session, "torino"), "viewer")

    @EXAMPLES
    @given(lon=NUMBER_TEXT, lat=NUMBER_TEXT, buffer=NUMBER_TEXT, limit=NUMBER_TEXT)
    def check(lon: str, lat: str, buffer: str, limit: str) -> None:
        body = (
            f'{{"geometry": {{"type": "Point", "coordinates": [{lon}, {lat}]}}, "buffer_m": {buffer}, '
            f'"limit": {limit}, "reason": "prot. 12/2026"}}'
        )
        response = _post_json_text(client, "/api/v1/search", body, headers)
        _answers_without_server_error(response)

    check()


def test_no_number_in_a_camera_is_a_server_error_or_stored_unless_finite(client, session):
    town = factories.org(session, "torino")
    headers = factories.headers_for(session, town, "editor")
    fields = ("bearing_deg", "hfov_deg", "range_m", "height_m", "tilt_deg", "retention_hours")

    @EXAMPLES
    @given(lon=NUMBER_TEXT, lat=NUMBER_TEXT, values=st.tuples(*(NUMBER_TEXT for _ in fields)))
    def check(lon: str, lat: str, values: tuple[str, ...]) -> None:
        numbers = ", ".join(f'"{name}": {value}' for name, value in zip(fields, values, strict=True))
        body = (
            f'{{"type": "Feature", "geometry": {{"type": "Point", "coordinates": [{lon}, {lat}]}}, '
            f'"properties": {{"name": "Prova", "owner": "torino", "camera_type": "fixed", {numbers}}}}}'
        )
        response = _post_json_text(client, "/api/v1/cameras", body, headers)
        _answers_without_server_error(response)
        if response.status_code == 201:
            stored = response.get_json()
            numbers_out = [stored["properties"][name] for name in fields] + stored["geometry"]["coordinates"]
            assert all(math.isfinite(n) for n in numbers_out if n is not None)

    check()


def test_no_number_in_a_query_string_is_a_server_error(client, session):
    headers = factories.headers_for(session, factories.org(session, "torino"), "viewer")

    @EXAMPLES
    @given(a=NUMBER_TEXT, b=NUMBER_TEXT, c=NUMBER_TEXT, d=NUMBER_TEXT)
    def check(a: str, b: str, c: str, d: str) -> None:
        for query in (
            f"bbox={a},{b},{c},{d}",
            f"near={a},{b}&radius={c}&reason=prot.1",
            f"sees={a},{b}&reason=prot.1",
            f"limit={a}&offset={b}",
        ):
            _answers_without_server_error(client.get(f"/api/v1/cameras?{query}", headers=headers))
        _answers_without_server_error(client.get(f"/api/v1/clusters?bbox={a},{b},{c},{d}&zoom=12"))
        _answers_without_server_error(client.get(f"/ogc/collections/cameras/items?bbox={a},{b},{c},{d}"))

    check()


# Cameras on a known lattice around Turin: 7 x 7 positions, 150 m apart.
LATTICE = [(7.676 + 0.002 * i, 45.063 + 0.0013 * j) for i in range(7) for j in range(7)]


def _box(west: float, south: float, width: float, height: float) -> tuple[float, ...]:
    return (west, south, west + width, south + height)


BOXES = st.builds(_box, st.floats(7.670, 7.690), st.floats(45.060, 45.072), st.floats(0.0, 0.012),
                  st.floats(0.0, 0.008))
MARGINS = st.tuples(*(st.floats(0.0, 0.005) for _ in range(4)))


def test_a_box_finds_a_subset_of_what_any_containing_box_finds(client, session):
    town = factories.org(session, "torino")
    for lon, lat in LATTICE:
        factories.camera(session, town, lon, lat)
    headers = factories.headers_for(session, town, "viewer")

    def ids(box: tuple[float, ...]) -> set[int]:
        bbox = ",".join(repr(value) for value in box)
        response = client.get(f"/api/v1/cameras?bbox={bbox}&limit=1000", headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return {feature["id"] for feature in response.get_json()["features"]}

    @fuzz_settings(40)
    @given(box=BOXES, margins=MARGINS)
    def check(box: tuple[float, ...], margins: tuple[float, ...]) -> None:
        west, south, east, north = box
        bigger = (west - margins[0], south - margins[1], east + margins[2], north + margins[3])
        inner, outer = ids(box), ids(bigger)
        assert inner <= outer
        # And each is exactly the lattice points inside (edges included), counted independently.
        assert len(outer) == sum(
            bigger[0] <= lon <= bigger[2] and bigger[1] <= lat <= bigger[3] for lon, lat in LATTICE
        )

    check()


@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/coverage"])
def test_a_subnormal_buffer_is_no_buffer_not_a_server_error(client, session, path):
    # 5e-324 m made GEOS build NaN rings (found by `make fuzz`): below a millimetre it is no buffer,
    # so a point's search is the point's, and a point's coverage asks for a real radius.
    headers = factories.headers_for(session, factories.org(session, "torino"), "viewer")
    body = (
        '{"geometry": {"type": "Point", "coordinates": [7.68, 45.07]}, '
        '"buffer_m": 5e-324, "reason": "PG-1"}'
    )
    response = _post_json_text(client, path, body, headers)
    assert response.status_code == (200 if path.endswith("search") else 422), response.get_data(as_text=True)


def test_numbers_beyond_the_database_integers_are_refused(client, session):
    # `limit=2**63` reached PostgreSQL as a BIGINT parameter (found by `make fuzz`): a 500.
    town = factories.org(session, "torino")
    headers = factories.headers_for(session, town, "editor")
    export = client.get(f"/api/v1/exports?f=csv&limit={2**63}&reason=PG-1", headers=headers)
    assert export.status_code == 400, export.get_data(as_text=True)
    camera = factories.feature("torino", osm_id=2**63)
    created = client.post("/api/v1/cameras", json=camera, headers=headers)
    assert created.status_code == 422 and created.json["errors"][0]["pointer"] == "/properties/osm_id"


# Where the value goes: a whole body, or one field of a body each endpoint otherwise accepts.
BODIES = {
    "/api/v1/search": '{{"geometry": {{"type": "Point", "coordinates": [7.68, 45.07]}}, "buffer_m": {v}, '
    '"reason": "PG-1"}}',
    "/api/v1/coverage": '{{"geometry": {{"type": "Point", "coordinates": [7.68, {v}]}}, "buffer_m": 50, '
    '"reason": "PG-1"}}',
    "/api/v1/cameras": '{{"type": "Feature", "geometry": {{"type": "Point", "coordinates": [7.68, 45.07]}}, '
    '"properties": {{"name": "Prova", "owner": "torino", "camera_type": "fixed", "range_m": {v}}}}}',
    "/api/v1/imports": '{{"type": "FeatureCollection", "features": [{v}]}}',
    "/api/v1/interventions": '{{"title": {v}}}',
}


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed_in"])
def test_no_shape_of_json_is_a_server_error(client, session, signed_in):
    town = factories.org(session, "torino")
    headers = factories.headers_for(session, town, "editor") if signed_in else {}

    @EXAMPLES
    @given(
        value=st.one_of(DEEP_JSON, LONG_NUMBERS), path=st.sampled_from(sorted(BODIES)), whole=st.booleans()
    )
    def check(value: tuple[str, bool], path: str, whole: bool) -> None:
        text, beyond = value
        body = text if whole else BODIES[path].format(v=text)
        response = _post_json_text(client, path, body, headers)
        _answers_without_server_error(response)
        if beyond:
            assert response.status_code == 400 and response.json["code"] == "malformed_json", body[:80]

    check()

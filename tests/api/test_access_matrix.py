"""The generated access matrix: callers × organisations in and out of a pact × every camera endpoint.

The expected answer comes from `expected_read`/`expected_write` below, a restatement of "Who sees
what" (docs/architecture.md), written for this test, independent of `domain/permissions.py`. Each
caller gets one test (its own world, rolled back afterwards) that walks every endpoint and method on
every camera and reports all mismatches at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from observo.http.session import session_values
from observo.models import Camera
from observo.services.organisations import create_pact
from tests import factories

LON, LAT = factories.TURIN
VISIBILITIES = ("public", "shared", "private")
OWNERS = ("town-a", "town-b", "town-c", "shop-a")
PACT = {"town-a", "town-b"}
SPONSORED = {"shop-a": "town-a"}  # a private owner federated with town A


@dataclass(frozen=True)
class Caller:
    org: str | None  # None: anonymous
    role: str | None

    @property
    def name(self) -> str:
        return f"{self.role}@{self.org}" if self.org else "anonymous"


CALLERS = [
    Caller(None, None),
    Caller("town-a", "viewer"),
    Caller("town-a", "editor"),
    Caller("town-b", "viewer"),  # pact partner of town A
    Caller("town-b", "editor"),
    Caller("town-c", "editor"),  # outside the pact
    Caller("shop-a", "editor"),  # private owner sponsored by town A
    Caller("cc", "viewer"),  # carabinieri: a state force of order
    Caller("regione", "admin"),
]


def own_group(org: str) -> set[str]:
    return {org} | {owned for owned, sponsor in SPONSORED.items() if sponsor == org}


def expected_read(caller: Caller, owner: str, visibility: str) -> bool:
    if caller.role == "admin":
        return True
    if caller.org is None or visibility == "public":
        return visibility == "public"
    if owner in own_group(caller.org):
        return True
    if visibility == "private":
        return False
    if caller.org == "cc":
        return True
    partners = {member for member in PACT if caller.org in PACT} - {caller.org}
    return any(owner in own_group(partner) for partner in partners)


def expected_visible(caller: Caller, org: str) -> bool:
    """May the caller see (and name) the organisation? Its own group, pact partners' groups, state forces."""
    if caller.role == "admin":
        return True
    if caller.org is None:
        return False
    partners = {member for member in PACT if caller.org in PACT}
    return org == "cc" or any(org in own_group(member) for member in partners | {caller.org})


def expected_write(caller: Caller, owner: str) -> bool:
    return caller.role == "admin" or (caller.role == "editor" and owner in own_group(caller.org))


@pytest.fixture
def world(session):
    orgs = {
        "town-a": factories.org(session, "town-a", istat_code="001001"),
        "town-b": factories.org(session, "town-b", istat_code="001002"),
        "town-c": factories.org(session, "town-c", istat_code="001003"),
        "shop-a": factories.org(session, "shop-a", kind="private", sponsor_slug="town-a"),
        "cc": factories.org(session, "cc", kind="carabinieri"),
        "regione": factories.org(session, "regione", kind="public_body"),
    }
    create_pact(session, slug="pact-ab", name="Pact AB", member_slugs=sorted(PACT))
    session.commit()
    cameras = {}
    for index, (owner, visibility) in enumerate((o, v) for o in OWNERS for v in VISIBILITIES):
        camera = factories.camera(
            session,
            orgs[owner],
            LON + 0.0003 * index,
            LAT,
            visibility=visibility,
            name=f"secret-name-{owner}-{visibility}",
            footage_contact_name=f"contact-{owner}-{visibility}",
        )
        cameras[(owner, visibility)] = camera.id
    return {"orgs": orgs, "cameras": cameras}


class Matrix:
    """Collects every (endpoint, camera, expected, got) mismatch so one run shows the whole picture."""

    def __init__(self) -> None:
        self.mismatches: list[str] = []
        self.checked = 0

    def expect(self, what: str, expected: object, got: object) -> None:
        self.checked += 1
        if expected != got:
            self.mismatches.append(f"{what}: expected {expected!r}, got {got!r}")


def _sign_in(app, session, world, caller: Caller) -> tuple[dict[str, str], FlaskClient]:
    """Bearer headers for the API, and a browser (session cookie) for the pages, as the same user."""
    browser = app.test_client()
    if caller.org is None:
        return {}, browser
    user = factories.user(session, world["orgs"][caller.org], caller.role)
    with browser.session_transaction() as cookie_session:  # what a successful sign-in stores
        cookie_session.update(session_values(user))
    return factories.auth(factories.token(session, user)), browser


def _version(session, camera_id: int) -> int:
    session.expire_all()
    return session.scalar(sa.select(Camera.version).where(Camera.id == camera_id))


def _check_single_items(client, browser, world, caller, headers, matrix: Matrix) -> None:
    signed_in = caller.org is not None
    for (owner, visibility), camera_id in world["cameras"].items():
        readable = expected_read(caller, owner, visibility)
        label = f"{owner}/{visibility}"
        for method in ("GET", "HEAD"):
            response = client.open(f"/api/v1/cameras/{camera_id}", method=method, headers=headers)
            matrix.expect(f"{method} item {label}", 200 if readable else 404, response.status_code)
            if not readable:
                matrix.expect(f"{method} item {label}: no byte of it", False, "secret-name" in response.text)
        for suffix in ("history", "contacts"):
            response = client.get(f"/api/v1/cameras/{camera_id}/{suffix}", headers=headers)
            expected = (200 if readable else 404) if signed_in else 401
            matrix.expect(f"GET {suffix} {label}", expected, response.status_code)
            if response.status_code != 200:
                matrix.expect(f"{suffix} {label}: no byte of it", False, "contact-" in response.text)
        page = browser.get(f"/cameras/{camera_id}")
        expected = (200 if readable else 404) if signed_in else 302
        matrix.expect(f"GET HTML card {label}", expected, page.status_code)
        if page.status_code == 200:
            matrix.expect(f"HTML card {label} type", "text/html", page.mimetype)
            matrix.expect(f"HTML card {label}: no contacts", False, "contact-" in page.text)


def _ids_of(response) -> set[int]:
    if response.mimetype == "text/csv":
        return {int(line.split(",", 1)[0]) for line in response.text.strip().splitlines()[1:]}
    return {feature["id"] for feature in response.json["features"]}


def _check_collections(client, world, caller, headers, matrix: Matrix) -> None:
    signed_in = caller.org is not None
    expected = {cid for (o, v), cid in world["cameras"].items() if expected_read(caller, o, v)}
    reason = "&reason=PG-1" if signed_in else ""
    around = f"{LON - 0.01},{LAT - 0.01},{LON + 0.01},{LAT + 0.01}"
    lists = {
        "list": "/api/v1/cameras?limit=1000",
        "list bbox": f"/api/v1/cameras?limit=1000&bbox={around}",
        "list near": f"/api/v1/cameras?limit=1000&near={LON},{LAT}&radius=2000{reason}",
        "list csv": f"/api/v1/cameras?f=csv{reason}",
        "nearest": f"/api/v1/cameras/nearest?point={LON},{LAT}&k=100{reason}",
    }
    for what, url in lists.items():
        response = client.get(url, headers=headers)
        matrix.expect(f"GET {what} status", 200, response.status_code)
        if response.status_code == 200:
            matrix.expect(f"GET {what} ids", expected, _ids_of(response))
    head = client.head("/api/v1/cameras?limit=1000", headers=headers)
    matrix.expect("HEAD list", (200, b""), (head.status_code, head.data))
    body = {
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [
                    [LON - 0.01, LAT - 0.01],
                    [LON + 0.01, LAT - 0.01],
                    [LON + 0.01, LAT + 0.01],
                    [LON - 0.01, LAT + 0.01],
                    [LON - 0.01, LAT - 0.01],
                ]
            ],
        },
        "limit": 1000,
    }
    search = client.post(
        "/api/v1/search", json={**body, "reason": "PG-1"} if signed_in else body, headers=headers
    )
    matrix.expect("POST search status", 200 if signed_in else 401, search.status_code)
    if search.status_code == 200:
        matrix.expect("POST search ids", expected, _ids_of(search))
    clusters = client.get(f"/api/v1/clusters?bbox={around}&zoom=10", headers=headers)
    matrix.expect("GET clusters status", 200, clusters.status_code)
    if clusters.status_code == 200:
        counted = sum(cell["properties"]["count"] for cell in clusters.json["features"])
        matrix.expect("GET clusters count", len(expected), counted)


def _check_writes(client, session, world, caller, headers, matrix: Matrix) -> None:
    signed_in = caller.org is not None
    for (owner, visibility), camera_id in world["cameras"].items():
        readable, writable = expected_read(caller, owner, visibility), expected_write(caller, owner)
        label = f"{owner}/{visibility}"
        expected = (200 if writable else 403 if readable else 404) if signed_in else 401
        before = _version(session, camera_id)
        etag = {"If-Match": f'"{camera_id}.{before}"'}
        response = client.patch(
            f"/api/v1/cameras/{camera_id}",
            json={"properties": {"name": "renamed"}},
            headers={**headers, **etag},
        )
        matrix.expect(f"PATCH {label}", expected, response.status_code)
        matrix.expect(f"PATCH {label} changed", writable, _version(session, camera_id) != before)
        deleted = client.delete(
            f"/api/v1/cameras/{camera_id}",
            headers={**headers, "If-Match": f'"{camera_id}.{_version(session, camera_id)}"'},
        )
        matrix.expect(f"DELETE {label}", 204 if expected == 200 else expected, deleted.status_code)
    for owner in OWNERS:
        created = client.post("/api/v1/cameras", json=factories.feature(owner), headers=headers)
        # An owner the caller may not see is an unknown organisation (422), not a refusal (403).
        refused = 403 if expected_visible(caller, owner) else 422
        expected = (201 if expected_write(caller, owner) else refused) if signed_in else 401
        matrix.expect(f"POST camera for {owner}", expected, created.status_code)


@pytest.mark.parametrize("caller", CALLERS, ids=lambda caller: caller.name)
def test_access_matrix(app, client: FlaskClient, session, world, caller: Caller):
    headers, browser = _sign_in(app, session, world, caller)
    matrix = Matrix()
    _check_single_items(client, browser, world, caller, headers, matrix)
    _check_collections(client, world, caller, headers, matrix)
    _check_writes(client, session, world, caller, headers, matrix)  # last: it changes the world
    assert matrix.mismatches == [], f"{caller.name}: {len(matrix.mismatches)} of {matrix.checked} wrong"
    assert matrix.checked > 100


def test_the_expectations_follow_design():
    """Spot checks of the restated rules themselves, so the matrix cannot drift into agreeing with a bug."""
    viewer_b, carabinieri, shop = (
        Caller("town-b", "viewer"),
        Caller("cc", "viewer"),
        Caller("shop-a", "editor"),
    )
    assert expected_read(viewer_b, "town-a", "shared") and not expected_read(viewer_b, "town-a", "private")
    assert expected_read(viewer_b, "shop-a", "shared")  # a partner's federated owner shares with the pact
    assert not expected_read(viewer_b, "town-c", "shared")
    assert expected_read(carabinieri, "town-c", "shared") and not expected_read(
        carabinieri, "town-c", "private"
    )
    assert not expected_read(shop, "town-a", "shared")  # sponsorship does not open the sponsor's cameras
    assert expected_write(Caller("town-a", "editor"), "shop-a") and not expected_write(viewer_b, "town-b")
    assert not expected_read(Caller(None, None), "town-a", "shared")

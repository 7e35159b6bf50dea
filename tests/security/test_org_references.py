"""Class 2 of issue 15: every field naming another organisation accepts only the organisations the
caller may see (its own, those it sponsors, its pact partners and their sponsored owners, every state
force), and answers one it may not see word for word as it answers a slug that does not exist.

The territory: town-a and town-b in a pact, each sponsoring a private owner (shop-a, shop-b); town-c
outside the pact sponsoring shop-c; a Carabinieri station (cc). Attackers: an editor of town-a and an
editor of shop-a. `ghost` exists nowhere; `shop-c` and `town-c` exist but are hidden from both.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import sqlalchemy as sa
from shapely.geometry import Point, mapping

from observo.domain.permissions import SYSTEM
from observo.models import AuditEntry, Camera, Intervention, Place, PreservationRequest
from observo.services.cameras import CameraWrite, create_camera
from observo.services.organisations import create_pact
from tests import factories
from tests.api.test_interventions import body as intervention_body
from tests.api.test_places import square

GHOST = "ghost"
HIDDEN = ("shop-c", "town-c")
WRITES = ("camera.", "intervention.", "preservation.", "place.", "import.run")
SECRETS = {
    "contact_phone": "+39 011 000 0000",
    "contact_email": "sala@shop-c.example",
    "contact_pec": "shop-c@pec.example",
}


@pytest.fixture
def world(session) -> dict[str, Any]:
    orgs = {
        "town-a": factories.org(session, "town-a"),
        "town-b": factories.org(session, "town-b"),
        "town-c": factories.org(session, "town-c"),
        "cc": factories.org(session, "cc", kind="carabinieri", contacts={"contact_phone": "112"}),
    }
    for town in ("a", "b", "c"):
        contacts = SECRETS if town == "c" else None
        orgs[f"shop-{town}"] = factories.org(
            session, f"shop-{town}", kind="private", sponsor_slug=f"town-{town}", contacts=contacts
        )
    create_pact(session, slug="pact-ab", name="Pact AB", member_slugs=["town-a", "town-b"])
    session.commit()
    for slug in ("town-c", "shop-c"):  # private only: nothing of theirs is readable from outside
        factories.camera(session, orgs[slug], visibility="private")
    regione = factories.org(session, "regione", kind="public_body")
    return {
        "orgs": orgs,
        "town_editor": factories.headers_for(session, orgs["town-a"], "editor"),
        "town_viewer": factories.headers_for(session, orgs["town-a"], "viewer"),
        "shop_editor": factories.headers_for(session, orgs["shop-a"], "editor"),
        "cc_viewer": factories.headers_for(session, orgs["cc"], "viewer"),
        "admin": factories.headers_for(session, regione, "admin"),
    }


ATTACKERS = ("town_editor", "shop_editor")


def own_slug(attacker: str) -> str:
    return "town-a" if attacker == "town_editor" else "shop-a"


def answer(response, slug: str) -> tuple[int, str]:
    """Status and body with the named slug blanked out and the request id dropped: the part of the
    answer that must not depend on whether the organisation exists."""
    body = {key: value for key, value in response.get_json().items() if key != "request_id"}
    return response.status_code, json.dumps(body, sort_keys=True).replace(slug, "<slug>")


def assert_same_as_unknown(send, hidden: str, pointer: str) -> None:
    """`send(slug)` answers a hidden organisation exactly as the unknown `ghost`, a 422 at `pointer`."""
    unknown = send(GHOST)
    assert unknown.status_code == 422, unknown.get_data(as_text=True)
    assert [(e["pointer"], e["code"]) for e in unknown.json["errors"]] == [(pointer, "unknown_organisation")]
    assert unknown.json["errors"][0]["detail"] == f"nessuna organizzazione {GHOST!r}"  # Italian first
    assert answer(send(hidden), hidden) == answer(unknown, GHOST)


def writes(session) -> dict[str, int]:
    """Rows a refused request must not add: registry objects and audit entries of writes."""
    session.expire_all()
    counted = {
        model.__name__: session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Camera, Intervention, PreservationRequest, Place)
    }
    actions = session.scalars(sa.select(AuditEntry.action))
    counted["audited writes"] = sum(1 for action in actions if action.startswith(WRITES))
    return counted


# --- cameras: owner and operator -----------------------------------------------------------------


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("attacker", ATTACKERS)
def test_camera_owner_hidden_is_unknown(client, session, world, attacker, hidden):
    before = writes(session)

    def send(slug):
        return client.post("/api/v1/cameras", json=factories.feature(slug), headers=world[attacker])

    assert_same_as_unknown(send, hidden, "/properties/owner")
    assert writes(session) == before


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("attacker", ATTACKERS)
def test_camera_operator_hidden_is_unknown(client, session, world, attacker, hidden):
    before = writes(session)

    def send(slug):
        feature = factories.feature(own_slug(attacker), operator=slug)
        return client.post("/api/v1/cameras", json=feature, headers=world[attacker])

    assert_same_as_unknown(send, hidden, "/properties/operator")
    assert writes(session) == before


@pytest.mark.parametrize("hidden", HIDDEN)
def test_camera_patch_names_no_hidden_organisation(client, session, world, hidden):
    camera = factories.camera(session, world["orgs"]["town-a"])
    url = f"/api/v1/cameras/{camera.id}"
    headers = {
        **world["town_editor"],
        "If-Match": client.get(url, headers=world["town_editor"]).headers["ETag"],
    }
    for field in ("owner", "operator"):
        before = writes(session)

        def send(slug, field=field):
            patch = {"properties": {field: slug}}
            return client.patch(url, json=patch, headers=headers)

        assert_same_as_unknown(send, hidden, f"/properties/{field}")
        assert writes(session) == before


@pytest.mark.parametrize(
    ("attacker", "operator"),
    [
        ("town_editor", "cc"),  # a state force: every municipality works with them
        ("town_editor", "town-b"),  # a pact partner
        ("town_editor", "shop-b"),  # a partner's sponsored owner
        ("town_editor", "shop-a"),  # its own sponsored owner
        ("shop_editor", "cc"),
    ],
)
def test_visible_organisations_can_be_named_operator(client, world, attacker, operator):
    feature = factories.feature(own_slug(attacker), operator=operator)
    response = client.post("/api/v1/cameras", json=feature, headers=world[attacker])
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json["properties"]["operator"] == operator


def test_a_visible_owner_one_may_not_write_for_keeps_its_403(client, world):
    refused = client.post("/api/v1/cameras", json=factories.feature("town-b"), headers=world["town_editor"])
    assert refused.status_code == 403
    allowed = client.post("/api/v1/cameras", json=factories.feature("shop-a"), headers=world["town_editor"])
    assert allowed.status_code == 201


# --- the contacts route ------------------------------------------------------------------------------


def legacy_camera(session, owner, operator) -> int:
    """A camera as written before operators were checked (the command line may name any operator)."""
    properties = factories.properties(owner.slug, operator=operator.slug, visibility="shared")
    camera = create_camera(session, SYSTEM, CameraWrite(Point(*factories.TURIN), properties))
    session.commit()
    return camera.id


def test_contacts_never_give_a_hidden_operator(client, session, world):
    orgs = world["orgs"]
    camera_id = legacy_camera(session, orgs["town-a"], orgs["shop-c"])
    url = f"/api/v1/cameras/{camera_id}/contacts"
    response = client.get(url, headers=world["town_viewer"])
    assert response.status_code == 200
    assert response.json["operator"] is None
    assert response.json["owner"]["slug"] == "town-a"
    text = response.get_data(as_text=True)
    assert not any(value in text for value in SECRETS.values()) and "shop-c" not in text
    # the Carabinieri read every shared camera, but shop-c is no business of theirs either
    assert client.get(url, headers=world["cc_viewer"]).json["operator"] is None
    # an administrator sees every organisation: the operator is there
    assert client.get(url, headers=world["admin"]).json["operator"]["contact_pec"] == SECRETS["contact_pec"]


def test_contacts_give_a_visible_operator(client, session, world):
    camera_id = legacy_camera(session, world["orgs"]["town-a"], world["orgs"]["cc"])
    response = client.get(f"/api/v1/cameras/{camera_id}/contacts", headers=world["town_viewer"])
    assert response.json["operator"]["slug"] == "cc" and response.json["operator"]["contact_phone"] == "112"


def test_operator_attack_end_to_end(client, session, world):
    """Set the operator to a hidden organisation, then read its contacts: refused, nothing to read."""
    made = client.post("/api/v1/cameras", json=factories.feature("town-a"), headers=world["town_editor"])
    url = f"/api/v1/cameras/{made.json['id']}"
    patched = client.patch(
        url,
        json={"properties": {"operator": "shop-c"}},
        headers={**world["town_editor"], "If-Match": made.headers["ETag"]},
    )
    assert patched.status_code == 422
    contacts = client.get(f"{url}/contacts", headers=world["town_editor"])
    assert contacts.json["operator"] is None
    assert not any(value in contacts.get_data(as_text=True) for value in SECRETS.values())


# --- organisations -------------------------------------------------------------------------------------


@pytest.mark.parametrize("hidden", HIDDEN)
def test_a_hidden_organisation_reads_as_a_missing_one(client, world, hidden):
    def send(slug):
        return client.get(f"/api/v1/organizations/{slug}", headers=world["town_viewer"])

    assert send(GHOST).status_code == 404
    assert answer(send(hidden), hidden) == answer(send(GHOST), GHOST)
    listed = {org["slug"] for org in client.get("/api/v1/organizations", headers=world["shop_editor"]).json}
    assert listed == {"shop-a", "cc"}
    assert send("cc").json["kind"] == "carabinieri"  # every state force is visible


# --- imports -----------------------------------------------------------------------------------------


def upload(client, headers, rows: list[dict], query: str = ""):
    collection = {"type": "FeatureCollection", "features": rows}
    data = io.BytesIO(json.dumps(collection).encode())
    return client.post(
        f"/api/v1/imports{query}",
        data={"file": (data, "cameras.geojson")},
        headers=headers,
        content_type="multipart/form-data",
    )


def report(response, slug: str) -> tuple[int, str]:
    """An import's answer with what differs between runs (ids, times, digests) left out."""
    body = response.get_json()
    kept = {
        key: body.get(key) for key in ("status", "counts", "errors", "code", "title", "detail", "dry_run")
    }
    return response.status_code, json.dumps(kept, sort_keys=True).replace(slug, "<slug>")


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("attacker", ATTACKERS)
def test_import_owner_parameter_hidden_is_unknown(client, session, world, attacker, hidden):
    before = writes(session)

    def send(slug):
        return upload(client, world[attacker], [factories.feature(slug)], f"?owner={slug}")

    assert_same_as_unknown(send, hidden, "/owner")
    assert writes(session) == before
    # a visible owner it may not write for stays a 403
    assert upload(client, world["town_editor"], [], "?owner=town-b").status_code == 403


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize("field", ["owner", "operator"])
@pytest.mark.parametrize("hidden", HIDDEN)
def test_import_rows_naming_a_hidden_organisation(client, session, world, hidden, field, dry_run):
    before = writes(session)
    query = "?dry_run=1" if dry_run else ""

    def send(slug):
        row = factories.feature("town-a", **{field: slug})
        return upload(client, world["town_editor"], [row], query)

    unknown, concealed = send(GHOST), send(hidden)
    assert unknown.status_code == (201 if dry_run else 422), unknown.get_data(as_text=True)
    assert report(concealed, hidden) == report(unknown, GHOST)
    problems = unknown.json["errors"]
    if dry_run:
        assert [(p["row"], p["field"], p["code"]) for p in problems] == [(1, field, "unknown_organisation")]
    else:
        assert [(p["pointer"], p["code"]) for p in problems] == [(f"/rows/1/{field}", "unknown_organisation")]
    after = writes(session)
    assert after["Camera"] == before["Camera"]


# --- interventions -----------------------------------------------------------------------------------


def create_intervention(client, headers, **overrides):
    return client.post("/api/v1/interventions", json=intervention_body(**overrides), headers=headers)


NO_SHARING = {"organizations": [], "pacts": []}


@pytest.mark.parametrize("hidden", HIDDEN)
def test_intervention_lead_hidden_is_unknown(client, session, world, hidden):
    before = writes(session)

    def send(slug):
        return create_intervention(client, world["town_editor"], lead=slug, shared_with=NO_SHARING)

    assert_same_as_unknown(send, hidden, "/lead")
    assert writes(session) == before
    visible = create_intervention(client, world["town_editor"], lead="town-b", shared_with=NO_SHARING)
    assert visible.status_code == 403  # a partner it sees, but an intervention is led by its own


@pytest.mark.parametrize("hidden", HIDDEN)
def test_intervention_sharing_with_a_hidden_organisation_is_unknown(client, session, world, hidden):
    before = writes(session)

    def send(slug):
        sharing = {"organizations": ["cc", slug], "pacts": []}
        return create_intervention(client, world["town_editor"], shared_with=sharing)

    assert_same_as_unknown(send, hidden, "/shared_with/organizations/1")
    assert writes(session) == before


def test_intervention_shared_with_visible_organisations(client, world):
    sharing = {"organizations": ["cc", "town-b", "shop-b"], "pacts": ["pact-ab"]}
    created = create_intervention(client, world["town_editor"], shared_with=sharing)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.json["shared_with"]["organizations"] == ["cc", "shop-b", "town-b"]


# --- preservation requests ---------------------------------------------------------------------------


@pytest.fixture
def requests_url(client, world) -> str:
    sharing = {"organizations": ["cc"], "pacts": []}
    created = create_intervention(client, world["town_editor"], shared_with=sharing)
    assert created.status_code == 201, created.get_data(as_text=True)
    return f"/api/v1/interventions/{created.json['id']}/preservation-requests"


def ask(client, headers, url, owner):
    return client.post(url, json={"owner": owner, "channel": "pec"}, headers=headers)


@pytest.mark.parametrize("hidden", HIDDEN)
def test_preservation_request_to_a_hidden_owner_is_unknown(client, session, world, requests_url, hidden):
    before = writes(session)
    assert_same_as_unknown(
        lambda slug: ask(client, world["town_editor"], requests_url, slug), hidden, "/owner"
    )
    assert writes(session) == before


@pytest.mark.parametrize(
    ("who", "owner"),
    [
        ("town_editor", "cc"),  # a state force
        ("town_editor", "town-b"),  # a pact partner
        ("cc_viewer", "town-a"),  # the lead of an intervention shared with it
    ],
)
def test_preservation_request_to_owners_one_sees(client, world, requests_url, who, owner):
    response = ask(client, world[who], requests_url, owner)
    assert response.status_code == 201, response.get_data(as_text=True)


def test_preservation_request_to_the_owner_of_a_readable_camera(client, session, world, requests_url):
    """An owner is no secret to a caller reading one of its cameras (the camera names it)."""
    assert ask(client, world["town_editor"], requests_url, "shop-c").status_code == 422
    factories.camera(session, world["orgs"]["shop-c"], visibility="public")
    assert ask(client, world["town_editor"], requests_url, "shop-c").status_code == 201


# --- places ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("attacker", ATTACKERS)
def test_place_organisation_hidden_is_unknown(client, session, world, attacker, hidden):
    before = writes(session)

    def send(slug):
        place = {"organisation": slug, "name": "Scuola", "category": "school", "geometry": mapping(square())}
        return client.post("/api/v1/places", json=place, headers=world[attacker])

    assert_same_as_unknown(send, hidden, "/organisation")
    assert writes(session) == before


def test_place_for_a_visible_organisation(client, world):
    def send(slug):
        place = {"organisation": slug, "name": "Parco", "category": "park", "geometry": mapping(square())}
        return client.post("/api/v1/places", json=place, headers=world["town_editor"])

    assert send("town-b").status_code == 403  # a partner it sees but may not write for
    assert send("shop-a").status_code == 201

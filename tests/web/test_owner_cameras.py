"""The owner's camera pages (docs/owners.md, "Registering cameras"): declare with the form, see the
declarations and the police's answers, change, correct, cancel, withdraw; another owner's objects
are missing, anyone not signed in as an owner is sent to the owners' sign-in. Both databases."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from observo.models import AuditEntry, Camera, OwnerCameraDeclaration
from observo.services import verifications
from observo.services.actors import actor_for
from tests import factories

NEW = "/proprietari/telecamere/nuova"
HOME = "/proprietari/"
SIGN_IN = "/proprietari/accedi"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def town(session):
    return factories.org(session, "nichelino")


@pytest.fixture
def account(session, town):
    return factories.owner_account(session, town)


@pytest.fixture
def editor(session, town, account):
    # After the owner: an actor's own organisations are those its municipality sponsors now.
    return actor_for(session, factories.user(session, town))


def sign_in_owner(client, account) -> str:
    """Sign the owner in through the form; the CSRF token of its session."""
    token = factories.csrf_token(client, SIGN_IN)
    data = {"email": account.email, "password": factories.PASSWORD, "csrf_token": token}
    assert client.post(SIGN_IN, data=data).status_code == 302
    return factories.csrf_token(client, NEW)


def form(**overrides: str | None) -> dict[str, str]:
    data: dict[str, str | None] = {
        "longitude": "7.6869",
        "latitude": "45.0703",
        "name": "Ingresso negozio",
        "camera_type": "fixed",
        "bearing_deg": "90",
        "hfov_deg": "60",
        "range_m": "30",
        "records": "yes",
        "retention_hours": "72",
        "footage_contact_name": "Anna Bianchi",
        "footage_contact_phone": "011 123 4567",
        "contact_consent": "yes",
        "police_visibility": "private",
        **overrides,
    }
    return {name: value for name, value in data.items() if value is not None}


def declarations(session) -> list[OwnerCameraDeclaration]:
    session.expire_all()
    return list(session.scalars(sa.select(OwnerCameraDeclaration).order_by(OwnerCameraDeclaration.id)))


def declare(client, token: str, **overrides: str | None):
    return client.post(NEW, data={**form(**overrides), "csrf_token": token})


def approved_camera(session, client, token, editor, **overrides: str | None) -> Camera:
    assert declare(client, token, **overrides).status_code == 302
    declaration = declarations(session)[-1]
    _, camera = verifications.decide(session, editor, declaration.id, declaration.version, "approve")
    session.commit()
    return camera


def version_in(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]


def test_an_owner_declares_a_camera_and_finds_it_waiting_for_the_police(client, session, account):
    token = sign_in_owner(client, account)
    page = client.get(NEW)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    assert 'id="camera-map"' in text and "leaflet" in text and "js/owner_editor.js" in text
    assert "Dichiara una telecamera" in text

    answer = declare(client, token, range_m="30,5", indoor="yes", contact_consent=None)
    assert answer.status_code == 302 and answer.headers["Location"] == HOME
    [declaration] = declarations(session)
    assert (declaration.kind, declaration.status, declaration.organisation_id) == (
        "new",
        "pending",
        account.organisation_id,
    )
    data = declaration.data
    assert data["range_m"] == 30.5 and data["indoor"] is True and data["contact_consent"] is False
    assert data["retention_hours"] == 72 and data["records"] is True and data["longitude"] == 7.6869
    assert session.scalar(sa.select(sa.func.count()).select_from(Camera)) == 0  # not before approval
    home = client.get(HOME).get_data(as_text=True)
    assert "la polizia locale la verificherà" in home  # the message after the redirect
    assert "Ingresso negozio" in home and "In attesa della polizia" in home
    assert f'id="declaration-{declaration.id}"' in home


def test_an_all_round_camera_needs_no_direction(client, session, account):
    token = sign_in_owner(client, account)
    answer = declare(
        client, token, camera_type="dome", bearing_deg="", hfov_deg="", records="no", retention_hours=""
    )
    assert answer.status_code == 302
    data = declarations(session)[0].data
    assert data["bearing_deg"] is None and data["records"] is False and data["retention_hours"] is None


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("longitude", {"longitude": None}),
        ("latitude", {"latitude": "quarantacinque"}),
        ("longitude", {"longitude": "2.35", "latitude": "48.85"}),  # Paris: outside the registry's area
        ("name", {"name": ""}),
        ("name", {"name": "x" * 201}),
        ("camera_type", {"camera_type": "tank"}),
        ("bearing_deg", {"bearing_deg": "400"}),
        ("bearing_deg", {"bearing_deg": ""}),  # a fixed camera needs a direction
        ("hfov_deg", {"hfov_deg": "0"}),
        ("range_m", {"range_m": "600"}),
        ("height_m", {"height_m": "-1"}),
        ("tilt_deg", {"tilt_deg": "nan"}),
        ("records", {"records": None}),
        ("retention_hours", {"retention_hours": "12,5"}),
        ("retention_hours", {"retention_hours": ""}),  # it records: how long?
        ("footage_contact_email", {"footage_contact_email": "not an address"}),
        ("footage_contact_pec", {"footage_contact_pec": "pec@"}),
        ("footage_contact_phone", {"footage_contact_phone": "1" * 41}),
        ("police_visibility", {"police_visibility": "public"}),
        ("police_visibility", {"police_visibility": None}),
    ],
)
def test_a_wrong_field_is_marked_and_nothing_is_written(client, session, account, field, overrides):
    token = sign_in_owner(client, account)
    answer = declare(client, token, **overrides)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert f'id="{field}-problems"' in page and "Non è stato salvato nulla" in page
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page) or field == "police_visibility"
    assert len(re.findall(r'class="error field-error"', page)) <= 2  # only the field(s) at fault
    assert declarations(session) == []
    assert not session.scalar(sa.select(AuditEntry.id).where(AuditEntry.action == "owner.camera.declare"))


def test_the_typed_values_come_back_with_the_errors(client, session, account):
    token = sign_in_owner(client, account)
    page = declare(client, token, name=XSS, range_m="600").get_data(as_text=True)
    assert 'value="600"' in page and XSS not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert (
        'id="police_visibility-private" name="police_visibility" type="radio" value="private" checked' in page
    )


def test_the_home_shows_each_declaration_with_the_police_answer(client, session, account, editor):
    token = sign_in_owner(client, account)
    for name in ("Cortile", "Vetrina", "Retro"):
        assert declare(client, token, name=name).status_code == 302
    courtyard, window, back = declarations(session)
    verifications.decide(
        session, editor, courtyard.id, courtyard.version, "request_changes", f"Direzione? {XSS}"
    )
    verifications.decide(session, editor, window.id, window.version, "reject", "Non è nel nostro comune")
    session.commit()
    home = client.get(HOME).get_data(as_text=True)
    item = re.search(rf'id="declaration-{courtyard.id}".*?</li>', home, re.S).group(0)
    assert "La polizia chiede modifiche" in item and "Direzione? &lt;img src=x onerror=alert(1)&gt;" in item
    assert f"/proprietari/dichiarazioni/{courtyard.id}/modifica" in item  # it can be corrected
    item = re.search(rf'id="declaration-{window.id}".*?</li>', home, re.S).group(0)
    assert "Respinta" in item and "Non è nel nostro comune" in item and "/modifica" not in item
    item = re.search(rf'id="declaration-{back.id}".*?</li>', home, re.S).group(0)
    assert "In attesa della polizia" in item and f"/proprietari/dichiarazioni/{back.id}/annulla" in item
    assert XSS not in home


def test_a_correction_sends_the_declaration_back_to_the_police(client, session, account, editor):
    token = sign_in_owner(client, account)
    declare(client, token)
    [declaration] = declarations(session)
    verifications.decide(
        session, editor, declaration.id, declaration.version, "request_changes", "Verso la via?"
    )
    session.commit()
    path = f"/proprietari/dichiarazioni/{declaration.id}/modifica"
    page = client.get(path).get_data(as_text=True)
    assert "Verso la via?" in page and 'value="Ingresso negozio"' in page
    answer = client.post(
        path, data={**form(bearing_deg="180"), "version": version_in(page), "csrf_token": token}
    )
    assert answer.status_code == 302
    [declaration] = declarations(session)
    assert declaration.status == "pending" and declaration.data["bearing_deg"] == 180


def test_a_stale_form_is_refused_and_nothing_is_merged(client, session, account, editor):
    token = sign_in_owner(client, account)
    declare(client, token)
    [declaration] = declarations(session)
    path = f"/proprietari/dichiarazioni/{declaration.id}/modifica"
    opened = version_in(client.get(path).get_data(as_text=True))
    verifications.decide(
        session, editor, declaration.id, declaration.version, "request_changes", "Manca il numero"
    )
    session.commit()

    stale = client.post(path, data={**form(name="Nuovo nome"), "version": opened, "csrf_token": token})
    assert stale.status_code == 412 and "Non è stato salvato nulla" in stale.get_data(as_text=True)
    cancel = f"/proprietari/dichiarazioni/{declaration.id}/annulla"
    assert client.post(cancel, data={"version": opened, "csrf_token": token}).status_code == 412
    assert client.post(path, data={**form(), "csrf_token": token}).status_code == 412  # no version at all
    [declaration] = declarations(session)
    assert declaration.status == "changes_requested" and declaration.data["name"] == "Ingresso negozio"

    assert (
        client.post(cancel, data={"version": str(declaration.version), "csrf_token": token}).status_code
        == 302
    )
    [declaration] = declarations(session)
    assert declaration.status == "cancelled"
    closed = client.post(path, data={**form(), "version": str(declaration.version), "csrf_token": token})
    assert closed.status_code == 409 and client.get(path).status_code == 409


def test_a_change_waits_for_the_police_and_the_camera_stays_as_it_was(client, session, account, editor):
    token = sign_in_owner(client, account)
    camera = approved_camera(session, client, token, editor)
    path = f"/proprietari/telecamere/{camera.id}/modifica"
    page = client.get(path).get_data(as_text=True)
    assert 'value="Ingresso negozio"' in page and 'value="90"' in page and 'value="7.6869"' in page
    answer = client.post(
        path, data={**form(name="Ingresso laterale", bearing_deg="270"), "csrf_token": token}
    )
    assert answer.status_code == 302
    session.expire_all()
    unchanged = session.get(Camera, camera.id)
    assert unchanged.name == "Ingresso negozio" and unchanged.bearing_deg == 90
    change = declarations(session)[-1]
    assert (change.kind, change.camera_id, change.status) == ("change", camera.id, "pending")
    assert "una modifica è in attesa della polizia" in client.get(HOME).get_data(as_text=True)
    again = client.get(path).get_data(as_text=True)  # the form starts from the change still open
    assert 'value="Ingresso laterale"' in again and 'value="270"' in again

    verifications.decide(session, editor, change.id, change.version, "approve")
    session.commit()
    session.expire_all()
    changed = session.get(Camera, camera.id)
    assert changed.name == "Ingresso laterale" and changed.bearing_deg == 270


def test_withdrawal_takes_the_camera_out_of_the_registry(client, session, account, editor, town):
    token = sign_in_owner(client, account)
    camera = approved_camera(session, client, token, editor, name=XSS)
    police = factories.headers_for(session, town, "editor")
    assert client.get(f"/api/v1/cameras/{camera.id}", headers=police).status_code == 200
    path = f"/proprietari/telecamere/{camera.id}/ritira"
    page = client.get(path).get_data(as_text=True)
    assert "esce subito dal registro" in page and "registro delle operazioni" in page
    assert XSS not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert client.post(path, data={"csrf_token": token}).status_code == 302
    assert client.get(f"/api/v1/cameras/{camera.id}", headers=police).status_code == 404
    assert session.scalar(sa.select(AuditEntry.id).where(AuditEntry.action == "camera.withdraw"))
    home = client.get(HOME).get_data(as_text=True)
    assert "è stata ritirata" in home and XSS not in home and f'id="camera-{camera.id}"' not in home


def test_every_post_needs_the_csrf_token(client, session, account):
    sign_in_owner(client, account)
    assert client.post(NEW, data=form()).status_code == 400
    assert declarations(session) == []


def main_of(answer) -> str:
    return re.search(r"<main.*</main>", answer.get_data(as_text=True), re.S).group(0)  # type: ignore[union-attr]


def _routes(camera_id: int, declaration_id: int) -> list[tuple[str, str]]:
    return [
        ("GET", f"/proprietari/telecamere/{camera_id}/modifica"),
        ("POST", f"/proprietari/telecamere/{camera_id}/modifica"),
        ("GET", f"/proprietari/telecamere/{camera_id}/ritira"),
        ("POST", f"/proprietari/telecamere/{camera_id}/ritira"),
        ("GET", f"/proprietari/dichiarazioni/{declaration_id}/modifica"),
        ("POST", f"/proprietari/dichiarazioni/{declaration_id}/modifica"),
        ("POST", f"/proprietari/dichiarazioni/{declaration_id}/annulla"),
    ]


def test_another_owner_finds_none_of_the_first_owners_objects(client, session, account, editor, town):
    token = sign_in_owner(client, account)
    camera = approved_camera(session, client, token, editor)
    declare(client, token, name="In attesa")
    pending = declarations(session)[-1]
    client.post("/proprietari/esci", data={"csrf_token": token})

    other = factories.owner_account(session, town, name="Bar Sport")
    other_token = sign_in_owner(client, other)
    missing = client.get("/proprietari/telecamere/999999/modifica")
    assert missing.status_code == 404
    for method, path in _routes(camera.id, pending.id):
        data = {**form(), "version": str(pending.version), "csrf_token": other_token}
        answer = client.get(path) if method == "GET" else client.post(path, data=data)
        assert answer.status_code == 404, (method, path)
        assert main_of(answer) == main_of(missing)
    assert session.get(Camera, camera.id) is not None
    assert [d.status for d in declarations(session)] == ["approved", "pending"]
    assert "Ingresso negozio" not in client.get(HOME).get_data(as_text=True)


def test_anyone_but_a_signed_in_owner_is_sent_to_the_owners_sign_in(client, session, account, town, editor):
    token = sign_in_owner(client, account)
    camera = approved_camera(session, client, token, editor)
    declare(client, token)
    pending = declarations(session)[-1]
    client.post("/proprietari/esci", data={"csrf_token": token})
    routes = [("GET", NEW), ("POST", NEW), *_routes(camera.id, pending.id)]

    def all_redirect() -> None:
        police_token = factories.csrf_token(client, "/login")
        for method, path in routes:
            data = {**form(), "version": str(pending.version), "csrf_token": police_token}
            answer = client.get(path) if method == "GET" else client.post(path, data=data)
            back = f"?next={path}" if method == "GET" else ""  # a page comes back
            assert answer.status_code == 302 and answer.headers["Location"] == SIGN_IN + back, (method, path)

    all_redirect()  # anonymous
    factories.sign_in(client, factories.user(session, town))  # the sponsor's own editor
    all_redirect()
    assert len(declarations(session)) == 2 and session.get(Camera, camera.id) is not None

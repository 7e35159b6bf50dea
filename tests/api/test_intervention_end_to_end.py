"""The demo pact's coordinated intervention, end to end, on both databases (issue 6, acceptance 2 and 3).

Nichelino's local police plan an evening of proximity patrols with the pact "Tutta mia la Città" on
the gardens of via Armando Diaz (Trofarello) and the Castello quarter (Nichelino). The plan is
confirmed, and everything it derives — cameras, coverage, gaps, footage deadlines, owners — is
checked against an independent computation from the registry's own answers (shapely in UTM 32N);
then a partner reads the brief (HTML and PDF) and an outsider is refused.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pypdf
import pytest
import shapely
import sqlalchemy as sa
from babel.numbers import format_percent
from shapely.geometry import mapping, shape

from observo.models import AuditEntry, User
from observo.services import accounts
from observo.services.demo import seed_demo
from tests.geo import square, utm

GARDENS = (7.74620, 44.98180)
CASTELLO = (7.64000, 44.99400)
WINDOW = {"start": "2026-12-05T17:00:00Z", "end": "2026-12-05T21:00:00Z"}
WINDOW_END = datetime(2026, 12, 5, 21, tzinfo=UTC)
REASON = "Ordine di servizio PL Nichelino n. 112/2026 – passeggiate di prossimità"


TARGETS = {
    "Giardini di via Armando Diaz": square(GARDENS, 110),
    "Quartiere Castello – Palazzo Occelli": square(CASTELLO, 140),
}


@pytest.fixture
def demo(session):
    seed_demo(session, "demo-password-not-used")
    session.commit()

    def bearer(email: str) -> dict[str, str]:
        user = session.scalar(sa.select(User).where(User.email == email))
        clear = accounts.create_token(session, user, "e2e", None)
        session.commit()
        return {"Authorization": f"Bearer {clear}", "Accept-Language": "it"}

    return {
        "lead": bearer("agente@nichelino.example.it"),
        "partner": bearer("sala.operativa@trofarello.example.it"),
        "outsider": bearer("agente@cremona.example.it"),
        "partner_id": session.scalar(
            sa.select(User.id).where(User.email == "sala.operativa@trofarello.example.it")
        ),
    }


def plan(client, headers) -> dict:
    body = {
        "title": "Serata di prossimità nei giardini e al Castello – patto Tutta mia la Città",
        "kind": "proximity_patrol",
        "description": "Pattuglie a piedi congiunte e ufficio mobile.",
        "window": WINDOW,
        "reason": REASON,
        "protocol_number": "PL-NIC-2026-0112",
        "shared_with": {"pacts": ["tutta-mia-la-citta"]},
        "targets": [{"name": name, "geometry": mapping(area)} for name, area in TARGETS.items()],
    }
    created = client.post("/api/v1/interventions", json=json.loads(json.dumps(body)), headers=headers)
    assert created.status_code == 201, created.text
    confirmed = client.patch(
        created.headers["Location"],
        json={"status": "planned"},
        headers={**headers, "If-Match": created.headers["ETag"]},
    )
    assert confirmed.status_code == 200, confirmed.text
    return confirmed.json


def readable_active_cameras(client, headers, area) -> dict[int, dict]:
    """What the lead may read around a target, from the registry's list (not from the coverage code)."""
    west, south, east, north = area.buffer(0.01).bounds
    url = f"/api/v1/cameras?bbox={west},{south},{east},{north}&status=active&limit=1000"
    body = client.get(url, headers=headers).json
    assert "next" not in {link["rel"] for link in body["links"]}
    return {feature["id"]: feature for feature in body["features"]}


def expected_coverage(cameras: dict[int, dict], area) -> tuple[set[int], float, float]:
    # What each camera sees: its visible area where the demo's buildings clip its sector (issue 20).
    views = {
        cid: shape(f["properties"].get("fov_visible") or f["properties"]["fov"]) for cid, f in cameras.items()
    }
    involved = {cid for cid, view in views.items() if view.intersects(area)}
    seen = shapely.union_all([utm(views[cid]) for cid in involved]).intersection(utm(area))
    return involved, seen.area, utm(area).area


def test_the_pacts_intervention_from_plan_to_brief(client, session, demo):
    intervention = plan(client, demo["lead"])
    assert intervention["status"] == "planned" and intervention["snapshot_at"]
    url = f"/api/v1/interventions/{intervention['id']}"
    snapshot_targets = {
        target["name"]: target for target in _stored_snapshot(session, intervention["id"])["targets"]
    }

    all_involved: dict[int, dict] = {}
    for name, area in TARGETS.items():
        cameras = readable_active_cameras(client, demo["lead"], area)
        involved, covered_m2, area_m2 = expected_coverage(cameras, area)
        coverage = snapshot_targets[name]["coverage"]
        assert len(involved) >= 4, name  # the demo really watches both places
        assert {camera["id"] for camera in coverage["cameras"]} == involved
        assert coverage["area_m2"] == pytest.approx(area_m2, rel=5e-3)
        assert coverage["covered_m2"] == pytest.approx(covered_m2, rel=5e-3)
        assert 0 < coverage["ratio"] < 1
        gaps = sum(gap["properties"]["area_m2"] for gap in coverage["gaps"]["features"])
        assert gaps == pytest.approx(area_m2 - covered_m2, rel=5e-3)
        all_involved.update({cid: cameras[cid] for cid in involved})

    deadlines = client.get(f"{url}/deadlines", headers=demo["lead"])
    assert deadlines.status_code == 200, deadlines.text
    _check_deadlines(deadlines.json, all_involved)

    owner = _first_owner(deadlines.json)
    request = {
        "owner": owner,
        "channel": "pec",
        "protocol_number": "PL-TRO-2026-0777",
        "contact": "ufficio tecnico",
    }
    recorded = client.post(f"{url}/preservation-requests", json=request, headers=demo["partner"])
    assert recorded.status_code == 201, recorded.text
    after = client.get(f"{url}/deadlines", headers=demo["lead"]).json
    assert {c["preservation"] for c in after["cameras"] if c["owner"] == owner} == {"pending"}
    layers = client.get(f"{url}/map", headers=demo["partner"]).json["features"]
    pending = {
        f["properties"]["id"]
        for f in layers
        if f["properties"]["layer"] == "camera" and f["properties"]["preservation"] == "pending"
    }
    assert pending and pending <= set(all_involved)

    _check_brief(client, session, demo, intervention, snapshot_targets)


def _stored_snapshot(session, intervention_id: int) -> dict:
    from observo.models import Intervention

    session.expire_all()
    return session.get(Intervention, intervention_id).snapshot


def _check_deadlines(body: dict, involved: dict[int, dict]) -> None:
    cameras = body["cameras"]
    assert {camera["id"] for camera in cameras} == set(involved)
    for camera in cameras:
        properties = involved[camera["id"]]["properties"]
        if properties["records"]:
            expected = WINDOW_END + timedelta(hours=properties["retention_hours"])
            assert camera["footage_expires_at"] == expected.strftime("%Y-%m-%dT%H:%M:%SZ")
        else:
            assert camera["flag"] == "not_recording" and camera["footage_expires_at"] is None
    expiries = [camera["footage_expires_at"] for camera in cameras if camera["footage_expires_at"]]
    assert expiries == sorted(expiries)  # most urgent first
    owners = {owner["slug"]: owner for owner in body["owners"]}
    assert set(owners) == {feature["properties"]["owner"] for feature in involved.values()}
    for slug, owner in owners.items():
        mine = sorted(cid for cid, f in involved.items() if f["properties"]["owner"] == slug)
        assert sorted(owner["camera_ids"]) == mine
        assert owner["contacts"], slug  # whom to call is always known
        assert any(
            contact.get("phone") or contact.get("email") or contact.get("pec")
            for contact in owner["contacts"]
        )


def _first_owner(body: dict) -> str:
    return sorted(body["owners"], key=lambda owner: owner["earliest_expiry"] or "9999")[0]["slug"]


def _check_brief(client, session, demo, intervention, snapshot_targets) -> None:
    url = f"/api/v1/interventions/{intervention['id']}/brief"
    start = session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))
    html = client.get(url, headers=demo["partner"])
    assert html.status_code == 200 and html.mimetype == "text/html"
    pdf = client.get(f"{url}?f=pdf", headers=demo["partner"])
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    pdf_text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    for text in (html.get_data(as_text=True), pdf_text):
        flat = " ".join(text.split())
        for name, target in snapshot_targets.items():
            assert name in flat
            assert format_percent(target["coverage"]["ratio"], "#,##0.0%", locale="it") in flat
            for camera in target["coverage"]["cameras"][:3]:
                assert camera["code"] in flat
        assert "PL-NIC-2026-0112" in flat
        assert f"#{demo['partner_id']}" in flat  # the watermark names the reader
    session.expire_all()
    briefs = session.scalars(
        sa.select(AuditEntry).where(AuditEntry.id > start, AuditEntry.action == "intervention.brief")
    ).all()
    assert [entry.reason for entry in briefs] == [REASON, REASON]

    assert client.get(url, headers=demo["outsider"]).status_code == 404
    assert client.get(f"{url}?f=pdf", headers=demo["outsider"]).status_code == 404
    assert (
        client.get(f"/api/v1/interventions/{intervention['id']}", headers=demo["outsider"]).status_code == 404
    )

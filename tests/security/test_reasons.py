"""A reason is a reason (issue 15, class 7): one rule for every reason the product takes, on both databases.

An attacker (or a hurried officer) sends a reason that draws nothing: zero-width and format
characters, exotic spaces, Hangul fillers, the braille blank, variation selectors, combining marks
with nothing to mark. Every accountable read answers it exactly as it answers a missing reason and
logs nothing; a reason with a few letters or digits among them is logged cleaned; an intervention
stored before the rule without one is refused (409) rather than read and logged with ''.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from observo.cli import main
from observo.domain import reasons
from observo.models import AuditEntry, Intervention
from tests import factories
from tests.api.test_interventions import body as intervention_body
from tests.api.test_interventions import if_match, square

LON, LAT = factories.TURIN
POINT = f"{LON},{LAT}"
BBOX = f"{LON - 0.01},{LAT - 0.01},{LON + 0.01},{LAT + 0.01}"
SHAPE = {"type": "Point", "coordinates": [LON, LAT]}

# Reasons that draw nothing: each must answer as a missing reason does.
INVISIBLE = {
    "zwsp": "\u200b",
    "bom": "\ufeff",
    "word_joiner": "\u2060",
    "spaces": "   ",
    "tabs_newlines": "\t\r\n",
    "nbsp_ideographic": "\u00a0\u3000\u2007",
    "soft_hyphens": "\u00ad\u00ad\u00ad",
    "mongolian_vowel_separator": "\u180e\u180e",
    "zwnj_zwj": "\u200c\u200d\u200c",
    "hangul_fillers": "\u3164\u115f\u1160\uffa0",
    "braille_blank": "\u2800\u2800\u2800",
    "grapheme_joiner": "\u034f\u034f",
    "bidi_marks": "\u200e\u200f\u202e\u2066\u2069\u061c",
    "variation_selectors": "\ufe0f\ufe0e\U000e0100",
    "tags": "\U000e0001\U000e0041\U000e007f",
    "combining_alone": "\u0301\u0308\u20dd",
    "line_separators": "\u2028\u2029\u0085",
    "controls": "\x01\x7f\x9f",
    "mixed": " \u200b\u3164 \ufeff\u2800\u0301 ",
}

# path, method, parameters without a reason (all of them accountable reads of a viewer)
READS = {
    "near": ("get", "/api/v1/cameras", {"near": POINT, "radius": "100"}),
    "sees": ("get", "/api/v1/cameras", {"sees": POINT}),
    "nearest": ("get", "/api/v1/cameras/nearest", {"point": POINT}),
    "cameras_csv": ("get", "/api/v1/cameras", {"f": "csv", "bbox": BBOX}),
    "export_csv": ("get", "/api/v1/exports", {"f": "csv"}),
    "export_geojson": ("get", "/api/v1/exports", {"f": "geojson"}),
    "search": ("post", "/api/v1/search", {"geometry": SHAPE, "buffer_m": 50}),
    "coverage": ("post", "/api/v1/coverage", {"geometry": SHAPE, "buffer_m": 50}),
}


@pytest.fixture
def viewer(session) -> dict[str, str]:
    town = factories.org(session, "reason-town")
    factories.camera(session, town, visibility="private", bearing_deg=0.0)
    return factories.headers_for(session, town, "viewer")


def ask(client, headers, read: str, reason: str | None):
    method, path, params = READS[read]
    if method == "post":
        payload = {**params, **({"reason": reason} if reason is not None else {})}
        return client.post(
            path, data=json.dumps(payload), headers={**headers, "Content-Type": "application/json"}
        )
    query = "&".join(f"{name}={quote(value)}" for name, value in params.items())
    if reason is not None:
        query += f"&reason={quote(reason)}"
    return client.get(f"{path}?{query}", headers=headers)


def answer(response) -> tuple[int, str, dict]:
    """What the client sees, less the request id (unique per request)."""
    document = response.get_json(force=True)
    document.pop("request_id", None)
    return response.status_code, response.mimetype, document


def audit_count(session) -> int:
    session.expire_all()
    return session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))


def last_reason(session) -> str | None:
    session.expire_all()
    return session.scalar(sa.select(AuditEntry.reason).order_by(AuditEntry.id.desc()).limit(1))


@pytest.mark.parametrize("read", sorted(READS))
def test_an_invisible_reason_answers_exactly_as_a_missing_one_and_logs_nothing(client, session, viewer, read):
    viewer = {**viewer, "Accept-Language": "en"}  # the detail compared is reasons.REQUIRED's English
    missing = answer(ask(client, viewer, read, None))
    assert missing[0] == 422 and missing[2]["errors"] == [
        {"pointer": "/reason", "code": "required", "detail": reasons.REQUIRED}
    ]
    before = audit_count(session)
    for name, reason in INVISIBLE.items():
        assert answer(ask(client, viewer, read, reason)) == missing, name
    assert audit_count(session) == before


@pytest.mark.parametrize("read", sorted(READS))
@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("ab", "too_short"),
        ("\u200bA\u200bB\u200b", "too_short"),
        ("...--", "too_short"),
        ("x" * 501, "too_long"),
    ],
    ids=["two_letters", "two_letters_padded", "punctuation", "too_long"],
)
def test_a_reason_without_three_letters_or_digits_or_too_long_is_a_422(
    client, session, viewer, read, reason, code
):
    response = ask(client, viewer, read, reason)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert [(e["pointer"], e["code"]) for e in response.json["errors"]] == [("/reason", code)]


@pytest.mark.parametrize("read", sorted(READS))
def test_the_reason_is_logged_cleaned(client, session, viewer, read):
    sent = "\u200b\ufeff Prot.\u00a0\u00a012/2026\u2060 \u3164 Procura\u034f di\u202e Torino \u2800"
    response = ask(client, viewer, read, sent)
    assert response.status_code == 200, response.get_data(as_text=True)
    response.get_data()  # streamed answers are logged before the first byte; read them whole anyway
    assert last_reason(session) == "Prot. 12/2026 Procura di Torino"


def test_the_rule_cleans_what_draws_nothing_and_keeps_real_text():
    assert reasons.clean_reason("  Ordine\u200b di servizio\tn. 42/2026 ") == "Ordine di servizio n. 42/2026"
    assert (
        reasons.clean_reason("e\u200b\u0301 perquisizione") == "é perquisizione"
    )  # the mark finds its letter
    assert reasons.clean_reason("ＰＧ－１２") == "PG-12"  # full-width forms folded
    assert reasons.check_reason("PG-1") == "PG-1"
    for reason in INVISIBLE.values():
        assert reasons.clean_reason(reason) == ""
        assert reasons.reason_issue(reason) == reasons.reason_issue(None)


def test_anonymous_callers_need_no_reason_and_send_none_to_the_log(client, session, viewer):
    before = audit_count(session)
    response = client.get(f"/api/v1/cameras?near={POINT}&radius=100&reason=%E2%80%8B")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert audit_count(session) == before


# --- interventions ---------------------------------------------------------------------------------


@pytest.fixture
def lead(session) -> dict[str, str]:
    town = factories.org(session, "reason-lead")
    factories.camera(session, town, visibility="private")
    return factories.headers_for(session, town, "editor")


def post_intervention(client, headers, **fields):
    payload = intervention_body(
        shared_with={}, targets=[{"name": "Giardini", "geometry": square()}], **fields
    )
    return client.post("/api/v1/interventions", json=payload, headers=headers)


def test_an_intervention_refuses_an_invisible_reason_as_a_missing_one(client, session, lead):
    lead = {**lead, "Accept-Language": "en"}  # the detail compared is reasons.REQUIRED's English
    payload = intervention_body(shared_with={}, targets=[{"name": "Giardini", "geometry": square()}])
    del payload["reason"]
    missing = answer(client.post("/api/v1/interventions", json=payload, headers=lead))
    assert missing[0] == 422
    assert missing[2]["errors"] == [{"pointer": "/reason", "code": "required", "detail": reasons.REQUIRED}]
    for name, reason in [*INVISIBLE.items(), ("null", None)]:
        assert answer(post_intervention(client, lead, reason=reason)) == missing, name
    short = post_intervention(client, lead, reason="\u2060x\u2060")
    assert short.status_code == 422 and short.json["errors"][0]["code"] == "too_short"


def test_an_intervention_stores_its_reason_cleaned_and_a_patch_follows_the_rule(client, session, lead):
    created = post_intervention(client, lead, reason="\ufeffOrdine di servizio\u200b 7/2026  ")
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.json["reason"] == "Ordine di servizio 7/2026"
    url = f"/api/v1/interventions/{created.json['id']}"
    blank = client.patch(url, json={"reason": "\u3164\u200b "}, headers=if_match(lead, created.json))
    assert blank.status_code == 422, blank.get_data(as_text=True)
    assert [(e["pointer"], e["code"]) for e in blank.json["errors"]] == [("/reason", "required")]


def _blank_in_database(session, intervention_id: int, reason: str) -> None:
    """A plan stored before the rule (or written by hand): the column holds no reason."""
    session.execute(sa.update(Intervention).where(Intervention.id == intervention_id).values(reason=reason))
    session.commit()


@pytest.mark.parametrize("stored", ["", "   ", "\u200b\ufeff"], ids=["empty", "spaces", "invisible"])
def test_a_stored_plan_without_a_reason_is_not_read_on_its_behalf(client, session, lead, stored):
    created = post_intervention(client, lead)
    assert created.status_code == 201, created.get_data(as_text=True)
    item = created.json
    url = f"/api/v1/interventions/{item['id']}"
    _blank_in_database(session, item["id"], stored)
    before = audit_count(session)
    refused = {
        "map": client.get(f"{url}/map", headers=lead),
        "confirm": client.patch(url, json={"status": "planned"}, headers=if_match(lead, item)),
    }
    for name, response in refused.items():
        assert response.status_code == 409, (name, response.get_data(as_text=True))
        assert response.json["code"] == "reason_missing"
        assert response.json["errors"][0]["pointer"] == "/reason"
    assert audit_count(session) == before
    assert (
        session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.reason == "")) == 0
    )
    # Setting a reason lifts the refusal: the plan is confirmed and its deadlines read, logged with it.
    fixed = client.patch(
        url, json={"reason": "Ordine 9/2026", "status": "planned"}, headers=if_match(lead, item)
    )
    assert fixed.status_code == 200, fixed.get_data(as_text=True)
    assert client.get(f"{url}/deadlines", headers=lead).status_code == 200
    assert last_reason(session) == "Ordine 9/2026"


def test_deadlines_and_preservation_of_a_confirmed_plan_stored_without_reason_are_refused(
    client, session, lead
):
    created = post_intervention(client, lead, status="planned")
    assert created.status_code == 201, created.get_data(as_text=True)
    item = created.json
    url = f"/api/v1/interventions/{item['id']}"
    _blank_in_database(session, item["id"], "\u2800")
    before = audit_count(session)
    deadlines = client.get(f"{url}/deadlines", headers=lead)
    assert deadlines.status_code == 409 and deadlines.json["code"] == "reason_missing"
    brief = client.get(f"{url}/brief", headers=lead)
    assert brief.status_code == 409
    preservation = client.post(
        f"{url}/preservation-requests", json={"owner": "reason-lead", "channel": "phone"}, headers=lead
    )
    assert preservation.status_code == 409 and preservation.json["code"] == "reason_missing"
    assert audit_count(session) == before


# --- the command line ------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["\u200b", "   ", "\u3164\u2800", "ab"])
def test_the_export_command_refuses_a_reason_that_is_none(app, session, reason, tmp_path):
    factories.camera(session, factories.org(session, "reason-cli"))
    before = audit_count(session)
    output = tmp_path / "cameras.csv"
    result = app.test_cli_runner().invoke(
        main, ["export", "--format", "csv", "--reason", reason, "--output", str(output)]
    )
    assert result.exit_code == 1, result.output
    assert "/reason" in result.stderr
    assert not output.exists()
    assert audit_count(session) == before


def test_the_export_command_logs_its_reason_cleaned(app, session, tmp_path):
    factories.camera(session, factories.org(session, "reason-cli"))
    result = app.test_cli_runner().invoke(
        main,
        [
            "export",
            "--format",
            "csv",
            "--reason",
            "\ufeff fascicolo\u200b 12/2026 ",
            "--output",
            str(tmp_path / "c.csv"),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert last_reason(session) == "fascicolo 12/2026"

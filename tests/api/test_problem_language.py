"""problem+json `detail` and `errors[].detail` follow Accept-Language, as `title` does: Italian first,
English on request; pointers and codes never change."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from observo.http.i18n import TRANSLATIONS_DIR
from observo.http.problem_text import DETAILS, localise
from tests import factories

ITALIAN = {"Accept-Language": "it-IT,it;q=0.9"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.8"}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.fixture
def editor_headers(session) -> dict[str, str]:
    return factories.headers_for(session, factories.org(session, "torino"), "editor")


def test_not_found_detail_in_both_languages(client, session, editor_headers):
    italian = client.get("/api/v1/cameras/987654", headers={**editor_headers, **ITALIAN})
    english = client.get("/api/v1/cameras/987654", headers={**editor_headers, **ENGLISH})
    assert italian.status_code == english.status_code == 404
    assert italian.mimetype == "application/problem+json"
    assert italian.json["title"] == "Risorsa non trovata"
    assert italian.json["detail"] == "nessuna telecamera 987654"
    assert (english.json["title"], english.json["detail"]) == ("Not found", "no camera 987654")
    assert italian.json["code"] == english.json["code"] == "not_found"


def test_field_details_in_both_languages(client, session, editor_headers):
    payload = factories.feature("torino")
    payload["properties"] |= {"colour": "red", "retention_hours": "many"}

    def problem(language: dict[str, str]) -> dict:
        response = client.post("/api/v1/cameras", json=payload, headers={**editor_headers, **language})
        assert response.status_code == 422 and response.mimetype == "application/problem+json"
        return response.json

    italian, english = problem(ITALIAN), problem(ENGLISH)
    assert italian["detail"] == "la richiesta non rispetta il contratto dell'API"
    assert english["detail"] == "the request does not satisfy the contract"
    by_pointer = {issue["pointer"]: issue for issue in italian["errors"]}
    in_english = {issue["pointer"]: issue for issue in english["errors"]}
    assert by_pointer.keys() == in_english.keys() >= {"/properties/colour"}
    assert by_pointer["/properties/colour"]["detail"] == "Campo sconosciuto."
    assert in_english["/properties/colour"]["detail"] == "Unknown field."
    for pointer, issue in by_pointer.items():  # every detail of this answer has its Italian
        assert issue["code"] == in_english[pointer]["code"]
        assert issue["detail"] != in_english[pointer]["detail"], pointer


def test_no_language_named_answers_in_italian(client, session):
    response = client.get("/api/v1/interventions")  # anonymous
    assert response.status_code == 401
    assert response.json["detail"] == "accedi o invia 'Authorization: Bearer <token>'"


def _catalogue() -> dict[str, str]:
    with (TRANSLATIONS_DIR / "it" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        return {message.id: message.string for message in read_po(po_file, locale="it") if message.id}


def test_every_detail_has_an_italian_translation_with_its_placeholders():
    catalogue = _catalogue()
    for text in DETAILS:
        assert catalogue.get(text), f"add the Italian of {text!r} to observo/translations/it"
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(catalogue[text])), text


@pytest.mark.parametrize("text", [text for text in DETAILS if PLACEHOLDER.search(text)])
def test_each_detail_with_values_is_recognised(app, text):
    """Values stand where the placeholders are; the translation keeps them as they were."""
    values = {name: f"'v{i}-{name}'" for i, name in enumerate(PLACEHOLDER.findall(text))}
    detail = text % values
    with app.test_request_context("/api/v1/cameras", headers=ITALIAN):
        assert localise(detail) == _catalogue()[text] % values
    with app.test_request_context("/api/v1/cameras", headers=ENGLISH):
        assert localise(detail) == detail


def test_longer_fixed_text_wins_and_unknown_details_stay_english(app):
    with app.test_request_context("/api/v1/cameras", headers=ITALIAN):
        assert localise("no camera 5 of 'cremona'") == "nessuna telecamera 5 di 'cremona'"
        assert localise("no camera 5") == "nessuna telecamera 5"
        assert localise("a detail nobody translated yet") == "a detail nobody translated yet"
        # An id is one word: a longer text that starts alike is another message.
        unrelated = "no camera type column: the cameras are fixed cameras"
        assert localise(unrelated) == unrelated
        assert localise("rate limit of 30 per 1 minute reached: retry in 12 s") == (
            "limite di 30 per 1 minute raggiunto: riprova tra 12 s"
        )
        assert localise("") == ""

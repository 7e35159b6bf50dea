"""No input makes a 500 (issue 15, class 9): JSON nested too deep or with too long numbers, both databases.

Python's json module recurses per nesting level and converts every digit of an integer: 3,000
nested arrays or a 5,001-digit number made every JSON endpoint answer 500 with a traceback in the
log. Every JSON body - of every operation the OpenAPI document lists, of pages, of imports, of an
import file given to the command line - is now refused as malformed before any view runs.
"""

from __future__ import annotations

import io
import logging
import re

import pytest

from observo.cli import main
from observo.domain.json_limits import MAX_DEPTH, MAX_NUMBER_CHARS, check_json_limits
from tests import factories

PROBLEM = "application/problem+json"
BIG = "1" * 5001
GEOMETRY = '{"type": "Point", "coordinates": [7.6869, 45.0703]}'
# name: a JSON text beyond the limits (as the attacker writes it)
ATTACKS = {
    "integer_5001_digits": BIG,
    "negative_integer": f'{{"limit": -{BIG}}}',
    "integer_in_a_field": f'{{"geometry": {GEOMETRY}, "buffer_m": {BIG}, "reason": "PG-1"}}',
    "integer_in_coordinates": f'{{"geometry": {{"type": "Point", "coordinates": [{BIG}, 45]}}}}',
    "float_5001_digits": f'{{"buffer_m": 0.{BIG}}}',
    "exponent_5001_digits": f'{{"buffer_m": 1e{BIG}}}',
    "just_too_long": "1" * (MAX_NUMBER_CHARS + 1),
    "arrays_3000_deep": "[" * 3000 + "]" * 3000,
    "objects_3000_deep": '{"a":' * 3000 + "1" + "}" * 3000,
    "mixed_3000_deep": '[{"a":' * 1500 + "1" + "}]" * 1500,
    "deep_in_a_field": f'{{"geometry": {GEOMETRY}, "reason": "PG-1", "status": {"[" * 3000 + "]" * 3000}}}',
    "deep_unclosed": "[" * 3000,
    "just_too_deep": "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
}


def assert_malformed(response) -> None:
    text = response.get_data(as_text=True)
    assert response.status_code == 400, text[:300]
    assert response.mimetype == PROBLEM and response.json["code"] == "malformed_json", text[:300]
    assert "Traceback" not in text


@pytest.fixture
def admin(session) -> dict[str, str]:
    return factories.headers_for(session, factories.org(session, "bounds-town"), "admin")


def body_operations(client) -> list[tuple[str, str]]:
    """(method, path) of every operation of the API document that takes a body; ids are 1."""
    document = client.get("/api/v1/openapi.json").json
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "requestBody" in operation:
                found.append((method, re.sub(r"\{[^}]+\}", "1", path)))
    assert len(found) >= 15, found
    return found


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_every_json_body_beyond_the_limits_is_malformed_never_a_500(client, admin, attack, caplog):
    caplog.set_level(logging.ERROR)
    for method, path in body_operations(client):
        for headers in ({}, admin):  # anonymous, and signed in with every right
            for media_type in ("application/json", "application/merge-patch+json", "application/geo+json"):
                response = client.open(
                    path,
                    method=method.upper(),
                    data=ATTACKS[attack],
                    headers={**headers, "Content-Type": media_type},
                )
                assert_malformed(response)
    assert not caplog.records, [record.getMessage()[:200] for record in caplog.records]


def test_the_detail_says_which_limit(client):
    english = {"Accept-Language": "en"}  # the details are English msgids, translated per request
    deep = client.post(
        "/api/v1/search", data=ATTACKS["arrays_3000_deep"], content_type="application/json", headers=english
    )
    assert deep.json["detail"] == f"malformed JSON: nested deeper than {MAX_DEPTH} levels"
    huge = client.post("/api/v1/coverage", data=BIG, content_type="application/json", headers=english)
    assert huge.json["detail"] == f"malformed JSON: a number longer than {MAX_NUMBER_CHARS} characters"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig"])
def test_other_encodings_json_reads_are_bounded_too(client, admin, encoding):
    for attack in ("arrays_3000_deep", "integer_5001_digits"):
        data = ATTACKS[attack].encode(encoding)
        assert_malformed(
            client.post("/api/v1/search", data=data, headers={**admin, "Content-Type": "application/json"})
        )


def test_within_the_limits_is_the_schemas_to_judge(client, admin):
    """64 levels and 100-character numbers are JSON: the contract's 4xx answers them, never a 500."""
    deep = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    long_number = "1" * MAX_NUMBER_CHARS
    for text in (
        deep,
        long_number,
        f'{{"geometry": {GEOMETRY}, "buffer_m": {long_number}, "reason": "PG-1"}}',
    ):
        for path in ("/api/v1/search", "/api/v1/coverage", "/api/v1/cameras", "/api/v1/interventions"):
            response = client.post(path, data=text, headers={**admin, "Content-Type": "application/json"})
            assert response.status_code == 422, (path, text[:40], response.get_data(as_text=True)[:300])
            assert response.mimetype == PROBLEM


def test_pages_refuse_deep_json_with_a_plain_400(client):
    for attack in ("arrays_3000_deep", "integer_5001_digits"):
        response = client.post("/login", data=ATTACKS[attack], content_type="application/json")
        assert response.status_code == 400
        assert "Traceback" not in response.get_data(as_text=True)


def test_a_deep_or_huge_geojson_file_is_a_clear_422(client, session):
    editor = factories.headers_for(session, factories.org(session, "bounds-import"), "editor")
    for attack in ("arrays_3000_deep", "objects_3000_deep", "integer_5001_digits", "integer_in_coordinates"):
        collection = f'{{"type": "FeatureCollection", "features": [{ATTACKS[attack]}]}}'
        response = client.post(
            "/api/v1/imports",
            data={"file": (io.BytesIO(collection.encode()), "cameras.geojson")},
            headers=editor,
            content_type="multipart/form-data",
        )
        assert response.status_code == 422, response.get_data(as_text=True)[:300]
        assert [(e["pointer"], e["code"]) for e in response.json["errors"]] == [("/file", "malformed_json")]
        # The same file as the request's own body: refused at the door, before the import.
        raw = client.post(
            "/api/v1/imports", data=collection, headers={**editor, "Content-Type": "application/geo+json"}
        )
        assert_malformed(raw)


@pytest.mark.parametrize("attack", ["arrays_3000_deep", "integer_in_coordinates"])
def test_the_import_command_reports_a_deep_or_huge_file(app, session, tmp_path, attack):
    factories.org(session, "bounds-cli")
    path = tmp_path / "cameras.geojson"
    path.write_text(f'{{"type": "FeatureCollection", "features": [{ATTACKS[attack]}]}}', encoding="utf-8")
    result = app.test_cli_runner().invoke(main, ["import", str(path), "--org", "bounds-cli"])
    assert result.exit_code == 1, result.output
    assert "malformed JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_check_reads_strings_as_strings():
    check_json_limits('{"name": "' + "[" * 5000 + BIG + '", "a": [1, -2.5e-3, true, null]}')
    check_json_limits('"\\"' + "{" * 5000 + '"')  # an escaped quote does not end the string

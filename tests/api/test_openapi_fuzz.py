"""The whole HTTP API, fuzzed from its own OpenAPI document with schemathesis, on both databases.

Every operation gets schema-valid and schema-invalid requests from an administrator (the widest
surface); the stateful phase follows the document's links from a creation to the created object's
read, change and removal. Checks: no server error; status, content type, headers and body as the
document declares them; invalid data refused. Not checked: that every schema-valid request is
accepted, since the contract has rules JSON Schema does not express (the territory's extent, a
current If-Match, a unique slug, an existing owner).

OBSERVO_FUZZ_EXAMPLES sets the examples per operation and mode (`make fuzz` runs many more); the
figures of a run (operations, examples, statuses) go to test-artifacts/fuzz-<dialect>.json.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import given
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import negative_data_rejection, positive_data_acceptance
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation

from observo.extensions import db
from observo.services import accounts
from observo.settings import PROJECT_ROOT
from tests import factories
from tests.conftest import DIALECTS, app_on_own_database
from tests.fuzzing import EXAMPLES, fuzz_settings

EXCLUDED_CHECKS = [positive_data_acceptance]
# Turin, where the fuzzer's organisation registers cameras the stateful phase then changes.
TURIN = (7.6869, 45.0703)
_runs = count(1)


class Fuzzer:
    """Runs each operation's examples as a fresh token of one administrator; keeps the figures."""

    def __init__(self, app: Flask, owner_slug: str, admin_email: str) -> None:
        self.app, self.owner_slug, self.admin_email = app, owner_slug, admin_email
        self.statuses: Counter[str] = Counter()
        self.tokens = 0
        self.no_negative: list[str] = []
        self.failures: list[str] = []

    def headers(self) -> dict[str, str]:
        # A token per request: an example that revokes tokens cannot lock the next one out.
        self.tokens += 1
        with self.app.app_context():
            admin = accounts.user_by_email(db.session, self.admin_email)
            return factories.auth(factories.token(db.session, admin, f"fuzz-{self.tokens}"))

    def record(self, case: Any, response: Any) -> None:
        self.statuses[str(response.status_code)] += 1
        try:
            case.validate_response(response, excluded_checks=EXCLUDED_CHECKS)
        except FailureGroup as group:
            if self._rightly_clamped(case, response):
                return

            curl = case.as_curl_command(headers={"Authorization": "Bearer …"})
            label = case.operation.label
            self.failures.extend(f"{label}: {failure.title}\n  {curl}" for failure in group.exceptions)

    def _rightly_clamped(self, case: Any, response: Any) -> bool:
        """OGC API - Features clamps a `limit` above the maximum instead of refusing it (Part 1,
        /req/core/query-param-limit-...). Such a request is rightly accepted when the rest of its query
        is valid and it gets exactly the answer of the same request with the maximum, which must pass
        every other check."""
        maximum = self.app.config["OBSERVO_SETTINGS"].max_page_limit
        limit = str((case.query or {}).get("limit"))
        if not (case.path.startswith("/collections/") and limit.isdigit() and int(limit) > maximum):
            return False
        clamped = {**case.query, "limit": maximum}
        query = case.operation.get_parameter_set(ParameterLocation.QUERY)
        if not query.get_strict_validator().is_valid(clamped):
            return False
        case.query = clamped
        again = case.call(headers=self.headers())
        same = again.status_code == response.status_code
        if not same or _without_volatile(again) != _without_volatile(response):
            return False
        case.validate_response(again, excluded_checks=[*EXCLUDED_CHECKS, negative_data_rejection])
        return True

    def fuzz(self, operation: Any, mode: GenerationMode) -> None:
        @given(case=operation.as_strategy(generation_mode=mode))
        @fuzz_settings(8)  # OBSERVO_FUZZ_EXAMPLES per operation and mode
        def run(case: Any) -> None:
            self.record(case, case.call(headers=self.headers()))

        try:
            run()
        except Unsatisfiable:
            # Every value a string path segment can take is schema-valid: no negative data exists.
            if mode is not GenerationMode.NEGATIVE:
                raise
            self.no_negative.append(operation.label)


def _without_volatile(response: Any) -> Any:
    """The answer's body without what differs between two requests for the same data: its id, time
    stamp and `self` link (which echoes the query string)."""
    try:
        body = response.json()
    except ValueError:
        return response.content
    kept = {key: value for key, value in body.items() if key not in ("request_id", "timeStamp")}
    if isinstance(kept.get("links"), list):
        kept["links"] = [link for link in kept["links"] if link.get("rel") != "self"]
    return kept


def _has_inputs(operation: Any) -> bool:
    """Negative data needs something to break: parameters or a body."""
    definition = operation.definition.raw
    return bool(definition.get("parameters") or operation.path_parameters or definition.get("requestBody"))


@pytest.fixture(scope="module", params=DIALECTS)
def fuzzed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app on a database of its own, where every request commits as in production.

    Not the suite's rolled-back transaction: thousands of audited requests in one transaction
    make PostgreSQL walk ever longer version chains of the audit chain's head row.
    """
    tmp = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    # The per-caller quota is part of the contract (429 is declared), but would stop the run early.
    unlimited = {"ratelimit_api": "1000000 per minute"}
    with app_on_own_database(request.param, tmp, "observo_fuzz", **unlimited) as app:
        yield app


@pytest.fixture
def fuzzer(fuzzed: Flask) -> Fuzzer:
    with fuzzed.app_context():
        town = factories.org(db.session, f"fuzz-torino-{next(_runs)}")
        factories.camera(db.session, town, *TURIN)
        admin = factories.user(db.session, town, "admin")
        return Fuzzer(fuzzed, town.slug, admin.email)


def _dialect(app: Flask) -> str:
    return "spatialite" if app.config["OBSERVO_SETTINGS"].is_sqlite else "postgis"


def _fuzz_document(app: Flask, fuzzer: Fuzzer, document: str, phase: str) -> int:
    """Every operation of an OpenAPI document, valid data and (where it can be had) invalid data."""
    schema = schemathesis.openapi.from_wsgi(document, app)
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        fuzzer.fuzz(operation, GenerationMode.POSITIVE)
        if _has_inputs(operation):
            fuzzer.fuzz(operation, GenerationMode.NEGATIVE)
    _write_figures(_dialect(app), phase, len(operations), fuzzer.statuses)
    return len(operations)


def test_every_operation_answers_as_documented(fuzzed, fuzzer):
    operations = _fuzz_document(fuzzed, fuzzer, "/api/v1/openapi.json", "operations")
    assert operations >= 50
    assert not fuzzer.failures, "\n".join(fuzzer.failures)
    assert fuzzer.statuses["500"] == 0


def test_the_ogc_api_answers_as_its_own_document_says(fuzzed, fuzzer):
    # QGIS and GDAL read /ogc/api: a malformed or unknown query parameter must be its declared 400.
    assert _fuzz_document(fuzzed, fuzzer, "/ogc/api", "ogc") >= 5
    assert not fuzzer.failures, "\n".join(fuzzer.failures)


def test_links_from_creation_to_read_change_and_removal(fuzzed, fuzzer):
    app, dialect = fuzzed, _dialect(fuzzed)
    # The camera registry, and only the document's own links: links schemathesis would infer (a
    # list to its items) draw from whatever the database holds, which earlier steps keep changing,
    # so hypothesis could not replay a scenario (FlakyStrategyDefinition).
    document = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    schema = document.include(path_regex="^/api/v1/cameras")
    schema.config.generation.update(modes=[GenerationMode.POSITIVE])
    schema.config.phases.stateful.inference.algorithms = []

    @schema.hook("map_body")
    def registrable(context: Any, body: Any) -> Any:
        # Place created cameras where they can exist, owned by the fuzzer's organisation, with an
        # owner's code of their own (it is unique per owner), so the links are followed from real
        # objects, whatever the earlier steps created; everything else stays as generated.
        if context.operation.label != "POST /api/v1/cameras" or not isinstance(body, dict):
            return body
        properties = body.get("properties") if isinstance(body.get("properties"), dict) else {}
        if properties.get("ref") is not None:
            properties = {**properties, "ref": uuid.uuid4().hex}
        return {
            **body,
            "geometry": {"type": "Point", "coordinates": list(TURIN)},
            "properties": {**properties, "owner": fuzzer.owner_slug},
        }

    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": fuzzer.headers()}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            fuzzer.record(case, response)

    Machine.run(settings=fuzz_settings(6))
    _write_figures(dialect, "stateful", len(list(schema.get_all_operations())), fuzzer.statuses)
    assert not fuzzer.failures, "\n".join(fuzzer.failures)
    # The links were followed: cameras were created, and read back or changed through their ETag.
    assert fuzzer.statuses["201"] > 0
    assert fuzzer.statuses["200"] + fuzzer.statuses["204"] + fuzzer.statuses["412"] > 0


def _write_figures(dialect: str, phase: str, operations: int, statuses: Counter[str]) -> None:
    folder = PROJECT_ROOT / "test-artifacts"
    folder.mkdir(exist_ok=True)
    path = Path(folder, f"fuzz-{dialect}-{phase}.json")
    figures = {"examples_per_mode": EXAMPLES, "operations": operations, "requests": sum(statuses.values())}
    path.write_text(json.dumps({**figures, "statuses": dict(sorted(statuses.items()))}, indent=1))

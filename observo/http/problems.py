"""RFC 9457 problem details: one table from domain exceptions and HTTP statuses to responses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Response, json
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from observo import errors
from observo.http.problem_text import localise
from observo.logs import request_id

PROBLEM_TYPE = "urn:observo:problem:{code}"
MEDIA_TYPE = "application/problem+json"

# exception class -> HTTP status (the order matters only for subclasses, listed first)
STATUS_BY_ERROR: tuple[tuple[type[errors.ObservoError], int], ...] = (
    (errors.InvalidGeometry, 422),
    (errors.InvalidInput, 422),
    (errors.MalformedQuery, 400),
    (errors.TooLarge, 413),
    (errors.NotAuthenticated, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.StaleVersion, 412),
    (errors.PreconditionRequired, 428),
)

# stable problem code -> title (English msgid; the catalogue gives the Italian, the default)
TITLES: Mapping[str, LazyString] = {
    "invalid_input": _l("Invalid input"),
    "invalid_geometry": _l("Invalid geometry"),
    "malformed_query": _l("Malformed query parameters"),
    "malformed_json": _l("Malformed JSON body"),
    "too_large": _l("Request too large"),
    "not_authenticated": _l("Authentication required"),
    "forbidden": _l("Forbidden"),
    "not_found": _l("Not found"),
    "conflict": _l("Conflict"),
    "stale_version": _l("The resource has changed meanwhile"),
    "precondition_required": _l("If-Match header required"),
    "unsupported_media_type": _l("Unsupported media type"),
    "method_not_allowed": _l("Method not allowed"),
    "rate_limited": _l("Too many requests: retry later"),
    "service_unavailable": _l("Service temporarily unavailable"),
    "query_timeout": _l("The query took too long"),
    "database_busy": _l("Service temporarily unavailable"),
    "no_snapshot": _l("The plan is not confirmed yet"),
    "reason_missing": _l("The intervention has no valid reason"),
    "pdf_unavailable": _l("PDF output is not available"),
    "untrusted_host": _l("Host not served"),
    "internal_error": _l("Internal error"),
}

CODE_BY_STATUS = {
    400: "malformed_query",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "stale_version",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    428: "precondition_required",
    429: "rate_limited",
    503: "service_unavailable",
}


def status_for(error: errors.ObservoError) -> int:
    for error_class, status in STATUS_BY_ERROR:
        if isinstance(error, error_class):
            return status
    return 500


def title_for(code: str) -> str:
    return str(TITLES.get(code, TITLES["internal_error"]))


def problem(
    status: int,
    code: str,
    detail: str = "",
    issues: Iterable[errors.FieldIssue] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE.format(code=code),
        "title": title_for(code),
        "status": status,
        "code": code,
    }
    # The id the log lines of this request carry: a client quoting it lets an operator find them.
    if (current := request_id()) is not None:
        body["request_id"] = current
    # Details follow Accept-Language as titles do (problem_text); pointers and codes never change.
    if detail:
        body["detail"] = localise(detail)
    issue_list = [{"pointer": i.pointer, "code": i.code, "detail": localise(i.detail)} for i in issues]
    if issue_list:
        body["errors"] = issue_list
    response = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="observo"'
    response.headers.update(headers or {})
    return response


def problem_from_error(error: errors.ObservoError) -> Response:
    return problem(status_for(error), error.code, error.detail, error.issues)

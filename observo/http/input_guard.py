"""Refuse, before any view or database query, input no parser downstream may meet.

- NUL characters (domain.text_input): query strings and paths 400 (malformed); JSON and form
  bodies 422 with the field's pointer.
- JSON bodies nested too deep or with too long a number (domain.json_limits): 400 `malformed_json`.
  Every JSON body is checked here, whatever the route, so neither Flask's `get_json` nor webargs
  (which parses with the json module itself) ever recurses 3,000 levels or converts 5,000 digits.

Pages get Werkzeug's plain 400 page. See docs/security.md, "JSON input".
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request

from observo.domain.json_limits import JSONTooComplex, check_json_limits, decoded
from observo.domain.text_input import NUL, NUL_DETAIL, nul_pointer
from observo.errors import FieldIssue
from observo.http.problem_api import is_api_request
from observo.http.problems import problem


def install_input_guard(app: Flask) -> None:
    app.before_request(_refuse_unreadable_input)


def _refuse_unreadable_input() -> Any:
    query = nul_pointer(request.args.to_dict(flat=False))
    if NUL in request.path or query is not None:
        return _refuse_nul(400, "malformed_query", f"/query{query or ''}")
    if request.is_json:
        raw = request.get_data(cache=True)
        try:
            check_json_limits(decoded(raw))
        except JSONTooComplex as exc:
            return _refuse_json(str(exc))
    body = _body()
    found = nul_pointer(body)
    if found is not None:
        return _refuse_nul(422, "invalid_input", found)
    return None


def _body() -> Any:
    if request.is_json:
        # Most bodies hold no NUL, raw or escaped: only those are parsed here to find where it is.
        raw = request.get_data(cache=True)
        if b"\x00" not in raw and b"\\u0000" not in raw:
            return None
        return request.get_json(silent=True)  # malformed JSON is the view's 400, not ours
    if request.form:
        return request.form.to_dict(flat=False)
    return None


def _refuse_json(detail: str) -> Any:
    if not is_api_request():
        abort(400, detail)
    return problem(400, "malformed_json", f"malformed JSON: {detail}")


def _refuse_nul(status: int, code: str, pointer: str) -> Any:
    if not is_api_request():
        abort(400, NUL_DETAIL)
    return problem(status, code, NUL_DETAIL, [FieldIssue(pointer, "nul_character", NUL_DETAIL)])

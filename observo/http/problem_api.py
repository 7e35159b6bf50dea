"""flask-smorest's Api, answering every API error as RFC 9457 problem+json."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import Response, request
from flask_smorest import Api
from flask_smorest.spec.plugins import integerconverter2paramschema
from werkzeug.exceptions import HTTPException

from observo.http.converters import DatabaseId
from observo.http.openapi_docs import ProblemResponsesPlugin, problem_components
from observo.http.problems import CODE_BY_STATUS, problem
from observo.schemas.validation import issues_from_messages

# Machine-facing paths: problem+json errors, per-caller rate limits, Accept-Language. OGC API
# clients (QGIS, GDAL) and map libraries fetching tiles are machines too.
API_PREFIXES = ("/api/", "/ogc/", "/tiles/")
API_ROOTS = ("/ogc",)
# Where webargs found bad input -> status: a bad query string is 400, a bad body 422.
_STATUS_BY_LOCATION = {"query": 400, "path": 400, "headers": 400, "json": 422, "form": 422}


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details as Observo sends them."""

    type = ma.fields.String(metadata={"example": "urn:observo:problem:invalid_input"})
    title = ma.fields.String(metadata={"description": "localised (Italian or English)"})
    status = ma.fields.Integer()
    code = ma.fields.String()
    detail = ma.fields.String(metadata={"description": "localised like the title (Accept-Language)"})
    request_id = ma.fields.String(
        metadata={"description": "the X-Request-ID of this answer: quote it when reporting a problem"}
    )
    errors = ma.fields.List(
        ma.fields.Dict(),
        metadata={
            "description": "[{pointer, code, detail}]: pointer is a JSON pointer into the input; detail is "
            "localised, pointer and code are not"
        },
    )


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIXES) or request.path in API_ROOTS


class ProblemApi(Api):
    ERROR_SCHEMA = ProblemSchema
    # Each operation lists its own error statuses (openapi_docs), not a catch-all `default`.
    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register_converter(DatabaseId, integerconverter2paramschema)  # minimum 1, maximum 2**31-1

    def _init_spec(self, **kwargs: Any) -> None:
        kwargs["extra_plugins"] = [*kwargs.get("extra_plugins", ()), ProblemResponsesPlugin()]
        super()._init_spec(**kwargs)

    def _register_responses(self) -> None:
        super()._register_responses()
        for name, response in problem_components():
            self.spec.components.response(name, response, lazy=True)

    # The pages' error page for an HTTP error outside the API (set by the pages blueprint, so this
    # layer imports nothing from web/); None: Werkzeug's own page.
    page_error_handler: Callable[[HTTPException], Any] | None = None

    def handle_http_exception(self, error: HTTPException) -> Any:
        if not is_api_request():
            return error if self.page_error_handler is None else self.page_error_handler(error)
        data = getattr(error, "data", None) or {}
        messages = data.get("messages")
        if error.code == 422 and isinstance(messages, dict):
            return self._validation_problem(messages, data.get("headers"))
        status = error.code or 500
        code = "malformed_json" if status == 400 and "JSON" in (error.description or "") else None
        return problem(status, code or CODE_BY_STATUS.get(status, "internal_error"), _safe_detail(error))

    @staticmethod
    def _validation_problem(messages: dict[str, Any], headers: Any) -> Response:
        status = max(_STATUS_BY_LOCATION.get(location, 422) for location in messages)
        issues = [issue for by_location in messages.values() for issue in issues_from_messages(by_location)]
        code = "malformed_query" if status == 400 else "invalid_input"
        return problem(status, code, "the request does not satisfy the contract", issues, headers)


def _safe_detail(error: HTTPException) -> str:
    # Werkzeug's descriptions are generic and safe; never echo exception text of a 500.
    return "" if (error.code or 500) >= 500 else (error.description or "")


# The one API of the app (bound in create_app); the pages register the brief's operation on it.
api = ProblemApi()

"""The OpenAPI document says which error statuses each operation really answers, and links writes.

flask-smorest documents a catch-all `default` error; a client (and the fuzzing tests) cannot tell
from it whether a 412 or a 428 is part of the contract. This apispec plugin replaces it with the
statuses the shared request pipeline can produce for the operation's shape, each a problem+json
response, and adds OpenAPI `links` from a creation to the created object's read, change and removal.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from http import HTTPStatus
from typing import Any

from apispec import BasePlugin

PROBLEM_MEDIA_TYPE = "application/problem+json"

# Every API call passes the route policy, the rate limit and the database: these can always answer.
ALWAYS = (
    HTTPStatus.UNAUTHORIZED,
    HTTPStatus.FORBIDDEN,
    HTTPStatus.TOO_MANY_REQUESTS,
    HTTPStatus.SERVICE_UNAVAILABLE,
)
# A malformed or unknown query parameter is 400; well-formed but refused (a missing `reason`) 422;
# a filter naming an organisation that does not exist (or is hidden) 404.
WITH_QUERY = (HTTPStatus.BAD_REQUEST, HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY)
WITH_PATH = (HTTPStatus.NOT_FOUND,)  # no such object, or one the caller may not see
# Malformed JSON is 400; too large 413; not JSON 415; well-formed but invalid 422.
WITH_BODY = (
    HTTPStatus.BAD_REQUEST,
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    HTTPStatus.UNPROCESSABLE_ENTITY,
)
WITH_IF_MATCH = (HTTPStatus.PRECONDITION_FAILED, HTTPStatus.PRECONDITION_REQUIRED)
# Writes can meet a duplicate natural key, a reference to a missing object, or a state conflict.
WRITES = (HTTPStatus.NOT_FOUND, HTTPStatus.CONFLICT, HTTPStatus.UNPROCESSABLE_ENTITY)
WRITE_METHODS = ("post", "put", "patch", "delete")

# collection path -> (item path parameter, where the created object's key is in the 201 body)
CREATION_LINKS: Mapping[str, tuple[str, str]] = {
    "/api/v1/cameras": ("camera_id", "$response.body#/id"),
    "/api/v1/interventions": ("intervention_id", "$response.body#/id"),
    "/api/v1/places": ("place_id", "$response.body#/id"),
}


def error_statuses(path: str, method: str, operation: Mapping[str, Any]) -> list[HTTPStatus]:
    """The error statuses an operation can answer, from its shape (parameters, body, method)."""
    parameters = operation.get("parameters", [])
    located = {parameter.get("in") for parameter in parameters if isinstance(parameter, dict)}
    statuses = set(ALWAYS)
    if "query" in located:
        statuses.update(WITH_QUERY)
    if "{" in path:
        statuses.update(WITH_PATH)
    if "requestBody" in operation or method in ("post", "put", "patch"):
        statuses.update(WITH_BODY)
    if any(isinstance(p, dict) and p.get("name") == "If-Match" for p in parameters):
        statuses.update(WITH_IF_MATCH)
    if method in WRITE_METHODS:
        statuses.update(WRITES)
    return sorted(statuses)


def problem_response(status: HTTPStatus) -> dict[str, Any]:
    return {
        "description": status.phrase,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


class ProblemResponsesPlugin(BasePlugin):
    """Documents each operation's error statuses as problem+json, and the links of creations."""

    def operation_helper(self, path: str | None = None, operations: dict | None = None, **_: Any) -> None:
        for method, operation in (operations or {}).items():
            # flask-smorest keys responses by int; apispec turns them into strings later.
            responses = {str(code): value for code, value in operation.get("responses", {}).items()}
            responses.pop("default", None)
            operation["responses"] = responses
            for status in error_statuses(path or "", method, operation):
                # A string names a component response; apispec turns it into a $ref.
                responses[str(int(status))] = f"PROBLEM_{status.name}"
            if method == "post" and path in CREATION_LINKS:
                _link_creation(path, responses)


def _link_creation(path: str, responses: dict[str, Any]) -> None:
    created = responses.get("201")
    if not isinstance(created, dict):
        return
    parameter, key = CREATION_LINKS[path]
    item = f"{path}/{{{parameter}}}".replace("/", "~1")
    created["links"] = dict(_item_links(item, parameter, key))


def _item_links(item_ref: str, parameter: str, key: str) -> Iterator[tuple[str, dict[str, Any]]]:
    with_tag = {parameter: key, "header.If-Match": "$response.header.ETag"}
    yield "read", {"operationRef": f"#/paths/{item_ref}/get", "parameters": {parameter: key}}
    yield "change", {"operationRef": f"#/paths/{item_ref}/patch", "parameters": with_tag}
    yield "remove", {"operationRef": f"#/paths/{item_ref}/delete", "parameters": with_tag}


def problem_components() -> Iterator[tuple[str, dict[str, Any]]]:
    """One component response per error status, named as the plugin refers to them."""
    for status in HTTPStatus:
        if status >= 400:
            yield f"PROBLEM_{status.name}", problem_response(status)

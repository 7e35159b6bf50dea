"""The blueprint every API module uses: strict query strings and JSON-only bodies."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser

from observo.http.problems import problem

BODY_METHODS = ("POST", "PUT", "PATCH")


class StrictParser(FlaskParser):
    # A misspelt filter silently ignored would widen a query: unknown parameters are errors.
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": RAISE,
        "querystring": RAISE,
    }


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = StrictParser()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.before_request(_require_json_body)


def _require_json_body() -> Any:
    if request.method in BODY_METHODS and request.content_length and not request.is_json:
        return problem(
            415, "unsupported_media_type", "send application/json (or application/merge-patch+json)"
        )
    return None

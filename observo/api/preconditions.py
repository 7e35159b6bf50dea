"""ETags derived from a camera's version, and the If-Match rule for changes."""

from __future__ import annotations

import re

from flask import request

from observo.errors import PreconditionRequired, StaleVersion

_TAG = re.compile(r'^"(\d+)\.(\d+)"$')


def etag_for(object_id: int, version: int) -> str:
    """A strong ETag, the same for every reader: it names the version, not the representation."""
    return f'"{object_id}.{version}"'


def expected_version(object_id: int) -> int:
    """The version named by If-Match. Weak tags and '*' cannot guard against lost updates: refused."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionRequired("send If-Match with the ETag you read")
    for tag in (part.strip() for part in header.split(",")):
        match = _TAG.match(tag)
        if match and int(match.group(1)) == object_id:
            return int(match.group(2))
    raise StaleVersion("If-Match does not name a current version of this object")


# The OpenAPI parameter of every route that needs If-Match (`@blp.doc(parameters=IF_MATCH)`).
IF_MATCH = [{"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"}}]

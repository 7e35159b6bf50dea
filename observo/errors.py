"""Domain exceptions. No Flask here: the API maps each class to an HTTP status in one table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldIssue:
    """One problem with one input value, addressed by a JSON pointer (RFC 6901, see pointer_token)."""

    pointer: str
    code: str
    detail: str

    def under(self, prefix: str) -> FieldIssue:
        """The same issue, addressed from a parent document (prefix is a JSON pointer)."""
        return FieldIssue(prefix.rstrip("/") + self.pointer, self.code, self.detail)


def pointer_token(key: object) -> str:
    """A key or index as one JSON pointer token: `~` and `/` escaped (RFC 6901)."""
    return str(key).replace("~", "~0").replace("/", "~1")


class ObservoError(Exception):
    """Base class of every error the domain and services raise on purpose."""

    code = "error"

    def __init__(self, detail: str = "", issues: list[FieldIssue] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.issues = list(issues or [])


class InvalidInput(ObservoError):
    """A well-formed request whose content breaks a rule (422)."""

    code = "invalid_input"


class InvalidGeometry(InvalidInput):
    """A geometry that breaks one of the geometry input rules (422)."""

    code = "invalid_geometry"


class MalformedQuery(ObservoError):
    """A query parameter that cannot be parsed (400)."""

    code = "malformed_query"


class TooLarge(ObservoError):
    """An input beyond a configured size limit (413)."""

    code = "too_large"


class NotAuthenticated(ObservoError):
    """No valid credentials (401)."""

    code = "not_authenticated"


class Forbidden(ObservoError):
    """Authenticated, but not allowed to do this (403)."""

    code = "forbidden"


class NotFound(ObservoError):
    """Unknown object, or one the caller may not see (404: no existence leak)."""

    code = "not_found"


class Conflict(ObservoError):
    """The change clashes with existing data, e.g. a duplicate key (409)."""

    code = "conflict"


class PreconditionRequired(ObservoError):
    """A write that needs If-Match came without it (428)."""

    code = "precondition_required"


class StaleVersion(ObservoError):
    """If-Match names a version that is no longer current (412)."""

    code = "stale_version"

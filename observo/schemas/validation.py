"""Turn marshmallow/webargs messages into `FieldIssue`s with JSON pointers and stable codes."""

from __future__ import annotations

from typing import Any

from observo.errors import FieldIssue, pointer_token

# marshmallow's default messages -> stable codes clients can switch on
_CODES = (
    ("Missing data for required field", "required"),
    ("Unknown field", "unknown_field"),
    ("Field may not be null", "required"),
    ("Special numeric values", "not_finite"),
    ("Must be one of", "invalid_choice"),
    ("Must be greater", "out_of_range"),
    ("Must be less", "out_of_range"),
    ("Length must be", "invalid_length"),
    ("Shorter than", "invalid_length"),
    ("Longer than", "invalid_length"),
    ("Not a valid email", "invalid_format"),
    ("Not a valid date", "invalid_format"),
    ("String does not match", "invalid_format"),
    ("an ISTAT code", "invalid_format"),
    ("Must be equal to", "invalid_choice"),
    ("Number too large", "out_of_range"),
    ("Not a valid", "invalid_type"),
    ("Invalid input type", "invalid_type"),
)


def code_for(message: str) -> str:
    for prefix, code in _CODES:
        if message.startswith(prefix):
            return code
    return "invalid"


def issues_from_messages(messages: Any, pointer: str = "") -> list[FieldIssue]:
    """Flatten nested marshmallow messages; FieldIssue objects keep their own code and sub-pointer."""
    if isinstance(messages, FieldIssue):
        return [messages.under(pointer) if pointer else messages]
    if isinstance(messages, dict):
        found: list[FieldIssue] = []
        for key, value in messages.items():
            found.extend(issues_from_messages(value, f"{pointer}/{pointer_token(key)}"))
        return found
    if isinstance(messages, list | tuple):
        return [issue for item in messages for issue in issues_from_messages(item, pointer)]
    text = str(messages)
    return [FieldIssue(pointer or "/", code_for(text), text)]

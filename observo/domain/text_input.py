"""Text the databases cannot store: NUL characters.

PostgreSQL refuses U+0000 in any text value (an error, which would be a 500) and SQLite keeps it
but cuts the string short in many functions, so Observo refuses it at the door, on both.
"""

from __future__ import annotations

from typing import Any

from observo.errors import pointer_token

NUL = "\x00"
# The one message for it, wherever it is refused (requests, import files).
NUL_DETAIL = "text may not contain NUL (U+0000) characters"


def nul_pointer(value: Any, pointer: str = "") -> str | None:
    """The JSON pointer of the first string (or object key) in `value` holding a NUL, else None."""
    if isinstance(value, str):
        return pointer if NUL in value else None
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        here = f"{pointer}/{pointer_token(key)}"
        if NUL in str(key):
            return here
        found = nul_pointer(item, here)
        if found is not None:
            return found
    return None

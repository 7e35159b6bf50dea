"""Web origins that may frame the public embed (CSP `frame-ancestors` sources).

One rule for the deployment-wide setting (`OBSERVO_EMBED_ORIGINS`) and for each organisation's own
list: `scheme://host[:port]`, optionally `*.domain`. Nothing else can reach the header: no path,
no `;` or space (which would start another directive or source), no `'unsafe-...'` keyword.
"""

from __future__ import annotations

import re

ORIGIN = re.compile(r"^https?://(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
# A column of this many origins is plenty for a municipality's sites; more hints at a mistake.
MAX_ORIGINS = 20


def normalise_origin(text: str) -> str:
    """`https://comune.it/` and `https://comune.it` are the same origin: drop blanks and the slash."""
    return text.strip().rstrip("/")


def is_origin(text: str) -> bool:
    return bool(ORIGIN.match(text))


def join_origins(origins: tuple[str, ...] | list[str]) -> str | None:
    """How a list is stored: one space-separated string (CSP syntax), None when empty."""
    return " ".join(origins) or None


def split_origins(stored: str | None) -> tuple[str, ...]:
    return tuple(stored.split()) if stored else ()

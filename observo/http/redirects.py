"""Where the sign-in form may send the browser next: a path on this site, never another host
(docs/security.md, "Open redirects").

The check reads `next` as a browser would before deciding: browsers drop tabs and line breaks
anywhere in a URL, trim control characters and spaces at its ends, and read a backslash as a slash,
so `/%09/evil`, `/\\evil` and ` //evil` all mean `//evil` to them. Compatibility forms (`／／evil`)
are checked too. What remains must be a plain path: no scheme, no host, one leading slash, no
empty or dot segment (`/.//evil`); anything else gives the default page.

And it must be a page: the API answers an anonymous caller 401, never a sign-in redirect, so a
`next` into it can only come from a crafted link, one that would run an audited query (`near` with
the link's `reason`) in the officer's name the moment they sign in (docs/security.md,
"Cross-site requests").
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote, urlsplit

from werkzeug.urls import iri_to_uri

from observo.http.problem_api import API_PREFIXES, API_ROOTS

# Removed anywhere by the WHATWG URL parser.
_DROPPED = str.maketrans("", "", "\t\n\r")
# Trimmed at both ends by the WHATWG URL parser: C0 controls and space.
_TRIMMED = "".join(chr(code) for code in range(0x21))
# Left after the above, these make the URL unreadable or mean something else to some client.
_REFUSED = re.compile(r"[\x00-\x1f\x7f-\x9f\s]")
_DOT_SEGMENTS = (".", "..")


def safe_next(target: str | None, default: str) -> str:
    """`target` as the browser will read it when it is a path on this site, else `default`."""
    if not target:
        return default
    seen = _as_browsers_read(target)
    compatible = _as_browsers_read(unicodedata.normalize("NFKC", seen))
    if _REFUSED.search(seen) or not (is_local_path(seen) and is_local_path(compatible)):
        return default
    if _is_api(seen) or _is_api(compatible):
        return default
    return iri_to_uri(seen)


def _is_api(url: str) -> bool:
    path = unquote(urlsplit(url).path)  # the router decodes `/%61pi/` to `/api/`
    return path.startswith(API_PREFIXES) or path in API_ROOTS


def _as_browsers_read(url: str) -> str:
    return url.translate(_DROPPED).strip(_TRIMMED).replace("\\", "/")


def is_local_path(url: str) -> bool:
    """A path on this site: no scheme, no host, a single leading slash, no empty or dot segment."""
    if not url.startswith("/") or url.startswith("//"):
        return False
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return False
    segments = parts.path.split("/")[1:]
    for position, segment in enumerate(segments):
        last = position == len(segments) - 1
        if (not segment and not last) or unquote(segment) in _DOT_SEGMENTS:
            return False
    return True

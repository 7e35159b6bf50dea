"""What an `Authorization` header offers: an API token, sent as a bearer token or as an HTTP Basic
password (docs/security.md, "Credentials for GIS clients").

- `Bearer <token>`: scripts;
- `Basic base64(<user name>:<token>)`: GIS clients that know no other scheme (QGIS 3.22). The user
  name is the token owner's e-mail (compared as sign-in compares e-mails) or the word `token`; the
  password is the API token. Accepted on machine paths only (http/auth.py).

A Basic header that cannot be read (not base64, not UTF-8, no colon) is `malformed`, never an
exception. A 401 on a machine path tells programs that Basic is accepted, but never a browser: a
browser would prompt for a password and then send it on its own, like a cookie.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from flask import Response

from observo.http.problem_api import is_api_request
from observo.http.same_origin import sent_by_a_browser

BEARER = "bearer"
BASIC = "basic"
# The user name that stands for "whoever owns the token" (scripts; QGIS users may give their e-mail).
TOKEN_USER_NAME = "token"
BASIC_CHALLENGE = 'Basic realm="Observo", charset="UTF-8"'


@dataclass(frozen=True)
class Offered:
    scheme: str  # lower case: "bearer", "basic" or whatever else was sent
    token: str  # "" when none could be read
    user_name: str = ""  # Basic only
    malformed: bool = False


def offered_credentials(header: str) -> Offered:
    scheme, _, value = header.strip().partition(" ")
    scheme, value = scheme.lower(), value.strip()
    return _basic(value) if scheme == BASIC else Offered(scheme, value)


def _basic(value: str) -> Offered:
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):  # UnicodeDecodeError is a ValueError
        return Offered(BASIC, "", malformed=True)
    user_name, colon, password = decoded.partition(":")
    if not colon:
        return Offered(BASIC, "", malformed=True)
    return Offered(BASIC, password.strip(), user_name.strip())


def add_basic_challenge(response: Response) -> None:
    """A machine path's 401 to a program also offers Basic (beside the Bearer challenge)."""
    if response.status_code != 401 or not is_api_request() or sent_by_a_browser():
        return
    if BASIC_CHALLENGE not in response.headers.getlist("WWW-Authenticate"):
        response.headers.add("WWW-Authenticate", BASIC_CHALLENGE)

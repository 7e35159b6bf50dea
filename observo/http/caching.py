"""Who may store an answer: one policy for every response (docs/security.md, "Caching").

- an answer to a caller with credentials (an API token, as Bearer or Basic, or a signed-in session)
  is `private, no-store`, whatever the view said: no shared cache and no client cache keeps it, so
  it is never handed to another caller, nor to the same client without its token;
- an anonymous answer on a machine path (/api/, /ogc, /tiles/) is `no-cache` unless its view chose
  a caching of its own (the public tiles, the same for every caller; the public clusters): a client
  may store it but asks the server before every reuse. Caches that ignore `Vary` (QGIS's, Qt's
  QNetworkDiskCache) would otherwise answer a later request with a token from the anonymous entry.
  A view's validator names the bytes it would send this caller (a digest of the body), so a
  revalidation with a token gets a 304 only for the very body the token would be sent anyway;
- machine paths vary on `Authorization, Cookie` (added to the view's own `Vary`).

Pages and static files keep their own headers, `private, no-store` with credentials.
"""

from __future__ import annotations

from flask import Flask, Response

from observo.http.problem_api import is_api_request
from observo.http.security import credentials_sent

PRIVATE = "private, no-store"
REVALIDATE = "no-cache"


def install_cache_policy(app: Flask) -> None:
    app.after_request(_cache_policy)


def _cache_policy(response: Response) -> Response:
    machine = is_api_request()
    if machine:
        response.vary.update(("Authorization", "Cookie"))
    if credentials_sent():
        response.headers["Cache-Control"] = PRIVATE
    elif machine and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = REVALIDATE
    return response

"""Who may store an answer: one policy for every response (docs/security.md, "Caching").

- an answer to a caller with credentials (an API token, as Bearer or Basic, or a signed-in session)
  is `private, no-store`, whatever the view said: no shared cache and no client cache keeps it, so
  it is never handed to another caller, nor to the same client without its token;
- an anonymous answer on a machine path (/api/, /ogc, /tiles/) is `no-store` too, unless its view
  chose a caching of its own for bytes that are the same for every caller who may ask that URL (the
  public tiles) or that only browsers ask for (the public clusters of the map). Caches that ignore
  `Vary` would otherwise answer a later request with a token from the anonymous entry, and
  `no-cache` does not stop them: QGIS 3.22 asks for the landing page, the API document, the
  collection and the first page of items with Qt's PreferCache, which reuses a stored entry without
  asking the server whatever it says (tests/gis/test_qgis.py opens an anonymous layer, then a token
  layer, in one QGIS profile). A view's validator still names the bytes it would send this caller
  (a digest of the body), so a revalidation with a token never gets a 304 for another audience's body;
- machine paths vary on `Authorization, Cookie` (added to the view's own `Vary`).

Pages and static files keep their own headers, `private, no-store` with credentials.
"""

from __future__ import annotations

from flask import Flask, Response

from observo.http.problem_api import is_api_request
from observo.http.security import credentials_sent

PRIVATE = "private, no-store"
ANONYMOUS = "no-store"


def install_cache_policy(app: Flask) -> None:
    app.after_request(_cache_policy)


def _cache_policy(response: Response) -> Response:
    machine = is_api_request()
    if machine:
        response.vary.update(("Authorization", "Cookie"))
    if credentials_sent():
        response.headers["Cache-Control"] = PRIVATE
    elif machine and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = ANONYMOUS
    return response

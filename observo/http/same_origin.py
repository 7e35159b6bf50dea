"""Did this request come from one of Observo's own pages? (docs/security.md, "Cross-site requests")

A session cookie rides along on a top-level navigation from another site (SameSite=Lax), so a link
or a redirect elsewhere could make an officer's browser run an audited query in the officer's name.
An API request that relies on the cookie must therefore prove it was sent by this site, with the
first of these the browser provides:
1. Fetch Metadata: `Sec-Fetch-Site` is `same-origin`, or `none` (typed in the address bar, a
   bookmark). Every current browser sends it over HTTPS and to localhost; it cannot be forged by a
   page, and `same-site` (a sibling subdomain) is not enough;
2. `Origin` equal to this site's own (browsers send it on cross-origin requests and on writes);
3. `Referer` on this site's origin (Observo's pages send it on same-origin requests:
   `Referrer-Policy: same-origin`), for navigations in a browser without Fetch Metadata;
4. `X-Requested-With: observo`, which the map's scripts add to every call: another site's page
   cannot add a custom header to a credentialed request without a CORS preflight Observo refuses.
Bearer-token callers need none of this: a token is not sent by a browser on its own. Nor do HTTP
Basic callers (GIS clients: http/credentials.py), but a browser that was once given a Basic password
would send it on its own, like a cookie: Basic credentials are refused when the browser says another
site sent the request (`sent_by_another_site`), and browsers are never asked for them.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request

FETCH_SITE = "Sec-Fetch-Site"
FETCH_MODE = "Sec-Fetch-Mode"
REQUESTED_WITH = "X-Requested-With"
REQUESTED_WITH_VALUE = "observo"
_TRUSTED_FETCH_SITES = ("same-origin", "none")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def sent_by_this_site() -> bool:
    """The request carries a proof, that a browser cannot be made to forge, of coming from here."""
    fetch_site = request.headers.get(FETCH_SITE)
    if fetch_site is not None:
        return fetch_site.strip().lower() in _TRUSTED_FETCH_SITES
    origin = request.headers.get("Origin")
    if origin is not None:
        return _same_origin(origin)
    referrer = request.headers.get("Referer")
    if referrer and _same_origin(referrer):
        return True
    return request.headers.get(REQUESTED_WITH, "").strip().lower() == REQUESTED_WITH_VALUE


def sent_by_another_site() -> bool:
    """A browser says another site's page made this request (Fetch Metadata, else `Origin`).

    Programs (GIS clients, scripts) send neither header, so this never refuses them.
    """
    fetch_site = request.headers.get(FETCH_SITE)
    if fetch_site is not None:
        return fetch_site.strip().lower() not in _TRUSTED_FETCH_SITES
    origin = request.headers.get("Origin")
    return origin is not None and not _same_origin(origin)


def sent_by_a_browser() -> bool:
    """Fetch Metadata, the map's own header, or a page navigation's `Accept`: a browser, not a program."""
    return (
        FETCH_SITE in request.headers
        or FETCH_MODE in request.headers
        or request.headers.get(REQUESTED_WITH, "").strip().lower() == REQUESTED_WITH_VALUE
        or "text/html" in request.headers.get("Accept", "")
    )


def own_origin() -> str:
    """This site's origin as browsers write it (`scheme://host[:port]`), from the (trusted) Host."""
    return _origin_of(request.host_url) or ""


def _same_origin(url: str) -> bool:
    origin = _origin_of(url)
    return origin is not None and origin == own_origin()


def _origin_of(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None  # `null` (a sandboxed or data: page), or not a web origin
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if port is not None and str(port) != _DEFAULT_PORTS[parts.scheme]:
        host = f"{host}:{port}"
    return f"{parts.scheme}://{host}"

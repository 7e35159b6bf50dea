"""Security headers on every response, CORS for the public read routes, and their preflights.

- every response: `X-Content-Type-Options`, `Referrer-Policy`, a Content-Security-Policy (pages get
  the page policy, everything else `default-src 'none'`), and `frame-ancestors 'none'` with
  `X-Frame-Options: DENY` unless the route's rule is `framable` (then the configured origins);
- a 401 on a machine path offers HTTP Basic beside Bearer, to programs only (http/credentials.py);
- CORS only on routes whose rule says `cors`, and only for callers without credentials: `*`, never
  `Access-Control-Allow-Credentials`, so another site's script can never read a signed-in answer.
Who may store an answer (`Cache-Control`, `Vary`): http/caching.py.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request, session
from flask.globals import request_ctx

from observo.http.assets import origin_of
from observo.http.credentials import add_basic_challenge
from observo.http.route_policy import current_rule, rule_for

# Pages run only Observo's own scripts and the pinned CDN ones (SRI; none with OBSERVO_ASSETS=local);
# tiles are images. The API docs page too: its start-up snippet is a file (static/js/swagger_start.js).
_PAGE_CSP = (
    "default-src 'self'; script-src 'self' {cdn}; style-src 'self' 'unsafe-inline' {cdn}; "
    "img-src 'self' data: blob: {tiles} {cdn}; connect-src 'self'; worker-src 'none'; object-src 'none'; "
    "frame-ancestors {ancestors}; base-uri 'none'; form-action 'self'"
)
# JSON, CSV, images: nothing in them may load or run anything.
_DATA_CSP = "default-src 'none'; frame-ancestors {ancestors}"
_CORS_EXPOSED = "ETag, Link, Retry-After, X-Request-ID"
# Never Authorization, nor X-Requested-With: that header proves a call comes from Observo's own pages
# (observo/http/same_origin.py) only because no other site may send it.
_CORS_REQUEST_HEADERS = "Content-Type, If-None-Match, Accept-Language"
_CORS_MAX_AGE_S = "600"
_USER_ID = "_user_id"  # where Flask-Login keeps the signed-in user in the session


def install_security_headers(app: Flask) -> None:
    app.before_request(_answer_preflight)
    app.after_request(_add_headers)


def signed_in_user_id() -> str | None:
    """The session's user id, read without loading the user from the database.

    A request without a session cookie is not signed in (unless this very request signed it in).
    """
    if not session_cookie_sent() and not session_written():
        return None
    return session.get(_USER_ID)


def session_cookie_sent() -> bool:
    """Did the client send a session? Asked of the cookies: the `session` proxy adds `Vary: Cookie`."""
    return current_app.config["SESSION_COOKIE_NAME"] in request.cookies


def session_written() -> bool:
    """Did this request write the session (a sign-in)? Asked of the request context, not the proxy."""
    context = vars(request_ctx._get_current_object())
    opened = context.get("_session", context.get("session"))
    return bool(opened is not None and opened.modified)


def credentials_sent() -> bool:
    return "Authorization" in request.headers or signed_in_user_id() is not None


def _answer_preflight() -> Response | None:
    rule = current_rule()
    is_preflight = (
        request.method == "OPTIONS"
        and "Origin" in request.headers
        and "Access-Control-Request-Method" in request.headers
    )
    if not (is_preflight and rule is not None and rule.cors):
        return None
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = ", ".join(_cors_methods())
    response.headers["Access-Control-Allow-Headers"] = _CORS_REQUEST_HEADERS
    response.headers["Access-Control-Max-Age"] = _CORS_MAX_AGE_S
    return response


def _cors_methods() -> list[str]:
    """The route's methods whose own rule allows CORS (GET and HEAD; POST for the search)."""
    methods = request.url_rule.methods if request.url_rule else set()
    return [
        method
        for method in sorted(methods or ())
        if method != "OPTIONS" and (rule := rule_for(request.endpoint or "", method)) and rule.cors
    ]


def _add_headers(response: Response) -> Response:
    rule = current_rule()
    credentials = credentials_sent()
    _content_headers(response, framable=rule is not None and rule.framable)
    add_basic_challenge(response)
    _cors_headers(response, allowed=rule is not None and rule.cors and not credentials)
    return response


def _content_headers(response: Response, framable: bool) -> None:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if framable:
        ancestors = " ".join(("'self'", *frame_ancestors()))
        headers.pop("X-Frame-Options", None)
    else:
        ancestors = "'none'"
        headers["X-Frame-Options"] = "DENY"
    is_page = response.mimetype == "text/html" and response.status_code != 204  # 204: no body at all
    policy = _page_policy() if is_page else _DATA_CSP
    headers.setdefault("Content-Security-Policy", policy.format(ancestors=ancestors))


def frame_ancestors() -> tuple[str, ...]:
    """Who may frame this answer: the origins its view chose (the embedding organisation's), else
    the deployment's `embed_origins`."""
    chosen = g.get("frame_ancestors")
    return tuple(chosen) if chosen is not None else current_app.config["OBSERVO_SETTINGS"].embed_origins


def _page_policy() -> str:
    settings = current_app.config["OBSERVO_SETTINGS"]
    cdn = origin_of(settings.cdn_base_url) if settings.assets == "cdn" else ""
    # A tile template's `{s}` subdomain becomes a wildcard host.
    tiles = origin_of(settings.tile_url.replace("{s}", "*"))
    return _PAGE_CSP.replace("{cdn}", cdn).replace("{tiles}", tiles)


def _cors_headers(response: Response, allowed: bool) -> None:
    present = {name.lower() for name, _value in response.headers.items()}
    for name in present:
        if name.startswith("access-control-") and (not allowed or name == "access-control-allow-credentials"):
            del response.headers[name]
    if allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = _CORS_EXPOSED

"""Rate limits (Flask-Limiter): a quota per API caller, and throttled sign-in attempts.

- every /api/ route shares one quota per caller (`ratelimit_api`): the caller is the SHA-256 of the
  API token when one is sent (as Bearer or as the Basic password: one quota), else the signed-in
  user, else the client address;
- failed sign-ins (401) on POST /login are counted per client address (`ratelimit_login`) and per
  submitted e-mail address (`ratelimit_login_email`), so a guess spread over many addresses at one
  account is slowed too; a successful sign-in costs nothing, so colleagues behind one NAT are not
  locked out by each other;
- refused credentials (401 to a request that sent `Authorization`: a bad bearer token, a bad or
  unreadable Basic one alike) are counted per client address
  (`ratelimit_auth_failed`): each random token is a new caller for the API quota, but not a new
  address. Once the quota is spent, that address's requests with refused credentials get 429, with
  no audit entry (docs/security.md, "Floods"); a valid token is exempt, so colleagues behind the
  same NAT keep working while a misconfigured client or an attacker next to them is throttled.
  This one is counted where the refusal is answered (`refused_credentials_throttled`, called by
  http/access.py), after the token lookup the request makes anyway: deciding "valid or not" in the
  limiter's own hook would look the token up before the route's transaction is opened, a second
  connection wait when the database is down and, on SQLite, a read snapshot that a write cannot
  upgrade (an immediate "database is locked" instead of the busy wait);
- health checks, static files and the other pages are not limited.

The limits are read from the settings at each request; the storage and the on/off switch when the
app is built. `memory://` counts per process (each gunicorn worker apart): production uses Redis.
When the storage is unreachable the app keeps serving: Flask-Limiter logs a warning and counts in
this process's memory until the storage answers again, so limits still hold per process rather than
failing open, or failing every request.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable

from flask import Flask, Response, current_app, render_template, request
from flask_limiter import ApplicationLimit, Limiter, RateLimitExceeded
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, RateLimiter

from observo import optional
from observo.http.credentials import offered_credentials
from observo.http.i18n import gettext, language
from observo.http.problem_api import is_api_request
from observo.http.problems import problem
from observo.http.security import signed_in_user_id
from observo.services.accounts import normalise_email
from observo.settings import Settings

_EXTENSION_KEY = "observo_limiter"
# Counts refused credentials while the shared storage does not answer (per process, like Flask-Limiter's).
_FALLBACK_KEY = "observo_limiter_fallback"
_REFUSED_SCOPE = ("observo", "auth-failed-address")
log = logging.getLogger(__name__)
# A storage that does not answer must not hold a request for long: fall back to memory quickly.
_STORAGE_TIMEOUT_S = 0.5


class RateLimits:
    """Unbound, like the other extensions; `init_app` gives each app a Flask-Limiter of its own.

    Flask-Limiter keeps its storage and its "storage is down" state on the instance, so one instance
    bound to several apps (the tests build several) would mix their counters and settings.
    """

    def init_app(self, app: Flask) -> None:
        settings: Settings = app.config["OBSERVO_SETTINGS"]
        for limit in (
            settings.ratelimit_api,
            settings.ratelimit_login,
            settings.ratelimit_login_email,
            settings.ratelimit_auth_failed,
            settings.ratelimit_owner_signup,
        ):
            parse_many(limit)  # a typo fails at start, not as a silently skipped limit later
        if settings.ratelimit_storage_url.startswith(("redis://", "rediss://")):
            optional.load("redis")  # shared counters need observo[redis]: said at start, not per request
        extension = Limiter(
            _client_address,
            application_limits=_limits(),
            storage_uri=settings.ratelimit_storage_url,
            storage_options=_storage_options(settings.ratelimit_storage_url),
            in_memory_fallback_enabled=True,
            swallow_errors=True,
            key_prefix="observo",
            enabled=settings.ratelimit_enabled,
        )
        extension.init_app(app)
        app.extensions[_EXTENSION_KEY] = extension
        app.extensions[_FALLBACK_KEY] = FixedWindowRateLimiter(MemoryStorage())
        app.register_error_handler(RateLimitExceeded, _too_many_requests)

    def reset(self, app: Flask | None = None) -> None:
        """Forget every count (tests start from zero)."""
        extension = _bound(app)
        if extension.enabled:
            extension.reset()
        (app or current_app).extensions[_FALLBACK_KEY].storage.reset()


def refused_credentials_throttled() -> Response | None:
    """Count one refused credential for the client's address; the 429 once the quota is spent.

    None: the refusal is answered (401) and counted. A response: the quota is spent, nothing is
    counted, and the caller answers with it (no audit entry).
    """
    extension = _bound()
    if not extension.enabled:
        return None
    items = parse_many(current_app.config["OBSERVO_SETTINGS"].ratelimit_auth_failed)
    keys = (*_REFUSED_SCOPE, _client_address())
    try:
        return _spend(extension.limiter, items, keys)
    except Exception:  # the storage failed: count in this process rather than not at all
        log.warning("rate-limit storage unavailable: refused credentials counted in memory", exc_info=True)
        return _spend(current_app.extensions[_FALLBACK_KEY], items, keys)


def address_quota(limit: str, scope: str, spend: bool = True) -> Response | None:
    """The 429 once the client's address has spent `limit` under `scope`, else None and (when `spend`)
    one request counted. Checking without spending, then spending on failure, counts failures only.

    For the pages that limit themselves (the owners' sign-up, docs/owners.md)."""
    extension = _bound()
    if not extension.enabled:
        return None
    items = parse_many(limit)
    keys = ("observo", scope, _client_address())
    try:
        return _spend(extension.limiter, items, keys, spend)
    except Exception:  # the storage failed: count in this process rather than not at all
        log.warning("rate-limit storage unavailable: %s counted in memory", scope, exc_info=True)
        return _spend(current_app.extensions[_FALLBACK_KEY], items, keys, spend)


def _spend(
    strategy: RateLimiter, items: list[RateLimitItem], keys: tuple[str, ...], spend: bool = True
) -> Response | None:
    for item in items:
        if not strategy.test(item, *keys):
            reset_at = strategy.get_window_stats(item, *keys).reset_time
            return _throttled(str(item), max(1, math.ceil(reset_at - time.time())))
    for item in items if spend else ():
        strategy.hit(item, *keys)
    return None


def _bound(app: Flask | None = None) -> Limiter:
    return (app or current_app).extensions[_EXTENSION_KEY]


def _setting(name: str) -> Callable[[], str]:
    return lambda: getattr(current_app.config["OBSERVO_SETTINGS"], name)


def _failed_sign_in(response: Response) -> bool:
    return response.status_code == 401


def _limits() -> list[ApplicationLimit]:
    return [
        ApplicationLimit(
            _setting("ratelimit_api"),
            key_function=_caller_key,
            scope="api",
            exempt_when=lambda: not is_api_request(),
        ),
        ApplicationLimit(
            _setting("ratelimit_login"),
            key_function=_client_address,
            scope="login-address",
            methods=["POST"],
            exempt_when=lambda: request.endpoint != "pages.login",
            deduct_when=_failed_sign_in,
        ),
        ApplicationLimit(
            _setting("ratelimit_login_email"),
            key_function=_submitted_email,
            scope="login-email",
            methods=["POST"],
            exempt_when=lambda: request.endpoint != "pages.login" or not _submitted_email(),
            deduct_when=_failed_sign_in,
        ),
    ]


def _storage_options(url: str) -> dict[str, float]:
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"socket_connect_timeout": _STORAGE_TIMEOUT_S, "socket_timeout": _STORAGE_TIMEOUT_S}
    return {}


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _client_address() -> str:
    return f"address:{request.remote_addr or 'unknown'}"


def _caller_key() -> str:
    header = request.headers.get("Authorization")
    if header is not None:
        # The token however it is sent (Bearer, or Basic with either user name): one quota per token.
        # Hashed: the storage never holds a usable token.
        return f"token:{_sha256(offered_credentials(header).token or header)}"
    user_id = signed_in_user_id()
    return f"user:{user_id}" if user_id is not None else _client_address()


def _submitted_email() -> str:
    email = normalise_email(request.form.get("email", ""))
    return f"email:{_sha256(email)}" if email else ""


def _retry_after(error: RateLimitExceeded) -> int:
    """Whole seconds until the breached window ends (at least 1)."""
    breached = _bound().current_limit
    try:
        reset_at = float(breached.window[0]) if breached is not None else None
    except Exception:  # the storage failed between the check and now: the whole window is safe
        reset_at = None
    if reset_at is None:
        return int(error.limit.limit.get_expiry())
    return max(1, math.ceil(reset_at - time.time()))


def _too_many_requests(error: RateLimitExceeded) -> Response:
    return _throttled(str(error.limit.limit), _retry_after(error))


def _throttled(limit: str, seconds: int) -> Response:
    """429 in the caller's language: problem+json for the API, the error page for the pages."""
    headers = {"Retry-After": str(seconds)}  # X-Request-ID: added to every response (web.access)
    if is_api_request():
        detail = f"rate limit of {limit} reached: retry in {seconds} s"
        return problem(429, "rate_limited", detail, headers=headers)
    detail = gettext("Too many attempts: try again in %(seconds)s seconds.", seconds=seconds)
    page = render_template("error.html", lang=language(), detail=detail)
    return Response(page, status=429, headers=headers, mimetype="text/html")


limiter = RateLimits()

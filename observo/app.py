"""The application factory: settings -> extensions -> blueprints -> error map -> CLI."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from werkzeug.exceptions import InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix

from observo.api import audit as audit_api
from observo.api import cameras as cameras_api
from observo.api import clusters as clusters_api
from observo.api import coverage as coverage_api
from observo.api import exports as exports_api
from observo.api import imports as imports_api
from observo.api import interventions as interventions_api
from observo.api import obstacles as obstacles_api
from observo.api import ogc as ogc_api
from observo.api import organisations as organisations_api
from observo.api import owner as owner_api
from observo.api import pacts as pacts_api
from observo.api import places as places_api
from observo.api import search as search_api
from observo.api import stats as stats_api
from observo.api import tiles as tiles_api
from observo.api import tokens as tokens_api
from observo.api import users as users_api
from observo.api import verifications as verifications_api
from observo.errors import ObservoError
from observo.extensions import babel, csrf, db, login_manager, migrate
from observo.http import i18n, metrics
from observo.http.access import install_access_control, refusal_response
from observo.http.asset_files import SWAGGER_UI, VENDOR_DIR, VENDOR_URL, vendored_files
from observo.http.assets import docs_asset_tags
from observo.http.caching import install_cache_policy
from observo.http.converters import DatabaseId
from observo.http.hosts import install_host_check
from observo.http.input_guard import install_input_guard
from observo.http.problem_api import api, is_api_request
from observo.http.problems import problem_from_error
from observo.http.rate_limits import limiter
from observo.http.read_routing import install_read_routing, retry_on_primary
from observo.http.request_log import install_request_log
from observo.http.security import install_security_headers
from observo.http.session import load_signed_in
from observo.http.unavailable import unavailable_response
from observo.logs import configure_logging
from observo.optional import log_missing
from observo.package_files import migrations_dir, static_dir
from observo.settings import Settings, provide_current_settings
from observo.spatial.engine import UNAVAILABLE_ERRORS, engine_options, install_hooks

# The page modules register their routes on pages.bp when imported.
from observo.web import (  # noqa: F401
    camera_pages,
    embed,
    health,
    intervention_pages,
    map_page,
    messages,
    owner_cameras,
    owner_confirmations,
    owner_password,
    owner_requests,
    owner_tokens,
    pages,
    stats_page,
    verification_pages,
)
from observo.web import owners as owners_pages
from observo.web.base_tiles import bp as base_tiles_bp
from observo.web.base_tiles import with_tile_file
from observo.web.vendored import bp as vendor_bp

# Clients that cannot send a bearer header (QGIS 3.22, GDAL's /vsicurl/) send the token as the Basic
# password (observo/http/credentials.py; docs/security.md, "Credentials for GIS clients").
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer"},
    "basic": {
        "type": "http",
        "scheme": "basic",
        "description": "an API token as the password; user name: its owner's e-mail or the word `token`",
    },
    # /api/v1/owner/... only: an owner's token (docs/owners.md, "API and CLI"), never a police one.
    "ownerToken": {"type": "http", "scheme": "bearer", "description": "an owner token, `obo_...`"},
}
MIGRATIONS_DIR = migrations_dir()  # beside the package in a checkout, inside it in a wheel


def create_app(settings: Settings | None = None) -> Flask:
    settings = _offline_ready((settings or Settings.from_env()).with_secret_key())
    app = Flask(
        __name__,
        instance_path=str(settings.instance_path),
        static_folder=str(static_dir()),
        template_folder="web/templates",
    )
    app.config.update(_flask_config(settings))
    provide_current_settings(_app_settings)
    configure_logging(app, settings.effective_log_format, settings.log_level)
    log_missing(app.logger)  # a missing optional package is said at start, not at a user's request
    install_request_log(app)  # first: every later hook (CSRF, the limiter...) sees the request id
    install_host_check(app)  # then: nothing runs for a host the site does not serve
    install_input_guard(app)  # then: no later hook or view queries the database with a NUL
    app.json.sort_keys = False  # GeoJSON reads best in its own order: type, id, geometry, properties
    app.url_map.converters["int"] = DatabaseId  # before any route: ids the database can hold
    _init_database(app, settings)
    _init_extensions(app)
    # Before the route policy: refusals are audited, so a flood of them must be throttled too.
    limiter.init_app(app)
    install_access_control(app)
    install_read_routing(app, settings, app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    _register_error_map(app)
    install_security_headers(app)
    install_cache_policy(app)  # who may store an answer: one policy, not one per view
    if settings.trusted_proxies > 0:  # believe X-Forwarded-* from that many proxies, no more
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
    return app


def _offline_ready(settings: Settings) -> Settings:
    """Refuse to start on a setting the pages could not honour (docs/offline.md), before serving
    a map with no scripts or no tiles; point the maps at the MBTiles file when there is one."""
    if settings.assets == "local":
        files = (f"{package}@{version}/{path}" for package, version, path in vendored_files())
        absent = [name for name in files if not (VENDOR_DIR / name).is_file()]
        if absent:
            raise RuntimeError(
                f"OBSERVO_ASSETS=local but {len(absent)} file(s) are missing from {VENDOR_DIR} "
                f"(first: {absent[0]}): build them with `python scripts/vendor_assets.py` after `npm ci`"
            )
    return with_tile_file(settings)  # MBTilesError: a clear message at start-up


def _app_settings() -> Settings | None:
    """The serving application's settings, for the layers that do not import Flask (schemas)."""
    return current_app.config["OBSERVO_SETTINGS"] if has_app_context() else None


def _flask_config(settings: Settings) -> dict[str, Any]:
    return {
        "OBSERVO_SETTINGS": settings,
        "SECRET_KEY": settings.secret_key,
        "TESTING": settings.testing,
        "SQLALCHEMY_DATABASE_URI": settings.database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(
            settings.database_url,
            settings.statement_timeout_ms,
            connect_timeout_s=settings.connect_timeout_s,
            pool_timeout_s=settings.pool_timeout_s,
            sqlite_busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        ),
        "MAX_CONTENT_LENGTH": settings.max_body_bytes,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings.session_cookie_secure,
        # The cookie lasts the browser session; its signature is refused after the absolute lifetime
        # (the idle and absolute limits themselves: observo/http/session.py).
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=settings.session_max_hours),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": settings.session_cookie_secure,
        "WTF_CSRF_TIME_LIMIT": None,
        "API_TITLE": "Observo",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        # Only registers the page: observo/web/templates/swagger_ui.html loads Swagger UI as the map
        # loads Leaflet (OBSERVO_ASSETS, the CDN with a fallback, SRI).
        "OPENAPI_SWAGGER_UI_URL": f"{VENDOR_URL}/swagger-ui-dist@{SWAGGER_UI}/",
        "API_SPEC_OPTIONS": {
            "info": {
                "description": "Registry of video-surveillance cameras. Errors are RFC 9457 problem+json."
            },
            "components": {"securitySchemes": SECURITY_SCHEMES},
            "security": [{"bearer": []}, {"basic": []}, {}],
        },
    }


def _init_database(app: Flask, settings: Settings) -> None:
    if settings.is_sqlite:
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    with app.app_context():
        install_hooks(db.engine, settings.statement_timeout_ms, settings.sqlite_busy_timeout_ms)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)


def _init_extensions(app: Flask) -> None:
    csrf.init_app(app)
    i18n.compile_catalogues()
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_locale=i18n.DEFAULT_LANGUAGE,
        default_translation_directories=str(i18n.TRANSLATIONS_DIR),
    )
    app.before_request(i18n.remember_language)
    app.jinja_env.globals["language_url"] = i18n.language_url
    app.jinja_env.globals["page_language"] = i18n.language  # for pages rendered by extensions
    app.jinja_env.globals["docs_asset_tags"] = docs_asset_tags
    login_manager.init_app(app)
    login_manager.login_view = "pages.login"
    login_manager.user_loader(load_signed_in)
    api.init_app(app)
    for blueprint in (
        cameras_api.blp,
        search_api.blp,
        clusters_api.blp,
        coverage_api.blp,
        exports_api.blp,
        imports_api.blp,
        interventions_api.blp,
        places_api.blp,
        obstacles_api.blp,
        stats_api.blp,
        organisations_api.blp,
        pacts_api.blp,
        users_api.blp,
        tokens_api.blp,
        audit_api.blp,
        verifications_api.blp,
        owner_api.blp,
    ):
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)  # API writes are CSRF-checked in api.auth when they ride on a session
    app.register_blueprint(pages.bp)
    app.register_blueprint(owners_pages.bp)  # owners' sign-up and pages (docs/owners.md)
    app.register_blueprint(vendor_bp)  # the pinned third-party files shipped in the package
    app.register_blueprint(base_tiles_bp)  # background tiles from an MBTiles file, when configured
    app.register_blueprint(health.bp)
    metrics.init_app(app)
    app.register_blueprint(ogc_api.bp)  # OGC API - Features: its own OpenAPI document (/ogc/api)
    app.register_blueprint(tiles_api.bp)  # vector tiles: binary, outside the OpenAPI document


def _register_error_map(app: Flask) -> None:
    app.register_error_handler(ObservoError, _observo_error)
    # Every class that means "the database cannot serve now": 503 with Retry-After, never a 500.
    for error_class in UNAVAILABLE_ERRORS:
        app.register_error_handler(error_class, _database_unavailable)
    # Anything unexpected: Flask logs the traceback (with the request id), the client gets the id only.
    app.register_error_handler(InternalServerError, pages.internal_error)


def _database_unavailable(error: Exception) -> Any:
    retried = retry_on_primary(error)  # a replica that failed mid-read: the primary answers instead
    return unavailable_response(error) if retried is None else retried


def _observo_error(error: ObservoError) -> Any:
    return refusal_response(error, problem_from_error if is_api_request() else pages.error_page)

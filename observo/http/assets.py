"""The pages' third-party scripts and styles: pinned npm files with SRI, from a CDN or from Observo.

`OBSERVO_ASSETS=cdn` (the default) loads them from `OBSERVO_CDN_BASE_URL` and, when the CDN cannot be
reached, static/js/asset_fallback.js loads Observo's own copies (built into the package by
scripts/vendor_assets.py, served at /vendor/) in the same order; `OBSERVO_ASSETS=local` serves only
those copies, for a closed network (docs/offline.md). Either way the integrity values are the same.
Should a script load from nowhere, the fallback script says so on the page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_app_context, has_request_context, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from observo.http.asset_files import (  # noqa: F401  (re-exported: the pages import them from here)
    ASSETS,
    DOCS_ASSETS,
    EMBED_ASSETS,
    MAP_ASSETS,
    VENDOR_URL,
    Asset,
)


def asset_tags(base_url: str, names: tuple[str, ...], mode: str | None = None) -> Markup:
    """`<link>`/`<script>` tags with `integrity` and `crossorigin`, in the order given, then the
    fallback script. `mode` defaults to the `OBSERVO_ASSETS` setting."""
    mode = mode or _configured_mode()
    local = (request.script_root if has_request_context() else "") + VENDOR_URL
    tags = []
    for name in names:
        asset = ASSETS[name]
        url = asset.url(local if mode == "local" else base_url)
        attributes = {"integrity": asset.integrity, "crossorigin": "anonymous"}
        if mode != "local":
            attributes["data-local"] = asset.url(local)
        if asset.probe:
            attributes["data-probe"] = asset.probe
        if asset.is_script:
            tags.append(f"<script src={_quoted(url)}{_attributes(attributes)}></script>")
        else:
            tags.append(f'<link rel="stylesheet" href={_quoted(url)}{_attributes(attributes)}>')
    if has_request_context():
        tags.append(_fallback_tag())
    return Markup("\n  ".join(tags))


def docs_asset_tags() -> Markup:
    """Swagger UI's tags for the API documentation page (a template global: flask-smorest renders it)."""
    return asset_tags(current_app.config["OBSERVO_SETTINGS"].cdn_base_url, DOCS_ASSETS)


def _configured_mode() -> str:
    if not has_app_context():
        return "cdn"
    return str(current_app.config["OBSERVO_SETTINGS"].assets)


def _fallback_tag() -> str:
    src = url_for("static", filename="js/asset_fallback.js")
    missing = _(
        "Some of this page's scripts could not be loaded, neither from the internet nor from this "
        "server, so the page cannot work. Reload it; if it happens again, tell the administrator "
        "(Observo's guide: docs/offline.md)."
    )
    return f"<script src={_quoted(src)} data-missing={_quoted(missing)}></script>"


def _quoted(value: str) -> str:
    return f'"{escape(value)}"'


def _attributes(attributes: dict[str, str]) -> str:
    return "".join(f" {name}={_quoted(value)}" for name, value in attributes.items())


def origin_of(url: str) -> str:
    """`https://host[:port]` of an absolute URL, for the CSP; '' for a same-site path."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""

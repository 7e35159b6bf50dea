"""Italian first, English too: the request's language, and the catalogue behind every string.

Strings are English msgids marked with gettext (`_()` in templates and JS, `gettext`/`lazy_gettext`
in Python); `observo/translations/it` holds the Italian. Choice of language:
- pages: `?lang=` (remembered in the session of a page that already has one), else Italian: an
  officer on a shared patrol tablet gets Italian whatever the browser's own language;
- the API: `Accept-Language` (machine clients), Italian when it names neither language;
- the embed: `?lang=` only (it sets no cookie).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import render_template, request, session, url_for
from flask_babel import get_locale, gettext, lazy_gettext

from observo.http.problem_api import is_api_request
from observo.http.route_policy import current_rule
from observo.http.security import session_cookie_sent

LANGUAGES = ("it", "en")
DEFAULT_LANGUAGE = "it"
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
_SESSION_KEY = "lang"

__all__ = ["LANGUAGES", "gettext", "lazy_gettext", "language", "select_locale"]


def select_locale() -> str:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if is_api_request():
        return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE
    if session_cookie_sent() and session.get(_SESSION_KEY) in LANGUAGES:
        return session[_SESSION_KEY]
    return DEFAULT_LANGUAGE


def remember_language() -> None:
    """A page asked with `?lang=` keeps that language for the rest of the session; never a framable
    page (the embed): it must not send a cookie to the site that frames it."""
    chosen = request.args.get("lang")
    rule = current_rule()
    framable = rule is not None and rule.framable
    if chosen in LANGUAGES and session_cookie_sent() and not is_api_request() and not framable:
        session[_SESSION_KEY] = chosen


def language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)


def compile_catalogues(directory: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Compile every .po newer than its .mo (setup does it with pybabel; this covers a bare checkout)."""
    compiled = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file, locale=po_path.parent.parent.name)
        try:
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalogue)
        except OSError as error:  # a read-only install: serve what the setup compiled
            logging.getLogger(__name__).warning("cannot compile %s: %s", po_path, error)
            continue
        compiled.append(mo_path)
    return compiled


def language_url(lang: str) -> str:
    """This page in another language, its query (filters, map view) kept."""
    args = {name: value for name, value in request.args.items(multi=False) if name != "lang"}
    if request.endpoint is None or request.url_rule is None or "GET" not in (request.url_rule.methods or ()):
        return f"?lang={lang}"
    # A route may itself take `lang` (/i18n/<lang>.json): the new language replaces it.
    return url_for(request.endpoint, **{**(request.view_args or {}), **args, "lang": lang})


def render_page(template: str, status: int = 200, **context: Any) -> Any:
    """A page in the request's language (templates read it as `lang`)."""
    return render_template(template, lang=language(), **context), status

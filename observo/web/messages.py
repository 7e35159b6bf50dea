"""The catalogue for the scripts: the same translations as the templates, as one JSON object."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify
from flask_babel import get_translations

from observo.http.i18n import LANGUAGES
from observo.web.pages import bp
from observo.web.plural_messages import plural_messages


@bp.route("/i18n/<lang>.json")
def messages(lang: str) -> Any:
    """{English msgid: translation} for `lang`; English needs none (the msgids are English)."""
    if lang not in LANGUAGES:
        abort(404)
    catalogue: dict[str, str | list[str]] = {}
    if lang != "en":
        catalogue = {
            key: value
            for key, value in getattr(get_translations(), "_catalog", {}).items()
            if isinstance(key, str) and key and value
        }
        catalogue.update(plural_messages())  # {singular msgid: [forms]}, for ngettext in static/js/i18n.js
    response = jsonify(catalogue)
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response

"""The catalogue's plural entries for the scripts: {singular msgid: [forms...]} in the page's language.

/i18n/<lang>.json carries the simple entries only; the map's config hands these over with it, so
`ngettext` in static/js/i18n.js picks "1 telecamera trovata" or "3 telecamere trovate".
"""

from __future__ import annotations

from flask_babel import get_translations


def plural_messages() -> dict[str, list[str]]:
    """Babel keys a plural entry's forms (singular msgid, index); English needs none (the msgids are it)."""
    forms: dict[str, dict[int, str]] = {}
    for key, value in getattr(get_translations(), "_catalog", {}).items():
        if isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str) and key[0] and value:
            forms.setdefault(key[0], {})[int(key[1])] = value
    return {msgid: [by_index[i] for i in sorted(by_index)] for msgid, by_index in forms.items()}

"""Italian first: every string the pages and scripts show is in the Italian catalogue, and no
template shows text that bypasses it."""

from __future__ import annotations

import gettext
import re
import shutil
from html.parser import HTMLParser

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from observo.http.i18n import TRANSLATIONS_DIR, compile_catalogues
from observo.settings import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "observo" / "web" / "templates"
METHOD_MAP = [
    ("observo/**.py", "python"),
    ("observo/web/templates/**.html", "jinja2"),
    ("static/js/**.js", "javascript"),
]
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None}
# Shown as they are in every language: the brand, language names in their own language, a glyph.
UNTRANSLATED = {"Observo", "English", "Italiano", "×", "—"}
_JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
_TEXT_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


def _catalogue():
    with (TRANSLATIONS_DIR / "it" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        return read_po(po_file, locale="it")


def _msgids() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        PROJECT_ROOT, METHOD_MAP, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_string_has_an_italian_translation():
    catalogue = _catalogue()
    msgids = _msgids()
    assert len(msgids) > 100  # the extraction did find the pages' and scripts' strings
    missing = sorted(m for m in msgids if not (catalogue.get(m) and catalogue.get(m).string))
    fuzzy = sorted(m.id for m in catalogue if m.id and m.fuzzy)
    assert not missing, f"add these to observo/translations/it (make messages): {missing}"
    assert not fuzzy, f"fuzzy translations: {fuzzy}"


def test_no_message_is_defined_twice():
    # Appended entries can repeat one already there: msgfmt refuses such a catalogue, Babel keeps the last.
    text = (TRANSLATIONS_DIR / "it" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    keys = re.findall(r'^(?:msgctxt "(?:[^"\\]|\\.)*"\n)?msgid "((?:[^"\\]|\\.)*)"\n', text, re.M)
    repeated = sorted({key for key in keys if keys.count(key) > 1} - {""})
    assert not repeated, f"defined twice in messages.po: {repeated}"


def test_translations_keep_their_placeholders():
    for message in _catalogue():
        if message.id and message.string:
            # A plural entry: (singular, plural) ids and one string per plural form; each form keeps them.
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            expected = sorted(set(re.findall(r"%\(\w+\)s", ids[-1])))
            for string in strings:
                assert sorted(set(re.findall(r"%\(\w+\)s", string))) == expected, message.id


class _BareText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._raw = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._raw += 1
        for name, value in attrs:
            if name in _TEXT_ATTRIBUTES and value and _is_words(value):
                self.found.append(f'{name}="{value}"')

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._raw -= 1

    def handle_data(self, data: str) -> None:
        if not self._raw and _is_words(data):
            self.found.append(data.strip())


def _is_words(text: str) -> bool:
    """Text a reader sees; not the brand or a glyph, nor a class name a block fills in (`map-page`)."""
    remaining = text
    for token in UNTRANSLATED:
        remaining = remaining.replace(token, " ")
    remaining = remaining.strip()
    return bool(re.search(r"[A-Za-zÀ-ÿ]", remaining)) and not re.fullmatch(r"[a-z0-9-]+", remaining)


@pytest.mark.parametrize("template", sorted(path.name for path in TEMPLATES.glob("*.html")))
def test_templates_show_no_text_outside_the_catalogue(template):
    source = (TEMPLATES / template).read_text()
    parser = _BareText()
    parser.feed(_JINJA.sub(" ", source))
    assert not parser.found, f"wrap in {{{{ _('...') }}}}: {parser.found}"


def test_the_bare_text_check_can_fail():
    parser = _BareText()
    parser.feed(_JINJA.sub(" ", "<p>{{ _('Fine') }}</p><p>Not translated</p><a title='Apri'>x</a>"))
    assert parser.found == ["Not translated", 'title="Apri"']


def test_compiled_catalogue_is_current():
    po_file = TRANSLATIONS_DIR / "it" / "LC_MESSAGES" / "messages.po"
    mo_file = po_file.with_suffix(".mo")
    assert mo_file.exists() and mo_file.stat().st_mtime >= po_file.stat().st_mtime


def test_start_up_compiles_only_stale_catalogues(tmp_path):
    folder = tmp_path / "it" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(TRANSLATIONS_DIR / "it" / "LC_MESSAGES" / "messages.po", folder / "messages.po")
    assert compile_catalogues(tmp_path) == [folder / "messages.mo"]
    assert compile_catalogues(tmp_path) == []  # up to date: nothing to do
    italian = gettext.translation("messages", localedir=tmp_path, languages=["it"])
    assert italian.gettext("Sign in") == "Accedi"

"""What the map page hands its scripts for issue 18: where the caller's map opens (its own cameras'
extent), the owners' names for the panels, the catalogue's plural forms, and Italian time."""

from __future__ import annotations

import json
import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from observo.http.i18n import TRANSLATIONS_DIR
from observo.settings import PROJECT_ROOT
from tests import factories

CREMONA = (10.0227, 45.1335)
MONCALIERI = (7.6826, 44.9985)


def _config(client, lang: str = "it") -> dict:
    page = client.get(f"/map?lang={lang}").get_data(as_text=True)
    raw = re.search(r'<script type="application/json" id="observo-config">(.*?)</script>', page, re.S)
    return json.loads(raw.group(1))


def test_the_map_opens_on_the_extent_of_the_callers_own_cameras(client, session):
    cremona = factories.org(session, "cremona-t")
    moncalieri = factories.org(session, "moncalieri-t")
    factories.camera(session, cremona, CREMONA[0], CREMONA[1], visibility="public")
    factories.camera(session, cremona, CREMONA[0] + 0.01, CREMONA[1] + 0.005, visibility="public")
    # Taken down and kept in a depot far away: not where the system is.
    factories.camera(session, cremona, 9.19, 45.46, status="decommissioned")
    factories.camera(session, moncalieri, *MONCALIERI, visibility="public")
    factories.sign_in(client, factories.user(session, cremona, "viewer"))
    home = _config(client)["home"]
    assert home == pytest.approx([CREMONA[0], CREMONA[1], CREMONA[0] + 0.01, CREMONA[1] + 0.005], abs=1e-6)


def test_with_no_cameras_of_its_own_the_map_opens_on_what_the_caller_may_read(client, session):
    owner = factories.org(session, "vinovo-t")
    newcomer = factories.org(session, "candiolo-t")
    factories.camera(session, owner, *MONCALIERI, visibility="public")
    factories.camera(session, owner, MONCALIERI[0] + 0.02, MONCALIERI[1], visibility="private")
    factories.sign_in(client, factories.user(session, newcomer, "viewer"))
    home = _config(client)["home"]
    assert home == pytest.approx([MONCALIERI[0], MONCALIERI[1], MONCALIERI[0], MONCALIERI[1]], abs=1e-6)


def test_with_nothing_to_read_there_is_no_home_and_the_scripts_use_the_extent(client, session):
    factories.sign_in(client, factories.user(session, factories.org(session, "lonely-t"), "viewer"))
    config = _config(client)
    assert config["home"] is None
    assert len(config["extent"]) == 4


def test_panels_get_owner_names_and_the_time_zone_and_the_user_id(client, session):
    owner = factories.org(session, "santena-t")
    factories.camera(session, owner, *MONCALIERI)
    user = factories.user(session, owner, "editor")
    factories.sign_in(client, user)
    config = _config(client)
    assert config["ownerNames"]["santena-t"] == owner.name == "Santena-T"
    assert config["timeZone"] == "Europe/Rome"
    assert config["user"]["id"] == user.id  # the last view is remembered per user


def test_italian_plural_forms_reach_the_scripts_and_english_needs_none(client, session):
    factories.sign_in(client, factories.user(session, factories.org(session, "trofarello-t"), "viewer"))
    plurals = _config(client, "it")["plurals"]
    assert plurals["%(count)s camera found."] == [
        "%(count)s telecamera trovata.",
        "%(count)s telecamere trovate.",
    ]
    assert _config(client, "en")["plurals"] == {}


def test_every_plural_the_scripts_use_has_both_italian_forms():
    with (TRANSLATIONS_DIR / "it" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalogue = read_po(po_file, locale="it")
    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            PROJECT_ROOT, [("static/js/**.js", "javascript")], keywords={"ngettext": (1, 2)}
        )
    }
    assert found, "the map uses ngettext"
    for singular, plural in found:
        entry = catalogue.get(singular)
        assert entry is not None and isinstance(entry.id, tuple) and entry.id[1] == plural, singular
        assert len(entry.string) == 2 and all(entry.string), singular
        for form in entry.string:
            assert sorted(re.findall(r"%\(\w+\)s", form)) == sorted(re.findall(r"%\(\w+\)s", plural)), form

"""The words of the brief and the pages: deadlines in days and hours, "del Comune di …"."""

from __future__ import annotations

import pytest

from observo.web.brief import hours_left
from observo.web.of_names import italian_of, of_organisation


@pytest.mark.parametrize(
    ("hours", "italian", "english"),
    [
        (844.9, "scadono tra 35 giorni e 4 ore", "35 days and 4 hours left"),
        (24.0, "scadono tra 1 giorno", "1 day left"),
        (25.5, "scadono tra 1 giorno e 1 ora", "1 day and 1 hour left"),
        (5.99, "scadono tra 5 ore", "5 hours left"),  # rounded down: never an hour that is not there
        (0.4, "scadono tra meno di un'ora", "less than an hour left"),
    ],
)
def test_deadlines_in_days_and_hours(app, hours, italian, english):
    with app.test_request_context("/api/v1/interventions/1/brief", headers={"Accept-Language": "it"}):
        assert hours_left(hours, expired=False) == italian
        assert hours_left(hours, expired=True) == "scadute" and hours_left(None, expired=False) == ""
    with app.test_request_context("/api/v1/interventions/1/brief", headers={"Accept-Language": "en"}):
        assert hours_left(hours, expired=False) == english


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Comune di Nichelino", "del Comune di Nichelino"),
        ("Città di Torino", "della Città di Torino"),
        ("Questura di Torino", "della Questura di Torino"),
        ("Unione dei Comuni del Nord Est Torino", "dell'Unione dei Comuni del Nord Est Torino"),
        ("Condominio Le Amarene - Trofarello", "del Condominio Le Amarene - Trofarello"),
        ("Acme Sicurezza S.r.l.", "di Acme Sicurezza S.r.l."),
    ],
)
def test_of_an_organisation_in_italian(name, said):
    assert italian_of(name) == said


def test_of_an_organisation_follows_the_language(app):
    with app.test_request_context("/map?lang=it"):
        assert of_organisation("Comune di Cremona") == "del Comune di Cremona"
    with app.test_request_context("/map?lang=en"):
        assert of_organisation("Comune di Cremona") == "of Comune di Cremona"


def test_templates_can_say_it(app):
    with app.test_request_context("/map?lang=it"):
        source = "{{ _('Public cameras %(of_name)s', of_name=of_organisation(n)) }}"
        template = app.jinja_env.from_string(source)
        assert template.render(n="Comune di Cremona") == "Telecamere pubbliche del Comune di Cremona"

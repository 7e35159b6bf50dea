"""The import report's messages (errors[], warnings[], the file's warnings, a job's failure) follow
Accept-Language, as problem details do: Italian first, English on request, the English text as the
services stored it; the values inside (rows, columns, values) unchanged. Real-shaped files with many
different bad rows (a municipal CSV, a GeoJSON, an Overpass answer) reach as many messages as they can,
on both databases."""

from __future__ import annotations

import json
import re

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from observo.http.i18n import TRANSLATIONS_DIR
from observo.http.problem_text import DETAILS, localise
from observo.jobs.background_imports import INTERRUPTED
from tests import factories
from tests.api.test_imports import upload

ITALIAN = {"Accept-Language": "it-IT,it;q=0.9"}
ENGLISH = {"Accept-Language": "en-GB,en;q=0.8"}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")

HEADER = (
    "nome;tipo;titolare;direzione;angolo;portata;altezza;longitudine;latitudine;indirizzo;stato;"
    "visibilità;registra;conservazione_ore;data installazione;riferimento;montaggio"
)
# A municipal register: one good row, then one mistake a clerk makes per row.
CSV_ROWS = (
    "Varco Nord;fissa;torino;90;60;80;4,2;7,6869;45,0703;Via Roma 1;"
    "attiva;pubblica;sì;168;2021-03-04;TO-1;palo",
    "Lon rotta;fissa;torino;90;60;80;4;sette;45,0704;Via Po 1;attiva;pubblica;sì;168;;TO-2;palo",
    "Lat fuori;fissa;torino;90;60;80;4;7,6871;95;Via Po 2;attiva;pubblica;sì;168;;TO-3;palo",
    "Senza posizione;fissa;torino;90;60;80;4;;;Via Po 3;attiva;pubblica;sì;168;;TO-4;palo",
    "Tipo strano;telecamerona;torino;90;60;80;4;7,6872;45,0705;Via Po 4;attiva;pubblica;sì;168;;TO-5;palo",
    "Direzione rotta;fissa;torino;verso il duomo;60;80;4;7,6873;45,0706;Via Po 5;"
    "attiva;pubblica;sì;168;;TO-6;palo",
    "Direzione ambigua;fissa;torino;O;60;80;4;7,6874;45,0707;Via Po 6;attiva;pubblica;sì;168;;TO-7;palo",
    'Troppe direzioni;dome;torino;"0;10;20;30;40;50;60;70;80;90;100;110;120;130;140;150;160;170;180;190;'
    '200;210;220;230;240;250;260;270;280;290;300;310;320;330;340;350";60;80;4;7,6875;45,0708;Via Po 7;attiva;'
    "pubblica;sì;168;;TO-8;palo",
    "Direzione nord;fissa;torino;nord-est;60;80;4;7,6876;45,0709;Via Po 8;attiva;pubblica;sì;168;;TO-9;palo",
    "Data americana;fissa;torino;90;60;80;4;7,6877;45,0710;Via Po 9;"
    "attiva;pubblica;sì;168;12/25/2020;TO-10;palo",
    "Data impossibile;fissa;torino;90;60;80;4;7,6878;45,0711;Via Po 10;"
    "attiva;pubblica;sì;168;31/02/2021;TO-11;palo",
    "Data a parole;fissa;torino;90;60;80;4;7,6879;45,0712;Via Po 11;attiva;pubblica;sì;168;ieri;TO-12;palo",
    "Registra forse;fissa;torino;90;60;80;4;7,6880;45,0713;Via Po 12;attiva;pubblica;forse;168;;TO-13;palo",
    "Conserva troppo;fissa;torino;90;60;80;4;7,6881;45,0714;Via Po 13;attiva;pubblica;sì;9000;;TO-14;palo",
    "Registra senza ore;fissa;torino;90;60;80;4;7,6882;45,0715;Via Po 14;attiva;pubblica;sì;;;TO-15;palo",
    "Doppione;fissa;torino;90;60;80;4;7,6883;45,0716;Via Po 15;attiva;pubblica;sì;168;;TO-1;palo",
    "Stato strano;fissa;torino;90;60;80;4;7,6884;45,0717;Via Po 16;rottissima;pubblica;sì;168;;TO-17;palo",
    "Angolo strano;fissa;torino;90;molto;80;4;7,6885;45,0718;Via Po 17;attiva;pubblica;sì;168;;TO-18;palo",
    "Portata negativa;fissa;torino;90;60;-5;4;7,6886;45,0719;Via Po 18;attiva;pubblica;sì;168;;TO-19;palo",
    "Altri titolari;fissa;Comune di Asti;90;60;80;4;7,6887;45,0720;Via Po 19;"
    "attiva;pubblica;sì;168;;TO-20;palo",
    "Montaggio strano;fissa;torino;90;60;80;4;7,6888;45,0721;Via Po 20;attiva;pubblica;sì;168;;TO-21;razzo",
    "Celle in meno;fissa;torino;90",
    "Titolare altrui;fissa;asti;90;60;80;4;7,6889;45,0722;Via Po 21;attiva;pubblica;sì;168;;TO-23;palo",
    "Gradi negativi;fissa;torino;-90;60;80;4;7,6890;45,0723;Via Po 22;attiva;pubblica;sì;168;;TO-24;palo",
    "Settore;fissa;torino;300-60;60;80;4;7,6891;45,0724;Via Po 23;attiva;pubblica;sì;168;;TO-25;palo",
    "Settore nullo;fissa;torino;90-90;60;80;4;7,6892;45,0725;Via Po 24;attiva;pubblica;sì;168;;TO-26;palo",
    "Virgola;fissa;torino;90,270;60;80;4;7,6893;45,0726;Via Po 25;attiva;pubblica;sì;168;;TO-27;palo",
)


def municipal_csv() -> bytes:
    return ("\ufeff" + "\r\n".join((HEADER, *CSV_ROWS)) + "\r\n").encode("utf-8")


def square(lon: float, lat: float, vertices: int) -> dict:
    ring = [[lon + 0.0001 * (i % 7), lat + 0.0001 * (i // 7)] for i in range(vertices)]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def feature(geometry, **properties) -> dict:
    base = {
        "name": "Telecamera",
        "camera_type": "fixed",
        "owner": "torino",
        "bearing_deg": 90,
        "records": False,
    }
    return {"type": "Feature", "geometry": geometry, "properties": {**base, **properties}}


def point(lon: float = 12.4964, lat: float = 41.9028) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


def bad_geojson() -> bytes:
    features = [
        feature(point(), name="Colosseo", ref="RM-1"),
        feature({"type": "LineString", "coordinates": [[12.49, 41.90], [12.50, 41.91]]}, ref="RM-2"),
        feature(None, ref="RM-3"),
        feature({"type": "MultiPoint", "coordinates": [[12.49, 41.90], [12.50, 41.91]]}, ref="RM-4"),
        feature({"type": "MultiPoint", "coordinates": [[12.4965, 41.9029]]}, ref="RM-5"),
        feature({"type": "Point", "coordinates": ["12,49", "41,90"]}, ref="RM-6"),
        feature({"type": "Point", "coordinates": [12.49]}, ref="RM-7"),
        {"type": "Spot", "geometry": point()},
        {"type": "Feature", "geometry": point(), "properties": ["not", "an", "object"]},
        feature(point(12.4966, 41.9030), ref="RM-10", camera_type="dome", bearing_deg=None),
        feature(point(12.4967, 41.9031), ref="RM-11", valid_from="2022-01-01", valid_until="2021-01-01"),
        feature(point(12.4968, 41.9032), ref="RM-12", temporary=True),
        feature(point(12.4969, 41.9033), ref="RM-13", hfov_deg=500),
        feature(point(12.4970, 41.9034), ref="RM-14", fov_method="drawn", fov=square(12.4970, 41.9034, 400)),
        feature(point(12.4971, 41.9035), ref="RM-15", fov_method="drawn", fov=square(13.5, 42.5, 5)),
        feature(point(12.4972, 41.9036), ref="RM-16", id="camera-x"),
        feature(point(12.4973, 41.9037), ref="RM-17", colour="rosso"),
        feature(point(12.4974, 41.9038), ref="RM-1"),
        feature(point(12.4975, 41.9039), ref="RM-19", osm_tags="non JSON"),
        feature(point(12.4976, 41.9040), ref="RM-20", fov_wkt="POLYGON((1 2, 3"),
        feature(point(12.4977, 41.9041), ref="RM-21", municipality="Roma"),
        feature(point(12.4978, 41.9042), ref="RM-22", osm_id="via Roma"),
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def element(node_id: int, lon: float | None = 7.42, lat: float | None = 43.73, kind="node", **tags) -> dict:
    base = {"man_made": "surveillance", "surveillance:type": "camera", "camera:type": "fixed"}
    found = {
        "type": kind,
        "id": node_id,
        "tags": {**base, **{k.replace("__", ":"): v for k, v in tags.items()}},
    }
    if lon is not None:
        found["lon"] = lon
    if lat is not None:
        found["lat"] = lat
    return found


def bad_overpass() -> bytes:
    elements = [
        element(1, **{"camera__direction": "90"}),
        element(2, **{"camera__direction": "verso il mare"}),
        element(3, lat=97.5, **{"camera__direction": "180"}),
        element(4, lat=None, **{"camera__direction": "180"}),
        element(5, kind="way", **{"camera__direction": "180"}),
        element(
            6,
            **{"camera__direction": ";".join(["N", "S", "E", "W", "NE", "NW", "SE", "SW"] * 4 + ["N"])},
        ),
        element(7, **{"camera__type": "speed_camera", "camera__direction": "90"}),
        element(8, **{"camera__type": "fisheye_weird", "camera__direction": "90"}),
        element(9, **{"height": "altissima", "camera__direction": "90"}),
        element(10, **{"height": "900", "camera__direction": "90"}),
        element(11, **{"start_date": "2019", "camera__direction": "90"}),
        element(12, **{"start_date": "primavera", "camera__direction": "90"}),
        element(13, **{"indoor": "forse", "camera__direction": "90"}),
        element(14, **{"camera__count": "3", "camera__direction": "90;180"}),
        element(15, **{"camera__count": "tante"}),
        element(16, **{"man_made": "tower"}),
        element(17, **{"camera__direction": "-45"}),
        element(18),
        element(19, **{"camera__mount": "drone", "camera__direction": "90"}),
        element(20, **{"height": "12 ft", "camera__direction": "90"}),
        element(21, **{"camera__count": "2"}),
        element(-22, **{"camera__direction": "90"}),
        {"type": "node", "id": 23},
        "not an element",
        element(24, kind="satellite"),
        element(25, **{"indoor": "1", "camera__direction": "90"}),
    ]
    document = {"version": 0.6, "remark": "runtime error: Query timed out", "elements": elements}
    return json.dumps(document).encode()


FILES = {
    "comune.csv": municipal_csv,
    "roma.geojson": bad_geojson,
    "overpass.json": bad_overpass,
}


@pytest.fixture
def editor(session) -> dict[str, str]:
    torino = factories.org(session, "torino")
    factories.org(session, "asti")
    return factories.headers_for(session, torino, "editor")


def messages(document: dict) -> list[tuple[str, str]]:
    """Every text the import document carries, by where it is."""
    found = [(f"errors/{i}", item["message"]) for i, item in enumerate(document.get("errors", []))]
    found += [(f"warnings/{i}", item["message"]) for i, item in enumerate(document.get("warnings", []))]
    file_warnings = document.get("file", {}).get("warnings", [])
    found += [(f"file/warnings/{i}", item["message"]) for i, item in enumerate(file_warnings)]
    if document.get("failure"):
        found.append(("failure", document["failure"]))
    return found


def entries(document: dict) -> list[dict]:
    return [*document["errors"], *document["warnings"], *document["file"]["warnings"]]


# GEOS's own words for an invalid drawn field of view ("Ring Self-intersection[12.497 41.9]"): a
# library's text with coordinates inside, left as GEOS says it.
GEOS_REASONS = re.compile(r"^(?:Ring )?Self-intersection\[")


def dry_run(client, headers, name: str):
    response = upload(client, headers, FILES[name](), name=name, query="?dry_run=1&owner=torino")
    assert response.status_code in (200, 201), response.json
    return response.json


@pytest.mark.parametrize("name", list(FILES))
def test_every_report_message_is_italian_first_and_english_as_stored(client, session, editor, name):
    english = dry_run(client, {**editor, **ENGLISH}, name)
    italian = dry_run(client, {**editor, **ITALIAN}, name)
    stored = client.get(f"/api/v1/imports/{english['id']}", headers={**editor, **ENGLISH}).json
    read_in_italian = client.get(f"/api/v1/imports/{english['id']}", headers={**editor, **ITALIAN}).json
    assert english["errors"] and english["warnings"] or english["file"]["warnings"]
    # English is the stored text, whichever way it is read; the Italian GET is the Italian POST.
    assert messages(stored) == messages(english)
    assert messages(read_in_italian) == messages(italian)
    for document in (italian, read_in_italian):
        assert [(e["row"], e["field"], e["code"]) for e in entries(document)] == [
            (e["row"], e["field"], e["code"]) for e in entries(english)
        ]
        assert document["counts"] == english["counts"] and document["by_code"] == english["by_code"]
        for (where, it), (_, en) in zip(messages(document), messages(english), strict=True):
            if GEOS_REASONS.match(en):
                assert it == en
                continue
            assert it != en, f"{name} {where}: {en!r} has no Italian"


def _by_row(document: dict, code: str) -> dict[int, str]:
    return {e["row"]: e["message"] for e in entries(document) if e["code"] == code}


def test_values_survive_the_translation(client, session, editor):
    italian = dry_run(client, {**editor, **ITALIAN}, "comune.csv")
    english = dry_run(client, {**editor, **ENGLISH}, "comune.csv")
    assert english["errors"][0]["message"] == "longitudine: 'sette' is not a number"
    assert italian["errors"][0]["message"] == "longitudine: 'sette' non è un numero"
    assert italian["errors"][0]["row"] == english["errors"][0]["row"] == 3
    directions = _by_row(italian, "invalid_direction")
    assert directions[7].startswith("direzione: 'verso il duomo' non è una direzione; attesi i gradi")
    assert "'O' è ambiguo" in directions[8]
    assert "'0;10;20;30;40;50;60;70;80;90;100;110;120...' elenca 36 direzioni; al massimo 16" in (
        _by_row(italian, "too_many_directions").get(9) or directions[9]
    )
    dates = {e["message"] for e in italian["errors"] if e["field"] == "installed_on"}
    dates |= {e["message"] for e in italian["errors"] if "data installazione" in e["message"]}
    assert "data installazione: '31/02/2021' non è una data esistente nel calendario" in dates
    assert "data installazione: 'ieri' non è una data (AAAA-MM-GG o GG/MM/AAAA)" in dates
    duplicate = [e for e in italian["errors"] if e["code"] == "duplicate_key"]
    expected = "la riga 2 ha già importato la telecamera con questa chiave (ref)"
    assert [e["message"] for e in duplicate] == [expected]
    assert "4 celle per 17 colonne: manca o è di troppo un separatore (';')" in " ".join(
        e["message"] for e in italian["errors"]
    )
    warnings = {e["message"] for e in italian["warnings"]}
    assert "camera_type: 'fissa' letto come 'fixed'" in warnings
    assert "direzione: '-90' letto come 270 gradi (negativo: contato all'indietro dal nord)" in warnings
    overpass = dry_run(client, {**editor, **ITALIAN}, "overpass.json")
    texts = {e["message"] for e in entries(overpass)}
    assert "lat=97.5 non è una latitudine (da -90 a 90)" in texts
    assert "height='900' è fuori dall'intervallo da 0 a 300 metres" in texts
    assert "height='12 ft': letto come 3.66 metri" in texts
    assert "camera:count=3 ma 2 direzioni: 3 teste, 1 senza direzione" in texts
    assert (
        "la risposta di Overpass dice: runtime error: Query timed out (l'estratto potrebbe essere "
        "incompleto: ripeti la query)"
    ) in texts


def test_a_refused_import_answers_its_rows_problems_in_italian(client, session, editor):
    def refused(language):
        response = upload(client, {**editor, **language}, municipal_csv(), name="comune.csv")
        assert response.status_code == 422 and response.mimetype == "application/problem+json"
        return response.json

    italian, english = refused(ITALIAN), refused(ENGLISH)
    assert [e["pointer"] for e in italian["errors"]] == [e["pointer"] for e in english["errors"]]
    assert "/rows/3/longitudine" in {e["pointer"] for e in italian["errors"]}
    for it, en in zip(italian["errors"], english["errors"], strict=True):
        assert it["detail"] != en["detail"], en["detail"]


def test_a_jobs_failure_is_localised(app):
    from observo.api.imports import localised_document

    document = {"errors": [], "warnings": [], "file": {"warnings": []}, "failure": INTERRUPTED}
    with app.test_request_context("/api/v1/imports/1", headers=ITALIAN):
        assert localised_document(document)["failure"].startswith("interrotta: il server si è fermato")
        assert (
            localise("an internal error stopped the import")
            == "un errore interno ha interrotto l'importazione"
        )
    with app.test_request_context("/api/v1/imports/1", headers=ENGLISH):
        assert localised_document(document) == document


def _report_group() -> list[str]:
    """The `imports: report rows` group of DETAILS, read from the module's source in order."""
    from observo.http import problem_text

    with open(problem_text.__file__, encoding="utf-8") as module:
        source = module.read()
    group = source.split("# imports: report rows", 1)[1].split("\n    # ", 1)[0]
    texts = [text for text in DETAILS if f"_l({text!r})" in group or text[:30] in group]
    assert len(texts) > 100
    return texts


def test_every_report_message_of_the_group_has_its_italian():
    with (TRANSLATIONS_DIR / "it" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalogue = {m.id: m.string for m in read_po(po_file, locale="it") if m.id}
    for text in _report_group():
        assert catalogue.get(text), f"no Italian for {text!r}"
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(catalogue[text])), text
        if PLACEHOLDER.sub("", text).strip(" :=").removeprefix("OSM"):  # more than values, punctuation, names
            assert catalogue[text] != text, f"{text!r} is not translated"


def test_every_message_the_bad_files_raise_fits_a_detail(app, client, session, editor):
    """The messages collected from the runs over the bad files (not a hand-kept list): each one is
    recognised, and read in Italian it changes."""
    collected = set()
    for name in FILES:
        collected |= {text for _where, text in messages(dry_run(client, {**editor, **ENGLISH}, name))}
    collected |= {INTERRUPTED}
    assert len(collected) > 60
    with app.test_request_context("/api/v1/imports", headers=ITALIAN), force_locale("it"):
        untranslated = sorted(t for t in collected if localise(t) == t and not GEOS_REASONS.match(t))
    assert untranslated == []

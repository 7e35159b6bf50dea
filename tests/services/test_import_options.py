"""The options of an import checked once for the API and the CLI (pure)."""

from __future__ import annotations

import pytest

from observo.errors import InvalidInput
from observo.schemas.imports import load_import_choices


def test_defaults():
    choices = load_import_choices({})
    assert (choices.file_format, choices.dry_run) == (None, False)
    options = choices.options
    assert (options.key, options.skip_invalid, options.crs, options.encoding, options.column_map) == (
        "auto",
        False,
        None,
        None,
        {},
    )


def test_every_option_read():
    choices = load_import_choices(
        {
            "owner": "torino",
            "dry_run": "yes",
            "format": "OSM_PBF",
            "skip_invalid": "1",
            "key": "position",
            "crs": "EPSG:32632",
            "encoding": "latin-1",
            "map": ["angolo=hfov_deg", " Nota Bene = - "],
        }
    )
    assert (choices.file_format, choices.dry_run) == ("osm_pbf", True)
    options = choices.options
    assert (options.owner, options.key, options.skip_invalid, options.crs, options.encoding) == (
        "torino",
        "position",
        True,
        "EPSG:32632",
        "latin-1",
    )
    assert options.column_map == {"angolo": "hfov_deg", "Nota Bene": "-"}


@pytest.mark.parametrize(
    ("values", "pointer", "code"),
    [
        ({"map": ["angolo=hfov_deg", "ANGOLO=bearing_deg"]}, "/map/1", "duplicate"),
        ({"map": ["=hfov_deg"]}, "/map/0", "invalid_format"),
        ({"map": "angolo"}, "/map/0", "invalid_format"),
        ({"dry_run": "forse"}, "/dry_run", "invalid_type"),
        ({"owner": "x" * 300}, "/owner", "invalid_length"),
        ({"map": ["a=name"] * 201}, "/map", "invalid_length"),
    ],
)
def test_bad_options(values, pointer, code):
    with pytest.raises(InvalidInput) as raised:
        load_import_choices(values)
    assert [(issue.pointer, issue.code) for issue in raised.value.issues] == [(pointer, code)]

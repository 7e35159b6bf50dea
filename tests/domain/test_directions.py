"""Direction text (OSM direction tags, CSV direzione/direction/azimut columns): what is read, what is said.

Pure Python. Values are the forms real extracts and municipal spreadsheets hold: `north`, `180, 270`,
`15°`, `-30`, `400`, `12,5`, `nord-est`...
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from observo.domain.directions import (
    COMPASS,
    COMPASS_WORDS,
    MAX_DIRECTIONS,
    DirectionParse,
    DirectionReading,
    parse_directions,
)


def read(text: str) -> list[tuple[float, float | None]]:
    return [(reading.bearing_deg, reading.hfov_deg) for reading in parse_directions(text).readings]


def notes(text: str) -> list[str]:
    return parse_directions(text).notes


def refused(text: str) -> str:
    with pytest.raises(ValueError) as caught:
        parse_directions(text)
    return str(caught.value)


# --- what is read silently: OSM's own forms -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90", [(90.0, None)]),
        ("90.5", [(90.5, None)]),
        ("0", [(0.0, None)]),
        ("360", [(0.0, None)]),  # 360 is north again
        ("359.99", [(359.99, None)]),
        ("007", [(7.0, None)]),
        ("  45\t", [(45.0, None)]),
        ("+45", [(45.0, None)]),
        ("-0", [(0.0, None)]),
        ("80;200;320", [(80.0, None), (200.0, None), (320.0, None)]),
        (" 80 ; 200 ", [(80.0, None), (200.0, None)]),
        ("N;90-180;sw", [(0.0, None), (135.0, 90.0), (225.0, None)]),
    ],
)
def test_osm_forms_are_read_without_a_note(text: str, expected: list) -> None:
    assert parse_directions(text) == DirectionParse([DirectionReading(*pair) for pair in expected], [])


@pytest.mark.parametrize(("point", "bearing"), list(COMPASS.items()))
def test_sixteen_compass_points_any_case(point: str, bearing: float) -> None:
    for text in (point, point.lower(), point.capitalize()):
        assert parse_directions(text) == DirectionParse([DirectionReading(bearing)], [])


@pytest.mark.parametrize(
    ("text", "bearing", "hfov"),
    [
        ("60-120", 90.0, 60.0),
        ("300-60", 0.0, 120.0),  # crosses north: the clockwise arc from 300 to 60
        ("350-10", 0.0, 20.0),
        ("60-300", 180.0, 240.0),  # clockwise, so the long way round
        ("270-0", 315.0, 90.0),
        ("0-360", 180.0, 360.0),  # all round
        ("-180-180", 0.0, 360.0),  # also a full turn
        ("NW-NE", 0.0, 90.0),
        ("N-E", 45.0, 90.0),  # two points, not the word north-east
        ("sse-ssw", 180.0, 45.0),
        ("N-90", 45.0, 90.0),
        ("300 - 60", 0.0, 120.0),
        ("300–60", 0.0, 120.0),  # en dash, as word processors write it
        ("10.5-20.5", 15.5, 10.0),
    ],
)
def test_clockwise_ranges(text: str, bearing: float, hfov: float) -> None:
    assert read(text) == [(pytest.approx(bearing), pytest.approx(hfov))]


# --- what is read with a note: what a person would accept -----------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("15°", [(15.0, None)], "read '15°' as 15 degrees"),
        ("15 °", [(15.0, None)], "read '15 °' as 15 degrees"),
        ("15º", [(15.0, None)], "read '15º' as 15 degrees"),  # the ordinal sign Italian keyboards have
        ("15deg", [(15.0, None)], "read '15deg' as 15 degrees"),
        ("15 gradi", [(15.0, None)], "read '15 gradi' as 15 degrees"),
        ("-30", [(330.0, None)], "read '-30' as 330 degrees (negative: counted back from north)"),
        ("-390", [(330.0, None)], "read '-390' as 330 degrees (negative: counted back from north)"),
        ("400", [(40.0, None)], "read '400' as 40 degrees (whole turns removed)"),
        ("720", [(0.0, None)], "read '720' as 0 degrees (whole turns removed)"),
        ("north", [(0.0, None)], "read 'north' as 0 degrees"),
        ("Nord", [(0.0, None)], "read 'Nord' as 0 degrees"),
        ("est", [(90.0, None)], "read 'est' as 90 degrees"),
        ("ovest", [(270.0, None)], "read 'ovest' as 270 degrees"),
        ("SUD", [(180.0, None)], "read 'SUD' as 180 degrees"),
        ("north-east", [(45.0, None)], "read 'north-east' as 45 degrees"),
        ("North East", [(45.0, None)], "read 'North East' as 45 degrees"),
        ("nord-est", [(45.0, None)], "read 'nord-est' as 45 degrees"),
        ("nordest", [(45.0, None)], "read 'nordest' as 45 degrees"),
        ("sud-ovest", [(225.0, None)], "read 'sud-ovest' as 225 degrees"),
        ("nord ovest", [(315.0, None)], "read 'nord ovest' as 315 degrees"),
        ("north-northeast", [(22.5, None)], "read 'north-northeast' as 22.5 degrees"),
        ("ovest-sud-ovest", [(247.5, None)], "read 'ovest-sud-ovest' as 247.5 degrees"),
        ("Nordost", [(45.0, None)], "read 'Nordost' as 45 degrees"),  # Swiss extracts: German
        ("sud-ouest", [(225.0, None)], "read 'sud-ouest' as 225 degrees"),  # and French
        ("12,5", [(12.5, None)], "read '12,5' as the decimal 12.5 (write 12;5 for two directions)"),
        ("180,25", [(180.25, None)], "read '180,25' as the decimal 180.25 (write 180;25 for two directions)"),
    ],
)
def test_interpreted_values_say_how_they_were_read(text: str, expected: list, note: str) -> None:
    assert parse_directions(text) == DirectionParse([DirectionReading(*pair) for pair in expected], [note])


LIST_NOTE = "read ',' as a separator between directions (OpenStreetMap separates them with ';')"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("180, 270", [(180.0, None), (270.0, None)]),
        ("180,270", [(180.0, None), (270.0, None)]),  # three digits after the comma: two directions
        ("N,S", [(0.0, None), (180.0, None)]),
        ("1.5,2.5", [(1.5, None), (2.5, None)]),
        ("10,20,30", [(10.0, None), (20.0, None), (30.0, None)]),  # more than one comma: a list
        ("90°, 180°", [(90.0, None), (180.0, None)]),
    ],
)
def test_a_comma_that_is_not_a_decimal_comma_separates_directions(text: str, expected: list) -> None:
    assert read(text) == expected
    assert LIST_NOTE in notes(text)


def test_decimal_commas_inside_a_list_and_a_range() -> None:
    assert read("12,5;180,25") == [(12.5, None), (180.25, None)]
    assert read("350,5-10,5") == [(pytest.approx(0.5), 20.0)]
    assert LIST_NOTE not in notes("12,5;180,25")


def test_range_ends_are_normalised_with_a_note() -> None:
    parse = parse_directions("-30-30")
    assert parse.readings == [DirectionReading(0.0, 60.0)]
    assert parse.notes == ["read '-30' as 330 degrees (negative: counted back from north)"]
    assert read("nord-ovest - nord-est") == [(0.0, 90.0)]
    assert read("350°-10°") == [(0.0, 20.0)]


def test_empty_entries_are_ignored_with_a_note() -> None:
    assert parse_directions("80;") == DirectionParse(
        [DirectionReading(80.0)], ["ignored the empty entries of '80;'"]
    )
    assert read("1;;2") == [(1.0, None), (2.0, None)]


@pytest.mark.parametrize("text", ["", "   ", ";", " ; , "])
def test_blank_text_says_nothing(text: str) -> None:
    assert parse_directions(text) == DirectionParse([], [])


def test_each_interpretation_is_said_once() -> None:
    assert notes("north;north") == ["read 'north' as 0 degrees"]


def test_compass_words_cover_the_sixteen_points_in_each_language() -> None:
    assert COMPASS_WORDS["north"] == COMPASS_WORDS["nord"] == 0.0
    assert COMPASS_WORDS["nordnordovest"] == COMPASS_WORDS["northnorthwest"] == 337.5
    assert set(COMPASS_WORDS.values()) == set(COMPASS.values())
    assert not set(COMPASS_WORDS) & {point.lower() for point in COMPASS}  # letters are points, not words


# --- what is refused: what a person could not read either -----------------------------------------

REFUSED = [
    ("abc", "'abc' is not a direction; expected degrees"),
    ("NaN", "is not a direction"),
    ("inf", "is not a direction"),
    ("Infinity", "is not a direction"),
    ("1e2", "is not a direction"),
    ("٩٠", "is not a direction"),  # Arabic-Indic digits: float() would take them
    ("NNNE", "is not a direction"),
    ("ſ", "is not a direction"),  # its upper case is "S"
    ("10-20-30", "is not a direction"),
    ("-", "is not a direction"),
    ("- 30", "is not a direction"),
    ("9" * 400, "is not a direction"),  # no float overflow to infinity
    ("1000000000000", "is not a direction"),
    ("N-", "the range 'N-' has no end"),
    ("90-90", "the range '90-90' has zero width (ambiguous); give one direction instead"),
    ("N-N", "zero width"),
    ("300--60", "zero width"),  # backwards a full turn is no arc
    ("90-90.5", "narrower than 1 degree"),
    ("NO", "'NO' is ambiguous: O is ovest (west) in Italian but Ost (east) in German"),
    ("so", "is ambiguous"),
    ("O", "is ambiguous"),
    ("NO-NE", "is ambiguous"),
    ("x" * 501, "too long for a direction"),
]


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_unreadable_text_is_a_clear_value_error(text: str, reason: str) -> None:
    message = refused(text)
    assert reason in message
    assert len(message) < 400  # the value is quoted cut short, whatever its length


def test_the_hint_says_what_is_expected() -> None:
    message = refused("abc")
    for form in ("degrees", "compass point", "300-60", "';'"):
        assert form in message


def test_one_message_for_a_list_with_several_bad_values() -> None:
    message = refused("80;abc;xyz;200")
    assert message.startswith("'abc' is not a direction (and 1 more of the 4 values)")


def test_at_most_max_directions() -> None:
    assert len(read(";".join(["10"] * MAX_DIRECTIONS))) == MAX_DIRECTIONS
    message = refused(";".join(["10"] * (MAX_DIRECTIONS + 1)))
    assert f"lists {MAX_DIRECTIONS + 1} directions; at most {MAX_DIRECTIONS} heads" in message


def test_not_text_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="a direction is text, not int"):
        parse_directions(90)  # type: ignore[arg-type]


# --- any text: readings in range or a ValueError, never another exception -------------------------


def _check(text: str) -> None:
    try:
        parse = parse_directions(text)
    except ValueError as exc:
        assert str(exc)
        return
    assert len(parse.readings) <= MAX_DIRECTIONS
    assert all(isinstance(note, str) and note for note in parse.notes)
    for reading in parse.readings:
        assert 0 <= reading.bearing_deg < 360 and math.isfinite(reading.bearing_deg)
        assert reading.hfov_deg is None or 1 <= reading.hfov_deg <= 360


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789.-–;, °NESWOnesow\tdgr٩e+xIſ"), max_size=30))
def test_any_direction_like_text_reads_or_raises_value_error(text: str) -> None:
    _check(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_reads_or_raises_value_error(text: str) -> None:
    _check(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(-1000, 1000, allow_nan=False).map(lambda x: f"{x:.3f}"),
            st.sampled_from([*COMPASS, *COMPASS_WORDS]),
        ),
        min_size=1,
        max_size=MAX_DIRECTIONS,
    )
)
def test_a_list_of_readable_values_gives_one_reading_each(values: list[str]) -> None:
    assert len(parse_directions(";".join(values)).readings) == len(values)

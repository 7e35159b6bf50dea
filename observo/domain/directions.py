"""Direction text -> the bearings of a camera's heads: one lenient reader for every source.

OpenStreetMap's `camera:direction` (and `direction`, `surveillance:direction`) and the `direzione`,
`direction` and `azimut` columns of municipal files are written by people, not by a schema. This
module accepts what a person reading the value would accept, says what it interpreted (`notes`, which
the readers turn into `direction_normalised` row warnings) and refuses, with a message that says what
was read and what is expected, only what a person could not read either.

Accepted, per direction (several directions make several heads):
- degrees clockwise from north, with or without a unit (`90`, `90.5`, `15°`, `15 deg`, `15 gradi`);
  `360` is north; negative values and values over 360 are brought into 0-360 (a note says so);
- the 16 compass points (`N`, `NNE` ... `NNW`, any case) and compass words in English, Italian,
  French and German (`north`, `nord`, `north-east`, `nord-est`, `nordest`, `sud-ovest`, `Nordost`...).
  Letter codes that mean opposite things in Italian and German (`O` is ovest/west or Ost/east, so
  `NO`, `SO`, `ONO`...) are refused: write the degrees or the word;
- a clockwise range `a-b` of degrees or compass points (`300-60`, `NW-NE`): the head looks at the
  middle of the arc and its width is the arc's; `0-360` (any two ends a full turn apart) is all round;
  a range of zero width (`90-90`) or narrower than 1 degree is refused (give one direction instead);
- lists separated by `;` (OSM's separator) or `,`, at most MAX_DIRECTIONS; empty entries (`80;`)
  are ignored with a note. A comma is a decimal comma (Italian spreadsheets write `12,5`) when it
  sits between a whole number of at most three digits and one or two digits, with no space and no
  other comma or point next to them (`12,5`, `180,25`); every other comma separates directions
  (`180, 270`, `180,270`, `N,S`, `1.5,2.5`). The note of a decimal comma says how to write a list.

Blank text says nothing: no readings, no notes (the caller decides what a missing direction means).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_DIRECTIONS = 16  # more heads on one device is a tagging error, not a device
MAX_TEXT = 500  # characters: longer is not a direction list of 16 heads
_POINTS = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")
COMPASS = {point: index * 22.5 for index, point in enumerate(_POINTS)}
# Letter codes whose O is ovest (west) in Italian and French but Ost (east) in German.
AMBIGUOUS_CODES = frozenset({"O", "NO", "SO", "ONO", "OSO", "NNO", "SSO"})
_WORDS_BY_LETTER = {
    "N": ("north", "nord"),
    "E": ("east", "est", "ost"),
    "S": ("south", "sud", "süd", "sued"),
    "W": ("west", "ovest", "ouest"),
}
_NUMBER = re.compile(r"([+-]?)([0-9]{1,12}(?:\.[0-9]{1,12})?)", re.ASCII)
_UNIT = re.compile(r"\s*(?:°|º|˚|deg(?:ree)?s?|grad[io]?)", re.IGNORECASE)
_DECIMAL_COMMA = re.compile(r"(?<![0-9.,])([0-9]{1,3}),([0-9]{1,2})(?![0-9.,])", re.ASCII)
_DASHES = str.maketrans({"–": "-", "—": "-", "−": "-"})  # en dash, em dash, minus sign
_WORD_JOINERS = re.compile(r"[\s_-]+")
HINT = (
    "expected degrees clockwise from north (90, 90.5, 15°), a compass point (N, NNE ... NNW) or word "
    "(north, nord-est), or a clockwise range like 300-60; several separated by ';'"
)


@dataclass(frozen=True)
class DirectionReading:
    """One head's view: compass bearing of its centre (0 <= b < 360) and width when a range said it."""

    bearing_deg: float
    hfov_deg: float | None = None


@dataclass
class DirectionParse:
    """The heads a direction text gives, and what was interpreted to read them (for row warnings)."""

    readings: list[DirectionReading] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class TooManyDirectionsError(ValueError):
    """More than MAX_DIRECTIONS directions: a tagging error, not a device (its own code in reports)."""


class _NotADirectionError(ValueError):
    """A value that is no form of direction at all: the message adds what is expected."""


def _compass_words() -> dict[str, float]:
    """Every spelling of the 16 points in words, joined without separators: 'nordest', 'northnortheast'."""
    words: dict[str, float] = {}
    for point, bearing in COMPASS.items():
        spellings = [""]
        for letter in point:
            spellings = [done + word for done in spellings for word in _WORDS_BY_LETTER[letter]]
        for spelling in spellings:
            words.setdefault(spelling, bearing)
    return words


COMPASS_WORDS = _compass_words()


def parse_directions(text: str) -> DirectionParse:
    """The readings of a direction text (see the module doc); ValueError says what cannot be read."""
    if not isinstance(text, str):
        raise ValueError(f"a direction is text, not {type(text).__name__}")
    if len(text) > MAX_TEXT:
        raise ValueError(f"{_show(text)} is too long for a direction ({len(text)} characters)")
    result = DirectionParse()
    parts = _split(text.translate(_DASHES), result.notes)
    kept = [part.strip() for part in parts if part.strip()]
    if not kept:
        return DirectionParse()  # blank, or only separators: nothing said
    if len(kept) < len(parts):
        result.notes.append(f"ignored the empty entries of {_show(text)}")
    if len(kept) > MAX_DIRECTIONS:
        detail = f"{_show(text)} lists {len(kept)} directions; at most {MAX_DIRECTIONS} heads per camera"
        raise TooManyDirectionsError(detail)
    problems: list[ValueError] = []
    for part in kept:
        try:
            result.readings.append(_reading(part, result.notes))
        except ValueError as exc:
            problems.append(exc)
    if problems:
        more = f" (and {len(problems) - 1} more of the {len(kept)} values)" if len(problems) > 1 else ""
        hint = f"; {HINT}" if isinstance(problems[0], _NotADirectionError) else ""
        raise ValueError(f"{problems[0]}{more}{hint}")
    result.notes[:] = list(dict.fromkeys(result.notes))  # each interpretation said once
    return result


def _split(text: str, notes: list[str]) -> list[str]:
    """Entries separated by ';' or by a comma that is not a decimal comma (module doc)."""
    for match in _DECIMAL_COMMA.finditer(text):
        whole, fraction = match.groups()
        note = f"read {match.group(0)!r} as the decimal {whole}.{fraction}"
        notes.append(f"{note} (write {whole};{fraction} for two directions)")
    text = _DECIMAL_COMMA.sub(r"\1.\2", text)
    if "," in text:
        notes.append("read ',' as a separator between directions (OpenStreetMap separates them with ';')")
    return text.replace(",", ";").split(";")


def _reading(part: str, notes: list[str]) -> DirectionReading:
    """One entry: a single direction, else a clockwise range of two."""
    single = _angle(part, notes)
    if single is not None:
        return DirectionReading(single[0])
    ranges = []
    for index, char in enumerate(part):
        if char == "-" and index > 0:
            start, end = part[:index].strip(), part[index + 1 :].strip()
            if not end:
                raise ValueError(f"the range {_show(part)} has no end")
            found_notes: list[str] = []
            first, last = _angle(start, found_notes), _angle(end, found_notes)
            if first is not None and last is not None:
                ranges.append((first[1], last[1], found_notes))
    if not ranges:
        raise _NotADirectionError(f"{_show(part)} is not a direction")
    if len(ranges) > 1:
        raise ValueError(f"the range {_show(part)} splits in more than one way; write degrees like 300-60")
    (first, last, found_notes) = ranges[0]
    notes.extend(found_notes)
    return _range(part, first, last)


def _range(part: str, first: float, last: float) -> DirectionReading:
    """The clockwise arc from `first` to `last` (raw values: ends a full turn apart are all round)."""
    width = (last - first) % 360
    if width == 0 and last - first >= 360:
        width = 360.0
    if width == 0:
        raise ValueError(f"the range {_show(part)} has zero width (ambiguous); give one direction instead")
    if width < 1:
        raise ValueError(f"the range {_show(part)} is narrower than 1 degree; give one direction instead")
    return DirectionReading(_bearing(first + width / 2), width)


def _angle(text: str, notes: list[str]) -> tuple[float, float] | None:
    """(bearing in 0-360, the value as written) of one direction, or None when it is not one.

    The value as written keeps a range's ends a full turn apart (`0-360`) distinguishable from a
    zero-width range.
    """
    if text.isascii() and text.upper() in COMPASS:  # "ſ".upper() is "S": ASCII only
        bearing = COMPASS[text.upper()]
        return bearing, bearing
    if text.isascii() and text.upper() in AMBIGUOUS_CODES:
        raise ValueError(
            f"{_show(text)} is ambiguous: O is ovest (west) in Italian but Ost (east) in German; "
            "write the degrees or the word (nord-ovest, north-east...)"
        )
    word = _WORD_JOINERS.sub("", text.lower())
    if word in COMPASS_WORDS:
        bearing = COMPASS_WORDS[word]
        notes.append(f"read {_show(text)} as {_fmt(bearing)} degrees")
        return bearing, bearing
    match = _NUMBER.match(text)
    if match is None:
        return None
    rest = text[match.end() :]
    unit = _UNIT.match(rest)
    if unit is not None:
        rest = rest[unit.end() :]
    if rest.strip():
        return None
    value = float(match.group(2)) * (-1 if match.group(1) == "-" else 1)
    if unit is not None:
        notes.append(f"read {_show(text)} as {_fmt(value)} degrees")
    bearing = _bearing(value)
    if value < 0:
        notes.append(f"read {_show(text)} as {_fmt(bearing)} degrees (negative: counted back from north)")
    elif value > 360:
        notes.append(f"read {_show(text)} as {_fmt(bearing)} degrees (whole turns removed)")
    return bearing, value


def _bearing(value: float) -> float:
    """value in [0, 360): float % gives 360.0 for a negative value too small to subtract."""
    bearing = value % 360
    return 0.0 if bearing >= 360 else bearing + 0.0  # + 0.0: no -0.0


def _fmt(value: float) -> str:
    return format(value, ".15g")  # 359.999999999999 stays itself, 330.0 is 330


def _show(text: str) -> str:
    """A value quoted for a message, cut short: the input may be anything."""
    return repr(text if len(text) <= 40 else text[:40] + "...")

"""The one rule for a reason (the case or protocol number an accountable read is logged with).

A reason must say something to whoever reads the audit log: it is cleaned of what draws nothing
(spaces, format and control characters, fillers, variation selectors, marks with nothing to mark),
then needs a few letters or digits and fits the audit column. A missing reason and one that cleans
to nothing get the very same answer. The cleaned text is what is stored and audited. Every reason
the product takes (API parameters and bodies, interventions, the command line) goes through here:
see docs/security.md, "Reasons".
"""

from __future__ import annotations

import unicodedata

from observo.errors import Conflict, FieldIssue, InvalidInput

REASON_MAX = 500  # the audit log's column
MIN_ALPHANUMERIC = 3  # "PG-1", "prot. 12": a case or protocol number has at least this many

REQUIRED = "a reason is required (the case or protocol number)"
TOO_SHORT = f"a reason needs at least {MIN_ALPHANUMERIC} letters or digits (the case or protocol number)"
TOO_LONG = f"a reason is at most {REASON_MAX} characters"
INVALID_INPUT = "say why you run this query (case or protocol number)"

# Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt): characters a renderer
# may draw as nothing, whatever their category (Hangul fillers are letters, selectors are marks).
_IGNORABLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
# Blank glyphs that are not ignorable: the braille blank draws an empty cell.
_BLANK = frozenset("\u2800")


class ReasonMissing(Conflict):
    """A stored reason (an intervention's, from before this rule) that is no reason: 409 until set."""

    code = "reason_missing"


def _draws_nothing(char: str) -> bool:
    point = ord(char)
    if char in _BLANK or unicodedata.category(char).startswith("C"):  # Cf, Cc, Cs, Co, Cn
        return True
    return any(low <= point <= high for low, high in _IGNORABLE)


def _mark_alone(char: str, kept: list[str]) -> bool:
    """A combining mark with no character before it to mark (the text's start, or a space)."""
    return unicodedata.category(char).startswith("M") and (not kept or kept[-1] == " ")


def clean_reason(text: str) -> str:
    """`text` as it is stored: compatibility forms folded (NFKC), every run of spaces one space,
    what draws nothing removed, and combining marks kept only on a character they can mark."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFKC", text):
        if char.isspace():
            if kept and kept[-1] != " ":
                kept.append(" ")
        elif not (_draws_nothing(char) or _mark_alone(char, kept)):
            kept.append(char)
    # Again: a mark freed of an invisible character between it and its letter composes with it now.
    return unicodedata.normalize("NFKC", "".join(kept).rstrip(" "))


def reason_issue(text: str | None, pointer: str = "/reason") -> FieldIssue | None:
    """What is wrong with `text` as a reason, or None: `required` alike for missing and invisible."""
    if text is not None and len(text) > REASON_MAX:
        return FieldIssue(pointer, "too_long", TOO_LONG)
    cleaned = clean_reason(text or "")
    if not cleaned:
        return FieldIssue(pointer, "required", REQUIRED)
    if sum(char.isalnum() for char in cleaned) < MIN_ALPHANUMERIC:
        return FieldIssue(pointer, "too_short", TOO_SHORT)
    if len(cleaned) > REASON_MAX:  # NFKC can lengthen a text ("㍻" is two letters)
        return FieldIssue(pointer, "too_long", TOO_LONG)
    return None


def check_reason(text: str | None, pointer: str = "/reason") -> str:
    """The cleaned reason, or InvalidInput (422) with one issue at `pointer`."""
    issue = reason_issue(text, pointer)
    if issue is not None:
        raise InvalidInput(INVALID_INPUT, [issue])
    return clean_reason(text or "")


def stored_reason(text: str | None) -> str:
    """A stored intervention's reason for an accountable read, or ReasonMissing (409): an audit entry
    never carries an empty or meaningless reason, even for data from before this rule."""
    if reason_issue(text) is not None:
        detail = "this intervention has no valid reason: set one (PATCH `reason`) before this read"
        raise ReasonMissing(detail, [FieldIssue("/reason", "required", detail)])
    return clean_reason(text or "")

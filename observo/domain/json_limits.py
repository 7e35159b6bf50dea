"""JSON texts Observo reads have bounded nesting and bounded numbers (docs/security.md, "JSON input").

Python's json module recurses once per nesting level (3,000 nested arrays raise RecursionError)
and turns a number's digits into an int however many there are (past 4,300 digits: ValueError).
Neither is the JSONDecodeError every caller handles, so each was a 500. `check_json_limits` looks
at the text without parsing it, in C-speed passes: strings are blanked, then the longest number
and the deepest nesting measured. Its error is a JSONDecodeError, which Flask (400), webargs (400)
and the import parser (422 on `/file`) already answer as malformed JSON. `loads` is `json.loads`
behind that check; the request guard (web.input_guard) runs the check on every JSON body.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64  # a FeatureCollection of MultiPolygons nests 8 deep
MAX_NUMBER_CHARS = 100  # 17 significant digits and an exponent say all a double can

# A JSON string, escapes included (the unrolled form: no backtracking on long strings). UTF-8
# bytes: no byte of a multi-byte character is a quote, a backslash, a bracket, a digit.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
# Byte tables: a number's characters -> "1", the rest -> " "; every byte but brackets deleted, and
# `{}` counted as `[]` (the depth is the same; a mismatch is the parser's to refuse).
_NUMBER_MAP = bytes(0x31 if chr(b) in "-+.0123456789eE" else 0x20 for b in range(256))
_TOO_LONG_NUMBER = b"1" * (MAX_NUMBER_CHARS + 1)
_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(b for b in range(256) if chr(b) not in "[]{}")


class JSONTooComplex(json.JSONDecodeError):
    """A JSON text nested too deep or holding too long a number: refused as malformed."""

    def __init__(self, message: str, document: str) -> None:
        super().__init__(message, document, 0)
        self.args = (message,)  # no "line 1 column 1 (char 0)": the limit is the whole story

    def __str__(self) -> str:
        return self.msg


def check_json_limits(text: str) -> None:
    """Raise JSONTooComplex if `text` nests deeper than MAX_DEPTH or has a number longer than
    MAX_NUMBER_CHARS. A text that is not JSON at all is left to the parser to refuse."""
    skeleton = _STRING.sub(b'""', text.encode("utf-8", "surrogatepass"))
    if _TOO_LONG_NUMBER in skeleton.translate(_NUMBER_MAP):
        raise JSONTooComplex(f"a number longer than {MAX_NUMBER_CHARS} characters", text)
    if _deeper_than(skeleton.translate(_BRACKETS, _NOT_BRACKETS), MAX_DEPTH):
        raise JSONTooComplex(f"nested deeper than {MAX_DEPTH} levels", text)


def _deeper_than(brackets: bytes, limit: int) -> bool:
    """Each pass removes the innermost pairs: one level everywhere at once."""
    for level in range(limit):
        if not brackets:
            return False
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):  # unbalanced: the parser descends this far at most
            return level + brackets.count(b"[") > limit
        brackets = shorter
    return bool(brackets)


def loads(text: str | bytes) -> Any:
    """`json.loads` for input from outside: limits checked first (JSONTooComplex)."""
    check_json_limits(decoded(text) if isinstance(text, bytes) else text)
    return json.loads(text)


def decoded(data: bytes) -> str:
    """The text of a JSON body as json.loads would read it (UTF-8, -16 or -32); undecodable bytes
    stay replaced, for the limits only: the parser refuses them itself."""
    return data.decode(json.detect_encoding(data), errors="replace")

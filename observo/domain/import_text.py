"""Bytes of an import file -> text: the encoding detected, or refused with the place to fix.

One deterministic rule (no statistical guess, so the same file always reads the same way):

1. an encoding the person named (`ImportOptions.encoding`) is used as named;
2. a byte-order mark says UTF-8, UTF-16 LE or UTF-16 BE;
3. without a mark, NUL bytes at every other position of the start say UTF-16 (LE when they follow
   the letters, BE when they precede them): what Excel's "Unicode text" and many Windows tools write;
4. text that is valid UTF-8 is UTF-8;
5. else Windows-1252, the encoding of the spreadsheets Italian municipal offices save as CSV (it
   reads Latin-1 text too: the two differ only in bytes 0x80-0x9F, where Latin-1 has no letters);
6. else the file is refused, naming the line and column of the first byte that is not UTF-8.

A detected encoding other than UTF-8 is said in the report (a file-level warning): the accented
letters are right only if the guess is.
"""

from __future__ import annotations

import codecs

from observo.domain.import_rows import FileSummary, ImportOptions
from observo.domain.text_input import NUL, NUL_DETAIL
from observo.errors import FieldIssue, InvalidInput

_SNIFF = 4096  # bytes looked at for a UTF-16 pattern of NULs
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),  # the "utf-16" codec reads the mark and drops it
    (codecs.BOM_UTF16_BE, "utf-16"),
)
NAMES = {  # codec name -> how the report names it
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16LE",
    "utf-16-be": "UTF-16BE",
    "cp1252": "Windows-1252",
}
FIX = "save the file as UTF-8, or name its encoding (the encoding option, e.g. windows-1252)"


def read(data: bytes, options: ImportOptions, summary: FileSummary) -> str:
    """The text of the file; the encoding read goes to `summary.encoding` (and a warning if guessed)."""
    text, encoding = decode(data, options.encoding)
    summary.encoding = encoding
    if options.encoding is None and encoding not in ("UTF-8", "UTF-16", "UTF-16LE", "UTF-16BE"):
        detail = (
            f"the file is not UTF-8: read as {encoding}; if accented letters look wrong, name the "
            "encoding (the encoding option)"
        )
        summary.warnings.append(FieldIssue("/file", "encoding_detected", detail))
    return text


def decode(data: bytes, forced: str | None = None) -> tuple[str, str]:
    """The text and the name of the encoding it was read in (see the module doc for the rule)."""
    encoding = _named(forced) if forced else _detected(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        where = position(data, exc.start, encoding)
        detail = f"the file is not {NAMES.get(encoding, encoding)}: {where}; {FIX}"
        raise InvalidInput(detail, [FieldIssue("/file", "invalid_encoding", detail)]) from exc
    if NUL in text:
        before = text[: text.index(NUL)]
        where = f"line {before.count(chr(10)) + 1}, column {len(before) - before.rfind(chr(10))}"
        detail = f"the file contains a NUL character ({where}): not a text file"
        raise InvalidInput(detail, [FieldIssue("/file", "nul_character", NUL_DETAIL)])
    return text, NAMES.get(encoding, encoding)


def position(data: bytes, offset: int, encoding: str = "utf-8") -> str:
    """'line L, column C (byte 0xNN)' of a byte offset, counted as a text editor shows it."""
    start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    if encoding.startswith("utf-16"):  # a UTF-16 line break is two bytes: count characters instead
        before = data[:offset].decode(encoding, errors="replace")
        line = before.count("\n") + 1
        column = len(before) - before.rfind("\n")
    else:
        column = len(data[start:offset].decode(encoding, errors="replace")) + 1
    return f"line {line}, column {column} (byte 0x{data[offset]:02X})"


def _named(forced: str) -> str:
    try:
        name = codecs.lookup(forced).name
    except LookupError:
        detail = f"unknown encoding {forced!r}: name one such as utf-8, windows-1252, latin-1 or utf-16"
        raise InvalidInput(detail, [FieldIssue("/encoding", "unknown_encoding", detail)]) from None
    return "utf-8-sig" if name == "utf-8" else name  # a BOM is never text


def sniffed_encoding(head: bytes) -> str | None:
    """UTF-16 (by its mark or its NULs) or UTF-8 with a mark, from the first bytes; else None."""
    for mark, encoding in _BOMS:
        if head.startswith(mark):
            return encoding
    return _utf16_without_bom(head[:_SNIFF])


def _detected(data: bytes) -> str:
    sniffed = sniffed_encoding(data)
    if sniffed is not None:
        return sniffed
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as not_utf8:
        try:
            data.decode("cp1252")
        except UnicodeDecodeError:
            where = position(data, not_utf8.start)
            detail = f"the file is neither UTF-8 nor Windows-1252: {where} is not UTF-8; {FIX}"
            raise InvalidInput(detail, [FieldIssue("/file", "invalid_encoding", detail)]) from None
        return "cp1252"
    return "utf-8"


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 LE or BE when NULs sit at every other byte of the start (ASCII text in UTF-16)."""
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even_nuls = head[0 : pairs * 2 : 2].count(0)
    odd_nuls = head[1 : pairs * 2 : 2].count(0)
    # Mostly ASCII text: almost every pair has its NUL on the same side, never on the other.
    if odd_nuls >= pairs * 0.6 and even_nuls == 0:
        return "utf-16-le"
    if even_nuls >= pairs * 0.6 and odd_nuls == 0:
        return "utf-16-be"
    return None

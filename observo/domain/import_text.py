"""Bytes of an import file -> text: the encoding detected or refused with the place to fix."""

from __future__ import annotations

from observo.domain.text_input import NUL, NUL_DETAIL
from observo.errors import FieldIssue, InvalidInput


def decode(data: bytes, forced: str | None = None) -> tuple[str, str]:
    """The text and the name of the encoding it was read in."""
    encoding = forced or "utf-8-sig"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        detail = f"the file is not {encoding} ({exc})"
        raise InvalidInput(detail, [FieldIssue("/file", "invalid_encoding", detail)]) from exc
    if NUL in text:
        detail = f"the file contains a NUL character (character {text.index(NUL)}): not a text file"
        raise InvalidInput(detail, [FieldIssue("/file", "nul_character", NUL_DETAIL)])
    return text, "utf-8"

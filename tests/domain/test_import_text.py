"""import_text: the encodings municipal files come in, detected by one rule, or refused at the byte."""

from __future__ import annotations

import pytest

from observo.domain import import_text
from observo.domain.import_rows import FileSummary, ImportOptions
from observo.errors import FieldIssue, InvalidInput

TEXT = "nome;indirizzo\r\nVarco Città;Corso d’Italia 3\r\n"  # ’ is 0x92 in Windows-1252


def read(data: bytes, encoding: str | None = None) -> tuple[str, FileSummary]:
    summary = FileSummary("csv")
    return import_text.read(data, ImportOptions(encoding=encoding), summary), summary


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "UTF-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "UTF-8"),
        (TEXT.encode("utf-16"), "UTF-16"),  # with its byte-order mark (LE on this machine)
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "UTF-16"),
        (TEXT.encode("utf-16-le"), "UTF-16LE"),  # no mark: the NULs say it
        (TEXT.encode("utf-16-be"), "UTF-16BE"),
    ],
)
def test_unicode_files_read_without_a_warning(data, encoding):
    text, summary = read(data)
    assert text == TEXT
    assert (summary.encoding, summary.warnings) == (encoding, [])


def test_a_windows_1252_spreadsheet_is_read_and_said():
    text, summary = read(TEXT.encode("cp1252"))
    assert text == TEXT
    assert summary.encoding == "Windows-1252"
    assert summary.warnings == [
        FieldIssue(
            "/file",
            "encoding_detected",
            "the file is not UTF-8: read as Windows-1252; if accented letters look wrong, name the encoding "
            "(the encoding option)",
        )
    ]


def test_latin_1_text_reads_the_same_as_windows_1252():
    text, summary = read("Località;Perché\n".encode("latin-1"))
    assert (text, summary.encoding) == ("Località;Perché\n", "Windows-1252")


def test_bytes_neither_utf8_nor_windows_1252_are_refused_at_their_line_and_column():
    data = b"nome;via\nPiazza;Citt\xc3\xa0\x81x\n"  # 0x81 is not UTF-8 and has no Windows-1252 letter
    with pytest.raises(InvalidInput) as refused:
        read(data)
    detail = (
        "the file is neither UTF-8 nor Windows-1252: line 2, column 13 (byte 0x81) is not UTF-8; save the "
        "file as UTF-8, or name its encoding (the encoding option, e.g. windows-1252)"
    )
    assert refused.value.issues == [FieldIssue("/file", "invalid_encoding", detail)]


def test_a_named_encoding_is_used_as_named():
    text, summary = read("Città\n".encode("latin-1"), "ISO-8859-1")
    assert (text, summary.encoding, summary.warnings) == ("Città\n", "iso8859-1", [])
    with pytest.raises(InvalidInput) as refused:
        read("a\nCittà\n".encode("cp1252"), "utf-8")
    assert refused.value.issues[0].detail.startswith("the file is not UTF-8: line 2, column 5 (byte 0xE0); ")
    with pytest.raises(InvalidInput) as unknown:
        read(b"a", "klingon")
    assert unknown.value.issues[0].pointer == "/encoding"
    assert unknown.value.issues[0].code == "unknown_encoding"


def test_nul_characters_are_refused_in_text_that_is_not_utf16():
    with pytest.raises(InvalidInput) as refused:
        read(b"nome\nab\x00c\n")
    assert refused.value.issues[0].code == "nul_character"
    assert refused.value.detail == "the file contains a NUL character (line 2, column 3): not a text file"


def test_decode_keeps_its_contract_for_other_readers():
    assert import_text.decode(b"\xef\xbb\xbf{}") == ("{}", "UTF-8")

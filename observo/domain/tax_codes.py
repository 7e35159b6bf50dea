"""Italian tax codes of an owner: a codice fiscale (16 characters, a person or a sole trader) or an
11-digit number (a partita IVA, also the codice fiscale of companies and condominiums), each checked
against its control character (docs/owners.md).
"""

from __future__ import annotations

import re

PERSONAL_LENGTH = 16
NUMERIC_LENGTH = 11
# Letters replace digits in a code whose plain form is taken by someone else (omocodia): LMNPQRSTUV.
_DIGIT = "[0-9LMNPQRSTUV]"
_PERSONAL = re.compile(f"[A-Z]{{6}}{_DIGIT}{{2}}[ABCDEHLMPRST]{_DIGIT}{{2}}[A-Z]{_DIGIT}{{3}}[A-Z]")
_NUMERIC = re.compile("[0-9]{11}")
# The value of a character in an odd position (1st, 3rd...) of a codice fiscale; digits count as
# the letter at the same index (0 as A).
_ODD = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23)


def normalise_tax_code(text: str) -> str:
    """Upper case, without the spaces, dots and dashes people type in (and an `IT` before a VAT)."""
    code = re.sub(r"[\s.\-]", "", text).upper()
    if code.startswith("IT") and len(code) == NUMERIC_LENGTH + 2 and code[2:].isdigit():
        return code[2:]
    return code


def tax_code_problem(code: str) -> str | None:
    """None for a valid normalised code, else what is wrong with it (English, for a translation)."""
    if len(code) == PERSONAL_LENGTH:
        if not _PERSONAL.fullmatch(code):
            return "a codice fiscale has 16 letters and digits in the order RSSMRA85T10A562S"
        return None if personal_check_letter(code[:15]) == code[15] else "the check letter does not match"
    if len(code) == NUMERIC_LENGTH:
        if not _NUMERIC.fullmatch(code):
            return "a VAT number has 11 digits"
        return None if numeric_check_digit(code[:10]) == code[10] else "the check digit does not match"
    return "a codice fiscale has 16 characters, a VAT number 11 digits"


def personal_check_letter(first15: str) -> str:
    """The 16th character of a codice fiscale (DM 23/12/1976)."""
    total = 0
    for position, char in enumerate(first15, start=1):
        index = int(char) if char.isdigit() else ord(char) - ord("A")
        total += _ODD[index] if position % 2 else index
    return chr(ord("A") + total % 26)


def numeric_check_digit(first10: str) -> str:
    """The 11th digit of a partita IVA (a Luhn check)."""
    total = 0
    for position, char in enumerate(first10, start=1):
        digit = int(char)
        if position % 2 == 0:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return str((10 - total % 10) % 10)

"""Codici fiscali and partite IVA with their check characters (no database)."""

from __future__ import annotations

import pytest

from observo.domain.tax_codes import (
    normalise_tax_code,
    numeric_check_digit,
    personal_check_letter,
    tax_code_problem,
)


@pytest.mark.parametrize(
    "code",
    [
        "RSSMRA85T10A562S",  # the textbook Mario Rossi
        "MRTMTT91D08F205J",
        "MRTMTTVUDLUFRLPH",  # omocodia: every digit replaced by its letter, check recomputed
        "00159560366",  # a company's partita IVA
        "01234567897",
        "07643520567",
    ],
)
def test_valid_codes(code):
    if code == "MRTMTTVUDLUFRLPH":
        code = code[:15] + personal_check_letter(code[:15])
    assert tax_code_problem(code) is None


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("RSSMRA85T10A562T", "the check letter does not match"),
        ("01234567890", "the check digit does not match"),
        ("RSSMRA85X10A562S", "a codice fiscale has 16 letters and digits in the order RSSMRA85T10A562S"),
        ("0123456789A", "a VAT number has 11 digits"),
        ("12345", "a codice fiscale has 16 characters, a VAT number 11 digits"),
        ("", "a codice fiscale has 16 characters, a VAT number 11 digits"),
    ],
)
def test_invalid_codes_say_why(code, problem):
    assert tax_code_problem(code) == problem


def test_every_single_typo_in_a_vat_number_is_caught():
    valid = "00159560366"
    for position in range(11):
        for digit in "0123456789":
            typo = valid[:position] + digit + valid[position + 1 :]
            assert (tax_code_problem(typo) is None) == (typo == valid)


def test_normalising_keeps_what_people_type_apart_from_the_code():
    assert normalise_tax_code(" rssmra85t10a562s ") == "RSSMRA85T10A562S"
    assert normalise_tax_code("IT 0015956 0366") == "00159560366"
    assert normalise_tax_code("012.345.678-97") == "01234567897"
    assert numeric_check_digit("0015956036") == "6"

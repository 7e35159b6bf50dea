"""Passwords are hashed with argon2id at the cost RFC 9106 recommends where memory is tight; the rest
of the suite hashes at the lowest cost (tests/conftest.py)."""

from __future__ import annotations

import pytest
from argon2 import extract_parameters

from observo.domain import credentials


@pytest.mark.real_password_cost
def test_passwords_are_hashed_at_the_production_cost():
    stored = credentials.hash_password("correct horse battery")
    parameters = extract_parameters(stored)
    assert stored.startswith("$argon2id$")
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (3, 65536, 4)
    assert credentials.verify_password(stored, "correct horse battery")
    assert not credentials.verify_password(stored, "correct horse battery!")

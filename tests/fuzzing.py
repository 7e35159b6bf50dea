"""Hypothesis settings shared by the fuzzing and property tests.

`make test` runs a bounded, derandomised number of examples (the same ones every run, so a CI
failure reproduces locally); `make fuzz` sets OBSERVO_FUZZ_EXAMPLES higher and OBSERVO_FUZZ_RANDOM=1
to explore new examples at each run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from observo.domain.json_limits import MAX_DEPTH, MAX_NUMBER_CHARS

EXAMPLES = int(os.environ.get("OBSERVO_FUZZ_EXAMPLES", "8"))
RANDOM = os.environ.get("OBSERVO_FUZZ_RANDOM") == "1"


def fuzz_settings(examples: int) -> settings:
    """At least `examples` examples, more when a longer run asks (scaled by OBSERVO_FUZZ_EXAMPLES)."""
    return settings(
        max_examples=max(examples, examples * EXAMPLES // 8),
        deadline=None,
        derandomize=not RANDOM,
        database=None,
        suppress_health_check=list(HealthCheck),
    )


def _nested(depth: int, kind: str) -> str:
    opening, closing = ("[", "]") if kind == "array" else ('{"k":', "}")
    return opening * depth + "1" + closing * depth


def _number(digits: int, form: str) -> str:
    run = "9" * digits
    return {"integer": run, "negative": f"-{run}", "fraction": f"0.{run}", "exponent": f"1e{run}"}[form]


# JSON texts that broke Python's json module (RecursionError, int conversion limit), as
# (text, beyond the limits of domain.json_limits?): around each limit, and far beyond it.
DEEP_JSON = st.builds(
    lambda depth, kind: (_nested(depth, kind), depth > MAX_DEPTH),
    st.one_of(st.integers(MAX_DEPTH - 3, MAX_DEPTH + 3), st.integers(1, 4000)),
    st.sampled_from(["array", "object"]),
)
LONG_NUMBERS = st.builds(
    lambda digits, form: (text := _number(digits, form), len(text) > MAX_NUMBER_CHARS),
    st.one_of(st.integers(MAX_NUMBER_CHARS - 3, MAX_NUMBER_CHARS + 1), st.integers(1, 6000)),
    st.sampled_from(["integer", "negative", "fraction", "exponent"]),
)

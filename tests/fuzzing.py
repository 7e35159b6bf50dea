"""Hypothesis settings shared by the fuzzing and property tests.

`make test` runs a bounded, derandomised number of examples (the same ones every run, so a CI
failure reproduces locally); `make fuzz` sets OBSERVO_FUZZ_EXAMPLES higher and OBSERVO_FUZZ_RANDOM=1
to explore new examples at each run.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

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

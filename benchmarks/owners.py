"""The organisations that own the synthetic cameras: one municipality per town, a few private owners.

Ids are fixed (1..n) so the generator, which runs in worker processes, needs no database lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.towns import PRIVATE_OWNERS, TOWNS

PUBLIC_PRECISION_M = 100


@dataclass(frozen=True)
class Owner:
    id: int
    slug: str
    name: str
    kind: str
    istat_code: str | None
    sponsor_id: int | None
    town_index: int
    public_precision_m: int = PUBLIC_PRECISION_M

    @property
    def contact_domain(self) -> str:
        return f"{self.slug}.example.it"


def _municipalities() -> list[Owner]:
    return [
        Owner(i + 1, t.slug, f"Comune di {t.name}", "municipality", t.istat, None, i)
        for i, t in enumerate(TOWNS)
    ]


def _privates(first_id: int) -> list[Owner]:
    index = {t.slug: i for i, t in enumerate(TOWNS)}
    return [
        Owner(first_id + k, slug, name, "private", None, index[town] + 1, index[town])
        for k, (slug, name, town) in enumerate(PRIVATE_OWNERS)
    ]


def all_owners() -> tuple[Owner, ...]:
    municipalities = _municipalities()
    return (*municipalities, *_privates(len(municipalities) + 1))


def privates_by_town() -> dict[int, list[Owner]]:
    """Town index -> the private owners it sponsors."""
    grouped: dict[int, list[Owner]] = {}
    for owner in all_owners():
        if owner.kind == "private":
            grouped.setdefault(owner.town_index, []).append(owner)
    return grouped

"""`observo places measure`: a coverage measurement of every sensitive place (for a periodic job)."""

from __future__ import annotations

import click

from observo.cli import cli_actor, transactional
from observo.extensions import db
from observo.services import places


@click.group("places")
def places_group() -> None:
    """Sensitive places and their coverage over time."""


@places_group.command("measure")
@click.option("--org", "organisation", default=None, help="only this organisation's places (slug)")
@transactional
def places_measure(organisation: str | None) -> None:
    """Measure every place's coverage by the active cameras its organisation reads; one line per place.

    Run it from cron (e.g. nightly) to build each place's series. All places or none are recorded.
    """
    measured = places.measure_all(db.session, cli_actor(), organisation)
    for measurement in measured:
        place = measurement.place
        click.echo(
            f"{place.id}\t{place.organisation.slug}\t{place.name}\t"
            f"ratio={measurement.ratio:.4f}\tcameras={measurement.camera_count}"
        )
    click.echo(f"{len(measured)} places measured", err=True)

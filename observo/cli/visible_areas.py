"""`observo fov recompute`: compute again and store the cameras' visible areas (docs/visibility.md)."""

from __future__ import annotations

import time

import click

from observo.cli import cli_actor, transactional
from observo.extensions import db
from observo.services import visible_areas
from observo.services.organisations import nameable_organisation


@click.group("fov")
def fov_group() -> None:
    """Cameras' fields of view: the visible areas obstacles leave them."""


@fov_group.command("recompute")
@click.option(
    "--organization",
    "--municipality",
    "organisation",
    default=None,
    help="only this organisation's cameras (slug; --municipality is the same)",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="processes computing the areas (default: one per core; 1: none besides this one)",
)
@transactional
def fov_recompute(organisation: str | None, workers: int | None) -> None:
    """Recompute every camera's visible area (after an upgrade, or to check the stored ones).

    Imports and edits keep them in step; this redoes them all in one transaction. Not audited:
    derived data, like the public positions. Thousands of cameras are computed by `--workers`
    processes (reading and writing stay in this one).
    """
    owners = None
    if organisation is not None:
        owners = [nameable_organisation(db.session, cli_actor(), organisation, "/organization").id]
    started = time.perf_counter()
    result = visible_areas.recompute_all(db.session, owners, workers=workers)
    elapsed = time.perf_counter() - started
    rate = result.cameras / elapsed if elapsed > 0 else 0.0
    click.echo(f"{result.cameras} cameras, {result.clipped} clipped by obstacles, {result.changed} changed")
    click.echo(f"{elapsed:.1f} s, {rate:.0f} cameras/s", err=True)

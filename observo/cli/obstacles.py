"""`observo obstacles import|list|delete`: the building footprints and walls that block cameras' views."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import click

from observo.cli import cli_actor, transactional
from observo.extensions import db
from observo.services import obstacles


@click.group("obstacles")
def obstacles_group() -> None:
    """Obstacles to cameras' views: building footprints and walls (docs/obstacles.md)."""


@obstacles_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--organization",
    "--municipality",
    "organisation",
    required=True,
    help="the organisation owning the layer (slug; --municipality is the same)",
)
@click.option("--source", default=None, help="the layer it replaces (default: the file's name; osm for OSM)")
@click.option("--crs", default=None, help="CRS of a file that names none, e.g. EPSG:3003")
@transactional
def obstacles_import(file: Path, organisation: str, source: str | None, crs: str | None) -> None:
    """Replace the organisation's layer SOURCE by the file's buildings and walls: all of them or none.

    GeoJSON, OpenStreetMap (.osm, .osm.pbf, Overpass JSON), a zipped Shapefile, GeoPackage or KML.
    """
    result = obstacles.import_obstacles(
        db.session, cli_actor(), file.read_bytes(), file.name, organisation, source, crs, _progress()
    )
    for warning in result.warnings:
        click.echo(f"warning: {warning.pointer}: {warning.detail}", err=True)
    counts = ", ".join(f"{count} {kind}s" for kind, count in result.counts.items())
    click.echo(
        f"{result.organisation}\t{result.source}\t{counts}; replaced {result.replaced}, "
        f"skipped {result.skipped} (format {result.format}, CRS {result.crs})"
    )
    click.echo(f"{result.cameras_recomputed} cameras' visible areas recomputed", err=True)


def _progress(every_s: float = 2.0) -> Callable[[int, int], None]:
    """Print how many cameras' visible areas are done, at most every `every_s` (a town takes minutes)."""
    last = time.monotonic()

    def show(done: int, total: int) -> None:
        nonlocal last
        if time.monotonic() - last >= every_s:
            last = time.monotonic()
            click.echo(f"visible areas: {done} of {total} cameras", err=True)

    return show


@obstacles_group.command("list")
@click.option(
    "--organization",
    "--municipality",
    "organisation",
    default=None,
    help="only this organisation's layers (slug)",
)
@transactional
def obstacles_list(organisation: str | None) -> None:
    """One line per organisation, source and kind: organisation, source, kind, count."""
    rows = obstacles.obstacle_counts(db.session, cli_actor(), organisation)
    for slug, source, kind, count in rows:
        click.echo(f"{slug}\t{source}\t{kind}\t{count}")
    click.echo(f"{sum(row[3] for row in rows)} obstacles", err=True)


@obstacles_group.command("delete")
@click.option(
    "--organization", "--municipality", "organisation", required=True, help="the organisation (slug)"
)
@click.option("--source", default=None, help="only this layer (default: all the organisation's obstacles)")
@transactional
def obstacles_delete(organisation: str, source: str | None) -> None:
    """Remove an organisation's obstacles, of one source or all (audited)."""
    removed = obstacles.delete_obstacles(db.session, cli_actor(), organisation, source)
    click.echo(f"{removed} obstacles deleted")

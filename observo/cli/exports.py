"""`observo export`: every camera in one file (GeoJSON, CSV, KML or OSM-tagged GeoJSON), as an admin;
`observo purge-exports`: remove the expired files of `POST /api/v1/exports` (docs/exports-for-gis.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from observo.cli import cli_actor, transactional
from observo.cli.files import write_atomically
from observo.extensions import db
from observo.rendering.export_formats import export_features, export_format
from observo.schemas.exports import EXPORT_FORMATS
from observo.services import export_files, queries, query_audit
from observo.services.export_attribution import export_attribution
from observo.services.queries import CameraFilters
from observo.settings import current_settings
from observo.spatial import engine

DEFAULT_REASON = "export from the command line"


@click.command("export")
@click.option("--format", "file_format", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="default: stdout"
)
@click.option("--owner", default=None, help="only this organisation's cameras (slug)")
@click.option("--reason", default=DEFAULT_REASON, show_default=True, help="recorded in the audit log")
@transactional
def export_command(file_format: str, output: Path | None, owner: str | None, reason: str) -> None:
    """Export every camera (decommissioned ones left out), streamed. Audited; a file is whole or absent.

    The file carries the attribution its rows' licences ask for (GeoJSON and OSM: `attribution`;
    KML: the Document's description; CSV: the `licence` column); it is also printed on stderr."""
    actor = cli_actor()
    query = queries.CameraQuery(filters=CameraFilters(owner=owner), reason=reason)
    count = queries.export_size(db.session, actor, query, None, 0)
    attribution = export_attribution(db.session, actor, query, None, 0)
    query_audit.record_export(db.session, actor, query, count, file_format)
    # Logged before the first byte leaves, in a short transaction of its own; the stream then only
    # reads, holding neither the audit chain nor SQLite's write lock (docs/security.md).
    db.session.commit()
    engine.end_write_intent()
    chosen = export_format(file_format, actor, db.session)
    chunks = chosen.write(export_features(db.session, actor, query, None, 0, chosen), attribution)
    if output is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
    else:
        write_atomically(output, chunks, ".observo-export-")
    click.echo(f"{count} cameras exported", err=True)
    if attribution:
        click.echo(f"attribution: {attribution.text}", err=True)


@click.command("purge-exports")
@with_appcontext
def purge_exports_command() -> None:
    """Remove the export files whose time is up (the API also removes them as it goes); run it from
    cron so that no export outlives OBSERVO_EXPORT_FILE_TTL_S on an idle instance."""
    folder = export_files.folder_of(current_settings().instance_path)
    click.echo(f"{export_files.purge_expired(folder)} expired export files removed", err=True)

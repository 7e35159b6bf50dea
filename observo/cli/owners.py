"""`observo owners export`: a municipality's owners (docs/owners.md, "API and CLI"), as CSV for a
spreadsheet or JSON for a program. Audited; a file is whole or absent.

CSV: one row per owner; its accounts' e-mails and whether each is confirmed in two cells, `; `-separated
in the same order. Every text cell goes through `csv_cell`, so a name typed as `=HYPERLINK(...)` is
written as text, never run by the spreadsheet (docs/security.md, "Spreadsheets").
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from observo.cli import cli_actor, transactional
from observo.cli.files import write_atomically
from observo.domain.csv_cells import csv_cell
from observo.domain.deadlines import iso_z
from observo.extensions import db
from observo.models import Organisation
from observo.models.base import utcnow
from observo.services import owner_export
from observo.services.owner_export import CONTACT_FIELDS, ExportedOwner

FORMATS = ("csv", "json")
CSV_COLUMNS = (
    "slug",
    "name",
    *CONTACT_FIELDS,
    "accounts",
    "accounts_verified",
    "approved_cameras",
    "open_declarations",
)


@click.group("owners")
def owners_group() -> None:
    """Private owners who register their own cameras (docs/owners.md)."""


@owners_group.command("export")
@click.option("--municipality", required=True, help="the sponsoring municipality (slug)")
@click.option("--format", "file_format", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="default: stdout"
)
@transactional
def owners_export(municipality: str, file_format: str, output: Path | None) -> None:
    """The owner organisations MUNICIPALITY sponsors: contact data, accounts (e-mail, confirmed or not),
    cameras in the registry and declarations waiting. Audited (`owners.export`)."""
    sponsor, owners = owner_export.municipality_owners(db.session, municipality)
    owner_export.record_export(db.session, cli_actor(), sponsor, owners, file_format)
    text = "".join(_csv(owners) if file_format == "csv" else _json(sponsor, owners))
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomically(output, [text], ".observo-owners-")
    click.echo(f"{len(owners)} owners of {sponsor.slug} exported", err=True)


def _csv(owners: list[ExportedOwner]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for owner in owners:
        organisation = owner.organisation
        row: list[Any] = [organisation.slug, organisation.name]
        row.extend(getattr(organisation, name) or "" for name in CONTACT_FIELDS)
        row.append("; ".join(account.email for account in owner.accounts))
        row.append("; ".join("yes" if account.verified else "no" for account in owner.accounts))
        row.extend([owner.approved_cameras, owner.open_declarations])
        writer.writerow([csv_cell(cell) for cell in row])
    yield buffer.getvalue()


def _json(sponsor: Organisation, owners: list[ExportedOwner]) -> Iterator[str]:
    body = {
        "municipality": {"slug": sponsor.slug, "name": sponsor.name},
        "exported_at": iso_z(utcnow()),
        "owners": [
            {
                "slug": owner.organisation.slug,
                "name": owner.organisation.name,
                **{name: getattr(owner.organisation, name) for name in CONTACT_FIELDS},
                "accounts": [
                    {
                        "email": account.email,
                        "name": account.name,
                        "verified": account.verified,
                        "verified_at": iso_z(account.verified_at),
                    }
                    for account in owner.accounts
                ],
                "approved_cameras": owner.approved_cameras,
                "open_declarations": owner.open_declarations,
            }
            for owner in owners
        ],
    }
    yield json.dumps(body, ensure_ascii=False, indent=2) + "\n"

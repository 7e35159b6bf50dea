"""The `observo` command: Flask's CLI bound to the app factory, plus Observo's own commands."""

from __future__ import annotations

import functools
import getpass
import sys
import uuid
from collections.abc import Callable
from typing import Any

import click
from flask.cli import FlaskGroup, with_appcontext

from observo.domain.permissions import Actor
from observo.errors import ObservoError
from observo.extensions import db
from observo.services import accounts, audit, organisations
from observo.spatial import engine

DEMO_PASSWORD = "observo-demo"


def _create_app() -> Any:
    from observo.app import create_app

    return create_app()


def cli_actor() -> Actor:
    """Commands act as an administrator; the audit log names the operating-system account."""
    return Actor(role="admin", label=f"cli:{getpass.getuser()}")


def transactional(command: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command in one transaction: commit on success; on a domain error print it and exit 1.

    Entries it adds to the audit log carry a request id of their own ("cli-...").
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        intent = engine.write_intent.set(True)
        try:
            with audit.bound(audit.RequestContext(f"cli-{uuid.uuid4().hex}")):
                result = command(*args, **kwargs)
                db.session.commit()
            return result
        except ObservoError as error:
            db.session.rollback()
            details = "".join(f"\n  {issue.pointer}: {issue.detail}" for issue in error.issues)
            click.echo(f"error: {error.detail}{details}", err=True)
            sys.exit(1)
        finally:
            engine.write_intent.reset(intent)

    return with_appcontext(wrapper)


main = FlaskGroup(name="observo", create_app=_create_app, help="Observo: the camera registry.")


def _register_groups() -> None:
    from observo.cli.audit_log import audit_group
    from observo.cli.backup import backup_command
    from observo.cli.exports import export_command, purge_exports_command
    from observo.cli.imports import import_command
    from observo.cli.obstacles import obstacles_group
    from observo.cli.owners import owners_group
    from observo.cli.places import places_group
    from observo.cli.reminders import reminders_group
    from observo.cli.routes import access_rules_command
    from observo.cli.visible_areas import fov_group

    main.add_command(audit_group)
    main.add_command(backup_command)
    main.add_command(export_command)
    main.add_command(purge_exports_command)
    main.add_command(import_command)
    main.add_command(access_rules_command)
    main.add_command(places_group)
    main.add_command(obstacles_group)
    main.add_command(fov_group)
    main.add_command(owners_group)
    main.add_command(reminders_group)


_register_groups()


@main.command("seed-demo")
@transactional
def seed_demo() -> None:
    """Create the demo territory (idempotent). Demo users' and owners' password: observo-demo."""
    from observo.services.demo import seed_demo as seed

    report = seed(db.session, DEMO_PASSWORD)
    click.echo(
        f"demo: +{report.organisations} organisations, +{report.users} users, +{report.cameras} cameras, "
        f"+{report.places} sensitive places, +{report.interventions} interventions, "
        f"+{report.owners} registered owners"
    )


@main.group()
def org() -> None:
    """Organisations."""


@org.command("create")
@click.option("--slug", required=True)
@click.option("--name", required=True)
@click.option("--kind", required=True)
@click.option("--istat", "istat_code", default=None, help="ISTAT code (municipalities)")
@click.option("--sponsor", default=None, help="slug of the municipality a private owner federates with")
@click.option("--public-precision-m", type=int, default=100, show_default=True)
@transactional
def org_create(
    slug: str, name: str, kind: str, istat_code: str | None, sponsor: str | None, public_precision_m: int
) -> None:
    """Create an organisation."""
    created = organisations.create_organisation(
        db.session,
        cli_actor(),
        slug=slug,
        name=name,
        kind=kind,
        istat_code=istat_code,
        sponsor_slug=sponsor,
        public_precision_m=public_precision_m,
    )
    click.echo(f"organisation {created.slug} created")


@main.group()
def pact() -> None:
    """Security pacts."""


@pact.command("create")
@click.option("--name", required=True)
@click.option("--slug", default=None, help="default: derived from the name")
@click.option("--member", "members", multiple=True, required=True, help="organisation slug (repeat)")
@transactional
def pact_create(name: str, slug: str | None, members: tuple[str, ...]) -> None:
    """Create a pact among organisations."""
    created = organisations.create_pact(
        db.session, cli_actor(), slug=slug or slugify(name), name=name, member_slugs=list(members)
    )
    click.echo(f"pact {created.slug} created with {len(created.members)} members")


def slugify(name: str) -> str:
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_name.lower()).split())


@main.group()
def user() -> None:
    """Users."""


@user.command("create")
@click.option("--email", required=True)
@click.option("--org", "org_slug", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "editor", "viewer"]))
@click.option("--name", default="")
@click.option("--auditor", is_flag=True, help="may read the organisation's audit log")
@transactional
def user_create(email: str, org_slug: str, role: str, name: str, auditor: bool) -> None:
    """Create a user. The password is read from standard input or prompted for, never an argument."""
    password = _read_password()
    created = accounts.create_user(
        db.session,
        cli_actor(),
        email=email,
        name=name,
        org_slug=org_slug,
        role=role,
        password=password,
        auditor=auditor,
    )
    click.echo(f"user {created.email} created ({created.role}, {org_slug})")


@user.command("deactivate")
@click.option("--email", required=True)
@transactional
def user_deactivate(email: str) -> None:
    """Deactivate a user: its tokens and sessions stop working at once (the account is kept)."""
    found = accounts.user_by_email(db.session, email)
    accounts.update_user(db.session, cli_actor(), found.id, {"active": False})
    click.echo(f"user {found.email} deactivated")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--expires-days", type=int, default=None)
@transactional
def token_create(email: str, name: str, expires_days: int | None) -> None:
    """Create a token and print it alone on stdout (it is not stored in clear: keep it now)."""
    owner = accounts.user_by_email(db.session, email)
    click.echo(accounts.create_token(db.session, owner, name, expires_days, actor=cli_actor()))


@token.command("revoke")
@click.option("--email", required=True)
@click.option("--name", required=True)
@transactional
def token_revoke(email: str, name: str) -> None:
    """Revoke a user's active token by name."""
    accounts.revoke_token(db.session, accounts.user_by_email(db.session, email), name, actor=cli_actor())
    click.echo(f"token {name!r} of {email} revoked", err=True)

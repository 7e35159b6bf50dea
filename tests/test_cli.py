"""The `observo` command line: what it writes, what it refuses (on stderr, non-zero, writing nothing)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import shapely
import sqlalchemy as sa
from click.testing import Result
from flask import Flask
from geoalchemy2.shape import to_shape
from pyproj import Transformer

from observo.cli import main
from observo.domain import credentials
from observo.extensions import db
from observo.models import ApiToken, AuditEntry, Camera, Organisation, Pact, User
from tests import factories
from tests.conftest import app_on_own_database, fresh_database_url, make_app, own_database_name

COUNTED = (Organisation, Pact, User, ApiToken, Camera)


@pytest.fixture
def migrated_app(dialect: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """An app on its own database, upgraded to the head revision."""
    with app_on_own_database(dialect, tmp_path, own_database_name("cli_", request)) as application:
        yield application


def run(app: Flask, command: str, stdin: str | None = None) -> Result:
    """`observo <command>` (shell-quoted) through Flask's CliRunner: stdout and stderr kept apart."""
    return app.test_cli_runner().invoke(main, shlex.split(command), input=stdin)


def counts(session: sa.orm.Session) -> dict[str, int]:
    return {
        model.__tablename__: session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in COUNTED
    }


def assert_refused(result: Result, message: str) -> None:
    """Failed: non-zero exit, the reason on stderr, nothing on stdout."""
    assert result.exit_code != 0, result.output
    assert message in result.stderr, result.stderr
    assert result.stdout == ""


# --- organisations -------------------------------------------------------------------------------


def test_org_create(app, session):
    result = run(app, "org create --slug torino --name 'Città di Torino' --kind municipality --istat 001272")
    assert result.exit_code == 0, result.output
    created = session.scalar(sa.select(Organisation).where(Organisation.slug == "torino"))
    assert (created.name, created.kind, created.istat_code) == ("Città di Torino", "municipality", "001272")
    assert created.sponsor is None


def test_org_create_with_sponsor(app, session):
    factories.org(session, "moncalieri-sponsor")
    result = run(
        app,
        "org create --slug bar-centrale --name 'Bar Centrale' --kind private --sponsor moncalieri-sponsor",
    )
    assert result.exit_code == 0, result.output
    created = session.scalar(sa.select(Organisation).where(Organisation.slug == "bar-centrale"))
    assert created.sponsor.slug == "moncalieri-sponsor"


def test_org_create_duplicate_slug_writes_nothing(app, session):
    factories.org(session, "torino")
    before = counts(session)
    result = run(app, "org create --slug torino --name 'Torino again' --kind municipality")
    assert_refused(result, "already exists")
    assert counts(session) == before
    assert session.scalar(sa.select(Organisation.name).where(Organisation.slug == "torino")) == "Torino"


def test_org_create_duplicate_istat_writes_nothing(app, session):
    factories.org(session, "torino", istat_code="001272")
    before = counts(session)
    result = run(app, "org create --slug torino-bis --name T --kind municipality --istat 001272")
    assert_refused(result, "001272")
    assert counts(session) == before


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("--kind castle", "/kind"),
        ("--kind municipality --istat 12345", "/istat_code"),
        ("--kind municipality --istat 00127A", "/istat_code"),
        ("--kind private --sponsor nowhere", "nowhere"),
    ],
    ids=["bad-kind", "short-istat", "letter-in-istat", "unknown-sponsor"],
)
def test_org_create_refuses_bad_input(app, session, options, message):
    before = counts(session)
    result = run(app, f"org create --slug refused --name Refused {options}")
    assert_refused(result, message)
    assert counts(session) == before
    assert session.scalar(sa.select(Organisation.id).where(Organisation.slug == "refused")) is None


# --- pacts ---------------------------------------------------------------------------------------


def test_pact_create_derives_the_slug(app, session):
    factories.org(session, "alfa")
    factories.org(session, "beta")
    result = run(app, "pact create --name 'Tutta mia la Città' --member alfa --member beta")
    assert result.exit_code == 0, result.output
    pact = session.scalar(sa.select(Pact).where(Pact.slug == "tutta-mia-la-citta"))
    assert pact.name == "Tutta mia la Città"
    assert sorted(member.slug for member in pact.members) == ["alfa", "beta"]


def test_pact_create_with_unknown_member_writes_nothing(app, session):
    factories.org(session, "alfa")
    before = counts(session)
    result = run(app, "pact create --name Patto --member alfa --member ghost")
    assert_refused(result, "ghost")
    assert counts(session) == before


# --- users ---------------------------------------------------------------------------------------


def test_user_create_reads_the_password_from_stdin(app, session):
    factories.org(session, "torino")
    password = "a long enough secret"
    command = "user create --email Vigile@Torino.example --org torino --role editor"
    result = run(app, command, stdin=password + "\n")
    assert result.exit_code == 0, result.output
    assert password not in result.output
    created = session.scalar(sa.select(User).where(User.email == "vigile@torino.example"))
    assert (created.role, created.organisation.slug, created.active) == ("editor", "torino", True)
    assert created.password_hash.startswith("$argon2")
    assert password not in created.password_hash
    assert credentials.verify_password(created.password_hash, password)
    assert not credentials.verify_password(created.password_hash, password + "\n")


def test_user_create_never_takes_the_password_as_an_option(app, session):
    factories.org(session, "torino")
    before = counts(session)
    command = (
        "user create --email v@torino.example --org torino --role editor --password 'a long enough secret'"
    )
    result = run(app, command, stdin="a long enough secret\n")
    assert result.exit_code == 2
    assert "No such option" in result.stderr and "--password" in result.stderr
    assert counts(session) == before


@pytest.mark.parametrize(
    ("options", "password", "message"),
    [
        ("--org torino --role editor", "short", "/password"),
        ("--org torino --role editor", "", "/password"),
        ("--org nowhere --role editor", "a long enough secret", "nowhere"),
    ],
    ids=["short-password", "empty-password", "unknown-org"],
)
def test_user_create_refuses_bad_input(app, session, options, password, message):
    factories.org(session, "torino")
    before = counts(session)
    result = run(app, f"user create --email v@torino.example {options}", stdin=password + "\n")
    assert_refused(result, message)
    assert counts(session) == before


def test_user_create_duplicate_email_writes_nothing(app, session):
    town = factories.org(session, "torino")
    existing = factories.user(session, town)
    before = counts(session)
    command = f"user create --email {existing.email.upper()} --org torino --role viewer"
    result = run(app, command, stdin="a long enough secret\n")
    assert_refused(result, "already exists")
    assert counts(session) == before


# --- tokens --------------------------------------------------------------------------------------


def test_token_create_prints_it_alone_and_stores_only_its_digest(app, session):
    editor = factories.user(session, factories.org(session, "torino"))
    result = run(app, f"token create --email {editor.email} --name qgis")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and result.stdout == lines[0] + "\n"
    clear = lines[0]
    assert re.fullmatch(r"obs_[A-Za-z0-9_-]{40,}", clear), clear
    rows = (
        session.execute(sa.select(ApiToken.__table__).where(ApiToken.user_id == editor.id)).mappings().all()
    )
    assert len(rows) == 1
    row = rows[0]
    assert row["name"] == "qgis"
    assert row["token_hash"] == hashlib.sha256(clear.encode()).hexdigest()
    for column, value in row.items():
        assert clear not in str(value), column
        assert clear[4:] not in str(value), column  # not even without its prefix


def test_token_authenticates_until_revoked(migrated_app):
    # Own database and no app context held open: each request gets its own (as in production), so
    # nothing a request caches in `flask.g` can survive into the next one.
    with migrated_app.app_context():
        town = factories.org(db.session, "torino")
        email = factories.user(db.session, town).email
        camera_id = factories.camera(db.session, town).id
    created = run(migrated_app, f"token create --email {email} --name control-room")
    assert created.exit_code == 0, created.output
    headers = factories.auth(created.stdout.strip())
    client = migrated_app.test_client()

    response = client.get("/api/v1/cameras", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    features = {feature["id"]: feature for feature in response.json["features"]}
    assert features[camera_id]["properties"]["fov"]["type"] == "Polygon"  # full detail, not the public view

    revoked = run(migrated_app, f"token revoke --email {email} --name control-room")
    assert revoked.exit_code == 0, revoked.output
    with migrated_app.app_context():
        assert db.session.scalar(sa.select(ApiToken.revoked_at).where(ApiToken.name == "control-room"))
    refused = client.get("/api/v1/cameras", headers=headers)
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"


def test_token_revoke_unknown_name_fails(app, session):
    editor = factories.user(session, factories.org(session, "torino"))
    factories.token(session, editor, "kept")
    result = run(app, f"token revoke --email {editor.email} --name never-created")
    assert_refused(result, "never-created")
    assert session.scalar(sa.select(ApiToken.revoked_at).where(ApiToken.name == "kept")) is None


def test_token_create_for_unknown_user_fails(app, session):
    before = counts(session)
    result = run(app, "token create --email nobody@nowhere.example --name x")
    assert_refused(result, "nobody@nowhere.example")
    assert counts(session) == before


# --- the audit log ---------------------------------------------------------------------------------


def entries_after(session: sa.orm.Session, start: int) -> list[AuditEntry]:
    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id)))


def last_entry_id(session: sa.orm.Session) -> int:
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))


def test_each_account_command_logs_one_entry_as_the_operating_system_user(app, session):
    factories.org(session, "alfa")
    password = "a long enough secret"
    steps = [
        ("org create --slug torino --name Torino --kind municipality --istat 001272", "organisation.create"),
        ("pact create --name Patto --member alfa --member torino", "pact.create"),
        ("user create --email v@torino.example --org torino --role viewer --auditor", "user.create"),
        ("token create --email v@torino.example --name qgis", "token.create"),
        ("token revoke --email v@torino.example --name qgis", "token.revoke"),
        ("user deactivate --email V@Torino.example", "user.update"),
    ]
    clear = None
    for command, action in steps:
        start = last_entry_id(session)
        result = run(app, command, stdin=password + "\n")
        assert result.exit_code == 0, result.output
        clear = clear or (result.stdout.strip() if action == "token.create" else None)
        entries = entries_after(session, start)
        assert [entry.action for entry in entries] == [action], command
        entry = entries[0]
        assert entry.actor_label.startswith("cli:") and entry.actor_user_id is None
        assert entry.request_id.startswith("cli-")
    created = session.scalar(sa.select(User).where(User.email == "v@torino.example"))
    assert (created.auditor, created.active) == (True, False)
    assert json.loads(entry.details) == {"changes": {"active": [True, False]}}
    for logged in session.scalars(sa.select(AuditEntry)):
        for secret in (password, created.password_hash, clear, clear[4:]):
            assert secret not in logged.details, logged.action


def test_a_refused_command_logs_nothing(app, session):
    factories.org(session, "torino")
    start = last_entry_id(session)
    assert_refused(run(app, "org create --slug torino --name Again --kind municipality"), "already exists")
    assert_refused(run(app, "user deactivate --email nobody@torino.example"), "nobody@torino.example")
    assert entries_after(session, start) == []


# --- demo ----------------------------------------------------------------------------------------

SEED_REPORT = re.compile(r"\+(\d+) organisations, \+(\d+) users, \+(\d+) cameras")
# ETRS89-LAEA (EPSG:3035): metric over Europe, exact enough for half a metre.
TO_METRES = Transformer.from_crs(4326, 3035, always_xy=True)


def seeded(app: Flask) -> tuple[int, int, int]:
    result = run(app, "seed-demo")
    assert result.exit_code == 0, (result.output, result.exception)
    match = SEED_REPORT.search(result.stdout)
    assert match, result.stdout
    return tuple(int(number) for number in match.groups())


def in_metres(geometry):
    return shapely.transform(geometry, TO_METRES.transform, interleaved=False)


def test_seed_demo_is_idempotent_and_fovs_hold_their_cameras(migrated_app):
    from observo.demo.territory import ORGANISATIONS, USERS, demo_cameras
    from observo.demo.territory_owners import OWNERS

    assert seeded(migrated_app) == (len(ORGANISATIONS), len(USERS), len(demo_cameras()))
    with migrated_app.app_context():
        first = counts(db.session)
    assert seeded(migrated_app) == (0, 0, 0)
    with migrated_app.app_context():
        assert counts(db.session) == first
        approved = sum(len(owner["approved"]) for owner in OWNERS)  # the registered owners' cameras
        assert first["cameras"] == len(demo_cameras()) + approved > approved
        assert db.session.scalar(sa.select(Pact.id).where(Pact.slug == "tutta-mia-la-citta")) is not None
        for camera in db.session.scalars(sa.select(Camera)):
            gap = in_metres(to_shape(camera.fov)).distance(in_metres(to_shape(camera.location)))
            assert gap <= 0.5, (camera.owner.slug, camera.ref, gap)


# --- the installed console script ----------------------------------------------------------------


def test_console_script_upgrades_from_another_directory(dialect, tmp_path):
    """`observo db upgrade` finds its migrations from the package, wherever it is run (both databases)."""
    script = Path(sys.executable).parent / "observo"
    url = fresh_database_url(dialect, tmp_path, "cli_console_script")
    instance = tmp_path / "instance"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.fspath(tmp_path),
        "OBSERVO_DATABASE_URL": url,
        "OBSERVO_INSTANCE_PATH": os.fspath(instance),
    }
    done = subprocess.run(
        [os.fspath(script), "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (instance / "secret_key").stat().st_mode & 0o777 == 0o600  # generated into the instance folder
    app = make_app(url, instance)
    try:
        with app.app_context():
            tables = set(sa.inspect(db.engine).get_table_names())
            assert set(db.metadata.tables) <= tables
            assert "alembic_version" in tables
    finally:
        with app.app_context():
            db.engine.dispose()

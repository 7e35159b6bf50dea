"""Issue 15, class 10: the audit log cannot be quietly rewritten by someone with the database alone.

Each attack runs with direct database access and the append-only guard lifted as an intruder would
(SQLite: DROP TRIGGER; PostgreSQL: `session_replication_role = replica` as superuser), knowing the
sealing algorithm (it is open source) but not the key, which never enters the database. Then
`observo audit verify` must exit 1 naming the first bad entry, or the truncation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask
from sqlalchemy.orm import Session

from observo.cli import main
from observo.domain.permissions import SYSTEM
from observo.extensions import db
from observo.models import AuditChainHead, AuditEntry
from observo.models.audit import GENESIS_HASH
from observo.models.base import utcnow
from observo.services import audit, audit_keys
from observo.services.audit_chain import canonical_json, entry_document, plain_hash
from observo.settings import Settings
from observo.spatial.engine import engine_options
from tests.conftest import app_on_own_database, make_app, own_database_name

ENTRIES = 5
GUESSED_KEY = b"observo-audit-key-guessed-by-an-intruder!"


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "audit.keys"
    path.parent.mkdir()
    path.write_text(f"# the audit keys of this test\nfirst {secrets.token_hex(32)}\n")
    return path


@pytest.fixture
def logged_app(
    dialect: str, tmp_path: Path, key_file: Path, request: pytest.FixtureRequest
) -> Iterator[Flask]:
    """An app on its own database whose log holds five entries, each committed (and checkpointed) apart."""
    name = own_database_name("tamper_", request)
    with app_on_own_database(dialect, tmp_path, name, audit_key_file=key_file) as application:
        append(application, ENTRIES)
        yield application


def append(app: Flask, count: int, action: str = "test.action") -> None:
    with app.app_context():
        for n in range(count):
            audit.record(db.session, SYSTEM, action, reason=f"case {n}", details={"n": n})
            db.session.commit()


def verify(app: Flask, *options: str) -> Result:
    return app.test_cli_runner().invoke(main, ["audit", "verify", *options])


def assert_broken(result: Result, entry: int | None, *words: str) -> None:
    assert result.exit_code == 1, result.output
    assert (f"BROKEN at entry {entry}:" if entry else "BROKEN:") in result.stderr, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


# --- the intruder ----------------------------------------------------------------------------------


def behind_the_back(app: Flask, dialect: str, attack: Callable[[Session], None]) -> None:
    """Run `attack` on a connection of its own, with the append-only triggers out of the way."""
    with app.app_context():
        url = db.engine.url
        db.engine.dispose()
    url_text = url.render_as_string(hide_password=False)
    engine = sa.create_engine(url, **engine_options(url_text, 15_000))
    with Session(engine) as session:
        if dialect == "spatialite":
            session.execute(sa.text("DROP TRIGGER audit_entries_no_update"))
            session.execute(sa.text("DROP TRIGGER audit_entries_no_delete"))
        else:
            session.execute(sa.text("SET session_replication_role = replica"))  # triggers off (superuser)
        attack(session)
        session.commit()
    engine.dispose()


def entries(session: Session, first: int = 1) -> list[AuditEntry]:
    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.id >= first).order_by(AuditEntry.id)))


def with_guessed_key(entry: AuditEntry) -> str:
    return hmac.new(GUESSED_KEY, canonical_json(entry_document(entry)).encode(), hashlib.sha256).hexdigest()


def reseal(session: Session, chain: list[AuditEntry], seal: Callable[[AuditEntry], str]) -> None:
    """Relink and reseal `chain` from its first entry's predecessor, then move the head to its end."""
    previous = session.get(AuditEntry, chain[0].id - 1)
    prev_hash = previous.hash if previous else GENESIS_HASH
    for entry in chain:
        entry.prev_hash = prev_hash
        entry.hash = prev_hash = seal(entry)
        session.flush()
    move_head(session, chain[-1].id, prev_hash)


def move_head(session: Session, last_id: int, last_hash: str) -> None:
    stmt = (
        sa.update(AuditChainHead).where(AuditChainHead.id == 1).values(last_id=last_id, last_hash=last_hash)
    )
    session.execute(stmt)


# --- an untouched log ------------------------------------------------------------------------------


def test_an_untouched_log_is_intact_with_its_keys_and_checkpoints(logged_app):
    result = verify(logged_app)
    assert result.exit_code == 0, result.output
    assert f"intact: {ENTRIES} entries ({ENTRIES} sealed by key; {ENTRIES} checkpoints" in result.stdout
    assert f"at entry {ENTRIES})" in result.stdout
    with logged_app.app_context():
        assert {entry.key_id for entry in entries(db.session)} == {"first"}


# --- edit and reseal -------------------------------------------------------------------------------


def _edit_entry_3(session: Session) -> list[AuditEntry]:
    chain = entries(session, 3)
    chain[0].reason = "nothing to see here"
    return chain


@pytest.mark.parametrize(
    ("seal", "problem"),
    [
        (plain_hash, "entry 3 is forged: its hash is a plain SHA-256, not the MAC of key 'first'"),
        (with_guessed_key, "entry 3 was altered or forged: its MAC does not match key 'first'"),
    ],
    ids=["plain-sha256", "guessed-key"],
)
def test_an_edited_entry_resealed_without_the_key_is_named(logged_app, dialect, seal, problem):
    behind_the_back(logged_app, dialect, lambda session: reseal(session, _edit_entry_3(session), seal))
    assert_broken(verify(logged_app), 3, problem)


def test_an_edited_entry_resealed_under_a_key_id_of_its_own_is_named(logged_app, dialect):
    def attack(session: Session) -> None:
        chain = _edit_entry_3(session)
        for entry in chain:
            entry.key_id = "intruder"
        reseal(session, chain, with_guessed_key)

    behind_the_back(logged_app, dialect, attack)
    assert_broken(verify(logged_app), 3, "entry 3 names an unknown key id 'intruder'")


def test_entries_downgraded_to_no_key_are_named(logged_app, dialect):
    def attack(session: Session) -> None:
        chain = _edit_entry_3(session)
        for entry in chain:
            entry.key_id = None  # as if written before keys existed: a plain SHA-256 would do
        reseal(session, chain, plain_hash)

    behind_the_back(logged_app, dialect, attack)
    assert_broken(verify(logged_app), 3, "entry 3 has no key after keyed entries: a downgrade")


def test_an_unkeyed_entry_appended_after_keyed_ones_is_named(logged_app, dialect):
    def attack(session: Session) -> None:
        head = session.get(AuditEntry, ENTRIES)
        forged = AuditEntry(
            id=ENTRIES + 1, at=utcnow(), action="auth.login", actor_label="someone", details="{}"
        )
        forged.prev_hash = head.hash
        forged.hash = plain_hash(forged)
        session.add(forged)
        session.flush()
        move_head(session, forged.id, forged.hash)

    behind_the_back(logged_app, dialect, attack)
    assert_broken(verify(logged_app), ENTRIES + 1, "a downgrade")


def test_the_whole_log_rewritten_without_keys_is_caught_by_the_checkpoints(logged_app, dialect):
    def attack(session: Session) -> None:
        chain = entries(session)
        chain[0].actor_label = "someone else"
        for entry in chain:
            entry.key_id = None
        reseal(session, chain, plain_hash)  # a chain without keys, consistent from the genesis

    behind_the_back(logged_app, dialect, attack)
    assert_broken(verify(logged_app), 1, "entry 1 was rewritten: the checkpoint of", "records another hash")


# --- delete and renumber ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seal", "problem"),
    [
        (None, "entry 3 does not follow entry 2"),
        (plain_hash, "entry 3 is forged"),
        (with_guessed_key, "entry 3 was altered or forged"),
    ],
    ids=["renumbered", "renumbered-plain-sha256", "renumbered-guessed-key"],
)
def test_a_deleted_entry_with_the_later_ones_renumbered_is_named(logged_app, dialect, seal, problem):
    def attack(session: Session) -> None:
        session.execute(sa.text("DELETE FROM audit_entries WHERE id = 3"))
        for old_id in range(4, ENTRIES + 1):
            session.execute(
                sa.text("UPDATE audit_entries SET id = :new WHERE id = :old"),
                {"new": old_id - 1, "old": old_id},
            )
        session.expire_all()
        chain = entries(session, 3)
        if seal is None:
            move_head(session, chain[-1].id, chain[-1].hash)
        else:
            reseal(session, chain, seal)

    behind_the_back(logged_app, dialect, attack)
    assert_broken(verify(logged_app), 3, problem)


# --- truncate ---------------------------------------------------------------------------------------


def test_entries_cut_off_the_end_with_the_head_moved_back_are_named(logged_app, dialect):
    def attack(session: Session) -> None:
        session.execute(sa.text("DELETE FROM audit_entries WHERE id > 3"))
        move_head(session, 3, session.get(AuditEntry, 3).hash)

    behind_the_back(logged_app, dialect, attack)
    with logged_app.app_context():
        assert audit.verify(db.session, checkpoint_dirs=[]).intact  # the database alone cannot tell
    assert_broken(
        verify(logged_app), 4, "the log ends at entry 3, but a checkpoint of", f"records entry {ENTRIES}"
    )


def test_checkpoints_shipped_elsewhere_are_read_with_the_checkpoints_option(logged_app, dialect, tmp_path):
    """Another server's checkpoints, shipped through syslog (a header before each line), moved away
    from the checkpoint folder: `--checkpoints` reads them."""
    folder = Path(logged_app.instance_path) / "audit-checkpoints"
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    for path in folder.glob("*.log"):
        lines = [f"Dec  5 10:00:00 web-2 observo[412]: {line}" for line in path.read_text().splitlines(True)]
        (shipped / f"web-2-{path.name}").write_text(
            "Dec  5 09:59:59 web-2 cron[1]: unrelated\n" + "".join(lines)
        )
        path.unlink()

    def attack(session: Session) -> None:
        session.execute(sa.text("DELETE FROM audit_entries WHERE id > 3"))
        move_head(session, 3, session.get(AuditEntry, 3).hash)

    behind_the_back(logged_app, dialect, attack)
    unaware = verify(logged_app)
    assert unaware.exit_code == 0 and "no checkpoint found" in unaware.stderr
    assert_broken(verify(logged_app, "--checkpoints", str(shipped)), 4, f"records entry {ENTRIES}")


def test_a_forged_checkpoint_is_named(logged_app):
    folder = Path(logged_app.instance_path) / "audit-checkpoints"
    path = next(folder.glob("*.log"))
    forged = path.read_text().splitlines()[-1].replace('"id":5', '"id":99')
    with path.open("a") as stream:
        stream.write(forged + "\n")
    assert_broken(
        verify(logged_app), None, f"checkpoint {path}:{ENTRIES + 1} does not authenticate", "forged"
    )


# --- keys: rotation, loss, entries from before keys ------------------------------------------------


def test_an_intact_log_verifies_after_a_key_rotation(logged_app, key_file, tmp_path):
    rotated = logged_app.test_cli_runner().invoke(main, ["audit", "rotate-key"])
    assert rotated.exit_code == 0, rotated.output
    new_id = rotated.stdout.split()[3]
    assert key_file.read_text().splitlines()[-1].startswith(f"{new_id} ")
    settings = logged_app.config["OBSERVO_SETTINGS"]
    restarted = make_app(settings.database_url, tmp_path, audit_key_file=key_file)  # signs with the new key
    try:
        append(restarted, 2)
        result = verify(restarted)
        assert result.exit_code == 0, result.output
        assert f"intact: {ENTRIES + 2} entries ({ENTRIES + 2} sealed by key" in result.stdout
        with restarted.app_context():
            assert [entry.key_id for entry in entries(db.session)] == ["first"] * ENTRIES + [new_id] * 2
        # Dropping the old key from the file leaves its entries unverifiable: they are named.
        key_file.write_text("\n".join(key_file.read_text().splitlines()[-1:]) + "\n")
        forgetful = make_app(settings.database_url, tmp_path / "forgetful", audit_key_file=key_file)
        assert_broken(verify(forgetful), 1, "unknown key id 'first'", str(key_file))
        with forgetful.app_context():
            db.engine.dispose()
    finally:
        with restarted.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("tamper", [None, "legacy edited", "legacy edited and keyed link moved"])
def test_entries_from_before_keys_stay_verifiable_and_the_first_keyed_one_seals_them(
    dialect, tmp_path, key_file, request, tamper
):
    name = own_database_name("legacy_", request)
    with app_on_own_database(dialect, tmp_path, name, audit_key_file=key_file) as app:
        with app.app_context():  # two entries chained as before keys existed (plain SHA-256, no key id)
            prev_hash = GENESIS_HASH
            for number in (1, 2):
                entry = AuditEntry(
                    id=number, at=utcnow(), action="legacy", actor_label="system", details="{}"
                )
                entry.prev_hash = prev_hash
                entry.hash = prev_hash = plain_hash(entry)
                db.session.add(entry)
                db.session.flush()
            move_head(db.session, 2, prev_hash)
            db.session.commit()
        append(app, 2)
        with app.app_context():
            first_keyed = db.session.get(AuditEntry, 3)
            assert (first_keyed.key_id, first_keyed.prev_hash) == ("first", prev_hash)
        if tamper is None:
            result = verify(app)
            assert result.exit_code == 0, result.output
            assert "intact: 4 entries (2 sealed by key; 2 from before keys;" in result.stdout
            return

        def attack(session: Session) -> None:
            legacy = entries(session)[:2]
            legacy[0].actor_label = "someone else"
            reseal(session, legacy, plain_hash)
            if tamper.endswith("moved"):
                keyed = entries(session, 3)
                keyed[0].prev_hash = legacy[-1].hash
                session.flush()
            move_head(session, 4, session.get(AuditEntry, 4).hash)

        behind_the_back(app, dialect, attack)
        problem = "entry 3 was altered or forged" if tamper.endswith("moved") else "entry 3 does not follow"
        assert_broken(verify(app), 3, problem)


# --- the key setting itself ------------------------------------------------------------------------


def test_a_generated_key_is_kept_owner_only_and_reused(tmp_path):
    settings = Settings(instance_path=tmp_path)
    first = audit_keys.load_keyring(settings)
    path = tmp_path / "audit_key"
    assert path.stat().st_mode & 0o077 == 0
    assert audit_keys.load_keyring(settings).keys == first.keys
    assert len(first.keys[first.signing_id]) == 32


def test_keys_from_the_setting_rotate_by_appending_and_the_last_one_signs():
    old, new = secrets.token_hex(32), secrets.token_hex(32)
    keyring = audit_keys.load_keyring(Settings(audit_key=f"{old}; 2027 {new}"))
    assert list(keyring.keys) == [audit_keys.derived_id(bytes.fromhex(old)), "2027"]
    assert keyring.signing_id == "2027"
    assert old not in keyring.signing_id  # a derived id is a fingerprint, not the key


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("deadbeef", "at least 32 bytes"),
        ("2026 not-hex-at-all", "not hexadecimal"),
        (f"a {'ab' * 32}; a {'cd' * 32}", "listed twice"),
        (f"bad/id {'ab' * 32}", "a key id is"),
        ("# only a comment", "holds no key"),
    ],
)
def test_an_unusable_key_stops_the_start_without_showing_the_key(tmp_path, setting, message):
    with pytest.raises(audit_keys.AuditKeyError, match=message) as refused:
        make_app(f"sqlite:///{tmp_path}/observo.sqlite", tmp_path, audit_key=setting)
    assert "ab" * 32 not in str(refused.value)


def test_the_key_setting_and_the_key_file_are_not_mixed(tmp_path, key_file):
    with pytest.raises(audit_keys.AuditKeyError, match="not both"):
        audit_keys.load_keyring(Settings(audit_key="ab" * 32, audit_key_file=key_file))
    with pytest.raises(audit_keys.AuditKeyError, match="cannot read"):
        audit_keys.load_keyring(Settings(audit_key_file=tmp_path / "missing.keys"))

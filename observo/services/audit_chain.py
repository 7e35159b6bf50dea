"""Appending to the audit chain: entries wait on their session and are chained right before COMMIT.

`audit.record` only queues an entry on the session. When the session commits, a `before_commit` hook
flushes the unit of work's own changes, then takes the chain's head (one UPDATE ... RETURNING, which
locks the single head row on PostgreSQL), numbers and seals the queued entries, inserts them and
moves the head; COMMIT follows at once. So an entry still lands or vanishes with the change it logs,
and no transaction holds the head longer than its own INSERTs, however long it worked before.
Entries queued inside a savepoint that is rolled back are dropped with it.

Each entry's `hash` is the HMAC-SHA-256, under the signing key (audit_keys), of its canonical document,
which includes `prev_hash` and `key_id`. Entries chained before keys existed (`key_id` NULL) keep their
plain SHA-256 of a document without `key_id`. After each commit that appended entries, a signed
checkpoint of the new head is written outside the database (audit_checkpoints).
See docs/security.md, "The audit log".
"""

from __future__ import annotations

import hashlib
import json
import logging
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, SessionTransaction, scoped_session

from observo.models import AuditChainHead, AuditEntry
from observo.services import audit_checkpoints
from observo.services.audit_keys import Keyring, load_keyring
from observo.settings import Settings

if TYPE_CHECKING:  # the app is handed in by create_app: this layer never imports Flask
    from flask import Flask

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_PENDING = "observo_audit_pending"  # session.info: [(transaction it was queued in, entry)]
_APPENDED = "observo_audit_appended"  # session.info: (setup, last id, last hash) for the checkpoint
_EXTENSION = "observo_audit"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuditSetup:
    """What appending needs besides the database: the keys and where checkpoints go."""

    keyring: Keyring
    checkpoint_dir: Path


# Sessions find the setup through their engine: test sessions and CLI sessions have no app context
# of their own at commit time, but always a connection.
_BY_ENGINE: weakref.WeakKeyDictionary[sa.Engine, AuditSetup] = weakref.WeakKeyDictionary()


def install(app: Flask, engine: sa.Engine) -> AuditSetup:
    """Load the keys (a bad key file fails here, at start) and bind them to the app's engine."""
    settings: Settings = app.config["OBSERVO_SETTINGS"]
    setup = AuditSetup(load_keyring(settings), audit_checkpoints.directory(settings))
    app.extensions[_EXTENSION] = setup
    _BY_ENGINE[engine] = setup
    return setup


def _actual(session: Session | scoped_session[Session]) -> Session:
    return session() if isinstance(session, scoped_session) else session


def setup_for(session: Session) -> AuditSetup:
    engine = _actual(session).connection().engine
    try:
        return _BY_ENGINE[engine]
    except KeyError:
        raise RuntimeError("this database has no audit key bound: build the app with create_app()") from None


# --- the entry's document and seal -----------------------------------------------------------------


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def entry_document(entry: AuditEntry) -> dict[str, Any]:
    """The entry's fields as the chain seals them (everything but the hash itself)."""
    document = {
        "id": entry.id,
        "at": entry.at.strftime(TIME_FORMAT),
        "action": entry.action,
        "actor_user_id": entry.actor_user_id,
        "actor_label": entry.actor_label,
        "organisation_id": entry.organisation_id,
        "subject_organisation_id": entry.subject_organisation_id,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "reason": entry.reason,
        "geometry_hash": entry.geometry_hash,
        "result_count": entry.result_count,
        "request_id": entry.request_id,
        "source_ip": entry.source_ip,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }
    if entry.key_id is not None:  # entries from before keys hash a document without it
        document["key_id"] = entry.key_id
    return document


def plain_hash(entry: AuditEntry) -> str:
    """SHA-256 of the document: the seal of entries chained before keys existed."""
    return hashlib.sha256(canonical_json(entry_document(entry)).encode()).hexdigest()


def keyed_hash(entry: AuditEntry, keyring: Keyring) -> str:
    """HMAC-SHA-256 of the document under the key the entry names."""
    assert entry.key_id is not None
    return keyring.mac(entry.key_id, canonical_json(entry_document(entry)))


# --- queueing and appending ------------------------------------------------------------------------


def queue(session: Session, entry: AuditEntry) -> None:
    """Hold `entry` until the session commits (dropped if its transaction or savepoint rolls back)."""
    session = _actual(session)
    transaction = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_PENDING, []).append((transaction, entry))


def pending(session: Session) -> list[AuditEntry]:
    return [entry for _transaction, entry in _actual(session).info.get(_PENDING, ())]


def _append_queued(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint is being released: its entries wait for the real commit
    queued = session.info.get(_PENDING)
    if not queued:
        return
    session.flush()  # the unit of work's own changes first: the head is held only for our INSERTs
    entries = [entry for _transaction, entry in queued]
    queued.clear()
    setup = setup_for(session)
    last_id, last_hash = append(session, entries, setup.keyring)
    session.info[_APPENDED] = (setup, last_id, last_hash)


def append(session: Session, entries: list[AuditEntry], keyring: Keyring) -> tuple[int, str]:
    """Number, chain and seal `entries` after the head, insert them, move the head; the new head.

    The first UPDATE takes the head: appenders queue there, never fork the chain. Core statements,
    not the unit of work: every accountable query appends, and the ORM's bookkeeping cost more than
    the three statements themselves (docs/performance.md, "Round trips"). The entries stay plain
    objects, their id and hash set.
    """
    claim = (
        sa.update(_HEAD)
        .where(_HEAD.c.id == 1)
        .values(last_id=_HEAD.c.last_id + len(entries))
        .returning(_HEAD.c.last_id, _HEAD.c.last_hash)
    )
    last_id, prev_hash = session.execute(claim).one()
    for number, entry in enumerate(entries, start=last_id - len(entries) + 1):
        entry.id, entry.prev_hash, entry.key_id = number, prev_hash, keyring.signing_id
        entry.hash = prev_hash = keyed_hash(entry, keyring)
    session.execute(sa.insert(_ENTRIES), [_row(entry) for entry in entries])
    session.execute(sa.update(_HEAD).where(_HEAD.c.id == 1).values(last_hash=prev_hash))
    return last_id, prev_hash


_HEAD = AuditChainHead.__table__
_ENTRIES = AuditEntry.__table__


def _row(entry: AuditEntry) -> dict[str, Any]:
    return {column.key: getattr(entry, column.key) for column in _ENTRIES.columns}


def _write_checkpoint(session: Session) -> None:
    appended = session.info.pop(_APPENDED, None)
    if appended is None:
        return
    setup, last_id, last_hash = appended
    try:
        audit_checkpoints.write(setup.checkpoint_dir, setup.keyring, last_id, last_hash)
    except OSError:
        # Committed already: the entries stand. A missing checkpoint only weakens the truncation check.
        logger.exception("cannot write the audit checkpoint of entry %s in %s", last_id, setup.checkpoint_dir)


def _drop_rolled_back(session: Session, rolled_back: SessionTransaction) -> None:
    queued = session.info.get(_PENDING)
    if queued:
        queued[:] = [(tx, entry) for tx, entry in queued if not _within(tx, rolled_back)]


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the session's transaction is over: committed, or abandoned
        session.info.pop(_PENDING, None)
        session.info.pop(_APPENDED, None)


sa.event.listen(Session, "before_commit", _append_queued)
sa.event.listen(Session, "after_commit", _write_checkpoint)
sa.event.listen(Session, "after_soft_rollback", _drop_rolled_back)
sa.event.listen(Session, "after_transaction_end", _forget)

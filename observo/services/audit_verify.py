"""`observo audit verify`: check the chain without trusting the database.

From the first entry on, each entry must
1. carry the next id (else "missing"),
2. name the previous entry's hash (else "does not follow": out of order, or a link was rewritten),
3. be sealed: by the MAC of a known key (else "unknown key id", or "altered or forged"); an entry
   without a key only before the first keyed one (else "a downgrade"), with its plain SHA-256;
4. have the hash every checkpoint of its id records (else "rewritten").
Then the log must not end before the latest checkpoint ("truncated"), the database's own head must
agree, and every checkpoint line must authenticate. Someone with the database but not the key cannot
reseal a changed entry; someone who also moves the head back is caught by the checkpoints written
outside the database. See docs/security.md, "What the audit log proves".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.models import AuditChainHead, AuditEntry
from observo.models.audit import GENESIS_HASH
from observo.services import audit_checkpoints
from observo.services.audit_chain import keyed_hash, plain_hash
from observo.services.audit_checkpoints import Checkpoint
from observo.services.audit_keys import Keyring


@dataclass(frozen=True)
class ChainReport:
    entries: int  # entries that check out, from the first
    broken_at: int | None = None
    problem: str | None = None
    keyed: int = 0
    checkpoints: int = 0
    latest: Checkpoint | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


@dataclass
class _Walk:
    expected_id: int = 1
    prev_hash: str = GENESIS_HASH
    count: int = 0
    keyed: int = 0


def verify(session: Session, keyring: Keyring, checkpoint_dirs: Sequence[Path]) -> ChainReport:
    """Walk the chain from the first entry; report the first thing that does not check out."""
    scan = audit_checkpoints.scan(checkpoint_dirs, keyring)
    recorded, latest = scan.by_id(), scan.latest()
    walk = _Walk()

    def report(broken_at: int | None = None, problem: str | None = None) -> ChainReport:
        return ChainReport(walk.count, broken_at, problem, walk.keyed, len(scan.checkpoints), latest)

    stmt = sa.select(AuditEntry).order_by(AuditEntry.id).execution_options(yield_per=1000)
    for entry in session.scalars(stmt):
        problem = (
            _link_problem(entry, walk.expected_id, walk.prev_hash)
            or _seal_problem(entry, keyring, walk.keyed > 0)
            or _checkpoint_problem(entry, recorded.get(entry.id, ()))
        )
        if problem:
            return report(min(entry.id, walk.expected_id), problem)
        walk.expected_id, walk.prev_hash, walk.count = entry.id + 1, entry.hash, walk.count + 1
        walk.keyed += entry.key_id is not None
        session.expunge(entry)
    if latest is not None and latest.entry_id > walk.count:
        return report(
            walk.count + 1,
            f"the log ends at entry {walk.count}, but a checkpoint of {latest.moment} records entry "
            f"{latest.entry_id} ({latest.where}): entries were cut off",
        )
    head = session.get(AuditChainHead, 1, populate_existing=True)
    if head is None or head.last_id != walk.count or head.last_hash != walk.prev_hash:
        recorded_head = head.last_id if head else "nothing"
        return report(
            walk.count + 1, f"the log ends at entry {walk.count} but its head records {recorded_head}"
        )
    if scan.forged:
        return report(None, f"checkpoint {scan.forged[0]} does not authenticate under any known key: forged")
    return report()


def _link_problem(entry: AuditEntry, expected_id: int, prev_hash: str) -> str | None:
    if entry.id != expected_id:
        return f"entry {expected_id} is missing"
    if entry.prev_hash != prev_hash:
        return f"entry {entry.id} does not follow entry {entry.id - 1} (out of order, or its link rewritten)"
    return None


def _seal_problem(entry: AuditEntry, keyring: Keyring, after_keyed: bool) -> str | None:
    if entry.key_id is None:
        if after_keyed:
            return f"entry {entry.id} has no key after keyed entries: a downgrade, so a forgery"
        if plain_hash(entry) != entry.hash:
            return f"entry {entry.id} was altered: its content does not match its hash"
        return None
    if not keyring.knows(entry.key_id):
        return (
            f"entry {entry.id} names an unknown key id {entry.key_id!r}: forged, or a key missing from "
            f"{keyring.source}"
        )
    if keyed_hash(entry, keyring) == entry.hash:
        return None
    if plain_hash(entry) == entry.hash:
        return f"entry {entry.id} is forged: its hash is a plain SHA-256, not the MAC of key {entry.key_id!r}"
    return f"entry {entry.id} was altered or forged: its MAC does not match key {entry.key_id!r}"


def _checkpoint_problem(entry: AuditEntry, checkpoints: Sequence[Checkpoint]) -> str | None:
    for checkpoint in checkpoints:
        if checkpoint.entry_hash != entry.hash:
            return (
                f"entry {entry.id} was rewritten: the checkpoint of {checkpoint.moment} "
                f"({checkpoint.where}) records another hash"
            )
    return None

"""Signed checkpoints of the audit chain's head, written outside the database.

After every commit that appended entries, the committing process appends one line to
`<checkpoint dir>/<yyyy-mm-dd>-<host>.log` (O_APPEND, one write() of about 250 bytes: atomic between
the processes and threads of a host):

    {"observo_checkpoint":1,"at":"2026-12-05T10:00:00.123456Z","id":42,"hash":"…","key_id":"…","mac":"…"}

`mac` is the HMAC of the other fields under the signing key, so a line cannot be forged without the key.
`observo audit verify` reads every `*.log` file of the folders it is given; a line may carry a prefix
(a syslog header, when the lines were shipped through syslog) and lines without `observo_checkpoint`
are skipped. See docs/security.md, "Checkpoints".
"""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from observo.models.base import utcnow
from observo.services.audit_keys import Keyring
from observo.settings import Settings

MARKER = "observo_checkpoint"
VERSION = 1
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_FIELDS = ("at", "id", "hash", "key_id", "mac")


def directory(settings: Settings) -> Path:
    """OBSERVO_AUDIT_CHECKPOINT_DIR, else <instance>/audit-checkpoints."""
    return settings.audit_checkpoint_dir or Path(settings.instance_path) / "audit-checkpoints"


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "_", socket.gethostname()) or "host"


def signed_text(at: str, entry_id: int, entry_hash: str, key_id: str) -> str:
    return json.dumps(
        {MARKER: VERSION, "at": at, "id": entry_id, "hash": entry_hash, "key_id": key_id},
        sort_keys=True,
        separators=(",", ":"),
    )


def line(keyring: Keyring, entry_id: int, entry_hash: str, at: datetime) -> bytes:
    moment = at.strftime(TIME_FORMAT)
    key_id = keyring.signing_id
    mac = keyring.mac(key_id, signed_text(moment, entry_id, entry_hash, key_id))
    record = {MARKER: VERSION, "at": moment, "id": entry_id, "hash": entry_hash, "key_id": key_id, "mac": mac}
    return (json.dumps(record, separators=(",", ":")) + "\n").encode()


def write(folder: Path, keyring: Keyring, entry_id: int, entry_hash: str) -> Path:
    """Append the checkpoint of head (entry_id, entry_hash); the file written."""
    now = utcnow()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{now:%Y-%m-%d}-{_host()}.log"
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line(keyring, entry_id, entry_hash, now))  # one write: never interleaved
    finally:
        os.close(descriptor)
    return path


@dataclass(frozen=True)
class Checkpoint:
    at: datetime
    entry_id: int
    entry_hash: str
    where: str  # file:line, for messages

    @property
    def moment(self) -> str:
        return self.at.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Scan:
    """What the checkpoint folders hold: authentic checkpoints, and the lines that are not."""

    checkpoints: list[Checkpoint] = field(default_factory=list)
    forged: list[str] = field(default_factory=list)
    files: int = 0

    def by_id(self) -> dict[int, list[Checkpoint]]:
        found: dict[int, list[Checkpoint]] = {}
        for checkpoint in self.checkpoints:
            found.setdefault(checkpoint.entry_id, []).append(checkpoint)
        return found

    def latest(self) -> Checkpoint | None:
        return max(self.checkpoints, key=lambda c: (c.entry_id, c.at), default=None)


def scan(folders: Iterable[Path], keyring: Keyring) -> Scan:
    """Read every checkpoint file of `folders` (missing folders hold none)."""
    found = Scan()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.log")):
            found.files += 1
            for where, text in _lines(path):
                checkpoint = parse(text, where, keyring)
                if checkpoint is None:
                    found.forged.append(where)
                else:
                    found.checkpoints.append(checkpoint)
    return found


def _lines(path: Path) -> Iterator[tuple[str, str]]:
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, text in enumerate(lines, start=1):
            # A last line without its newline was cut by a crash mid-write: it proves nothing.
            if MARKER in text and text.endswith("\n"):
                yield f"{path}:{number}", text


def parse(text: str, where: str, keyring: Keyring) -> Checkpoint | None:
    """The checkpoint a line holds when its MAC checks out under a known key, else None."""
    try:
        record = json.loads(text[text.index("{") :])
        values = [record[name] for name in _FIELDS]
        at, entry_id, entry_hash, key_id, mac = values
        if record.get(MARKER) != VERSION or not isinstance(entry_id, int):
            return None
        if not all(isinstance(value, str) for value in (at, entry_hash, key_id, mac)):
            return None
        moment = datetime.strptime(at, TIME_FORMAT).replace(tzinfo=UTC)
    except (ValueError, KeyError, TypeError):
        return None
    if not keyring.checks(key_id, signed_text(at, entry_id, entry_hash, key_id), mac):
        return None
    return Checkpoint(moment, entry_id, entry_hash, where)

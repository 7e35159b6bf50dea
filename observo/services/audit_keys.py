"""The keys that authenticate audit entries and checkpoints (HMAC-SHA-256), never stored in the database.

Where they come from (one source; docs/security.md, "The audit key"):
- `OBSERVO_AUDIT_KEY`: one or more keys separated by `;`;
- `OBSERVO_AUDIT_KEY_FILE`: a file, one key a line (`#` comments and blank lines ignored);
- neither: `<instance>/audit_key`, generated once (mode 0600), as the secret key is.

A key is `<key-id> <hex>` (at least 32 bytes), or a bare `<hex>` whose id is derived from it. Every key
verifies; the LAST one signs new entries. Rotation appends a key: entries keep naming the key that
signed them (`audit_entries.key_id`), so the old keys must stay listed for `observo audit verify`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from observo.models.base import utcnow
from observo.settings import Settings

MIN_KEY_BYTES = 32
KEY_ID = re.compile(r"[A-Za-z0-9._-]{1,32}")
GENERATED_FILE = "audit_key"
HOW_TO_MAKE_ONE = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


class AuditKeyError(ValueError):
    """The audit key setting or file cannot be used (the message never holds key material)."""


@dataclass(frozen=True)
class Keyring:
    """Key id -> key, in the order given; the last one signs."""

    keys: Mapping[str, bytes]
    source: str

    @property
    def signing_id(self) -> str:
        return next(reversed(self.keys))

    def knows(self, key_id: str | None) -> bool:
        return key_id is not None and key_id in self.keys

    def mac(self, key_id: str, text: str) -> str:
        """HMAC-SHA-256 of `text` under key `key_id`, in hex."""
        return hmac.new(self.keys[key_id], text.encode(), hashlib.sha256).hexdigest()

    def checks(self, key_id: str, text: str, mac: str) -> bool:
        return self.knows(key_id) and hmac.compare_digest(self.mac(key_id, text), mac)


def derived_id(key: bytes) -> str:
    """The id of a key given without one: a fingerprint that says nothing usable about the key."""
    return "k" + hashlib.sha256(b"observo audit key id\0" + key).hexdigest()[:12]


def parse_keys(text: str, source: str) -> Keyring:
    """Keys from a file's or a setting's text (one per line, or separated by `;`)."""
    keys: dict[str, bytes] = {}
    for number, raw in enumerate(re.split(r"[;\n]", text), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key_id, key = _one_key(line, f"{source}, key {number}")
        if key_id in keys:
            raise AuditKeyError(f"{source}: key id {key_id!r} is listed twice")
        keys[key_id] = key
    if not keys:
        raise AuditKeyError(f"{source} holds no key; make one with: {HOW_TO_MAKE_ONE}")
    return Keyring(keys, source)


def _one_key(line: str, where: str) -> tuple[str, bytes]:
    parts = line.split()
    if len(parts) > 2:
        raise AuditKeyError(f"{where}: expected '<key-id> <hex>' or '<hex>'")
    try:
        key = bytes.fromhex(parts[-1])
    except ValueError:
        raise AuditKeyError(f"{where}: the key is not hexadecimal") from None
    if len(key) < MIN_KEY_BYTES:
        raise AuditKeyError(
            f"{where}: a key needs at least {MIN_KEY_BYTES} bytes; make one with: {HOW_TO_MAKE_ONE}"
        )
    key_id = parts[0] if len(parts) == 2 else derived_id(key)
    if not KEY_ID.fullmatch(key_id):
        raise AuditKeyError(f"{where}: a key id is 1 to 32 of A-Z a-z 0-9 . _ -")
    return key_id, key


def key_file(settings: Settings) -> Path | None:
    """The file keys are read from (None when they come from OBSERVO_AUDIT_KEY)."""
    if settings.audit_key:
        return None
    return settings.audit_key_file or Path(settings.instance_path) / GENERATED_FILE


def load_keyring(settings: Settings) -> Keyring:
    """The configured keys; with no setting, the instance folder's key, generated on first use."""
    if settings.audit_key and settings.audit_key_file:
        raise AuditKeyError("set OBSERVO_AUDIT_KEY or OBSERVO_AUDIT_KEY_FILE, not both")
    if settings.audit_key:
        return parse_keys(settings.audit_key, "OBSERVO_AUDIT_KEY")
    path = key_file(settings)
    assert path is not None
    if settings.audit_key_file is None:
        _create_once(path, new_key_line())
    try:
        text = path.read_text()
    except OSError as exc:
        raise AuditKeyError(f"cannot read the audit key file {path}: {exc.strerror or exc}") from None
    return parse_keys(text, str(path))


def new_key_line() -> str:
    """A fresh key with an id that sorts by date: `<yyyymmdd>-<random> <64 hex digits>`."""
    return f"{utcnow():%Y%m%d}-{secrets.token_hex(3)} {secrets.token_hex(MIN_KEY_BYTES)}\n"


def rotate(settings: Settings) -> str:
    """Append a new signing key to the key file; its id. Running servers sign with it once restarted."""
    path = key_file(settings)
    if path is None:
        raise AuditKeyError(
            "the keys come from OBSERVO_AUDIT_KEY: append '; <key-id> <hex>' to it (keep the old keys)"
        )
    keyring = load_keyring(settings)  # the file must be sound before it grows
    line = new_key_line()
    while line.split()[0] in keyring.keys:  # pragma: no cover - a same-day id collision
        line = new_key_line()
    text = path.read_text()
    _append(path, ("" if not text or text.endswith("\n") else "\n") + line)
    return line.split()[0]


def _append(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(descriptor, text.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _create_once(path: Path, text: str) -> None:
    """Write `path` whole, readable by its owner only, unless it exists (several workers may race)."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, text.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    try:
        os.link(temporary, path)  # atomic, and refuses to replace a key another worker wrote first
    except FileExistsError:
        pass
    finally:
        temporary.unlink()

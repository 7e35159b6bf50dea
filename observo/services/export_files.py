"""Finished export files: written once, read by GIS clients as often as they like, gone after a TTL.

GDAL's network file system (`/vsicurl/`, what QGIS opens an HTTP source with) sizes a file with HEAD
and reads it in byte ranges, several times per open; an export streamed without a length cannot be
opened, and re-running an audited export per read would log every read. So `POST /api/v1/exports`
runs the export once (audited once) into a file here and answers its URL; the file endpoint serves
the finished bytes (docs/exports-for-gis.md).

Layout: `<instance>/export-files/<id>.data` (the bytes) and `<id>.json` (what serving them needs: media
type, size, digest, expiry, owner, attribution headers). Both are written under temporary names and
renamed, the metadata last, so any gunicorn worker sees a file finished or not at all. The id is 32
URL-safe random characters (192 bits): the URL is a capability, unguessable, and the only way in.
Expired files are removed lazily (every save, every read of an expired id) and by
`observo purge-exports`; nothing survives its TTL longer than the next of those.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

FOLDER_NAME = "export-files"
_ID = re.compile(r"[A-Za-z0-9_-]{32}")
_ENCODING = "utf-8"


@dataclass(frozen=True)
class ExportFile:
    file_id: str
    extension: str
    media_type: str
    size: int
    sha256: str
    expires_at: float  # seconds since the epoch
    owner_user_id: int | None  # None: made by an anonymous caller (public data)
    headers: Mapping[str, str] = field(default_factory=dict)  # the attribution's Link and X-Attribution
    path: Path = Path()

    @property
    def name(self) -> str:
        """The last segment of its URL: `<id>.<extension>`."""
        return f"{self.file_id}.{self.extension}"


def folder_of(instance_path: Path) -> Path:
    return Path(instance_path) / FOLDER_NAME


def save(
    folder: Path,
    chunks: Iterable[str],
    *,
    extension: str,
    media_type: str,
    owner_user_id: int | None,
    headers: Mapping[str, str],
    ttl_s: int,
    now: float | None = None,
) -> ExportFile:
    """Write `chunks` (an export writer's output) to a new file that expires `ttl_s` from `now`."""
    moment = time.time() if now is None else now
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    purge_expired(folder, moment)
    file_id = secrets.token_urlsafe(24)  # 24 bytes -> 32 characters of [A-Za-z0-9_-]
    data_path = folder / f"{file_id}.data"
    partial = folder / f".{file_id}.partial"
    digest = hashlib.sha256()
    size = 0
    try:
        with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            for chunk in chunks:
                data = chunk.encode(_ENCODING)
                digest.update(data)
                size += len(data)
                out.write(data)
        os.replace(partial, data_path)
    finally:
        partial.unlink(missing_ok=True)
    made = ExportFile(
        file_id,
        extension,
        media_type,
        size,
        digest.hexdigest(),
        moment + ttl_s,
        owner_user_id,
        dict(headers),
        data_path,
    )
    _write_metadata(folder, made)
    return made


def _write_metadata(folder: Path, made: ExportFile) -> None:
    meta = {
        "extension": made.extension,
        "media_type": made.media_type,
        "size": made.size,
        "sha256": made.sha256,
        "expires_at": made.expires_at,
        "owner_user_id": made.owner_user_id,
        "headers": dict(made.headers),
    }
    partial = folder / f".{made.file_id}.json.partial"
    with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding=_ENCODING) as out:
        json.dump(meta, out)
    os.replace(partial, folder / f"{made.file_id}.json")  # last: the file now exists for every worker


def find(folder: Path, name: str, now: float | None = None) -> ExportFile | None:
    """The unexpired file named `<id>.<extension>`; None when unknown, malformed or expired (an
    expired one is removed on the way)."""
    file_id, _dot, extension = name.partition(".")
    if not _ID.fullmatch(file_id):
        return None  # never a path built from anything but an id's own characters
    meta_path = folder / f"{file_id}.json"
    try:
        meta = json.loads(meta_path.read_text(encoding=_ENCODING))
    except (OSError, ValueError):
        return None
    if meta["extension"] != extension:
        return None
    if (time.time() if now is None else now) >= meta["expires_at"]:
        _remove(folder, file_id)
        return None
    return ExportFile(
        file_id,
        meta["extension"],
        meta["media_type"],
        meta["size"],
        meta["sha256"],
        meta["expires_at"],
        meta["owner_user_id"],
        meta["headers"],
        folder / f"{file_id}.data",
    )


def purge_expired(folder: Path, now: float | None = None) -> int:
    """Remove every expired file (and any leftover of a write that never finished); how many."""
    moment = time.time() if now is None else now
    if not folder.is_dir():
        return 0
    removed = 0
    for meta_path in folder.glob("*.json"):
        try:
            expires_at = json.loads(meta_path.read_text(encoding=_ENCODING))["expires_at"]
        except (OSError, ValueError, KeyError):
            expires_at = 0  # unreadable: nothing can serve it, remove it
        if moment >= expires_at:
            _remove(folder, meta_path.stem)
            removed += 1
    # Leftovers of a write that never finished (a killed worker): bytes without metadata, partial
    # files. Old enough that no write in progress can own them (an export never takes a day), they go.
    for leftover in [*folder.glob("*.data"), *folder.glob(".*.partial")]:
        orphan = leftover.suffix == ".partial" or not (folder / f"{leftover.stem}.json").exists()
        if orphan and _older_than(leftover, moment, 86_400):
            leftover.unlink(missing_ok=True)
    return removed


def _older_than(path: Path, now: float, seconds: float) -> bool:
    try:
        return now - path.stat().st_mtime > seconds
    except OSError:
        return False


def _remove(folder: Path, file_id: str) -> None:
    # Metadata first: from then on no worker serves it; a reader that already opened the data keeps
    # its open file until it is done (POSIX unlink).
    (folder / f"{file_id}.json").unlink(missing_ok=True)
    (folder / f"{file_id}.data").unlink(missing_ok=True)

"""gunicorn's settings for Observo:  gunicorn -c python:observo.gunicorn_conf observo.wsgi:app

Environment (command-line flags override every value here):
- OBSERVO_BIND (default 127.0.0.1:8000; the container uses 0.0.0.0:8000), comma-separated for several;
- WEB_CONCURRENCY: worker processes (default 2 x cores + 1); OBSERVO_THREADS: threads per worker (4);
- OBSERVO_FORWARDED_ALLOW_IPS, OBSERVO_LOG_LEVEL, OBSERVO_STATEMENT_TIMEOUT_MS: as for the app;
- PROMETHEUS_MULTIPROC_DIR: where the workers share their metrics (default: a fresh temporary folder).

The access log is one JSON object per line on stdout, with the request id; gunicorn's own messages
are JSON lines on stderr, like the app's.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gunicorn import glogging

from observo.logs import JsonFormatter
from observo.settings import Settings

_settings = Settings.from_env()
METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this container may use, not the host's
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_BIND = os.environ.get("OBSERVO_BIND") or "127.0.0.1:8000"
bind = [address.strip() for address in _BIND.split(",") if address.strip()]
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cores() + 1)
# Threads let a worker answer while another request waits on the database, and keep idle keep-alive
# connections parked in the poller instead of holding a worker.
worker_class = "gthread"
threads = int(os.environ.get("OBSERVO_THREADS") or 4)
# A worker silent longer than this is restarted: well above the longest query the database allows.
timeout = max(30, math.ceil(_settings.statement_timeout_ms / 1000) + 15)
graceful_timeout = 30  # on SIGTERM (a deploy), requests in flight get this long to finish
# Longer than a load balancer's idle timeout (nginx upstream keepalive 60 s, AWS ALB 60 s): the
# balancer, not gunicorn, closes idle connections, so it never reuses one gunicorn just closed.
keepalive = 75
# Recycle each worker after about this many requests (jittered so they do not restart together).
max_requests = 2000
max_requests_jitter = 200
# Heartbeat files in memory: a container's overlay filesystem can stall them (gunicorn's advice).
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None
forwarded_allow_ips = _settings.forwarded_allow_ips
proc_name = "observo"
loglevel = _settings.log_level.lower()
errorlog = "-"
accesslog = "-"

# field -> gunicorn atom; numbers unquoted. Never the query string (it may carry a case number), so
# no Referer either: the map's own calls would bring its page URL, filters and all, back in.
_ACCESS_FIELDS = {
    "time": '"%(t)s"',
    "level": '"INFO"',
    "logger": '"gunicorn.access"',
    "request_id": '"%({x-request-id}o)s"',
    "remote_addr": '"%(h)s"',
    "method": '"%(m)s"',
    "path": '"%(U)s"',
    "protocol": '"%(H)s"',
    "status": "%(s)s",
    "bytes": "%(B)s",
    "duration_ms": "%(M)s",
    "user_agent": '"%(a)s"',
}
access_log_format = "{" + ", ".join(f'"{name}": {atom}' for name, atom in _ACCESS_FIELDS.items()) + "}"


class JsonAtoms(glogging.SafeAtoms):
    """gunicorn's atoms escaped for a JSON string (its own escaping handles quotes only); a missing
    byte count is null."""

    def __init__(self, atoms: dict[str, Any]) -> None:  # not SafeAtoms.__init__: it would escape twice
        dict.__init__(self, {key: _json_safe(value) for key, value in atoms.items()})


def _json_safe(value: Any) -> Any:
    if value is None:
        return "null"
    return json.dumps(value)[1:-1] if isinstance(value, str) else value


class JsonLogger(glogging.Logger):
    """gunicorn's logger with a JSON access line and JSON error lines."""

    atoms_wrapper_class = JsonAtoms

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(JsonFormatter())

    def now(self) -> str:
        return datetime.now(UTC).isoformat(timespec="milliseconds")


logger_class = JsonLogger


# --- Prometheus: the workers write their counts to files in one folder; a scrape adds them up ---

_OWN_METRICS_DIR = METRICS_DIR_VARIABLE not in os.environ
if _OWN_METRICS_DIR:  # read by prometheus_client when a worker imports it
    os.environ[METRICS_DIR_VARIABLE] = tempfile.mkdtemp(prefix="observo-metrics-")


def on_starting(_server: Any) -> None:
    """Before the first worker: counts left by an earlier run would be added to this one's."""
    for stale in Path(os.environ[METRICS_DIR_VARIABLE]).glob("*.db"):
        stale.unlink()


def child_exit(_server: Any, worker: Any) -> None:
    """A worker is gone: its gauges (the pool's) stop counting; its counters stay in the totals."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
    fold_into_archive(Path(os.environ[METRICS_DIR_VARIABLE]), worker.pid)


def fold_into_archive(directory: Path, pid: int) -> None:
    """Add a dead worker's counters and histograms to one archive file per kind and drop its files.

    Workers are recycled (max_requests) and a scrape reads every file: without this the folder, and
    the scrape's time, would grow with each recycled worker. The archive is rebuilt aside and renamed
    into place, so a scrape sees the dead worker's counts once (a window of microseconds apart).
    """
    from prometheus_client.mmap_dict import MmapedDict

    for kind in ("counter", "histogram"):
        dead = directory / f"{kind}_{pid}.db"
        if not dead.exists():
            continue
        archive = directory / f"{kind}_archive.db"
        staging = directory / f"{kind}_archive.db.staging"  # outside the collector's *.db glob
        if archive.exists():
            shutil.copyfile(archive, staging)
        folded = MmapedDict(str(staging))
        try:
            for key, value, timestamp, _position in MmapedDict.read_all_values_from_file(str(dead)):
                folded.write_value(key, folded.read_value(key)[0] + value, timestamp)
        finally:
            folded.close()
        os.replace(staging, archive)
        dead.unlink()


def on_exit(_server: Any) -> None:
    if _OWN_METRICS_DIR:
        shutil.rmtree(os.environ[METRICS_DIR_VARIABLE], ignore_errors=True)

"""Prometheus metrics at /metrics: requests by route, the database pool, the process.

- `observo_http_requests_total{method, route, status}` and `observo_http_request_duration_seconds`
  `{method, route}`: `route` is the URL rule (`/api/v1/cameras/<int:camera_id>`), never the raw
  path, and unknown methods count as `other`, so no caller can grow the number of series;
- `observo_db_pool_size`, `observo_db_pool_checked_out`, `observo_db_pool_overflow`: read from the
  pool at scrape time, and kept current between scrapes by the pool's checkout/checkin events (under
  gunicorn each worker has its own pool; the figures are summed over the live workers);
- `observo_build_info{version, python}` and the `process_*` metrics of prometheus_client.

Under gunicorn the workers share their counts through prometheus_client's multiprocess mode
(`PROMETHEUS_MULTIPROC_DIR`, set by `observo.gunicorn_conf`); there `process_*` describe the worker
that answered the scrape.

Only callers from `metrics_allow` (CIDR blocks, default loopback) or sending
`Authorization: Bearer <metrics_token>` are answered; anyone else gets the 404 of an unknown path.
"""

from __future__ import annotations

import hmac
import ipaddress
import platform
from importlib import metadata
from typing import Any

import prometheus_client as prom
import sqlalchemy as sa
from flask import Blueprint, Flask, Request, Response, abort, current_app, request
from prometheus_client import multiprocess, values

from observo.extensions import db
from observo.settings import Network

bp = Blueprint("metrics", __name__)

# prometheus_client chose its storage when it was imported: shared files, or this process's memory.
MULTIPROCESS = values.ValueClass is not values.MutexValue
REGISTRY = prom.CollectorRegistry()
prom.disable_created_metrics()  # the `_created` series double the output and no dashboard reads them
_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
_UNMATCHED = "unmatched"  # no URL rule matched (404, or a 405 before routing)

REQUESTS = prom.Counter(
    "observo_http_requests", "HTTP requests answered", ("method", "route", "status"), registry=REGISTRY
)
LATENCY = prom.Histogram(
    "observo_http_request_duration_seconds",
    "Time to build the response (streamed bodies excluded)",
    ("method", "route"),
    registry=REGISTRY,
)
POOL_SIZE = prom.Gauge(
    "observo_db_pool_size", "Connections the pool keeps", registry=REGISTRY, multiprocess_mode="livesum"
)
POOL_CHECKED_OUT = prom.Gauge(
    "observo_db_pool_checked_out", "Connections in use", registry=REGISTRY, multiprocess_mode="livesum"
)
POOL_OVERFLOW = prom.Gauge(
    "observo_db_pool_overflow",
    "Connections open beyond the pool size",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
BUILD_INFO = prom.Gauge(
    "observo_build_info",
    "Observo's version",
    ("version", "python"),
    registry=REGISTRY,
    multiprocess_mode="livemax",  # "live": a dead worker's file goes with it
)
if not MULTIPROCESS:  # in multiprocess mode they are added per scrape (they read the live process)
    prom.ProcessCollector(registry=REGISTRY)
    prom.PlatformCollector(registry=REGISTRY)


def _version() -> str:
    try:
        return metadata.version("observo")
    except metadata.PackageNotFoundError:
        return "unknown"


BUILD_INFO.labels(_version(), platform.python_version()).set(1)


def init_app(app: Flask) -> None:
    """Serve /metrics and follow the app's connection pool."""
    app.register_blueprint(bp)
    with app.app_context():
        engine = db.engine
    # engine.pool is read at each event: dispose() replaces the pool (and keeps its listeners).
    sa.event.listen(engine, "checkout", lambda *_args: _read_pool(engine.pool))
    sa.event.listen(engine, "checkin", _on_checkin)


def observe_request(req: Request, status: int, seconds: float) -> None:
    route = req.url_rule.rule if req.url_rule is not None else _UNMATCHED
    method = req.method if req.method in _METHODS else "other"
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)


def _read_pool(pool: Any) -> None:
    # QueuePool (PostgreSQL, SQLite files); other pool classes lack some figures: those are left alone.
    for gauge, reader in ((POOL_SIZE, "size"), (POOL_CHECKED_OUT, "checkedout"), (POOL_OVERFLOW, "overflow")):
        read = getattr(pool, reader, None)
        if callable(read):
            gauge.set(max(0, read()))  # QueuePool counts overflow from -size until the pool is full


def _on_checkin(_dbapi_connection: Any, _record: Any) -> None:
    # Fired before the connection is back in the pool: reading the pool now would still count it.
    POOL_CHECKED_OUT.dec()


@bp.route("/metrics")
def metrics() -> Response:
    settings = current_app.config["OBSERVO_SETTINGS"]
    allowed = _direct_peer_allowed(settings.metrics_allow)
    if not (allowed or _token_matches(settings.metrics_token)):
        abort(404)  # the answer to an unknown path: nothing says that metrics live here
    _read_pool(db.engine.pool)
    return Response(prom.generate_latest(_scrape_registry()), content_type=prom.CONTENT_TYPE_LATEST)


def _scrape_registry() -> prom.CollectorRegistry:
    if not MULTIPROCESS:
        return REGISTRY
    registry = prom.CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    prom.ProcessCollector(registry=registry)
    return registry


def _direct_peer_allowed(allowed: tuple[Network, ...]) -> bool:
    """The socket's peer is in an allowed block, and the request did not come through a proxy.

    Not `request.remote_addr`: behind ProxyFix it is whatever X-Forwarded-For claims. And a request
    relayed by a proxy has the proxy as its peer, whoever sent it: only a direct scrape counts.
    """
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    environ = request.environ.get("werkzeug.proxy_fix.orig", request.environ)
    return address_allowed(environ.get("REMOTE_ADDR"), allowed)


def _token_matches(expected: str) -> bool:
    scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
    # Bytes: compare_digest refuses non-ASCII text (a TypeError, which would be a 500).
    same = hmac.compare_digest(offered.strip().encode(), expected.encode())
    return bool(expected) and scheme.lower() == "bearer" and same


def address_allowed(address: str | None, allowed: tuple[Network, ...]) -> bool:
    """Is the client address inside one of the allowed blocks? (IPv4 mapped into IPv6 counts as IPv4.)"""
    try:
        client = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if isinstance(client, ipaddress.IPv6Address) and client.ipv4_mapped is not None:
        client = client.ipv4_mapped
    return any(client in network for network in allowed)

"""Typed settings, read from OBSERVO_* environment variables."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from observo.domain.confirmations import ConfirmationPolicy
from observo.domain.origins import is_origin, normalise_origin

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Italy with a margin: GeoJSON positions outside it are refused (docs/architecture.md, "Geometry input").
ITALY_EXTENT = (6.0, 35.0, 19.0, 48.0)


def _bool(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def _extent(value: str) -> tuple[float, float, float, float]:
    parts = tuple(float(part) for part in value.split(","))
    if len(parts) != 4:
        raise ValueError("OBSERVO_EXTENT must be minLon,minLat,maxLon,maxLat")
    return parts  # type: ignore[return-value]


def _origins(value: str) -> tuple[str, ...]:
    origins = tuple(normalise_origin(part) for part in value.split(",") if part.strip())
    for origin in origins:
        if not is_origin(origin):
            raise ValueError(f"OBSERVO_EMBED_ORIGINS: {origin!r} is not an origin such as https://comune.it")
    return origins


def _choice(name: str, choices: tuple[str, ...], fold: Callable[[str], str]) -> Callable[[str], str]:
    def read(value: str) -> str:
        chosen = fold(value.strip())
        if chosen not in choices:
            raise ValueError(f"OBSERVO_{name.upper()} must be one of {', '.join(choices)}, not {value!r}")
        return chosen

    return read


def _positive_int(name: str) -> Callable[[str], int]:
    def read(value: str) -> int:
        number = int(value)
        if number < 1:
            raise ValueError(f"OBSERVO_{name.upper()} must be a positive whole number, not {value!r}")
        return number

    return read


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(value: str) -> tuple[Network, ...]:
    parts = [part.strip() for part in value.split(",") if part.strip()]
    try:
        return tuple(ipaddress.ip_network(part, strict=False) for part in parts)
    except ValueError as exc:
        raise ValueError(f"OBSERVO_METRICS_ALLOW: {exc} (a comma-separated list of CIDR blocks)") from None


def _hosts(value: str) -> tuple[str, ...]:
    """Host names the app answers to (`.example.it` matches every subdomain); ports are ignored."""
    return tuple(part.strip().lower() for part in value.split(",") if part.strip())


def _urls(value: str) -> tuple[str, ...]:
    """Comma-separated database URLs (PostgreSQL streaming replicas)."""
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class SmtpTarget:
    """Where outgoing mail goes, read from OBSERVO_SMTP_URL (docs/owners.md, "Mail")."""

    host: str
    port: int
    tls: bool = False  # smtps://: TLS from the first byte
    starttls: bool = False  # smtp://...?starttls=1: upgrade the plain connection
    user: str = ""
    password: str = ""


def smtp_target(url: str) -> SmtpTarget:
    """`smtp://user:pass@host:587?starttls=1` or `smtps://host:465` as its parts; ValueError otherwise."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(
            "OBSERVO_SMTP_URL must be smtp://[user:pass@]host[:port][?starttls=1] or smtps://..., "
            f"with a host (scheme given: {parts.scheme!r})"
        )
    query = parse_qs(parts.query)
    unknown = set(query) - {"starttls"}
    if unknown:
        raise ValueError(f"OBSERVO_SMTP_URL: unknown option(s) {', '.join(sorted(unknown))} (only starttls)")
    tls = parts.scheme == "smtps"
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (465 if tls else 25),
        tls=tls,
        starttls=_bool(query.get("starttls", ["0"])[-1]),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


def _smtp_url(value: str) -> str:
    if value.strip():
        smtp_target(value)  # a typo fails at start, not at the first sign-up
    return value.strip()


def _whole_days(name: str) -> Callable[[str], int]:
    def read(value: str) -> int:
        number = int(value)
        if number < 0:
            raise ValueError(f"OBSERVO_{name.upper()} must be a number of days, 0 or more, not {value!r}")
        return number

    return read


def _public_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"OBSERVO_PUBLIC_URL must be like https://observo.comune.it, not {value!r}")
    return value.strip().rstrip("/")


def _mail_from(value: str) -> str:
    if "@" not in value:
        raise ValueError(
            f"OBSERVO_MAIL_FROM must be an address such as 'Observo <noreply@comune.it>', not {value!r}"
        )
    return value.strip()


LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
LOG_FORMATS = ("json", "text")
ASSET_MODES = ("cdn", "local")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# OBSERVO_<NAME> -> how to read it (the name is the Settings field)
_READERS: dict[str, Callable[[str], object]] = {
    "extent": _extent,
    "default_page_limit": int,
    "max_page_limit": int,
    "max_vertices": int,
    "max_body_bytes": int,
    "import_background_bytes": int,
    "export_file_ttl_s": _positive_int("export_file_ttl_s"),
    "statement_timeout_ms": int,
    "connect_timeout_s": int,
    "pool_timeout_s": int,
    "sqlite_busy_timeout_ms": int,
    "max_bbox_km2": float,
    "max_radius_m": float,
    "max_search_km2": float,
    "max_buffer_m": float,
    "max_coverage_km2": float,
    "max_nearest": int,
    "nearest_radius_m": float,
    "max_cluster_cells": int,
    "max_cluster_bbox_km2": float,
    "count_cap": int,
    "session_cookie_secure": _bool,
    "ratelimit_enabled": _bool,
    "ratelimit_storage_url": str,
    "ratelimit_api": str,
    "ratelimit_login": str,
    "ratelimit_login_email": str,
    "embed_origins": _origins,
    "cdn_base_url": str,
    "assets": _choice("assets", ASSET_MODES, str.lower),
    "tile_url": str,
    "tile_mbtiles": Path,
    "tile_attribution": str,
    "tile_max_zoom": int,
    "trusted_proxies": int,
    "forwarded_allow_ips": str,
    "log_format": _choice("log_format", LOG_FORMATS, str.lower),
    "log_level": _choice("log_level", LOG_LEVELS, str.upper),
    "metrics_allow": _networks,
    "metrics_token": str,
    "trusted_hosts": _hosts,
    "session_idle_minutes": int,
    "session_max_hours": int,
    "ratelimit_auth_failed": str,
    "audit_key": str,
    "audit_key_file": Path,
    "audit_checkpoint_dir": Path,
    "database_replica_urls": _urls,
    "replica_max_lag_s": float,
    "replica_retry_s": float,
    "read_your_writes_s": float,
    "smtp_url": _smtp_url,
    "mail_from": _mail_from,
    "ratelimit_owner_signup": str,
    "owner_confirmation_days": _positive_int("owner_confirmation_days"),
    "owner_reminder_days": _whole_days("owner_reminder_days"),
    "owner_grace_days": _whole_days("owner_grace_days"),
    "public_url": _public_url,
}


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment, with defaults for a laptop."""

    instance_path: Path = PROJECT_ROOT / "instance"
    database_url: str = ""
    secret_key: str = ""
    extent: tuple[float, float, float, float] = ITALY_EXTENT
    default_page_limit: int = 100
    max_page_limit: int = 1000
    max_vertices: int = 10_000
    max_body_bytes: int = 2 * 1024 * 1024
    # An import file larger than this runs in the background: 202 and the job's URL (docs/importing.md).
    import_background_bytes: int = 2 * 1024 * 1024
    # How long the file of a `POST /api/v1/exports` can be read (docs/exports-for-gis.md): its URL is
    # a capability; after this it is gone.
    export_file_ttl_s: int = 900
    statement_timeout_ms: int = 15_000
    # How long a request waits for PostgreSQL to accept a connection before answering 503
    # (libpq counts whole seconds, at least 2).
    connect_timeout_s: int = 5
    # How long a request waits for a free pooled connection before answering 503 (SQLAlchemy's default).
    pool_timeout_s: int = 30
    # How long an SQLite write waits for another writer's lock before answering 503 database_busy.
    sqlite_busy_timeout_ms: int = 15_000
    # PostgreSQL streaming replicas that serve reads (observo/spatial/replicas.py, docs/performance.md):
    # one lagging more than `replica_max_lag_s` is skipped, one that fails is left alone for
    # `replica_retry_s`, and a user reads from the primary for `read_your_writes_s` after a write.
    database_replica_urls: tuple[str, ...] = ()
    replica_max_lag_s: float = 2.0
    replica_retry_s: float = 30.0
    read_your_writes_s: float = 10.0
    # Query limits (docs/architecture.md, "Query limits": beyond them a clear 400/413/422, never a timeout).
    max_bbox_km2: float = 60_000.0  # a region such as Piemonte fits; the country does not
    max_radius_m: float = 5_000.0
    max_search_km2: float = 100.0  # a district, or a 50 km route with a 1 km wide corridor
    max_buffer_m: float = 1_000.0
    # Coverage unions every field of view in the target: a town centre, not a province.
    max_coverage_km2: float = 25.0
    max_nearest: int = 100
    nearest_radius_m: float = 50_000.0  # how far /cameras/nearest looks before giving up
    max_cluster_cells: int = 20_000
    max_cluster_bbox_km2: float = 2_000_000.0  # the whole country: clusters are bounded by cells
    # numberMatched is exact up to this many matches and omitted beyond (counting is not free).
    count_cap: int = 1_000
    session_cookie_secure: bool = True  # production is HTTPS; `make run` turns it off for plain http
    # Rate limits ("N per unit;M per unit"). memory:// counts per process; production: redis://...
    ratelimit_enabled: bool = True
    ratelimit_storage_url: str = "memory://"
    ratelimit_api: str = "600 per minute"  # per caller: token, else signed-in user, else address
    ratelimit_login: str = "10 per minute;50 per hour"  # failed sign-ins per client address
    ratelimit_login_email: str = "20 per hour"  # failed sign-ins per e-mail: slows a distributed guess
    # Sites that may frame the public embed (CSP frame-ancestors); none: only Observo itself.
    embed_origins: tuple[str, ...] = ()
    # The pages' third-party scripts (npm layout <package>@<version>/<path>): "cdn" loads them from
    # `cdn_base_url` and falls back to the copies shipped in the package when the CDN is unreachable;
    # "local" serves only those copies (a closed network: docs/offline.md).
    cdn_base_url: str = "https://cdn.jsdelivr.net/npm"
    assets: str = "cdn"
    # Background tiles: a tile server's URL template, or an MBTiles file Observo serves itself (then
    # the maps use /tiles/base/{z}/{x}/{y} whatever `tile_url` says).
    tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    tile_mbtiles: Path | None = None
    tile_attribution: str = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
    tile_max_zoom: int = 19
    # Reverse proxies in front of the app whose X-Forwarded-* headers are believed (0: none).
    trusted_proxies: int = 0
    # Peers whose X-Forwarded-Proto gunicorn believes (its forwarded_allow_ips): the proxy's address.
    forwarded_allow_ips: str = "127.0.0.1,::1"
    # Logs on stderr: "json" (one object per line) or "text"; empty: json, except under testing, where
    # the app installs no handler and pytest captures the records.
    log_format: str = ""
    log_level: str = "INFO"
    # /metrics answers these client addresses, and callers sending `Bearer <metrics_token>` when set.
    metrics_allow: tuple[Network, ...] = LOOPBACK
    metrics_token: str = ""
    # Host names the app answers to (absolute links and OGC URLs are built from the Host header);
    # anything else is 400. The default serves this machine only: set the site's name in production.
    trusted_hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
    # A browser session ends after this long without a request, and this long after sign-in whatever
    # happens (police workstations are shared; NIST SP 800-63B AAL2 figures).
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    # Requests whose credentials are refused (401 with a token offered), per client address: a flood
    # of random tokens is one caller, not thousands.
    ratelimit_auth_failed: str = "30 per minute;300 per hour"
    # The key that authenticates audit entries (HMAC-SHA-256), never stored in the database: the
    # value itself, or a file holding it (see docs/security.md for the format and rotation). Neither
    # set: a key generated once into the instance folder.
    audit_key: str = ""
    audit_key_file: Path | None = None
    # Where signed checkpoints of the audit chain's head are written (outside the database);
    # None: <instance>/audit-checkpoints.
    audit_checkpoint_dir: Path | None = None
    # Outgoing mail (owners' sign-up and verification, docs/owners.md): unset, messages are written to
    # the console instead (what `make run` does).
    smtp_url: str = ""
    mail_from: str = "Observo <noreply@localhost>"
    # Owner sign-ups and requests for a new confirmation link, per client address.
    ratelimit_owner_signup: str = "5 per hour"
    # Owners re-confirm their cameras every `owner_confirmation_days`; reminders start
    # `owner_reminder_days` before, and `owner_grace_days` after it the camera drops to unverified
    # (docs/owners.md, "Yearly re-confirmation").
    owner_confirmation_days: int = 365
    owner_reminder_days: int = 30
    owner_grace_days: int = 60
    # The site's address (https://observo.comune.it), for links in messages a command sends outside
    # any request (`observo reminders send`).
    public_url: str = ""
    testing: bool = False
    extra: Mapping[str, object] = field(default_factory=dict)

    def page_limit(self, requested: int | None) -> int:
        """The page size to serve: the default when none is asked, clamped to the maximum (OGC)."""
        return min(requested or self.default_page_limit, self.max_page_limit)

    @property
    def confirmation_policy(self) -> ConfirmationPolicy:
        days = (self.owner_confirmation_days, self.owner_reminder_days, self.owner_grace_days)
        return ConfirmationPolicy(*days)

    @property
    def effective_log_format(self) -> str:
        return self.log_format or ("" if self.testing else "json")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read OBSERVO_* variables; unset ones keep their defaults."""
        env = os.environ if environ is None else environ
        instance = Path(env.get("OBSERVO_INSTANCE_PATH", str(cls.instance_path))).resolve()
        values: dict[str, object] = {
            name: read(env[f"OBSERVO_{name.upper()}"])
            for name, read in _READERS.items()
            if f"OBSERVO_{name.upper()}" in env
        }
        return cls(
            instance_path=instance,
            database_url=env.get("OBSERVO_DATABASE_URL") or f"sqlite:///{instance / 'observo.sqlite'}",
            secret_key=env.get("OBSERVO_SECRET_KEY", ""),
            **values,  # type: ignore[arg-type]
        )

    def with_secret_key(self) -> Settings:
        """Settings with a secret key: the configured one, else one kept in the instance folder."""
        if self.secret_key:
            return self
        key_file = self.instance_path / "secret_key"
        if not key_file.exists():
            self.instance_path.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        return replace(self, secret_key=key_file.read_text().strip())


# The settings of the application serving the caller: create_app() installs a provider reading its
# config, so the schemas' bounds follow the running app without this layer importing Flask. Outside
# an application (a script, a unit test) the defaults and the environment apply.
def _no_app() -> Settings | None:
    return None


_active_settings: Callable[[], Settings | None] = _no_app


def provide_current_settings(provider: Callable[[], Settings | None]) -> None:
    global _active_settings
    _active_settings = provider


def current_settings() -> Settings:
    return _active_settings() or Settings()

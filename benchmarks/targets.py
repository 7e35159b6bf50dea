"""The three HTTP targets and how each is served: Observo (gunicorn), tipg (uvicorn), pygeoapi
(gunicorn with its PostgreSQL provider). All read the same cameras table of the benchmark database.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import tempfile
from dataclasses import dataclass
from string import Template

import psycopg

from benchmarks import config, servers, state

WORKERS = 2
PEERS_BIN = config.PEERS_VENV / "bin"
PYGEOAPI_TEMPLATE = config.BENCH_DIR / "peers" / "pygeoapi.template.yml"


@dataclass(frozen=True)
class ServeOptions:
    worker_class: str = "gthread"
    threads: int = 4

    def gunicorn_args(self) -> list[str]:
        args = ["-w", str(WORKERS), "-k", self.worker_class, "--no-control-socket", "--log-level", "warning"]
        return [*args, "--threads", str(self.threads)] if self.worker_class == "gthread" else args


def observo(options: ServeOptions) -> tuple[servers.Server, dict[str, str], str]:
    port = servers.free_port()
    command = [
        str(config.PROJECT_BIN / "gunicorn"),
        *options.gunicorn_args(),
        "-b",
        f"{servers.HOST}:{port}",
        "observo.wsgi:app",
    ]
    env = {
        "OBSERVO_DATABASE_URL": config.observo_url(),
        "OBSERVO_INSTANCE_PATH": tempfile.mkdtemp(prefix="observo-bench-instance-"),
        # Set here so the two workers do not race to create the key file.
        "OBSERVO_SECRET_KEY": secrets.token_hex(32),
        # wrk's thousands of requests per second from one address are the point, not an abuse.
        "OBSERVO_RATELIMIT_ENABLED": "0",
    }
    return servers.Server("observo", port, command, state.RAW / "observo.log"), env, "/readyz"


def tipg() -> tuple[servers.Server, dict[str, str], str]:
    port = servers.free_port()
    command = [
        str(PEERS_BIN / "uvicorn"),
        "tipg.main:app",
        "--host",
        servers.HOST,
        "--port",
        str(port),
        "--workers",
        str(WORKERS),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    env = {
        "DATABASE_URL": f"postgresql://{config.PG_USER}@{config.PG_HOST}:{config.PG_PORT}/{config.BENCH_DB}",
        "TIPG_DB_SCHEMAS": '["public"]',
        "TIPG_DB_TABLES": '["public.cameras"]',
        # The table has three geometry columns; tipg would pick the first by name (fov).
        "TIPG_TABLE_CONFIG__public_cameras__geomcol": "location",
    }
    return servers.Server("tipg", port, command, state.RAW / "tipg.log"), env, "/collections/public.cameras"


def _non_geometry_columns() -> list[str]:
    with psycopg.connect(config.conninfo()) as conn:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'cameras'"
            " AND udt_name <> 'geometry' ORDER BY ordinal_position"
        ).fetchall()
    return [name for (name,) in rows]


def _pygeoapi_files(port: int) -> dict[str, str]:
    """Render the config from the template and generate the OpenAPI document pygeoapi serves."""
    directory = state.STATE_DIR / "pygeoapi"
    directory.mkdir(parents=True, exist_ok=True)
    config_file, openapi_file = directory / "config.yml", directory / "openapi.yml"
    config_file.write_text(
        Template(PYGEOAPI_TEMPLATE.read_text()).substitute(
            host=servers.HOST,
            port=port,
            pghost=config.PG_HOST,
            pgport=config.PG_PORT,
            pguser=config.PG_USER,
            dbname=config.BENCH_DB,
            properties="[" + ", ".join(_non_geometry_columns()) + "]",
        )
    )
    env = {"PYGEOAPI_CONFIG": str(config_file), "PYGEOAPI_OPENAPI": str(openapi_file)}
    subprocess.run(
        [
            str(PEERS_BIN / "pygeoapi"),
            "openapi",
            "generate",
            str(config_file),
            "--output-file",
            str(openapi_file),
        ],
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    return env


def pygeoapi(options: ServeOptions) -> tuple[servers.Server, dict[str, str], str]:
    port = servers.free_port()
    command = [
        str(PEERS_BIN / "gunicorn"),
        *options.gunicorn_args(),
        "-b",
        f"{servers.HOST}:{port}",
        "pygeoapi.flask_app:APP",
    ]
    server = servers.Server("pygeoapi", port, command, state.RAW / "pygeoapi.log")
    return server, _pygeoapi_files(port), "/collections/cameras?f=json"


def launch(name: str, options: ServeOptions) -> tuple[servers.Server, dict[str, str]]:
    """Start a target and wait until it answers; returns it with the environment it was given."""
    if name == "observo":
        server, env, ready = observo(options)
    elif name == "tipg":
        server, env, ready = tipg()
    else:
        server, env, ready = pygeoapi(options)
    servers.start(server, env, cwd=state.STATE_DIR)
    try:
        servers.wait_ready(server, ready)
    except RuntimeError:
        servers.stop(server)
        raise
    return server, env

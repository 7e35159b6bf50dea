"""Versions and machine facts for the report, read from the running system."""

from __future__ import annotations

import os
import platform
import subprocess

import psycopg

from benchmarks import config


def _run(command: list[str]) -> str:
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=30, cwd=config.PROJECT_DIR
        )
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    lines = (completed.stdout or completed.stderr).strip().splitlines()
    return lines[0] if lines else ""


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            return next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "?"


def _memory_gb() -> str:
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(next(line.split()[1] for line in meminfo if line.startswith("MemTotal")))
    except (OSError, StopIteration):
        return "?"
    return f"{kib / 1024 / 1024:.0f} GB"


def _database() -> dict[str, str]:
    try:
        with psycopg.connect(config.conninfo()) as conn:
            pg = conn.execute("SHOW server_version").fetchone()
            postgis = conn.execute("SELECT postgis_lib_version()").fetchone()
            settings = conn.execute(
                "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)"
                " FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'jit',"
                " 'max_parallel_workers_per_gather', 'random_page_cost')"
            ).fetchone()
    except psycopg.Error:
        return {"PostgreSQL": "?", "PostGIS": "?", "settings": "?"}
    return {
        "PostgreSQL": pg[0] if pg else "?",
        "PostGIS": postgis[0] if postgis else "?",
        "settings": settings[0] if settings else "?",
    }


def _peer_versions() -> str:
    python = str(config.PEERS_VENV / "bin" / "python")
    code = (
        "import importlib.metadata as m; print(', '.join(f'{p} {m.version(p)}' for p in "
        "('tipg', 'pygeoapi', 'uvicorn', 'gunicorn', 'asyncpg', 'SQLAlchemy', 'psycopg2-binary')))"
    )
    return _run([python, "-c", code])


def _observo_versions() -> str:
    python = str(config.PROJECT_BIN / "python")
    code = (
        "import importlib.metadata as m; print(', '.join(f'{p} {m.version(p)}' for p in "
        "('flask', 'sqlalchemy', 'geoalchemy2', 'psycopg', 'orjson', 'gunicorn')))"
    )
    return _run([python, "-c", code])


def describe(load_at_start: tuple[float, float, float]) -> dict[str, str]:
    commit = _run(["git", "rev-parse", "--short", "HEAD"])
    dirty = _run(["git", "status", "--porcelain", "--untracked-files=no"]) not in ("", "?")
    database = _database()
    return {
        "Observo commit": commit + (" (with uncommitted changes)" if dirty else ""),
        "Observo stack": _observo_versions(),
        "Python": _run([str(config.PROJECT_BIN / "python"), "--version"]),
        "PostgreSQL": database["PostgreSQL"],
        "PostGIS": database["PostGIS"],
        "database settings": database["settings"],
        "peers": _peer_versions(),
        "wrk": _run(["wrk", "-v"]),
        "pgbench": _run(["pgbench", "--version"]),
        # Another busy process on a 2-core machine skews everything: say how busy it was at the start.
        # (at the start only: during the run the load average mostly counts the benchmark itself)
        "load average at start (1 min)": f"{load_at_start[0]:.2f}",
        "machine": f"{os.cpu_count()} CPUs ({_cpu_model()}), {_memory_gb()} RAM, {platform.system()} "
        f"{platform.release()}",
    }

"""Loopback load test (issue 8, "Resilience"): Observo under its production gunicorn set-up, on
PostGIS with the demo territory plus 100,000 synthetic cameras, driven by wrk on the loopback.

    .venv/bin/python -m benchmarks.resilience_load                # load, serve, drive, report
    .venv/bin/python -m benchmarks.resilience_load --skip-load    # reuse the loaded database
    make load

1. Data: `benchmarks.load` into a database of its own (`observo_load`, dropped and recreated; its
   token and lists in benchmarks/.state/load/), `observo seed-demo` on top, and a token for the
   demo's Moncalieri editor (the loader already made the carabinieri viewer's).
2. Server: gunicorn with observo/gunicorn_conf.py, or the same settings as flags while that file
   does not exist; the API rate limit is raised so the test measures the server, not its 429s.
3. Passes: a warm-up, the read mix (64 connections, 60 s), each read endpoint alone, the write mix.
   wrk/statuses.lua counts answers per status; a 5xx, a socket error or an unexpected status
   (reads: anything but 2xx; writes: anything but 2xx and 412) fails the run (exit 1) once the
   "Loopback load test (issue 8)" section of benchmarks/RESULTS.md is written.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from benchmarks import accounts, config, environment, loadgen, pg_activity, servers
from benchmarks import resilience_mix as mix
from benchmarks import resilience_report as report
from benchmarks.loadgen import Pass

DATABASE = "observo_load"
STATE_DIR = config.BENCH_DIR / ".state" / "load"
VIEWER_TOKEN = STATE_DIR / "token"  # written by benchmarks.load (BENCH_STATE_DIR)
EDITOR_TOKEN = STATE_DIR / "editor_token"
LOAD_REPORT = STATE_DIR / "load.json"  # the loader's: how many synthetic cameras, timings
EDITOR_EMAIL = "agente@moncalieri.example.it"  # demo editor of Moncalieri
READ_LUA = config.BENCH_DIR / "wrk" / "read_mix.lua"
WRITE_LUA = config.BENCH_DIR / "wrk" / "write_mix.lua"
# The limiter still runs on every request (its cost is part of the figures); no caller reaches it.
RATELIMIT_API = "1000000 per minute"
SAMPLED_CAMERAS = 2000
MIX_SIZE = 4000
KIND_SIZE = 1000
NEW_CAMERAS = 2000


def _observo_env(instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "OBSERVO_DATABASE_URL": config.observo_url(DATABASE),
        "OBSERVO_INSTANCE_PATH": str(instance),
    }


def _relative(path: Path) -> str:
    return str(path.relative_to(config.PROJECT_DIR))


def prepare(n: int, seed: int, commands: list[str]) -> None:
    """Synthetic cameras through the benchmark's loader, the demo on top, the editor's token."""
    env = {**os.environ, "BENCH_DATABASE": DATABASE, "BENCH_STATE_DIR": str(STATE_DIR)}
    load = ["-m", "benchmarks.load", "--n", str(n), "--seed", str(seed)]
    subprocess.run([str(config.PROJECT_BIN / "python"), *load], env=env, cwd=config.PROJECT_DIR, check=True)
    observo = _observo_env(Path(tempfile.mkdtemp(prefix="observo-load-")))
    print(accounts._observo(["seed-demo"], observo), flush=True)
    create = ["token", "create", "--email", EDITOR_EMAIL, "--name", "load-test", "--expires-days", "7"]
    EDITOR_TOKEN.write_text(accounts._observo(create, observo).splitlines()[-1] + "\n")
    EDITOR_TOKEN.chmod(0o600)
    url = f"OBSERVO_DATABASE_URL={config.observo_url(DATABASE)}"
    commands += [
        f"BENCH_DATABASE={DATABASE} BENCH_STATE_DIR={_relative(STATE_DIR)} python {' '.join(load)}",
        f"{url} observo seed-demo",
        f"{url} observo {' '.join(create)} > {_relative(EDITOR_TOKEN)}",
    ]


def server_command(port: int, workers: int, max_requests: int = 0) -> tuple[list[str], dict[str, str], str]:
    """How gunicorn starts: the production config file, with the run's bind and workers."""
    gunicorn = str(config.PROJECT_BIN / "gunicorn")
    env = {"OBSERVO_BIND": f"{servers.HOST}:{port}", "WEB_CONCURRENCY": str(workers)}
    if max_requests:  # recycle workers during the passes (gunicorn: these beat the config file)
        env["GUNICORN_CMD_ARGS"] = f"--max-requests {max_requests} --max-requests-jitter {max_requests // 10}"
    command = [gunicorn, "-c", "python:observo.gunicorn_conf", "observo.wsgi:app"]
    return command, env, f"gunicorn -c python:observo.gunicorn_conf, WEB_CONCURRENCY={workers}"


SHOWN_SETTINGS = (
    "worker_class", "workers", "threads", "worker_connections", "backlog", "timeout", "graceful_timeout",
    "keepalive", "max_requests", "max_requests_jitter",
)  # fmt: skip


def effective_settings(command: list[str], env: dict[str, str]) -> str:
    """The settings gunicorn resolves from the config file, environment and flags (--print-config)."""
    shown = subprocess.run(
        [*command[:-1], "--print-config", command[-1]],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    pairs = (line.split(" = ", 1) for line in shown.splitlines() if " = " in line)
    values = {name.strip(): value.strip() for name, value in pairs}
    return ", ".join(f"{name}={values.get(name, '?')}" for name in SHOWN_SETTINGS)


def serve(workers: int, max_requests: int = 0) -> tuple[servers.Server, dict[str, str], str]:
    command, env, how = server_command(servers.free_port(), workers, max_requests)
    how += f" ({effective_settings(command, env)})"
    port = int(env["OBSERVO_BIND"].rsplit(":", 1)[1])
    env |= {
        "OBSERVO_DATABASE_URL": config.observo_url(DATABASE),
        "OBSERVO_INSTANCE_PATH": tempfile.mkdtemp(prefix="observo-load-instance-"),
        "OBSERVO_SECRET_KEY": secrets.token_hex(32),  # set here: workers do not race for the key file
        "OBSERVO_RATELIMIT_API": RATELIMIT_API,
    }
    server = servers.Server("observo", port, command, STATE_DIR / "raw" / "gunicorn.log")
    servers.start(server, env, cwd=STATE_DIR)
    try:
        servers.wait_ready(server, "/readyz")
    except RuntimeError:
        servers.stop(server)
        raise
    return server, env, how


@dataclass(frozen=True)
class Files:
    mix: Path
    kinds: dict[str, Path]
    writes: Path


def write_requests(seed: int, hot: int) -> Files:
    """Seeded request lists around cameras sampled from the loaded database."""
    with psycopg.connect(config.conninfo(DATABASE)) as conn:
        cameras = mix.readable(conn, seed, SAMPLED_CAMERAS)
        editable = mix.hot_set(conn, seed, hot)
    if not cameras or not editable:
        raise SystemExit(f"no cameras to ask about in {DATABASE}: load it first (drop --skip-load)")
    directory = STATE_DIR / "requests"
    kinds = {
        kind: loadgen.write_requests(
            directory / f"read-{kind}.txt", mix.one_kind(kind, cameras, seed, KIND_SIZE)
        )
        for kind in mix.READ_WEIGHTS
    }
    return Files(
        loadgen.write_requests(directory / "read-mix.txt", mix.read_mix(cameras, seed, MIX_SIZE)),
        kinds,
        loadgen.write_requests(directory / "write-mix.txt", mix.write_mix(editable, seed, NEW_CAMERAS)),
    )


@dataclass(frozen=True)
class Spec:
    name: str
    script: Path
    requests: Path
    token: Path
    load: Pass
    expected: tuple[int, ...] = ()  # non-2xx statuses that are correct answers


def plan(args: argparse.Namespace, files: Files) -> list[Spec]:
    def read(name: str, path: Path, seconds: int) -> Spec:
        return Spec(name, READ_LUA, path, VIEWER_TOKEN, Pass(args.connections, args.threads, seconds))

    specs = [read("warm-up (read mix)", files.mix, args.warmup), read("read mix", files.mix, args.duration)]
    if args.endpoint_seconds:
        specs += [read(f"{kind} alone", path, args.endpoint_seconds) for kind, path in files.kinds.items()]
    writes = Pass(args.write_connections, args.threads, args.write_duration)
    return [*specs, Spec("write mix", WRITE_LUA, files.writes, EDITOR_TOKEN, writes, expected=(412,))]


def run_pass(server: servers.Server, spec: Spec, activity: pg_activity.ActivitySampler) -> report.PassResult:
    print(f"  {spec.name}: {spec.load.connections} connections, {spec.load.seconds} s", flush=True)
    headers = [f"Authorization: Bearer {spec.token.read_text().strip()}"]
    if spec.script == READ_LUA:  # the search POSTs; write_mix.lua sets its own per request
        headers.append("Content-Type: application/json")
    raw = STATE_DIR / "raw" / (spec.name.split(" (")[0].replace(" ", "-") + ".txt")
    before, started = os.getloadavg(), time.monotonic()
    wrk = loadgen.run(
        server.base_url, spec.requests, spec.load, headers, raw, spec.script, _relative(spec.token)
    )
    busy, lock_waits = pg_activity.means(activity.between(started, time.monotonic()))
    result = replace(
        report.from_wrk(spec.name, spec.load, wrk, before, spec.expected),
        db_busy=busy,
        db_lock_waits=lock_waits,
    )
    settle()
    print(
        f"    {wrk.requests_per_s:,.1f} req/s, p50 {wrk.p50_ms} ms, p99 {wrk.p99_ms} ms, "
        f"statuses {result.statuses}, socket errors {result.socket_errors}",
        flush=True,
    )
    return result


def settle(timeout_s: float = 60.0) -> None:
    """Wait until the last pass's queued requests are done (wrk does not wait for them), so they
    do not weigh on the next pass: no busy backend of the database twice in a row."""
    query = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND state <> 'idle' AND pid <> pg_backend_pid()"
    )
    deadline, quiet = time.monotonic() + timeout_s, 0
    with psycopg.connect(config.conninfo(DATABASE), autocommit=True) as conn:
        while quiet < 2 and time.monotonic() < deadline:
            row = conn.execute(query).fetchone()
            quiet = quiet + 1 if row and row[0] == 0 else 0
            time.sleep(0.5)


def _database_facts(load: dict[str, Any]) -> tuple[str, str]:
    """(data, database) lines of the report, read before the write mix adds cameras."""
    n, seconds = int(load["n"]), float(load["timings_s"]["total"])
    with psycopg.connect(config.conninfo(DATABASE)) as conn:
        cameras = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE id > %s) FROM cameras", (n,)
        ).fetchone()
        orgs = conn.execute("SELECT count(*) FROM organisations").fetchone()
        facts = conn.execute(
            "SELECT current_setting('server_version'), postgis_lib_version(),"
            " current_setting('max_connections'), current_setting('shared_buffers')"
        ).fetchone()
    assert cameras and orgs and facts
    data = (
        f"{cameras[0]:,} cameras in `{DATABASE}`: {n:,} synthetic (benchmarks.load) + {cameras[1]:,} of"
        f" `observo seed-demo`; {orgs[0]} organisations; the synthetic load took {seconds:.0f} s"
    )
    return (
        data,
        f"PostgreSQL {facts[0]}, PostGIS {facts[1]}, max_connections={facts[2]}, shared_buffers={facts[3]}",
    )


def _server_log(log: Path, workers: int) -> str:
    """What gunicorn said: errors the answers may hide, and the workers it recycled (max_requests)."""
    text = log.read_text(errors="replace") if log.exists() else ""
    boots = text.count("Booting worker")
    access_5xx = len(re.findall(r'"status": 5\d\d', text))  # the JSON access log of gunicorn_conf
    return (
        f"gunicorn log: {text.count('Traceback')} tracebacks, {text.count('WORKER TIMEOUT')} worker"
        f" timeouts, {access_5xx} 5xx access lines, {text.count('Autorestarting worker')} workers recycled"
        f" after max_requests, {boots} worker boots for {workers} workers"
    )


def _observations(
    args: argparse.Namespace, peak: tuple[int, int], server: servers.Server, load0: str
) -> list[str]:
    return [
        f"Load average (1/5/15 min) at the start: {load0}; other engineers' test suites shared the two"
        " cores, and wrk itself runs on the same machine (2 threads). From the second pass on, the"
        " load average before a pass also counts this test's own server and database.",
        f"PostgreSQL client connections at peak: {peak[0]} to `{DATABASE}`, {peak[1]} in all"
        " (pg_stat_activity every 0.25 s; the busy and lock-waiting columns are the means over each pass).",
        _server_log(server.log, args.workers),
        "Lock waits: every accountable query (`sees`, `near`, search) appends to the hash-chained"
        " audit log, which holds the single `audit_chain_head` row from its claim to the commit;"
        " concurrent ones queue there (wait_event Lock/transactionid), which caps their throughput at"
        " one per hold time whatever the number of workers.",
        f"API rate limit raised for the run: OBSERVO_RATELIMIT_API='{RATELIMIT_API}' (default 600 per"
        " minute per caller; the test uses one viewer and one editor token).",
        "Write mix: per five requests two GETs of a hot set of"
        f" {args.hot} Moncalieri cameras, two PATCHes (new `bearing_deg`, so the sector is recomputed)"
        " with If-Match from the latest ETag read, one POST of a new camera; 412 answers a PATCH whose"
        " version another connection changed meanwhile: correct, counted apart.",
    ]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000, help="synthetic cameras (the demo comes on top)")
    parser.add_argument("--seed", type=int, default=42, help="data and request seed")
    parser.add_argument("--skip-load", action="store_true", help=f"reuse the loaded {DATABASE}")
    parser.add_argument("--connections", type=int, default=64, help="read passes' connections")
    parser.add_argument("--duration", type=int, default=60, help="read mix seconds")
    parser.add_argument("--warmup", type=int, default=5, help="warm-up seconds")
    parser.add_argument("--endpoint-seconds", type=int, default=15, help="per-endpoint passes (0: none)")
    parser.add_argument("--write-connections", type=int, default=32)
    parser.add_argument("--write-duration", type=int, default=60)
    parser.add_argument("--hot", type=int, default=48, help="cameras the write mix PATCHes")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument(
        "--max-requests", type=int, default=0, help="recycle workers after N requests (default: the config's)"
    )
    parser.add_argument("--output", type=Path, default=config.BENCH_DIR / "RESULTS.md")
    return parser.parse_args(argv)


def _info(args: argparse.Namespace, facts: tuple[str, str], how: str, notes: list[str]) -> report.RunInfo:
    return report.RunInfo(
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        command=" ".join(["python -m benchmarks.resilience_load", *sys.argv[1:]]),
        data=facts[0],
        server=f"{how}; on the same machine as wrk (loopback)",
        machine=f"{os.cpu_count()} CPUs ({environment._cpu_model()}), {environment._memory_gb()} RAM",
        database=facts[1],
        commands=[],
        observations=notes,
    )


def _drive(
    args: argparse.Namespace, files: Files, commands: list[str]
) -> tuple[list[report.PassResult], list[str], str]:
    """Serve, run every pass, stop; returns the results, the observations and the server's set-up."""
    server, env, how = serve(args.workers, args.max_requests)
    commands.append(" ".join(f"{k}='{v}'" for k, v in env.items() if k != "OBSERVO_SECRET_KEY"))
    commands.append(" ".join(server.command).replace(f"{config.PROJECT_DIR}/", ""))
    load0 = "/".join(f"{v:.2f}" for v in os.getloadavg())
    try:
        with pg_activity.ActivitySampler(DATABASE) as activity:
            results = [run_pass(server, spec, activity) for spec in plan(args, files)]
    finally:
        servers.stop(server)
    commands += [r.wrk.command.replace(f"{config.PROJECT_DIR}/", "") for r in results]
    return results, _observations(args, activity.peak(), server, load0), how


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    commands: list[str] = []
    if not args.skip_load:
        prepare(args.n, args.seed, commands)
    elif not EDITOR_TOKEN.exists():
        raise SystemExit(f"no tokens in {_relative(STATE_DIR)}: run without --skip-load first")
    files = write_requests(args.seed, args.hot)
    facts = _database_facts(json.loads(LOAD_REPORT.read_text()))
    results, notes, how = _drive(args, files, commands)
    info = _info(args, facts, how, notes)
    report.write(args.output, results, replace(info, commands=commands))
    print(f"wrote the load test's section of {args.output}")
    failures = [failure for result in results for failure in result.failures]
    if failures:
        print("FAILURES:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Run the benchmark: (optionally load,) serve each target in turn, drive every workload, write
benchmarks/RESULTS.md.

    .venv/bin/python -m benchmarks.run                   # full run on the loaded database
    .venv/bin/python -m benchmarks.run --load --n 50000 --quick
    .venv/bin/python -m benchmarks.run --targets tipg,pygeoapi,floor --workloads W1,W2,W3

Workload by workload, the targets run one at a time (only one server is up during its passes, started
afresh for each workload). Per target and workload: a warm-up, a throughput pass (wrk, 16
connections) and a latency pass at bounded load (2 connections). A non-2xx answer fails the run
(exit status 1) after the report is written; an Observo endpoint that does not exist yet (404/400)
is reported as "not available".
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import config, environment, floor, loadgen, probe, profiling, report, servers, state, targets
from benchmarks import load as loader
from benchmarks.loadgen import Pass
from benchmarks.notes import notes
from benchmarks.results import NOT_AVAILABLE, Measurement
from benchmarks.workloads import BY_KEY, OBSERVO, WORKLOADS, requests, targets_of

RESULTS = config.BENCH_DIR / "RESULTS.md"
# A latency pass that completes fewer requests than this (slow workloads such as W7) is run
# again for LONG_LATENCY_S, so p50/p99 rest on more than a handful of samples.
MIN_LATENCY_SAMPLES = 10
LONG_LATENCY_S = 60
ALL_TARGETS = ("observo", "tipg", "pygeoapi", "floor")


@dataclass(frozen=True)
class Options:
    workloads: tuple[str, ...]
    targets: tuple[str, ...]
    throughput: Pass
    latency: Pass
    warmup_s: int
    seed: int
    serve: targets.ServeOptions
    profile: tuple[str, ...]


class Run:
    """Collects measurements and the commands that produced them."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.measurements: list[Measurement] = []
        self.commands: list[str] = []
        self.failures: list[str] = []

    def fail(self, what: str) -> str:
        print(f"FAILED: {what}", file=sys.stderr, flush=True)
        self.failures.append(what)
        return f"failed: {what}"

    # --- HTTP targets -------------------------------------------------------------------------

    def _headers(self, target: str, key: str) -> list[str]:
        headers = [f"Authorization: Bearer {state.token()}"] if target == OBSERVO else []
        return [*headers, "Content-Type: application/json"] if key == "W6" else headers

    def _three_passes(self, name: str, run_one: Callable[[Pass, str], Any]) -> tuple[Any, Any, Any]:
        """Warm-up, throughput and latency passes; the latency pass again, longer, if too few samples."""
        o = self.options
        warm = Pass(o.throughput.connections, o.throughput.threads, o.warmup_s)
        plan = [("warmup", warm), ("throughput", o.throughput), ("latency", o.latency)]
        if o.latency.seconds < LONG_LATENCY_S:
            plan.append(("latency-long", Pass(o.latency.connections, o.latency.threads, LONG_LATENCY_S)))
        results: list[Any] = []
        for label, load in plan:
            if label == "latency-long" and results[-1].samples >= MIN_LATENCY_SAMPLES:
                break
            print(f"    {name} {label} ({load.connections} connections, {load.seconds} s)", flush=True)
            results.append(run_one(load, label))
            self.commands.append(results[-1].command)
        return results[0], results[1], results[-1]

    def _passes(self, url: str, file: Path, headers: list[str], name: str) -> tuple[loadgen.WrkResult, ...]:
        def run_one(load: Pass, label: str) -> loadgen.WrkResult:
            return loadgen.run(url, file, load, headers, state.RAW / f"{name}-{label}.txt")

        return self._three_passes(name, run_one)

    def measure_http(self, server: servers.Server, key: str) -> Measurement:
        target = server.name
        reqs = requests(key, target, state.camera_ids(), state.points())
        file = loadgen.write_requests(state.STATE_DIR / "requests" / f"{target}-{key}.txt", reqs)
        headers = self._headers(target, key)
        sample = probe.fetch(server.base_url, reqs[0], dict(h.split(": ", 1) for h in headers))
        if sample.missing:
            print(
                f"    {target} {key}: HTTP {sample.status}, not available: {sample.detail[:120]}", flush=True
            )
            return Measurement(key, target, status=f"{NOT_AVAILABLE} (HTTP {sample.status})")
        if not sample.ok:
            return Measurement(key, target, status=self.fail(f"{target} {key} answered HTTP {sample.status}"))
        profile = self._profile_start(server, key)
        _, loaded, bounded = self._passes(server.base_url, file, headers, f"{target}-{key}")
        self._profile_finish(profile, key)
        measurement = Measurement(
            key, target, requests_per_s=loaded.requests_per_s, p50_ms=bounded.p50_ms, p99_ms=bounded.p99_ms,
            p50_loaded_ms=loaded.p50_ms, p99_loaded_ms=loaded.p99_ms, bytes=sample.bytes,
            features=sample.features, raw=[str(loaded.raw), str(bounded.raw)],
        )  # fmt: skip
        bad = sum(r.non_2xx + r.socket_errors for r in (loaded, bounded))
        if bad:
            measurement.status = self.fail(f"{target} {key}: {bad} non-2xx answers or socket errors")
        return measurement

    def _profile_start(self, server: servers.Server, key: str) -> list | None:
        if not (server.name == OBSERVO and key in self.options.profile):
            return None
        seconds = self.options.warmup_s + self.options.throughput.seconds  # warm-up and throughput pass
        return [profiling.start(server.worker_pids, seconds, state.RAW / f"profile-{key}")]

    def _profile_finish(self, profile: list | None, key: str) -> None:
        if profile:
            top = profiling.finish(profile[0], state.RAW / f"profile-{key}")
            print(f"    profile of {key}: {top}", flush=True)

    def run_server(self, name: str, keys: list[str]) -> None:
        keys = [k for k in keys if name in targets_of(BY_KEY[k])]
        if not keys:
            return
        print(f"== {name}", flush=True)
        server, env = targets.launch(name, self.options.serve)
        shown_env = " ".join(f"{k}='{v}'" for k, v in env.items() if "SECRET" not in k)
        self.commands.append(f"{shown_env} {' '.join(server.command)}")
        try:
            for key in keys:
                self.measurements.append(self.measure_http(server, key))
        finally:
            servers.stop(server)

    # --- database floor -----------------------------------------------------------------------

    def measure_floor(self, key: str, variant: str) -> Measurement:
        o = self.options
        script = floor.render(key, variant)
        size, features = floor.sample_answer(script)

        def run_one(load: Pass, label: str) -> floor.FloorResult:
            return floor.run(script, load, o.seed, state.RAW / f"floor-{key}-{variant}-{label}.txt")

        _, loaded, bounded = self._three_passes(f"floor-{key}-{variant}", run_one)
        return Measurement(
            key, f"floor-{variant}", requests_per_s=loaded.transactions_per_s, p50_ms=bounded.p50_ms,
            p99_ms=bounded.p99_ms, p50_loaded_ms=loaded.p50_ms, p99_loaded_ms=loaded.p99_ms, bytes=size,
            features=features, raw=[str(loaded.raw), str(bounded.raw)],
        )  # fmt: skip

    def run_floor(self, keys: list[str]) -> None:
        print("== floor (pgbench)", flush=True)
        for key in keys:
            for variant in BY_KEY[key].floors:
                self.measurements.append(self.measure_floor(key, variant))


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--load", action="store_true", help="(re)load the database first")
    parser.add_argument("--n", type=int, default=1_000_000, help="cameras to load with --load")
    parser.add_argument("--seed", type=int, default=42, help="data seed (--load) and pgbench --random-seed")
    parser.add_argument(
        "--quick", action="store_true", help="short passes (3 s / 2 s, 1 s warm-up): a smoke run"
    )
    parser.add_argument("--workloads", default=",".join(w.key for w in WORKLOADS))
    parser.add_argument("--targets", default=",".join(ALL_TARGETS), help="observo, tipg, pygeoapi, floor")
    parser.add_argument("--connections", type=int, default=16, help="throughput pass connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads / pgbench jobs")
    parser.add_argument("--duration", type=int, default=20, help="throughput pass seconds")
    parser.add_argument("--latency-connections", type=int, default=2)
    parser.add_argument("--latency-duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=5, help="warm-up seconds")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class (Observo, pygeoapi)")
    parser.add_argument("--worker-threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="W1",
        default="",
        help="py-spy on Observo's workers during W1 (or W1,W4...)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def _options(args: argparse.Namespace) -> Options:
    if args.quick:
        args.duration, args.latency_duration, args.warmup = 3, 2, 1
    return Options(
        workloads=tuple(k.strip().upper() for k in args.workloads.split(",") if k.strip()),
        targets=tuple(t.strip() for t in args.targets.split(",") if t.strip()),
        throughput=Pass(args.connections, args.threads, args.duration),
        latency=Pass(
            args.latency_connections, min(args.threads, args.latency_connections), args.latency_duration
        ),
        warmup_s=args.warmup,
        seed=args.seed,
        serve=targets.ServeOptions(args.worker_class, args.worker_threads),
        profile=tuple(k.strip().upper() for k in args.profile.split(",") if k.strip()),
    )


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    options = _options(args)
    unknown = set(options.workloads) - set(BY_KEY) | set(options.targets) - set(ALL_TARGETS)
    if unknown:
        raise SystemExit(f"unknown workloads or targets: {sorted(unknown)}")
    if args.load:
        print(f"loading {args.n:,} cameras", flush=True)
        loader.load(args.n, args.seed, workers=1)
    if not state.TOKEN.exists():
        raise SystemExit("no benchmark state: run with --load (or python -m benchmarks.load) first")
    load_at_start = os.getloadavg()
    busy = load_at_start[0]
    if busy > 0.5 * (os.cpu_count() or 1):
        print(f"WARNING: load average {busy:.1f} before the run: figures will be skewed", file=sys.stderr)
    run = Run(options)
    # Workload by workload, every target in turn: the machine's speed drifts (other work shares the
    # two cores), and a slow spell then weighs on all the targets of a workload, not on one target's
    # whole run, so the same-run ratios stay fair.
    for key in options.workloads:
        for name in ("observo", "tipg", "pygeoapi"):
            if name in options.targets:
                run.run_server(name, [key])
        if "floor" in options.targets:
            run.run_floor([key])
    info = _info(args, options, run, load_at_start)
    report.write(args.output, run.measurements, info)
    print(f"wrote {args.output}")
    if run.failures:
        print("FAILURES:\n  " + "\n  ".join(run.failures), file=sys.stderr)
        return 1
    return 0


def _commands(executed: list[str]) -> list[str]:
    """The load command (from its report) and every server, wrk and pgbench command, paths relative."""
    load = state.read_json(state.LOAD_TIMINGS) or {}
    first = [f"python -m benchmarks.load --n {load['n']} --seed {load['seed']}"] if load else []
    root = f"{config.PROJECT_DIR}/"
    return [command.replace(root, "") for command in first + executed]


def _info(
    args: argparse.Namespace, options: Options, run: Run, load_at_start: tuple[float, float, float]
) -> report.RunInfo:
    o = options
    serving = f"gunicorn ×2, worker class {o.serve.worker_class}" + (
        f" ×{o.serve.threads} threads" if o.serve.worker_class == "gthread" else ""
    )
    return report.RunInfo(
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        title="Observo benchmark results" + (" (quick smoke run)" if args.quick else ""),
        command=" ".join(["python -m benchmarks.run", *sys.argv[1:]]),
        observo_serving=serving,
        passes=(
            f"warm-up {o.warmup_s} s; throughput {o.throughput.connections} connections × "
            f"{o.throughput.seconds} s; latency {o.latency.connections} connections × {o.latency.seconds} s; "
            f"{o.throughput.threads} wrk threads / pgbench jobs"
        ),
        environment=environment.describe(load_at_start),
        load=state.read_json(state.LOAD_TIMINGS),
        commands=_commands(run.commands),
        notes=notes(o.serve),
    )


if __name__ == "__main__":
    sys.exit(main())

"""Load N synthetic cameras into the benchmark database and report how long each phase took.

    .venv/bin/python -m benchmarks.load --n 1000000 --seed 42

Both cores work: worker processes generate COPY text chunk by chunk while this process streams
finished chunks into one COPY (one transaction that also truncates the table, so COPY FREEZE
writes rows already frozen and VACUUM has little left to do); then two connections rebuild the
indexes side by side.
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import psycopg

from benchmarks import accounts, config, copy_rows, database, state, synthetic

CHUNK = 25_000
SAVED_IDS = 10_000
SAVED_POINTS = 10_000


class Timings(dict[str, float]):
    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self[name] = round(time.perf_counter() - start, 2)
            print(f"  {name}: {self[name]:.1f} s", flush=True)


def _produce(task: tuple[int, int, int, int]) -> tuple[bytes, float]:
    n, seed, start, stop = task
    began = time.process_time()
    text = copy_rows.to_copy_text(synthetic.generate(synthetic.make_plan(n, seed), start, stop))
    return text, time.process_time() - began


def _copy(conn: psycopg.Connection, n: int, seed: int, workers: int, chunk: int) -> float:
    """Stream all chunks into one COPY FREEZE; returns the generators' total CPU seconds."""
    tasks = iter([(n, seed, start, min(start + chunk, n)) for start in range(0, n, chunk)])
    generate_cpu = 0.0
    columns = ", ".join(copy_rows.column_names())
    # Every table that references cameras (status history, owners' declarations, reminders...) is
    # empty in a fresh schema; TRUNCATE must name them all, so they are looked up, not listed.
    referencing = [
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint"
            " WHERE contype = 'f' AND confrelid = %s::regclass",
            (database.TABLE,),
        )
    ]
    conn.execute(f"TRUNCATE {', '.join([database.TABLE, *referencing])}")
    with multiprocessing.get_context("fork").Pool(workers) as pool, conn.cursor() as cur:
        # At most two chunks per worker in flight: memory stays bounded whichever side is slower.
        pending = deque(
            pool.apply_async(_produce, (t,)) for _, t in zip(range(2 * workers), tasks, strict=False)
        )
        with cur.copy(f"COPY {database.TABLE} ({columns}) FROM STDIN WITH (FREEZE)") as copy:
            while pending:
                text, seconds = pending.popleft().get()
                generate_cpu += seconds
                task = next(tasks, None)
                if task is not None:
                    pending.append(pool.apply_async(_produce, (task,)))
                copy.write(text)
    conn.commit()
    return generate_cpu


def _save_lists(conn: psycopg.Connection, n: int, seed: int) -> None:
    """Seeded camera ids the police viewer may read (not private, not decommissioned); Torino points."""
    candidates = (np.random.default_rng([seed, 1]).permutation(n)[: 4 * SAVED_IDS] + 1).tolist()
    visible = {
        row[0]
        for row in conn.execute(
            "SELECT id FROM cameras WHERE id = ANY(%s)"
            " AND visibility <> 'private' AND status <> 'decommissioned'",
            (candidates,),
        )
    }
    state.write_lines(state.CAMERA_IDS, [str(i) for i in candidates if i in visible][:SAVED_IDS])
    lon, lat = synthetic.torino_points(np.random.default_rng([seed, 2]), SAVED_POINTS)
    state.write_lines(state.TORINO_POINTS, [f"{a:.6f},{b:.6f}" for a, b in zip(lon, lat, strict=True)])


def load(n: int, seed: int, workers: int, chunk: int = CHUNK) -> dict[str, object]:
    """Recreate the database and load it; returns the report also saved to .state/load.json."""
    timings = Timings()
    instance = Path(tempfile.mkdtemp(prefix="observo-bench-"))
    began = time.perf_counter()
    with timings.phase("schema"):
        database.recreate()
        database.upgrade_schema(instance)
    with psycopg.connect(config.conninfo()) as conn:
        missing = database.missing_columns(conn, copy_rows.column_names())
        if missing:
            raise SystemExit(f"the cameras table has NOT NULL columns the loader does not fill: {missing}")
        database.insert_owners(conn)
        detached = database.detach(conn)
        conn.commit()
        with timings.phase("copy"):
            timings["generate_cpu"] = round(_copy(conn, n, seed, workers, chunk), 2)
        with timings.phase("index"):
            database.attach(detached)
        conn.autocommit = True
        with timings.phase("analyze"):
            database.finish(conn)
        timings["total"] = round(time.perf_counter() - began, 2)
        _save_lists(conn, n, seed)
        size = conn.execute("SELECT pg_size_pretty(pg_total_relation_size('cameras'))").fetchone()
    state.TOKEN.write_text(accounts.create_viewer(instance) + "\n")
    state.TOKEN.chmod(0o600)
    report = {
        "n": n,
        "seed": seed,
        "workers": workers,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "timings_s": dict(timings),
        "table_size": size[0] if size else "",
    }
    state.write_json(state.LOAD_TIMINGS, report)
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1_000_000, help="cameras to load (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--workers", type=int, default=1, help="generator processes (default 1: COPY needs a core)"
    )
    parser.add_argument("--chunk", type=int, default=CHUNK, help="rows per generated chunk")
    args = parser.parse_args(argv)
    print(f"loading {args.n:,} cameras (seed {args.seed}) into {config.BENCH_DB}", flush=True)
    report = load(args.n, args.seed, args.workers, args.chunk)
    print(f"loaded: {report}")


if __name__ == "__main__":
    main()

"""Visible areas at scale (issue 20): 100,000 cameras among ~200,000 building footprints in PostGIS.

    .venv/bin/python -m benchmarks.visibility_scale [--cameras 100000] [--buildings 200000]
        [--workers N] [--skip-load] [--no-recompute] [--no-queries] [--points 300] [--areas 60]
        [--passes 3] [--seed 7] [--profile FILE]
    make bench-visibility BENCH_VISIBILITY_ARGS="..."

1. **Load** (unless `--skip-load`): drop and create the database `--database` (default
   observo_vis_bench; nothing else is touched), Observo's schema (`observo db upgrade`), the owners
   of benchmarks/owners.py. One street grid (benchmarks/street_grid.py) centred on each of a few
   towns, sized by population, together at least `--buildings` footprints (plus walls), COPY'd into
   `obstacles` as the municipality's layer. `--cameras` cameras on their facades, shared among the
   towns like the footprints, ids grouped by town (as a census import would give them): optics and
   attributes as benchmarks/synthetic.py draws them, each looking away from its wall (±80°),
   sectors from the product's `observo.domain.fov.sectors`, rows from benchmarks/copy_rows.py.
2. **Recompute** (unless `--no-recompute`): every `fov_visible` reset to NULL, then the product's
   path, timed with its commit: `services.visible_areas.recompute_all(session, workers=--workers)`
   in one transaction (what `observo fov recompute` runs; default workers: one per core). Cameras/s,
   the share clipped, and the CPU milliseconds a camera of this process, the pool's workers and the
   PostgreSQL backend (read from /proc: they do not depend on what else the machine runs).
3. **Queries on visible areas vs sectors** (unless `--no-queries`), same data, same run: the
   database is copied (`<database>_sectors`, recreated) with `fov_visible` NULL, i.e. the sectors;
   "who sees this point" (W4: `services.queries.find_cameras` with `sees`, as GET
   /api/v1/cameras?sees= runs it, for a carabinieri viewer, its audit entry included) at `--points`
   random points of the grids, and coverage (`services.coverage.measure_target` without suggestions,
   as POST /api/v1/coverage runs it: its candidates' query timed apart) of `--areas` 1 km² squares,
   each asked of both databases in turn (the order alternating), `--passes` times, so that both
   modes meet the same moment's load. p50 of each mode, their ratio and the median of the paired
   ratios.

Not collected by pytest. Results: benchmarks/VISIBILITY.md (written by hand from this output).
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psycopg
import shapely
import sqlalchemy as sa
from shapely.geometry import Polygon

from benchmarks import attributes, config, copy_rows, database, grid, street_grid, synthetic
from benchmarks.owners import all_owners
from benchmarks.towns import TOWNS, Town
from observo.domain.fov import LocalFrame, sectors

DATABASE = "observo_vis_bench"
# The towns that get a street grid (their share of footprints and cameras: population ** 0.85).
GRID_TOWNS = ("Milano", "Torino", "Brescia", "Monza", "Bergamo", "Novara")
WEIGHT_EXPONENT = synthetic.WEIGHT_EXPONENT
PITCH_M = 62.0  # a block (40-60 m) and its street (12 m), on average
LAYER = "bench-dbt"
STAMP = "2026-01-15 09:00:00"
REASON = "benchmark: visible areas at scale"
AREA_HALF_SIDE_M = 500.0  # coverage squares of 1 km²
VIEWER_SLUG = "carabinieri-vis-bench"
MODES = ("visible", "sector")


@dataclass(frozen=True)
class TownGrid:
    town: Town
    owner_id: int
    blocks: int
    shapes: list  # local metres, centred on the town
    heights: list[float | None]

    @property
    def frame(self) -> LocalFrame:
        return LocalFrame(self.town.lon, self.town.lat)

    @property
    def footprints(self) -> int:
        return sum(isinstance(shape, Polygon) for shape in self.shapes)

    @property
    def half_extent_m(self) -> float:
        return self.blocks * PITCH_M / 2


def _town(name: str) -> tuple[int, Town]:
    return next((index, town) for index, town in enumerate(TOWNS) if town.name == name)


def _shares(total: int, weights: np.ndarray) -> np.ndarray:
    shares = np.floor(total * weights / weights.sum()).astype(int)
    shares[0] += total - shares.sum()
    return shares


def build_grids(rng: np.random.Generator, buildings: int) -> list[TownGrid]:
    """One street grid per town of GRID_TOWNS, centred on it, together >= `buildings` footprints."""
    towns = [_town(name) for name in GRID_TOWNS]
    weights = np.array([town.population for _, town in towns], dtype=float) ** WEIGHT_EXPONENT
    grids = []
    for (index, town), share in zip(towns, _shares(buildings, weights), strict=True):
        blocks = math.ceil(math.sqrt(share / 2))  # two buildings a block
        shapes, heights = street_grid.city(rng, blocks)
        grids.append(TownGrid(town, index + 1, blocks, shapes, heights))  # municipality id: index + 1
    return grids


def _centred(grid_: TownGrid, geometries: np.ndarray) -> np.ndarray:
    """Local grid metres -> EPSG:4326 around the town's centre."""
    half = grid_.half_extent_m
    moved = shapely.transform(geometries, lambda xy: xy - half)
    return grid_.frame.to_lonlat(moved)


def obstacle_rows(grid_: TownGrid) -> bytes:
    """COPY text of the grid's obstacles (organisation_id, kind, geometry, height_m, source, stamps)."""
    lonlat = _centred(grid_, np.array(grid_.shapes, dtype=object))
    hexes = shapely.to_wkb(shapely.set_srid(lonlat, 4326), hex=True, include_srid=True)
    lines = []
    for shape, text, height in zip(grid_.shapes, hexes.tolist(), grid_.heights, strict=True):
        kind = "building" if isinstance(shape, Polygon) else "wall"
        h = copy_rows.NULL if height is None else f"{height:.1f}"
        lines.append(f"{grid_.owner_id}\t{kind}\t{text}\t{h}\t{LAYER}\t{STAMP}\t{STAMP}\n")
    return "".join(lines).encode()


def camera_columns(rng: np.random.Generator, grid_: TownGrid, first_id: int, count: int) -> dict:
    """Columns of `count` cameras on the grid's facades (ids from `first_id`), for copy_rows."""
    x, y, outward = street_grid.facades(rng, grid_.shapes, count, grid_.blocks)
    points = _centred(grid_, shapely.points(x, y))
    lon, lat = shapely.get_x(points), shapely.get_y(points)
    columns = synthetic.optics(rng, count)
    turned = np.floor(((outward + rng.uniform(-80, 80, count)) % 360) * 10) / 10
    columns["bearing_deg"] = np.where(columns["hfov_deg"] < 360, turned, np.nan)
    town_index = grid_.owner_id - 1
    columns.update(
        id=np.arange(first_id, first_id + count),
        lon=np.round(lon, 7),
        lat=np.round(lat, 7),
        town=np.full(count, town_index),
        owner_id=np.full(count, grid_.owner_id),
    )
    precision = np.array([o.public_precision_m for o in all_owners()])[columns["owner_id"] - 1]
    columns["public_lon"], columns["public_lat"] = grid.snap_to_grid(
        columns["lon"], columns["lat"], precision
    )
    fovs = sectors(
        columns["lon"], columns["lat"], columns["bearing_deg"], columns["hfov_deg"], columns["range_m"]
    )
    ewkb = shapely.to_wkb(shapely.set_srid(np.array(fovs, dtype=object), 4326), hex=True, include_srid=True)
    columns["fov"] = ewkb
    columns.update(attributes.generate(rng, columns))
    return columns


def load(dbname: str, buildings: int, cameras: int, seed: int) -> list[TownGrid]:
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    database.recreate(dbname)
    database.upgrade_schema(Path(tempfile.mkdtemp(prefix="observo-vis-bench-")), dbname)
    grids = build_grids(rng, buildings)
    print(f"  grids built: {time.perf_counter() - started:.0f} s", flush=True)
    counts = _shares(cameras, np.array([g.footprints for g in grids], dtype=float))
    with psycopg.connect(config.conninfo(dbname)) as conn:
        missing = database.missing_columns(conn, copy_rows.column_names())
        if missing:
            raise SystemExit(f"the cameras table has NOT NULL columns the loader does not fill: {missing}")
        database.insert_owners(conn)
        obstacle_columns = "organisation_id, kind, geometry, height_m, source, created_at, updated_at"
        camera_columns_sql = ", ".join(copy_rows.column_names())
        with conn.cursor() as cur:
            with cur.copy(f"COPY obstacles ({obstacle_columns}) FROM STDIN") as copy:
                for grid_ in grids:
                    copy.write(obstacle_rows(grid_))
            print(f"  obstacles copied: {time.perf_counter() - started:.0f} s", flush=True)
            first_id = 1
            with cur.copy(f"COPY cameras ({camera_columns_sql}) FROM STDIN") as copy:
                for grid_, count in zip(grids, counts, strict=True):
                    copy.write(copy_rows.to_copy_text(camera_columns(rng, grid_, first_id, int(count))))
                    first_id += int(count)
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('cameras', 'id'), (SELECT max(id) FROM cameras))"
            )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE) obstacles")
        conn.execute("VACUUM (ANALYZE) cameras")
    print(f"  loaded: {time.perf_counter() - started:.0f} s", flush=True)
    return grids


def describe(dbname: str) -> dict[str, object]:
    with psycopg.connect(config.conninfo(dbname)) as conn:
        footprints, walls = conn.execute(
            "SELECT count(*) FILTER (WHERE kind = 'building'), count(*) FILTER (WHERE kind = 'wall')"
            " FROM obstacles"
        ).fetchone()
        (cameras,) = conn.execute("SELECT count(*) FROM cameras").fetchone()
        per_town = conn.execute(
            "SELECT o.name, count(*) FROM cameras c JOIN organisations o ON o.id = c.owner_id"
            " GROUP BY o.name ORDER BY count(*) DESC"
        ).fetchall()
    return {"footprints": footprints, "walls": walls, "cameras": cameras, "per_town": per_town}


# --- the product, in-process -------------------------------------------------------------------


def make_app(dbname: str):
    from observo.app import create_app
    from observo.settings import Settings

    instance = Path(tempfile.mkdtemp(prefix="observo-vis-bench-app-"))
    env = {
        **os.environ,
        "OBSERVO_DATABASE_URL": config.observo_url(dbname),
        "OBSERVO_INSTANCE_PATH": str(instance),
        "OBSERVO_LOG_LEVEL": "WARNING",
    }
    return create_app(Settings.from_env(env))


def dispose(app) -> None:
    from observo.extensions import db

    with app.app_context():
        db.engine.dispose()


def _cpu_seconds(backend_pid: int) -> dict[str, float]:
    """CPU seconds so far of this process, its finished children (the pool) and a PostgreSQL backend."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(f"/proc/{backend_pid}/stat") as stat:  # the server runs on this machine
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return {
        "caller": me.ru_utime + me.ru_stime,
        "workers": children.ru_utime + children.ru_stime,
        "database": (int(fields[11]) + int(fields[12])) / ticks,  # utime, stime
    }


def _load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def recompute(app, dbname: str, workers: int | None, profile: Path | None) -> dict[str, float]:
    from observo.extensions import db
    from observo.services import visible_areas

    _rewrite(dbname, "UPDATE cameras SET fov_visible = NULL WHERE fov_visible IS NOT NULL")
    reported = [0.0]

    def progress(done: int, total: int) -> None:
        if done == total or done / total >= reported[0] + 0.1:
            reported[0] = done / total
            print(f"    {done:,}/{total:,} {time.perf_counter() - started:.0f} s", flush=True)

    load_before = _load_average()
    with app.app_context():
        backend_pid = db.session.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        cpu_before = _cpu_seconds(backend_pid)
        profiler = None
        if profile is not None:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        result = visible_areas.recompute_all(db.session, progress=progress, workers=workers)
        db.session.commit()
        elapsed = time.perf_counter() - started
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        cpu = {key: after - cpu_before[key] for key, after in _cpu_seconds(backend_pid).items()}
    return {
        **{f"cpu_{key}": seconds for key, seconds in cpu.items()},
        "cameras": result.cameras,
        "clipped": result.clipped,
        "changed": result.changed,
        "seconds": elapsed,
        "rate": result.cameras / elapsed,
        "load_before": load_before,
        "load_after": _load_average(),
    }


def _points(rng: np.random.Generator, grids: list[TownGrid], count: int) -> list[tuple[float, float]]:
    """Random points over the grids' inner parts (streets and buildings alike), by footprints."""
    weights = np.array([g.footprints for g in grids], dtype=float)
    towns = rng.choice(len(grids), count, p=weights / weights.sum())
    out = []
    for index in towns.tolist():
        g = grids[index]
        inner = g.half_extent_m - street_grid.EDGE_MARGIN_M
        x, y = rng.uniform(-inner, inner, 2)
        point = g.frame.to_lonlat(shapely.Point(x, y))
        out.append((round(point.x, 6), round(point.y, 6)))
    return out


def _rewrite(dbname: str, update: str) -> None:
    """One UPDATE of fov_visible over the whole table, then the table rewritten (VACUUM FULL ANALYZE).

    The cluster counts' statement trigger is off meanwhile: fov_visible is not counted, and the
    trigger's transition-table join is not made for a statement of 100,000 rows (the product writes
    derived columns a row a statement: services/derived_columns.py)."""
    with psycopg.connect(config.conninfo(dbname)) as conn:
        conn.execute("ALTER TABLE cameras DISABLE TRIGGER camera_cell_counts_update")
        conn.execute(update)
        conn.execute("ALTER TABLE cameras ENABLE TRIGGER camera_cell_counts_update")
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM (FULL, ANALYZE) cameras")


def sectors_copy(dbname: str) -> str:
    """A copy of the database whose cameras have no visible area (fov_visible NULL: the sectors)."""
    copy = f"{dbname}_sectors"
    with psycopg.connect(config.conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{dbname}"')
        # Per-database settings do not travel with a template: the same as database.recreate's.
        conn.execute(f'ALTER DATABASE "{copy}" SET jit = off')
        conn.execute(f'ALTER DATABASE "{copy}" SET max_parallel_workers_per_gather = 0')
    _rewrite(copy, "UPDATE cameras SET fov_visible = NULL WHERE fov_visible IS NOT NULL")
    with psycopg.connect(config.conninfo(dbname), autocommit=True) as conn:
        conn.execute("VACUUM (FULL, ANALYZE) cameras")  # both tables freshly written
    return copy


def _viewer(app) -> object:
    """The carabinieri organisation's read scope (a state force: public and shared cameras)."""
    from observo.extensions import db
    from observo.models import Organisation
    from observo.services.actors import organisation_actor

    with app.app_context():
        viewer = db.session.query(Organisation).filter_by(slug=VIEWER_SLUG).one_or_none()
        if viewer is None:
            viewer = Organisation(slug=VIEWER_SLUG, name="Carabinieri (vis bench)", kind="carabinieri")
            db.session.add(viewer)
            db.session.commit()
        return organisation_actor(db.session, viewer)


def _paired(apps: dict, call: Callable, items: list, warmup: int, passes: int) -> dict[str, dict]:
    """`call(session, actor, item)` on each database in turn, item by item (the order alternating),
    so both see the same moment's load: ms and answers per mode, and each pair's ratio visible/sector."""
    from observo.extensions import db

    def once(mode: str, item: object) -> tuple[float, object]:
        app, actor = apps[mode]
        with app.app_context():
            started = time.perf_counter()
            answer = call(db.session, actor, item)
            elapsed = (time.perf_counter() - started) * 1000
            db.session.rollback()  # the audit entry of `sees`: the tables stay as they were
        return elapsed, answer

    for item in items[:warmup]:
        for mode in MODES:
            once(mode, item)
    out: dict[str, dict] = {mode: {"ms": [], "answers": []} for mode in MODES}
    out["pairs"] = []
    for pass_ in range(passes):
        for index, item in enumerate(items):
            for mode in MODES if (index + pass_) % 2 == 0 else MODES[::-1]:
                elapsed, answer = once(mode, item)
                out[mode]["ms"].append(elapsed)
                out[mode]["answers"].append(answer)
            out["pairs"].append(out["visible"]["ms"][-1] / out["sector"]["ms"][-1])
    return out


def queries(dbname: str, grids: list[TownGrid], args: argparse.Namespace) -> dict[str, dict]:
    from observo.domain.shapes import Area, square_around
    from observo.services import coverage
    from observo.services.queries import CameraQuery, find_cameras
    from observo.settings import current_settings

    copy = sectors_copy(dbname)
    rng = np.random.default_rng([args.seed, 3])
    points = _points(rng, grids, args.points)
    squares = [square_around(point, AREA_HALF_SIDE_M) for point in _points(rng, grids, args.areas)]
    apps = {"visible": make_app(dbname), "sector": make_app(copy)}
    apps = {mode: (app, _viewer(app)) for mode, app in apps.items()}
    with apps["visible"][0].app_context():
        limit, cap = current_settings().page_limit(None), current_settings().count_cap

    def sees(session, actor, point):
        return find_cameras(session, actor, CameraQuery(sees=point, reason=REASON), limit, 0, cap)

    def covers(session, actor, square):
        # coverage.measure_target without suggestions, in its two steps: the candidates' query, timed
        # apart, and the measure in metres.
        area = Area(square)
        started = time.perf_counter()
        found = coverage.candidates(session, actor, area, coverage.NO_FILTERS, coverage.DEFAULT_STATUSES)
        query_ms = (time.perf_counter() - started) * 1000
        return coverage.measure_cameras(area, found), query_ms

    load = _load_average()
    print(f"  {len(points)} points, {len(squares)} squares of 1 km², {args.passes} passes; load {load}")
    results = {
        "sees": _paired(apps, sees, points, warmup=20, passes=args.passes),
        "coverage": _paired(apps, covers, squares, warmup=3, passes=args.passes),
    }
    for mode in MODES:
        pages = results["sees"][mode].pop("answers")
        results["sees"][mode]["found"] = statistics.mean(len(page.hits) for page in pages)
        runs = results["coverage"][mode].pop("answers")
        results["coverage"][mode]["found"] = statistics.mean(len(run.cameras) for run, _ in runs)
        results["coverage"][mode]["ratio"] = statistics.mean(run.coverage.ratio for run, _ in runs)
        results["coverage"][mode]["query_ms"] = statistics.median(query_ms for _, query_ms in runs)
    return results


def report_recompute(done: dict, workers: int | None) -> None:
    print(
        f"recompute (workers={workers or 'default'}): {done['cameras']:,} cameras in {done['seconds']:.1f} s"
        f" = {done['rate']:.0f} cameras/s; {done['clipped']:,} clipped"
        f" ({100 * done['clipped'] / max(done['cameras'], 1):.1f} %), {done['changed']:,} written;"
        f" load average {done['load_before']} -> {done['load_after']}\n"
        f"  CPU ms a camera: caller {_per(done, 'cpu_caller')}, workers {_per(done, 'cpu_workers')},"
        f" database {_per(done, 'cpu_database')}",
        flush=True,
    )


def _per(done: dict, key: str) -> str:
    return f"{1000 * done[key] / max(done['cameras'], 1):.2f}"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cameras", type=int, default=100_000)
    parser.add_argument("--buildings", type=int, default=200_000, help="footprints at least (walls extra)")
    parser.add_argument("--workers", type=int, default=None, help="recompute processes (default: every core)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", default=DATABASE, help="dropped and recreated unless --skip-load")
    parser.add_argument("--skip-load", action="store_true", help="reuse the loaded database")
    parser.add_argument("--points", type=int, default=300, help="'who sees' points")
    parser.add_argument("--areas", type=int, default=60, help="1 km² coverage squares")
    parser.add_argument("--passes", type=int, default=3, help="passes over the points and squares")
    parser.add_argument("--no-queries", action="store_true", help="time the recompute only")
    parser.add_argument(
        "--no-recompute", action="store_true", help="time the queries only, on the visible areas stored"
    )
    parser.add_argument("--profile", type=Path, help="cProfile the recompute into this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    print(f"load average at start: {_load_average()} ({os.cpu_count()} cores)", flush=True)
    grids = build_grids(np.random.default_rng(args.seed), args.buildings) if args.skip_load else None
    if grids is not None:  # the schema may have moved on since the load
        database.upgrade_schema(Path(tempfile.mkdtemp(prefix="observo-vis-bench-")), args.database)
    else:
        print(f"loading {args.buildings:,} footprints and {args.cameras:,} cameras into {args.database}")
        grids = load(args.database, args.buildings, args.cameras, args.seed)
    facts = describe(args.database)
    towns = ", ".join(f"{g.town.name} {g.blocks}x{g.blocks} blocks" for g in grids)
    print(f"data: {facts['footprints']:,} footprints, {facts['walls']:,} walls, {facts['cameras']:,} cameras")
    print(f"  grids: {towns}")
    app = make_app(args.database)
    if not args.no_recompute:
        report_recompute(recompute(app, args.database, args.workers, args.profile), args.workers)
    if args.no_queries:
        return 0
    dispose(app)  # the sectors' copy is made from this database: no connection may stay open
    results = queries(args.database, grids, args)
    for name, what in (("sees", "cameras a point"), ("coverage", "cameras an area")):
        visible, sector = (statistics.median(results[name][mode]["ms"]) for mode in MODES)
        found = ", ".join(f"{mode} {results[name][mode]['found']:.1f}" for mode in MODES)
        print(
            f"{name}: p50 visible areas {visible:.1f} ms, sectors {sector:.1f} ms,"
            f" ratio {visible / sector:.2f}; median of the paired ratios"
            f" {statistics.median(results[name]['pairs']):.2f} ({what}: {found})"
        )
    ratios = ", ".join(f"{mode} {results['coverage'][mode]['ratio']:.3f}" for mode in MODES)
    print(f"coverage ratio (share of the area seen): {ratios}")
    queried = ", ".join(f"{mode} {results['coverage'][mode]['query_ms']:.1f} ms" for mode in MODES)
    print(f"coverage's candidates query, p50: {queried} (the rest is the measure in metres)")
    print(f"load average at end: {_load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The "Notes" of RESULTS.md: how the targets were set up and what the floor's SQL is."""

from __future__ import annotations

import psycopg

from benchmarks import config, floor
from benchmarks.targets import ServeOptions
from benchmarks.towns import TORINO_CITY_BBOX, TORINO_VIEWPORT_BBOX

WORKER_CLASS_WHY = {
    "gthread": (
        "gthread (threads per worker): keeps HTTP connections alive as wrk and uvicorn do, and lets a worker "
        "build one response while another thread waits on PostgreSQL (psycopg releases the GIL), so two "
        "processes keep both cores busy with the database on the same machine. pygeoapi gets the same "
        "gunicorn settings, so the two WSGI apps are compared on equal terms."
    ),
    "sync": (
        "sync: one request per worker at a time, connection closed after each answer; pygeoapi gets the "
        "same gunicorn settings."
    ),
}


def _matches() -> str:
    boxes = {"W1 viewport": TORINO_VIEWPORT_BBOX, "W3 city box": TORINO_CITY_BBOX}
    parts = []
    with psycopg.connect(config.conninfo()) as conn:
        for name, box in boxes.items():
            row = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE visibility IN ('public', 'shared')"
                " AND status <> 'decommissioned') FROM cameras"
                " WHERE ST_Intersects(location, ST_MakeEnvelope(%s, %s, %s, %s, 4326))",
                box,
            ).fetchone()
            if row:
                parts.append(f"{name}: {row[0]:,} cameras ({row[1]:,} listed for the police viewer)")
    return "; ".join(parts)


def notes(serve: ServeOptions) -> list[str]:
    worker_class = WORKER_CLASS_WHY.get(serve.worker_class, serve.worker_class)
    return [
        f"Observo's gunicorn worker class: {worker_class}",
        "Observo is called as a viewer of a `carabinieri` organisation (a state force: reads every public "
        "and shared camera, no private ones of others) with `Authorization: Bearer`; W2 ids are seeded and "
        "drawn among cameras that viewer may read.",
        f"Matches: {_matches()}.",
        "Peers serve the whole table: every non-geometry column as properties and `location` as geometry "
        "(tipg drops the other geometry columns itself and is told `geomcol=location`; pygeoapi's provider "
        "is given the same property list because it cannot serialise `fov`). Observo's features also carry "
        "`fov` (a GeoJSON Polygon), hence its larger answers.",
        "The benchmark database runs with `jit=off` and `max_parallel_workers_per_gather=0` (ALTER "
        "DATABASE, as docs/architecture.md says to deploy); every target and the floor get the same.",
        "Floor SQL (benchmarks/sql/, rendered to benchmarks/.state/sql/): `ST_AsGeoJSON(record, "
        "'location', 7)` over the page, `json_agg` into a FeatureCollection. Peer semantics: exact "
        "`count(*)` of all matches + `ORDER BY id LIMIT n` over the whole table. Lean: the police viewer's "
        f"rows (`{floor.LISTED}`), `LIMIT n`, no count, no sort. W4-W6 return the first 100 (Observo's "
        "default page); W5 is `&&` on a box + `ST_DWithin(geography, 200)`; W6 is `ST_Intersects` on "
        "`location` OR `fov`, active cameras only; W7 groups generalised positions by Web Mercator cell "
        "(zoom 8, 4×4 per tile) and camera type.",
        "A latency pass that completes fewer than 10 requests (W7: each answer takes seconds) is run again "
        "for 60 s, and that longer pass gives p50/p99.",
        "Points (W4-W6) are Gaussian around Torino's centre like its cameras (σ ≈ 1.8 km), inside the city "
        "box; wrk cycles through a seeded list, pgbench draws from the same distribution (`--random-seed`).",
    ]

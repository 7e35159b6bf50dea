"""The operational map in a real browser: how long from a pan to the cameras drawn, on N cameras.

    .venv/bin/python -m benchmarks.map_pan --n 100000 --pans 20
    .venv/bin/python -m benchmarks.map_pan --url http://127.0.0.1:5000 --views city14,street16

Loads N synthetic cameras into the benchmark database if it does not hold exactly N, creates a
signed-in user (an admin by default: it sees every camera, the worst case for the map), serves
Observo under gunicorn (2 workers) unless --url is given, and drives Debian's Chromium through
Playwright with the browser tests' routing (CDN files from node_modules, blank tiles, nothing else).

Per view (a centre and a zoom) it opens /map, waits for the first `observo:rendered`, then pans
`--pans` times by 300 px (east, south, west, north, ...) with `map.panBy(..., {animate: false})`
and measures in the page, from t0 = just before the pan:

- rendered: until the first frame after the cameras are drawn, i.e. after `observo:rendered` and,
  in point mode, after Leaflet.markercluster has added its last chunk of markers (its chunked
  loading may still be adding markers when the event fires); with and without the map's 150 ms
  debounce (the load's own start, `event time - detail.ms`, is the origin of the second);
- the `ms` the event reports (load start to markers added, as the map sees it);
- main-thread responsiveness while loading: the longest task (PerformanceObserver `longtask`), the
  blocking time (sum of each task's excess over 50 ms) and the longest gap between two
  requestAnimationFrame callbacks (a frame the user waited for);
- what is drawn: cameras or server clusters, marker icons in the DOM, field-of-view sectors;
- the requests to /api/ the pan made (Resource Timing): how many, their summed duration, kB.

The cameras in view range are the clusters API's `numberMatched` for the initial viewport.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psycopg
from playwright.sync_api import Page, sync_playwright

from benchmarks import accounts, config, servers, state, targets
from benchmarks import load as loader
from benchmarks.towns import TOWNS
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, _refuse_outside, sign_in

VIEWPORT = {"width": 1280, "height": 800}
PAN_PX = 300
DIRECTIONS = ((PAN_PX, 0), (0, PAN_PX), (-PAN_PX, 0), (0, -PAN_PX))
TIMEOUT_MS = 60_000
USER_FILE = config.STATE_DIR / "map_user.json"
DEFAULT_OUT = config.STATE_DIR / "map_pan.json"

# Installed before the page's scripts: long tasks, every `observo:rendered`, and a chunkProgress
# callback on every marker cluster group (set on the class's default options as soon as main.js
# publishes window.observoMap, before it creates its group), so the script knows when
# markercluster's chunked loading has added the last marker.
INIT_JS = """
(() => {
  performance.setResourceTimingBufferSize(1000000); // tiles too: the default 250 fill up
  const longtasks = [];
  const rendered = [];
  const chunks = { pending: false, doneAt: 0 };
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longtasks.push([entry.startTime, entry.duration]);
    }).observe({ type: "longtask", buffered: true });
  } catch (error) { /* no long-task timing: reported as 0 */ }
  document.addEventListener("observo:rendered", (event) => {
    rendered.push({ at: performance.now(), ...event.detail });
  });
  let ctx = null;
  Object.defineProperty(window, "observoMap", {
    configurable: true,
    get: () => ctx,
    set(value) {
      ctx = value;
      L.MarkerClusterGroup.prototype.options.chunkProgress = (done, total) => {
        chunks.pending = done < total;
        if (done >= total) chunks.doneAt = performance.now();
      };
    },
  });
  const nextPaint = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  window.__mapBench = {
    longtasks, rendered, chunks, nextPaint,
    async settled(at) {
      while (chunks.pending) await new Promise((resolve) => setTimeout(resolve, 5));
      return Math.max(at, chunks.doneAt);
    },
    drawn() {
      return {
        icons: document.querySelectorAll(".leaflet-marker-pane .leaflet-marker-icon").length,
        sectors: document.querySelectorAll("path.fov-sector").length,
      };
    },
    sample(t0, event, settled, painted, frames) {
      const tasks = longtasks.filter(([start, d]) => start < painted && start + d > t0).map(([, d]) => d);
      const stamps = [t0, ...frames.filter((t) => t < painted), painted];
      const gaps = stamps.slice(1).map((t, i) => t - stamps[i]);
      const api = performance.getEntriesByType("resource")
        .filter((e) => e.name.includes("/api/") && e.startTime >= t0 && e.startTime < painted);
      return {
        rendered_ms: painted - t0, event_ms: event.at - t0, load_ms: event.ms,
        load_start_ms: event.at - event.ms - t0, settled_ms: settled - t0,
        mode: event.mode, cameras: event.cameras, clusters: event.clusters, ...this.drawn(),
        longest_task_ms: Math.max(0, ...tasks),
        blocking_ms: tasks.reduce((sum, d) => sum + Math.max(0, d - 50), 0),
        longest_frame_ms: Math.max(...gaps),
        api_requests: api.length, api_ms: api.reduce((sum, e) => sum + e.duration, 0),
        api_kb: api.reduce((sum, e) => sum + e.encodedBodySize, 0) / 1024,
      };
    },
  };
})();
"""

# One pan, measured in the page (performance.now(): no round trip to Python inside the interval).
PAN_JS = """
async ([dx, dy, timeoutMs]) => {
  const bench = window.__mapBench;
  const frames = [];
  let running = true;
  const tick = () => { frames.push(performance.now()); if (running) requestAnimationFrame(tick); };
  const rendered = new Promise((resolve, reject) => {
    document.addEventListener("observo:rendered",
      (event) => resolve({ at: performance.now(), ...event.detail }), { once: true });
    setTimeout(() => reject(new Error("no observo:rendered after the pan")), timeoutMs);
  });
  const t0 = performance.now();
  requestAnimationFrame(tick);
  window.observoMap.map.panBy([dx, dy], { animate: false });
  const event = await rendered;
  const settled = await bench.settled(event.at);
  await bench.nextPaint();
  const painted = performance.now();
  running = false;
  await new Promise((resolve) => setTimeout(resolve, 100)); // long-task entries arrive late
  return bench.sample(t0, event, settled, painted, frames);
}
"""

# The first load after opening the page (time origin: navigation start), once it has settled.
FIRST_JS = """
async (timeoutMs) => {
  const bench = window.__mapBench;
  const deadline = performance.now() + timeoutMs;
  while (!bench.rendered.length) {
    if (performance.now() > deadline) throw new Error("no observo:rendered after opening the map");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const event = bench.rendered[0];
  await bench.settled(event.at);
  await bench.nextPaint();
  return { open_ms: performance.now(), load_ms: event.ms, mode: event.mode, cameras: event.cameras,
    clusters: event.clusters, ...bench.drawn() };
}
"""

# The cameras in view range: the clusters API's total for the viewport (as the map clips it).
IN_VIEW_JS = """
async () => {
  const { map, config } = window.observoMap;
  const b = map.getBounds(), e = config.extent;
  const bbox = [Math.max(b.getWest(), e[0]), Math.max(b.getSouth(), e[1]),
    Math.min(b.getEast(), e[2]), Math.min(b.getNorth(), e[3])].map((v) => Number(v.toFixed(6)));
  const params = new URLSearchParams({ bbox: bbox.join(","), zoom: String(map.getZoom()) });
  const answer = await fetch(`${config.urls.clusters}?${params}`, { credentials: "same-origin" });
  if (!answer.ok) throw new Error(`clusters: HTTP ${answer.status}`);
  return { bbox, zoom: map.getZoom(), in_view: (await answer.json()).numberMatched };
}
"""


@dataclass(frozen=True)
class View:
    name: str
    label: str
    lat: float
    lng: float
    zoom: int

    def path(self) -> str:
        return f"/map?lat={self.lat}&lng={self.lng}&z={self.zoom}"


def _town(name: str) -> tuple[float, float]:
    town = next(t for t in TOWNS if t.name == name)
    return town.lat, town.lon


def default_views() -> list[View]:
    """Region (server clusters), metro (clusters), city (points, or clusters past 4,000), street."""
    torino, brescia = _town("Torino"), _town("Brescia")
    return [
        View("region8", "Piemonte + Lombardia", 45.35, 8.8, 8),
        View("region9", "Torino to Milano", 45.3, 8.44, 9),
        View("metro12", "Torino and its belt", *torino, 12),
        View("city14-torino", "Torino centre (> 4,000 in view)", *torino, 14),
        View("city14", "Brescia centre", *brescia, 14),
        View("street16", "Torino centre", *torino, 16),
    ]


def loaded_cameras() -> int | None:
    try:
        with psycopg.connect(config.conninfo()) as conn:
            row = conn.execute("SELECT count(*) FROM cameras").fetchone()
    except (psycopg.OperationalError, psycopg.errors.UndefinedTable):
        return None
    return int(row[0]) if row else None


def ensure_cameras(n: int, seed: int) -> None:
    """Load N cameras unless the benchmark database already holds exactly N (the loader drops it)."""
    found = loaded_cameras()
    if found == n:
        print(f"{config.BENCH_DB} holds {n:,} cameras", flush=True)
        return
    print(f"{config.BENCH_DB} holds {found} cameras: loading {n:,} (seed {seed})", flush=True)
    loader.load(n, seed, workers=1)


def ensure_user(role: str) -> tuple[str, str]:
    """A user of the benchmark's organisation; its password is kept in .state/ (mode 600)."""
    email = f"map-{role}@{accounts.ORG_SLUG}.example.it"
    saved: dict[str, str] = state.read_json(USER_FILE) or {}
    with psycopg.connect(config.conninfo()) as conn:
        exists = conn.execute("SELECT 1 FROM users WHERE email = %s", (email,)).fetchone() is not None
    if exists and email in saved:
        return email, saved[email]
    if exists:
        raise SystemExit(f"{email} exists but its password is not in {USER_FILE}: reload the data")
    password = secrets.token_urlsafe(18)
    env = {
        **os.environ,
        "OBSERVO_DATABASE_URL": config.observo_url(),
        "OBSERVO_INSTANCE_PATH": tempfile.mkdtemp(prefix="observo-bench-"),
    }
    args = ["user", "create", "--email", email, "--org", accounts.ORG_SLUG, "--role", role]
    accounts._observo(args, env, password + "\n")
    state.write_json(USER_FILE, {**saved, email: password})
    USER_FILE.chmod(0o600)
    return email, password


@contextmanager
def observo_server(url: str | None) -> Iterator[str]:
    """Observo under gunicorn (2 workers) on the benchmark database, or the server at `url`."""
    if url:
        yield url.rstrip("/")
        return
    server, env, ready = targets.observo(targets.ServeOptions())
    server.log = state.RAW / "observo-map.log"
    env = {**env, "OBSERVO_SESSION_COOKIE_SECURE": "0"}
    servers.start(server, env, cwd=config.PROJECT_DIR)
    try:
        servers.wait_ready(server, ready)
        yield server.base_url
    finally:
        servers.stop(server)


def open_view(page: Page, base: str, view: View) -> dict[str, Any]:
    """Open the view, wait for its first render; returns that load and the cameras in view range."""
    page.goto(base + view.path())
    first = page.evaluate(FIRST_JS, TIMEOUT_MS)  # polls in the page: the CSP forbids wait_for_function
    return {**first, **page.evaluate(IN_VIEW_JS)}


def measure_view(page: Page, base: str, view: View, pans: int, warmup: int) -> dict[str, Any]:
    opened = open_view(page, base, view)
    print(f"  {view.name}: {opened['in_view']:,} cameras in view, first load {opened['load_ms']} ms")
    samples = []
    for index in range(warmup + pans):
        dx, dy = DIRECTIONS[index % len(DIRECTIONS)]
        sample = page.evaluate(PAN_JS, [dx, dy, TIMEOUT_MS])
        if index >= warmup:
            samples.append(sample)
    return {"view": asdict(view), "opened": opened, "samples": samples, "summary": summarise(samples)}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _stats(values: list[float]) -> dict[str, float]:
    return {
        "p50": round(percentile(values, 50), 1),
        "p95": round(percentile(values, 95), 1),
        "max": round(max(values), 1),
    }


def summarise(samples: list[dict[str, Any]]) -> dict[str, Any]:
    def column(key: str) -> list[float]:
        return [float(sample[key]) for sample in samples]

    excluding = [s["rendered_ms"] - s["load_start_ms"] for s in samples]
    modes = sorted({s["mode"] for s in samples})
    return {
        "pans": len(samples),
        "modes": modes,
        "rendered_ms": _stats(column("rendered_ms")),
        "rendered_excl_debounce_ms": _stats(excluding),
        "debounce_ms": _stats(column("load_start_ms")),
        "event_ms": _stats(column("load_ms")),
        "longest_task_ms": _stats(column("longest_task_ms")),
        "blocking_ms": _stats(column("blocking_ms")),
        "longest_frame_ms": _stats(column("longest_frame_ms")),
        "cameras": _stats(column("cameras")),
        "clusters": _stats(column("clusters")),
        "icons": _stats(column("icons")),
        "sectors": _stats(column("sectors")),
        "api_requests": _stats(column("api_requests")),
        "api_ms": _stats(column("api_ms")),
        "api_kb": _stats(column("api_kb")),
    }


def _triple(stats: dict[str, float]) -> str:
    return f"{stats['p50']:,.0f} / {stats['p95']:,.0f} / {stats['max']:,.0f}"


def _drawn(summary: dict[str, Any]) -> str:
    """Median markers drawn: cameras loaded (point mode) or server clusters, DOM icons, sectors."""
    if summary["modes"] == ["clusters"]:
        text = f"{summary['clusters']['p50']:,.0f} server clusters"
    else:
        text = f"{summary['cameras']['p50']:,.0f} cameras ({summary['icons']['p50']:,.0f} icons)"
    if summary["sectors"]["p50"]:
        text += f", {summary['sectors']['p50']:,.0f} sectors"
    return text


def _api(summary: dict[str, Any]) -> str:
    """Median requests to /api/ per pan, their summed duration (ms) and body size (kB)."""
    api = {key: summary[f"api_{key}"]["p50"] for key in ("requests", "ms", "kb")}
    return f"{api['requests']:.0f} req, {api['ms']:,.0f} ms, {api['kb']:,.0f} kB"


def markdown(results: list[dict[str, Any]]) -> str:
    """One row per view; times in ms, p50 / p95 / max over the measured pans."""
    lines = [
        "| view | zoom | cameras in view | mode | drawn (median) | pan → rendered | same, excl. debounce"
        " | event `ms` | API (median) | longest task | longest frame |",
        "| --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        view, opened, summary = result["view"], result["opened"], result["summary"]
        cells = [
            f"{view['name']}: {view['label']}",
            str(view["zoom"]),
            f"{opened['in_view']:,}",
            " + ".join(summary["modes"]),
            _drawn(summary),
            _triple(summary["rendered_ms"]),
            _triple(summary["rendered_excl_debounce_ms"]),
            _triple(summary["event_ms"]),
            _api(summary),
            _triple(summary["longest_task_ms"]),
            _triple(summary["longest_frame_ms"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def screenshots(page: Page, base: str, path: Path, views: list[View]) -> list[str]:
    """The city view with its markers at `path`, the region view's server clusters beside it."""
    by_name = {view.name: view for view in views}
    shots = [(by_name["city14"], path), (by_name["region8"], path.with_name(f"{path.stem}-region.png"))]
    for view, file in shots:
        open_view(page, base, view)
        page.screenshot(path=str(file))
    return [str(file) for _, file in shots]


def browse(base: str, user: tuple[str, str], views: list[View], args: argparse.Namespace) -> dict[str, Any]:
    """Sign in once, measure every view in the same tab, then take the screenshots."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT)
        context.route("**/*", _refuse_outside(base))
        context.add_init_script(INIT_JS)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        sign_in(page, base, *user)
        results = [measure_view(page, base, view, args.pans, args.warmup) for view in views]
        shots = screenshots(page, base, args.screenshot, default_views()) if args.screenshot else []
        version = browser.version
        browser.close()
    return {"browser": f"Chromium {version}", "results": results, "screenshots": shots, "js_errors": errors}


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=100_000, help="cameras in the database (default 100,000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--url", help="an Observo already serving the benchmark database (else gunicorn)")
    parser.add_argument("--pans", type=int, default=20, help="measured pans per view (default 20)")
    parser.add_argument("--warmup", type=int, default=2, help="pans per view not measured (default 2)")
    parser.add_argument("--role", choices=["admin", "editor", "viewer"], default="admin")
    names = ",".join(view.name for view in default_views())
    parser.add_argument("--views", default=names, help=f"comma-separated subset of {names}")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results")
    parser.add_argument("--screenshot", type=Path, help="PNG of the city view (+ '-region' beside it)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    wanted = args.views.split(",")
    views = [view for view in default_views() if view.name in wanted]
    state.ensure()
    load_average = os.getloadavg()
    ensure_cameras(args.n, args.seed)
    user = ensure_user(args.role)
    with observo_server(args.url) as base:
        print(f"measuring {len(views)} views x {args.pans} pans as {user[0]} on {base}", flush=True)
        report = browse(base, user, views, args)
    report |= {"n": args.n, "seed": args.seed, "role": args.role, "pan_px": PAN_PX, "viewport": VIEWPORT}
    report["load_average"] = {"start": load_average, "end": os.getloadavg()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(report["results"]))
    if report["js_errors"]:
        print("JavaScript errors:", *report["js_errors"], sep="\n  ")
    print(f"written {args.out}")


if __name__ == "__main__":
    main()

// The cameras in view, loaded per viewport. The server's grid clusters come first (one small
// answer); from `zoom.points`, when they count at most MAX_POINTS cameras, the cameras themselves
// follow (grouped in the browser by Leaflet.markercluster), and their fields of view from
// `zoom.sectors`. Each pan aborts the previous load; markers and sectors are kept by id so a pan
// adds and removes only what changed.
import { problemText, withParams } from "./api.js";
import { _, formatNumber, ngettext } from "../i18n.js";
import { createBuildingLayer } from "./buildings.js";
import { clusterIcon, cameraIcon, STATUS_COLOURS } from "./icons.js";
import { directionUnknown } from "./source.js";
import { viewportBbox } from "./view.js";

const PAGE_SIZE = 1000;
const MAX_POINTS = 4000; // beyond that many cameras in view, the grid clusters say more than points
const DEBOUNCE_MS = 150;
// At street zoom: markers that would hide each other (the heads of one pole, the cameras of one shop
// front), not neighbours across the street. A marker is 26 px wide.
const SITE_RADIUS_PX = 8;

export function createCameraLayer(ctx) {
  const { map, config, api } = ctx;
  const serverClusters = L.layerGroup().addTo(map);
  // From street zoom only cameras on one spot (the heads of one pole) stay grouped: opening the
  // group spreads them out (spiderfy), so each head can be opened, by mouse or with Enter.
  const points = L.markerClusterGroup({
    chunkedLoading: true, showCoverageOnHover: false, spiderfyOnMaxZoom: true,
    chunkProgress: (done, total) => {
      if (done !== total) return;
      const resolve = added;
      added = null;
      resolve?.();
    },
    maxClusterRadius: (zoom) => (zoom >= config.zoom.sectors ? SITE_RADIUS_PX : 45),
    iconCreateFunction: (cluster) => {
      const count = cluster.getChildCount();
      const site = map.getZoom() >= config.zoom.sectors;
      return clusterIcon(count, site
        ? ngettext("%(count)s camera close together: open to spread them out", "%(count)s cameras close together: open to spread them out", count)
        : ngettext("%(count)s camera here: open to zoom in", "%(count)s cameras here: open to zoom in", count), { site });
    },
  }).addTo(map);
  // Spread out, the first head takes the keyboard (Tab goes on to the others).
  let spread = false;
  points.on("spiderfied", (event) => {
    spread = true;
    event.markers[0]?.getElement()?.focus({ preventScroll: true });
  });
  points.on("unspiderfied", () => { spread = false; });
  const sectors = L.layerGroup().addTo(map);
  const sectorLayers = new Map(); // camera id -> its sector polygon
  const sectorCanvas = L.canvas({ padding: 0.2 });
  const markers = new Map(); // camera id -> marker (its feature in marker.feature)
  let controller = null;
  let timer = null;
  let added = null; // resolves the markers' chunked adding when markercluster has placed the last one
  let selectHandler = () => {};
  // The buildings that clip the sectors, faint under them from street zoom (buildings.js).
  const buildings = createBuildingLayer(ctx);

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, DEBOUNCE_MS);
  }

  async function refresh() {
    const started = performance.now();
    controller?.abort();
    controller = new AbortController();
    const signal = controller.signal;
    document.body.dataset.mapState = "loading";
    try {
      const bbox = viewportBbox(map, config.extent);
      const cells = bbox ? await loadClusters(bbox, signal) : [];
      // The cells' counts say, for one small request, whether the cameras themselves fit the view.
      const total = cells.reduce((sum, cell) => sum + cell.properties.count, 0);
      const wantPoints = map.getZoom() >= config.zoom.points && total <= MAX_POINTS
        && areaKm2(bbox) <= config.limits.maxBboxKm2;
      const features = wantPoints && total > 0 ? await loadPoints(bbox, signal) : wantPoints ? [] : null;
      if (features) await showPoints(features);
      else showClusters(cells);
      signal.throwIfAborted(); // a newer load took over while these markers were being placed
      finish(features ? "points" : "clusters", started);
    } catch (error) {
      if (error.name === "AbortError") return; // the next pan's load replaces this one
      document.body.dataset.mapState = "error";
      ctx.notify("error", _("The cameras could not be drawn: move the map to try again."));
      console.error(error); // a bug, not the network (api.js answers those): the tests must see it
    }
  }

  async function loadPoints(bbox, signal) {
    let url = withParams(config.urls.cameras, { ...ctx.filters, bbox: bbox.join(","), limit: PAGE_SIZE });
    const features = [];
    while (url && features.length < MAX_POINTS) {
      const answer = await api.get(url, { signal });
      signal.throwIfAborted(); // aborted while its body was read: no data, not an error to show
      if (!answer.ok) return reportError(answer);
      features.push(...(answer.data?.features || [])); // an empty answer is no cameras, not a failure
      url = (answer.data?.links || []).find((link) => link.rel === "next")?.href;
    }
    return features;
  }

  async function loadClusters(bbox, signal) {
    const url = withParams(config.urls.clusters, { ...ctx.filters, bbox: bbox.join(","), zoom: map.getZoom() });
    const answer = await api.get(url, { signal });
    signal.throwIfAborted();
    if (!answer.ok) return reportError(answer) || [];
    return answer.data?.features || [];
  }

  function showClusters(cells) {
    points.clearLayers();
    markers.clear();
    clearSectors();
    serverClusters.clearLayers();
    for (const cell of cells) {
      const [lng, lat] = cell.geometry.coordinates;
      const count = cell.properties.count;
      const label = ngettext("%(count)s camera here: open to zoom in", "%(count)s cameras here: open to zoom in", count);
      const marker = L.marker([lat, lng], { icon: clusterIcon(count, label), keyboard: true,
        title: formatNumber(count) });
      const [west, south, east, north] = cell.properties.cell_bbox;
      marker.on("click", () => map.fitBounds([[south, west], [north, east]]));
      serverClusters.addLayer(marker);
    }
  }

  // Resolves once markercluster has placed every marker (it adds them in chunks, between frames): only
  // then are the groups on the map the ones a click or Enter reaches.
  async function showPoints(features) {
    serverClusters.clearLayers();
    const seen = new Set();
    const fresh = [];
    for (const feature of features) {
      seen.add(feature.id);
      const existing = markers.get(feature.id);
      if (existing && sameVersion(existing.feature, feature)) {
        existing.feature = feature; // derived data (the visible area) changes without a new version
        continue;
      }
      if (existing) points.removeLayer(existing);
      const marker = cameraMarker(feature);
      markers.set(feature.id, marker);
      fresh.push(marker);
    }
    // markercluster closes a spread pole whenever markers are added or removed, even none. Opening a
    // head's details narrows the map (the panel) and reloads it: with nothing new to place, the
    // cameras that left the view stay until the pole is closed, so the officer can open the next head.
    const keepSpread = spread && !fresh.length;
    const stale = [];
    for (const [id, marker] of markers) {
      if (!seen.has(id) && !keepSpread) {
        stale.push(marker);
        markers.delete(id);
      }
    }
    if (stale.length) points.removeLayers(stale);
    if (fresh.length) {
      await new Promise((resolve) => {
        added = resolve;
        points.addLayers(fresh);
      });
    }
    drawSectors();
    await settled();
  }

  // markercluster animates a zoom's groups for a moment (200 ms) and refuses to open a group meanwhile:
  // the map is ready for a click or Enter once that is over. (_inZoomAnimation: it has no public getter.)
  function settled() {
    if (!points._inZoomAnimation) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (points._inZoomAnimation) return;
        points.off("animationend", check);
        resolve();
      };
      points.on("animationend", check);
    });
  }

  function cameraMarker(feature) {
    const [lng, lat] = feature.geometry.coordinates;
    const props = feature.properties;
    const unknown = directionUnknown(props);
    const name = props.name || props.code || String(feature.id);
    const title = unknown ? _("%(name)s (direction unknown)", { name }) : name;
    const what = [config.labels.status?.[props.status], config.labels.camera_type?.[props.camera_type]].filter(Boolean);
    const label = what.length ? `${title} (${what.join(", ")})` : title;
    const marker = L.marker([lat, lng], {
      icon: cameraIcon(props, { directionUnknown: unknown, label, name }), keyboard: true, title, alt: props.name || "",
    });
    marker.feature = feature;
    marker.on("click", (event) => selectHandler(feature.id, event.latlng));
    return marker;
  }

  // Sectors live on one canvas and are kept by camera id: a pan draws only the new ones. Where
  // buildings clip a camera's view (`fov_visible`), what it sees is filled and its whole sector is
  // only outlined, faintly, behind it. A recomputed visible area keeps the camera's version, so the
  // drawing is kept by version and the visible area's signature.
  function drawSectors() {
    if (map.getZoom() < config.zoom.sectors) return clearSectors();
    for (const [id, layer] of sectorLayers) {
      const marker = markers.get(id);
      if (!marker || layer.signature !== viewSignature(marker.feature.properties)) {
        sectors.removeLayer(layer);
        sectorLayers.delete(id);
      }
    }
    for (const [id, marker] of markers) {
      const props = marker.feature.properties;
      // A direction nobody knows has no sector to draw (its stored field of view is its own spot).
      if (!props.fov || sectorLayers.has(id) || directionUnknown(props)) continue;
      const layer = sectorLayer(props, STATUS_COLOURS[props.status] || "#0b3d91", sectorCanvas);
      layer.signature = viewSignature(props);
      sectorLayers.set(id, layer);
      sectors.addLayer(layer);
    }
  }

  function clearSectors() {
    sectors.clearLayers();
    sectorLayers.clear();
  }

  function finish(mode, started) {
    const detail = { mode, cameras: markers.size, clusters: serverClusters.getLayers().length,
      ms: Math.round(performance.now() - started) };
    ctx.stats.last = detail;
    document.body.dataset.mapState = "ready";
    document.body.dataset.mapMode = mode;
    document.dispatchEvent(new CustomEvent("observo:rendered", { detail }));
  }

  function reportError(answer) {
    ctx.notify("error", problemText(answer.problem));
    return null;
  }

  map.on("moveend", schedule);
  return {
    refresh: schedule,
    reloadNow: refresh,
    onSelect(handler) { selectHandler = handler; },
    marker: (id) => markers.get(id),
    features: () => [...markers.values()].map((marker) => marker.feature),
    sectorCount: () => sectorLayers.size,
    buildings,
    // What is drawn for a camera, for the tests: [{part: "sector", polygons: 1}], or the faint
    // "sector-outline" and the "visible" area (as many polygons as it has parts) where buildings clip it.
    sectorParts: (id) => {
      const layer = sectorLayers.get(id);
      const parts = !layer ? [] : layer instanceof L.LayerGroup ? layer.getLayers() : [layer];
      return parts.map((part) => {
        const latLngs = part.getLatLngs();
        return { part: part.options.part, polygons: !latLngs.length ? 0 : L.LineUtil.isFlat(latLngs[0]) ? 1 : latLngs.length };
      });
    },
  };
}

// The camera's sector alone, or, where buildings clip it, its faint outline (thin, dashed, barely
// filled) under the area it really sees (the usual fill and border, in its status's colour; nothing
// when buildings hide it all).
function sectorLayer(props, colour, renderer) {
  const sector = polygonLatLngs(props.fov) || [];
  if (!props.fov_visible) {
    return L.polygon(sector, { renderer, interactive: false, color: colour, weight: 1, fillColor: colour,
      fillOpacity: 0.15, part: "sector" });
  }
  return L.layerGroup([
    L.polygon(sector, { renderer, interactive: false, color: colour, weight: 1, opacity: 0.6, dashArray: "4 4",
      fillColor: colour, fillOpacity: 0.04, part: "sector-outline" }),
    L.polygon(polygonLatLngs(props.fov_visible) || [], { renderer, interactive: false, color: colour, weight: 1,
      fillColor: colour, fillOpacity: 0.15, part: "visible" }),
  ]);
}

// GeoJSON Polygon or MultiPolygon -> Leaflet's nested [lat, lng] arrays (rings; polygons of rings);
// null for an empty or unexpected geometry.
export function polygonLatLngs(geometry) {
  const ring = (positions) => positions.map(([lng, lat]) => [lat, lng]);
  if (geometry?.type === "Polygon" && geometry.coordinates.length) return geometry.coordinates.map(ring);
  if (geometry?.type === "MultiPolygon" && geometry.coordinates.length) {
    return geometry.coordinates.map((polygon) => polygon.map(ring));
  }
  return null;
}

// Cheap enough to compare at every pan: the version, and the visible area's kind, size and sum of
// coordinates (a recompute moves them) or "-" when nothing clips the sector.
function viewSignature(props) {
  const visible = props.fov_visible;
  if (!visible) return `${props.version}|-`;
  const numbers = (visible.coordinates || []).flat(Infinity);
  const sum = numbers.reduce((total, value) => total + value, 0);
  return `${props.version}|${visible.type}|${numbers.length}|${sum.toFixed(7)}`;
}

function sameVersion(a, b) {
  return a.properties.version === b.properties.version && a.geometry.coordinates.join() === b.geometry.coordinates.join();
}


export function areaKm2([west, south, east, north]) {
  const midLat = ((south + north) / 2) * (Math.PI / 180);
  return (east - west) * 111.32 * Math.cos(midLat) * (north - south) * 110.57;
}

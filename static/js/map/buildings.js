// The buildings and walls that clip the cameras' views (issue 20), faint grey under the sectors from
// street zoom: GET /api/v1/obstacles?bbox=... (a signed-in user reads the layers of the organisations
// whose cameras it reads; docs/obstacles.md). Only Observo's own server is asked. Kept by id, so a
// pan adds only what is new; a failed load leaves the map as it is (the buildings are context only).
import { withParams } from "./api.js";
import { viewportBbox } from "./view.js";

export const BUILDINGS_MIN_ZOOM = 17;
const PAGE_SIZE = 1000;
const MAX_PAGES = 5; // a dense centre at zoom 17: a few thousand footprints at most
const STYLE = { color: "#5f6368", weight: 1, opacity: 0.55, fillColor: "#9aa0a6", fillOpacity: 0.3 };

export function createBuildingLayer(ctx) {
  const { map, config, api } = ctx;
  const url = config.urls.obstacles || config.urls.cameras.replace(/cameras$/, "obstacles");
  // Their own pane, under the sectors and markers (the overlay pane is at 400).
  map.createPane("buildings").style.zIndex = 350;
  const renderer = L.canvas({ pane: "buildings", padding: 0.2 });
  const layer = L.geoJSON(null, { pane: "buildings", renderer, interactive: false, style: () => STYLE }).addTo(map);
  const shown = new Set(); // obstacle ids drawn
  let controller = null;

  async function refresh() {
    controller?.abort();
    controller = null;
    if (map.getZoom() < BUILDINGS_MIN_ZOOM) return clear();
    const bbox = viewportBbox(map, config.extent);
    if (!bbox) return clear();
    controller = new AbortController();
    const { signal } = controller;
    let next = withParams(url, { bbox: bbox.join(","), limit: PAGE_SIZE });
    try {
      for (let page = 0; next && page < MAX_PAGES; page += 1) {
        const answer = await api.get(next, { signal });
        if (!answer.ok) return; // out of the service's extent, a box too large: no buildings, no alarm
        for (const feature of answer.data?.features || []) {
          if (shown.has(feature.id)) continue;
          shown.add(feature.id);
          layer.addData(feature);
        }
        next = (answer.data?.links || []).find((link) => link.rel === "next")?.href;
      }
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  }

  function clear() {
    layer.clearLayers();
    shown.clear();
  }

  map.on("moveend", refresh); // the first view set fires it too
  // reload: after a layer was imported or deleted (the ids drawn are forgotten).
  return { refresh, reload: () => { clear(); return refresh(); }, count: () => shown.size };
}

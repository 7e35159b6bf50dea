// The operational map: wires the modules together from the page's config (no build step).
import { createApi } from "./api.js";
import { addDataAttribution } from "./attribution.js";
import { createCameraLayer } from "./cameras.js";
import { createCoverage } from "./coverage.js";
import { createDetails } from "./details.js";
import { createEditor } from "./edit.js";
import { bindFilters } from "./filters.js";
import { loadMessages } from "../i18n.js";
import { createInterventionView } from "./intervention.js";
import { addLegend } from "./legend.js";
import { createPanel, el, message } from "./panel.js";
import { createQueryTools } from "./query.js";
import { addBackground } from "./background.js";
import { readState, writeState } from "./state.js";
import { homeView, rememberView, savedView } from "./view.js";

async function start() {
  const config = JSON.parse(document.getElementById("observo-config").textContent);
  await loadMessages(config.urls.messages, config.lang, config.plurals);
  const state = readState();
  const map = L.map("map", { zoomControl: true, keyboard: true, maxZoom: config.tiles.maxZoom });
  addBackground(map, config.tiles);
  L.control.scale({ imperial: false }).addTo(map);
  const ctx = {
    map, config, filters: state.filters, stats: {},
    api: createApi(config.csrfToken, config.lang),
    panel: createPanel(document.getElementById("panel")),
    canEdit: (owner) => config.editableOwners.some((candidate) => candidate.slug === owner),
    notify: (kind, text) => document.getElementById("notice").replaceChildren(message(kind, text)),
  };
  window.observoMap = ctx; // for the browser tests and the pan benchmark
  ctx.cameras = createCameraLayer(ctx);
  ctx.details = createDetails(ctx);
  ctx.query = createQueryTools(ctx);
  ctx.coverage = createCoverage(ctx);
  ctx.intervention = createInterventionView(ctx);
  // Under an area or route query's results: its coverage, and a new intervention on its shape.
  ctx.queryActions = (body) => el("div", { class: "query-actions" }, ctx.coverage.section(body),
    ctx.intervention.addButton(body));
  if (config.editableOwners.length) ctx.edit = createEditor(ctx);
  // In "who sees this point" mode a click on a marker is a point like any other; while a shape is
  // being drawn it is a vertex (Geoman's), so it must not open the camera over the drawing.
  ctx.cameras.onSelect((id, latlng) => {
    if (map.pm.globalDrawModeEnabled()) return;
    if (ctx.query.isPicking()) ctx.query.whoSees(latlng);
    else ctx.details.open(id);
  });
  // The panel opening or closing resizes the map: Leaflet re-measures it, keeping the same centre.
  new ResizeObserver(() => map.invalidateSize()).observe(document.getElementById("map"));
  // Added before the legend, so that it sits right above the tiles' credit.
  const dataCredit = addDataAttribution(map, config);
  document.addEventListener("observo:rendered", () => dataCredit.update(ctx.cameras.features()));
  addLegend(map, config.labels);
  bindFilters(ctx, () => { writeState(map, ctx.filters); ctx.cameras.reloadNow(); });
  map.on("moveend", () => { writeState(map, ctx.filters); rememberView(map, config.user); });
  await openInitialView(ctx, state);
}

async function openInitialView(ctx, state) {
  const { map } = ctx;
  if (state.camera !== null) {
    const answer = await ctx.api.get(`${ctx.config.urls.cameras}/${state.camera}`);
    if (answer.ok && answer.data?.geometry) {
      const [lng, lat] = answer.data.geometry.coordinates;
      map.setView([lat, lng], Math.max(state.zoom ?? 0, ctx.config.zoom.sectors + 1));
      ctx.details.render(answer.data, answer.etag);
      return;
    }
  }
  // A link's own view first; else where this user left the map on this browser; else its home.
  const placed = state.lat !== null && state.lng !== null;
  const saved = placed ? null : savedView(ctx.config.user);
  if (placed) map.setView([state.lat, state.lng], state.zoom ?? ctx.config.zoom.points);
  else if (saved && state.intervention === null) map.setView([saved.lat, saved.lng], saved.zoom);
  else homeView(map, ctx.config);
  // A shared link keeps its view; a bare ?intervention=<id> fits the map to the intervention.
  if (state.intervention !== null) await ctx.intervention.open(state.intervention, { fit: !placed });
}

start();

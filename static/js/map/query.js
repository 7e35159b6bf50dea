// Query tools: draw an area, a circle or a route (Leaflet-Geoman), or click "who sees this point".
// The reason (case or protocol number) is asked before any query runs: the server logs it with the
// query. Results are listed in the panel, highlighted on the map and exportable as CSV or GeoJSON.
import { problemText, withParams } from "./api.js";
import { download, toCsv } from "./export.js";
import { _, formatNumber, ngettext } from "../i18n.js";
import { el, message } from "./panel.js";

const SHAPES = { polygon: "Polygon", circle: "Circle", route: "Line" };
const DEFAULT_ROUTE_BUFFER_M = 50;

export function createQueryTools(ctx) {
  const { map, config, api, panel } = ctx;
  const drawn = L.layerGroup().addTo(map);
  const highlights = L.layerGroup().addTo(map);
  const dialog = document.getElementById("reason-dialog");
  let seesMode = false;
  let lastBody = null; // the last area query sent, as the API received it
  map.pm.setLang(config.lang === "it" ? "it" : "en");
  map.pm.setGlobalOptions({ pathOptions: { color: "#6a1b9a", weight: 3 }, snappable: false });

  for (const button of document.querySelectorAll("[data-draw]")) {
    button.addEventListener("click", () => startDrawing(button.dataset.draw));
  }
  document.getElementById("sees-point").addEventListener("click", toggleSeesMode);
  document.getElementById("query-view")?.addEventListener("click", queryView);
  map.on("pm:create", (event) => finishDrawing(event.layer, event.shape));
  map.on("click", (event) => seesMode && whoSees(event.latlng));
  // Keyboard: with the point tool on, Enter on the map asks about the map's centre (a cross marks
  // it; the arrow keys move the map under it), Escape leaves the tool.
  map.getContainer().addEventListener("keydown", (event) => {
    if (!seesMode || event.target !== map.getContainer()) return;
    if (event.key === "Enter") {
      event.preventDefault();
      whoSees(map.getCenter());
    } else if (event.key === "Escape") {
      setSeesMode(false);
      document.getElementById("sees-point").focus();
    }
  });

  function startDrawing(kind) {
    map.fire("observo:querystart"); // a new query: the last one's coverage goes
    setSeesMode(false);
    map.pm.disableDraw();
    map.pm.enableDraw(SHAPES[kind], { continueDrawing: false });
  }

  function toggleSeesMode() {
    map.fire("observo:querystart");
    map.pm.disableDraw();
    setSeesMode(!seesMode);
  }

  function setSeesMode(on) {
    seesMode = on;
    document.getElementById("sees-point").setAttribute("aria-pressed", String(on));
    map.getContainer().classList.toggle("query-point-mode", on);
    const hint = document.getElementById("sees-point-hint");
    if (hint) hint.hidden = !on;
  }

  // The area in view as the query's shape: the drawing tools need a pointer, this needs none.
  async function queryView() {
    map.fire("observo:querystart");
    setSeesMode(false);
    map.pm.disableDraw();
    const bounds = map.getBounds();
    const [west, south, east, north] = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()]
      .map((value) => Number(value.toFixed(6)));
    const layer = L.polygon([[south, west], [south, east], [north, east], [north, west]]);
    await finishDrawing(layer, "Polygon");
  }

  async function finishDrawing(layer, shape) {
    drawn.clearLayers();
    map.removeLayer(layer);
    drawn.addLayer(layer);
    const isRoute = shape === "Line";
    const answer = await askReason({ buffer: isRoute ? DEFAULT_ROUTE_BUFFER_M : null });
    if (!answer) return drawn.clearLayers();
    let geometry = layer.toGeoJSON().geometry;
    let buffer = isRoute ? answer.buffer : 0;
    if (shape === "Circle") {
      const centre = layer.getLatLng();
      geometry = { type: "Point", coordinates: [centre.lng, centre.lat] };
      buffer = Math.round(layer.getRadius());
    }
    const body = { geometry, buffer_m: buffer, reason: answer.reason, limit: config.limits.pageLimit, ...searchFilters() };
    lastBody = body;
    document.body.dataset.query = "running";
    const result = await api.post(config.urls.search, body);
    showResults(result, _("Cameras in the area or seeing into it"), body);
  }

  async function whoSees(latlng) {
    setSeesMode(false);
    drawn.clearLayers();
    drawn.addLayer(L.circleMarker(latlng, { radius: 7, color: "#6a1b9a", weight: 3, className: "sees-point" }));
    const answer = await askReason({ buffer: null });
    if (!answer) return drawn.clearLayers();
    const url = withParams(config.urls.cameras, {
      ...ctx.filters, sees: `${latlng.lng.toFixed(6)},${latlng.lat.toFixed(6)}`,
      reason: answer.reason, limit: config.limits.pageLimit,
    });
    document.body.dataset.query = "running";
    showResults(await api.get(url), _("Cameras that see this point"));
  }

  function searchFilters() {
    const { status, ...rest } = ctx.filters;
    return status ? { ...rest, status: [status] } : rest;
  }

  // Resolves with {reason, buffer} or null when cancelled.
  function askReason({ buffer }) {
    const form = dialog.querySelector("form");
    const reason = form.elements.reason;
    const bufferRow = dialog.querySelector(".buffer-row");
    bufferRow.hidden = buffer === null;
    form.elements.buffer_m.value = buffer ?? "";
    form.elements.buffer_m.max = config.limits.maxBufferM;
    reason.value = sessionStorage.getItem("observo.reason") || "";
    dialog.showModal();
    reason.focus();
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => {
        if (dialog.returnValue !== "run" || !reason.value.trim()) return resolve(null);
        sessionStorage.setItem("observo.reason", reason.value.trim());
        resolve({ reason: reason.value.trim(), buffer: Number(form.elements.buffer_m.value || 0) });
      }, { once: true });
    });
  }

  // `body`: the area query's, for the actions on its shape (coverage, a new intervention).
  function showResults(answer, heading, body = null) {
    highlights.clearLayers();
    document.body.dataset.query = "done";
    if (!answer.ok) {
      panel.show(heading, message("error", problemText(answer.problem)));
      return;
    }
    const features = answer.data?.features || []; // an empty answer lists nothing, it does not fail
    const view = el("div", { class: "results", "data-view": "results" });
    const more = (answer.data?.links || []).some((link) => link.rel === "next");
    // Only an area or route query has a shape for coverage and interventions: a point has none.
    const actions = body && ctx.queryActions ? ctx.queryActions(body) : null;
    view.append(
      el("p", { class: "result-count", role: "status" }, more
        ? ngettext("First %(count)s camera (there are more: narrow the query).",
          "First %(count)s cameras (there are more: narrow the query).", features.length)
        : ngettext("%(count)s camera found.", "%(count)s cameras found.", features.length)),
      exportButtons(features),
      ...(actions ? [actions] : []),
      el("ol", { class: "result-list" }, features.map(resultItem)),
    );
    for (const feature of features) {
      const [lng, lat] = feature.geometry.coordinates;
      highlights.addLayer(L.circleMarker([lat, lng], { radius: 16, color: "#6a1b9a", weight: 3, fill: false,
        interactive: false, className: "highlight" }));
    }
    panel.show(heading, view);
  }

  function resultItem(feature) {
    const props = feature.properties;
    const relation = props.relation === "inside" ? _("inside") : props.relation === "sees_into" ? _("sees into") : "";
    const distance = props.distance_m === undefined || props.distance_m === null ? ""
      : _("%(metres)s m", { metres: formatNumber(props.distance_m) });
    const owner = config.ownerNames?.[props.owner] ?? props.owner;
    const [lng, lat] = feature.geometry.coordinates;
    return el("li", {},
      el("button", { type: "button", class: "link", onclick: () => { map.setView([lat, lng], Math.max(map.getZoom(), 17)); ctx.details.open(feature.id); } },
        props.name || props.code),
      " ", el("span", { class: "meta" }, [relation, distance, owner, config.labels.status?.[props.status]]
        .filter(Boolean).join(" · ")));
  }

  function exportButtons(features) {
    const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, "-");
    return el("div", { class: "export" },
      el("button", { type: "button", onclick: () => download(`observo-${stamp}.csv`, "text/csv", toCsv(features)) }, _("Export CSV")),
      el("button", { type: "button", onclick: () => download(`observo-${stamp}.geojson`, "application/geo+json",
        JSON.stringify({ type: "FeatureCollection", features }, null, 1)) }, _("Export GeoJSON")));
  }

  panel.element.addEventListener("panel:closed", () => { highlights.clearLayers(); drawn.clearLayers(); });
  return { whoSees, askReason, isPicking: () => seesMode, lastQuery: () => lastBody };
}

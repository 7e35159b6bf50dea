// Coverage of the queried area, circle or route: how much of it the cameras see, the gaps (hatched
// red), the uncovered stretches of a route (dashed red) and where a patrol or the mobile office would
// add most (numbered dashed circles, labelled as suggestions). The server computes the figures and
// logs the run with the query's reason; this module only draws and lists them.
import { problemText } from "./api.js";
import { _, formatNumber } from "../i18n.js";
import { el, message } from "./panel.js";

const SUGGESTIONS = 3;
const MAX_LISTED = 30; // the panel lists this many gaps and cameras; the map shows them all
const SEARCH_ONLY = ["limit", "offset"]; // the search body's paging: the coverage body has none
export const HATCH_ID = "coverage-hatch";

export const GAP_STYLE = {
  className: "coverage-gap", color: "#b3261e", weight: 1.5, fillColor: `url(#${HATCH_ID})`, fillOpacity: 1,
};
export const SUGGESTION_STYLE = { className: "coverage-suggestion", color: "#b06000", weight: 2, dashArray: "6 6", fillOpacity: 0.08 };

export function createCoverage(ctx) {
  const { map, config, api, panel } = ctx;
  const layers = L.featureGroup().addTo(map);
  let run = 0; // the latest run: an older answer arriving late is dropped
  ensureHatch();

  // The "Coverage" button and the box its figures go in, for the results of an area or route query.
  function section(body) {
    const box = el("div", { class: "coverage", "aria-live": "polite" });
    const button = el("button", { type: "button", class: "coverage-run", onclick: () => measure(body, box) }, _("Coverage"));
    box.append(button);
    return box;
  }

  async function measure(body, box) {
    clear();
    const mine = ++run;
    box.replaceChildren(message("info", _("Computing the coverage…")));
    const answer = await api.post(config.urls.coverage, coverageBody(body));
    if (mine !== run) return;
    if (!answer.ok || !answer.data) {
      box.replaceChildren(message("error", problemText(answer.problem)), el("button", { type: "button",
        class: "coverage-run", onclick: () => measure(body, box) }, _("Coverage")));
      return;
    }
    const drawn = draw(answer.data, layers);
    box.replaceChildren(summary(answer.data, drawn, box, body));
    document.body.dataset.coverage = "shown";
  }

  function summary(data, drawn, box, body) {
    const view = el("section", { class: "coverage-summary", "data-kind": data.kind });
    view.append(
      el("h3", {}, data.kind === "route" ? _("Coverage of the route") : _("Coverage of the area")),
      figures(data),
      gapList(data, drawn.gaps),
      suggestionList(data, drawn.suggestions),
      cameraList(data),
      el("div", { class: "buttons" },
        el("button", { type: "button", class: "coverage-clear", onclick: () => {
          clear();
          box.replaceChildren(el("button", { type: "button", class: "coverage-run", onclick: () => measure(body, box) },
            _("Coverage")));
        } }, _("Remove coverage"))),
    );
    return view;
  }

  function gapList(data, gapLayers) {
    const gaps = data.gaps?.features || [];
    if (!gaps.length) return message("success", _("No gaps: the cameras see all of it."));
    return el("div", { class: "coverage-gaps" },
      el("h4", {}, _("Gaps (%(count)s)", { count: gaps.length })),
      el("ol", { class: "result-list" }, gaps.slice(0, MAX_LISTED).map((gap, index) => el("li", {},
        el("button", { type: "button", class: "link", onclick: () => focus(gapLayers[index]) },
          _("Gap %(rank)s", { rank: gap.properties?.rank ?? index + 1 })),
        " ", el("span", { class: "meta" }, formatArea(gap.properties?.area_m2))))));
  }

  function suggestionList(data, suggestionLayers) {
    const suggestions = data.suggestions || [];
    if (!suggestions.length) return null;
    return el("div", { class: "coverage-suggestions" },
      el("h4", {}, _("Suggestions for a patrol or the mobile office")),
      el("ol", { class: "result-list" }, suggestions.map((item, index) => el("li", {},
        el("button", { type: "button", class: "link", onclick: () => focus(suggestionLayers[index]) },
          _("Suggestion %(rank)s", { rank: item.rank })),
        " ", el("span", { class: "meta" }, addedText(item))))),
      el("p", { class: "note" }, _("Suggestions only: where a viewpoint of this range would see most of the gaps.")));
  }

  function cameraList(data) {
    const cameras = data.cameras || [];
    if (!cameras.length) return message("warning", _("No camera sees any of it."));
    return el("div", { class: "coverage-cameras" },
      el("h4", {}, _("Contributing cameras (%(count)s)", { count: cameras.length })),
      el("ol", { class: "result-list" }, cameras.slice(0, MAX_LISTED).map((camera) => el("li", {},
        el("button", { type: "button", class: "link", onclick: () => ctx.details.open(camera.id) }, camera.name || camera.code),
        " ", el("span", { class: "meta" }, [formatPercent(camera.share), config.ownerNames?.[camera.owner] ?? camera.owner,
          config.labels.status?.[camera.status]].filter(Boolean).join(" · "))))));
  }

  function focus(layer) {
    if (!layer) return;
    map.fitBounds(layer.getBounds(), { maxZoom: 19, padding: [40, 40] });
    layer.openPopup?.();
  }

  function clear() {
    run += 1;
    layers.clearLayers();
    delete document.body.dataset.coverage;
  }

  map.on("observo:querystart", clear);
  panel.element.addEventListener("panel:closed", clear);
  return { section, clear, layers, count: () => layers.getLayers().length };
}

// What the coverage endpoint takes: the query's own shape, reason and filters, and suggestions.
export function coverageBody(body) {
  const result = { ...body, suggestions: SUGGESTIONS };
  for (const name of SEARCH_ONLY) delete result[name];
  return result;
}

// Gaps, uncovered stretches and suggestions on `group`; the gap and suggestion layers in the
// answer's order, for the lists that zoom to them.
export function draw(data, group) {
  const gaps = (data.gaps?.features || []).map((feature, index) => {
    const layer = L.geoJSON(feature, { style: () => GAP_STYLE });
    layer.bindPopup(el("p", {}, _("Gap %(rank)s", { rank: feature.properties?.rank ?? index + 1 }), ": ",
      formatArea(feature.properties?.area_m2)));
    group.addLayer(layer);
    return layer;
  });
  for (const stretch of data.route?.uncovered || []) {
    const layer = L.geoJSON(stretch.geometry, { style: () => ({ className: "coverage-uncovered", color: "#b3261e",
      weight: 8, opacity: 0.9, dashArray: "14 10", lineCap: "butt" }) });
    layer.bindPopup(el("p", {}, _("Not covered from %(from)s to %(to)s along the route", {
      from: formatLength(stretch.from_m), to: formatLength(stretch.to_m) })));
    group.addLayer(layer);
  }
  const suggestions = (data.suggestions || []).map((item) => {
    const layer = suggestionLayer(item);
    group.addLayer(layer);
    return layer;
  });
  return { gaps, suggestions };
}

export function suggestionLayer(item) {
  const [lng, lat] = item.geometry.coordinates;
  const layer = L.circle([lat, lng], { ...SUGGESTION_STYLE, radius: item.range_m || 30 });
  layer.bindTooltip(el("span", {}, _("Suggestion %(rank)s", { rank: item.rank })), {
    permanent: true, direction: "center", className: "coverage-suggestion-label",
  });
  layer.bindPopup(el("p", {}, _("Suggestion %(rank)s", { rank: item.rank }), ": ", addedText(item)));
  return layer;
}

// What a suggested position adds: "+2 500 m² (+16,4 %)", or the area alone when the share is not given.
function addedText(item) {
  if (item.added_ratio === undefined || item.added_ratio === null) return `+${formatArea(item.added_m2)}`;
  return _("+%(area)s (+%(percent)s)", { area: formatArea(item.added_m2), percent: formatPercent(item.added_ratio) });
}

// The SVG pattern that fills the gaps: red hatching over a light red, so the streets show through.
function ensureHatch() {
  if (document.getElementById(HATCH_ID)) return;
  const ns = "http://www.w3.org/2000/svg";
  const make = (tag, attributes) => {
    const node = document.createElementNS(ns, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    return node;
  };
  const svg = make("svg", { class: "coverage-defs", width: "0", height: "0", "aria-hidden": "true", focusable: "false" });
  const pattern = make("pattern", { id: HATCH_ID, patternUnits: "userSpaceOnUse", width: "8", height: "8",
    patternTransform: "rotate(45)" });
  pattern.append(
    make("rect", { width: "8", height: "8", fill: "#d93025", "fill-opacity": "0.2" }),
    make("line", { x1: "0", y1: "0", x2: "0", y2: "8", stroke: "#b3261e", "stroke-width": "3", "stroke-opacity": "0.7" }),
  );
  const defs = make("defs", {});
  defs.append(pattern);
  svg.append(defs);
  document.body.append(svg);
}

function figures(data) {
  const rows = [
    [_("Area"), formatArea(data.area_m2)],
    [_("Covered area"), formatArea(data.covered_m2)],
    [_("Coverage"), formatPercent(data.ratio), "coverage-ratio"],
  ];
  if (data.route) {
    rows.push(
      [_("Route length"), formatLength(data.route.length_m)],
      [_("Covered length"), formatLength(data.route.covered_length_m)],
      [_("Route coverage"), formatPercent(data.route.ratio), "coverage-route-ratio"],
    );
  }
  return el("dl", { class: "fields coverage-figures" }, rows.map(([label, value, name]) => [el("dt", {}, label),
    el("dd", { class: name }, value)]));
}

// Areas, lengths and shares with the reader's locale: 6.214 m², 12,5 ha, 16,4 %.
export function formatArea(squareMetres) {
  if (squareMetres === undefined || squareMetres === null) return "";
  if (squareMetres >= 100_000) return _("%(hectares)s ha", { hectares: formatNumber(squareMetres / 10_000, 1) });
  return _("%(area)s m²", { area: formatNumber(squareMetres) });
}

export function formatLength(metres) {
  if (metres === undefined || metres === null) return "";
  return _("%(metres)s m", { metres: formatNumber(metres) });
}

export function formatPercent(ratio) {
  if (ratio === undefined || ratio === null) return "";
  return `${formatNumber(ratio * 100, 1, { trim: false })} %`;
}

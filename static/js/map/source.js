// What a camera's source says beyond Observo's fields (issue 17), as the panel and the edit form
// show it: the licence's attribution, the source's tags verbatim, a direction nobody knows. The
// same rules as the card's (observo/web/source_data.py). Tags, names and licences come from files
// someone else wrote: they enter the DOM as text only, through el().
import { _ } from "../i18n.js";
import { el, message } from "./panel.js";

const OSM_LICENCE = "ODbL-1.0";
const OPEN_TAGS_MAX = 8; // a longer table starts folded (an OSM node may carry dozens of tags)

// {text, url} the licence asks for: from the page config (OpenStreetMap's for ODbL-1.0), else the
// licence's own text.
export function licenceAttribution(licence, known) {
  if (!licence) return null;
  return known?.[licence] ?? { text: String(licence), url: null };
}

export function attributionNode(attribution) {
  if (!attribution.url) return attribution.text;
  return el("a", { href: attribution.url, rel: "license noopener", target: "_blank" }, attribution.text);
}

// The licence of a camera's data: its own, or ODbL for a node imported from OpenStreetMap before
// cameras kept their licence.
export function dataLicence(props) {
  return props.licence || (props.source === "osm_import" ? OSM_LICENCE : null);
}

export function directionUnknown(props) {
  return props.direction_unknown === true && (props.bearing_deg === null || props.bearing_deg === undefined);
}

export function directionUnknownNote() {
  return message("warning", _("Direction unknown: it does not count in coverage until its direction is surveyed."));
}

// The operator as the source names it: only when no operator organisation is linked.
export function operatorName(props) {
  return props.operator ? null : props.operator_name || null;
}

// "Dati della fonte": the tags as a key/value table, in a <details> folded when long.
export function sourceTags(tags) {
  const rows = Object.entries(tags || {}).map(([key, value]) => [String(key), value === null ? "" : String(value)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (!rows.length) return null;
  const table = el("table", { class: "source-tags" },
    el("caption", {}, _("The tags or columns of the source, as it wrote them")),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, _("Key")), el("th", { scope: "col" }, _("Value")))),
    el("tbody", {}, rows.map(([key, value]) => el("tr", {}, el("th", { scope: "row" }, key), el("td", {}, value)))));
  return el("details", { class: "source-tags", open: rows.length <= OPEN_TAGS_MAX },
    el("summary", {}, _("Source data (%(count)s)", { count: rows.length })), table);
}

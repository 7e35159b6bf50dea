// Camera markers: the shape and letter say the type, the colour the status (never colour alone).
// Icon content is an element, never an HTML string, and a new one per icon: Leaflet moves an
// element into the marker, so two markers sharing one would steal it from each other.
import { formatNumber } from "../i18n.js";
import { el } from "./panel.js";

const TYPE_GLYPHS = { fixed: "F", dome: "D", panning: "P", panorama: "360", thermal: "T" };

// A div icon with an accessible name: Leaflet makes a keyboard marker a role=button, and a button
// needs a name a screen reader can say (the title alone is a tooltip, and clusters have none).
const LabelledIcon = L.DivIcon.extend({
  createIcon(oldIcon) {
    const div = L.DivIcon.prototype.createIcon.call(this, oldIcon);
    if (this.options.label) div.setAttribute("aria-label", this.options.label);
    return div;
  },
});

// A head whose direction nobody knows has no sector: its marker wears a dashed ring and a "?" badge.
// `name`: shown beside the marker when the map has no background (CSS: .no-tiles .cam-label).
export function cameraIcon(properties, { directionUnknown = false, label = "", name = "" } = {}) {
  const type = properties.camera_type || "fixed";
  const status = properties.status || "public";
  const alpr = properties.surveillance_type === "alpr";
  const glyph = alpr ? "LT" : TYPE_GLYPHS[type] || "?";
  const classes = ["cam", `cam-${type}`, `cam-status-${status}`, alpr && "cam-alpr", directionUnknown && "cam-direction-unknown"];
  return new LabelledIcon({
    className: classes.filter(Boolean).join(" "),
    html: el("span", { "aria-hidden": "true" }, glyph, directionUnknown ? el("span", { class: "cam-badge" }, "?") : null,
      name ? el("span", { class: "cam-label" }, name) : null),
    label,
    iconSize: [26, 26],
    iconAnchor: [13, 13],
    popupAnchor: [0, -13],
  });
}

// `label`: what the cluster is and what opening it does, said to a screen reader.
export function clusterIcon(count, label, { site = false } = {}) {
  const size = site ? 30 : count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 44 : 52;
  const shown = count >= 10000 ? `${Math.round(count / 1000)}k` : formatNumber(count);
  return new LabelledIcon({
    className: site ? "server-cluster site-cluster" : "server-cluster",
    html: el("span", { "aria-hidden": "true" }, shown),
    label,
    iconSize: [size, size],
  });
}

export const STATUS_COLOURS = {
  active: "#1a7f37", faulty: "#b3261e", inactive: "#5f6368", planned: "#0b61a4", decommissioned: "#202124",
};

export const TYPE_NAMES = Object.keys(TYPE_GLYPHS);
export { TYPE_GLYPHS };

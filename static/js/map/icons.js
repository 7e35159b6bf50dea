// Camera markers: the shape and letter say the type, the colour the status (never colour alone).
// Icon content is an element, never an HTML string, and a new one per icon: Leaflet moves an
// element into the marker, so two markers sharing one would steal it from each other.
import { el } from "./panel.js";

const TYPE_GLYPHS = { fixed: "F", dome: "D", panning: "P", panorama: "360", thermal: "T" };

// A head whose direction nobody knows has no sector: its marker wears a dashed ring and a "?" badge.
export function cameraIcon(properties, { directionUnknown = false } = {}) {
  const type = properties.camera_type || "fixed";
  const status = properties.status || "public";
  const alpr = properties.surveillance_type === "alpr";
  const glyph = alpr ? "LT" : TYPE_GLYPHS[type] || "?";
  const classes = ["cam", `cam-${type}`, `cam-status-${status}`, alpr && "cam-alpr", directionUnknown && "cam-direction-unknown"];
  return L.divIcon({
    className: classes.filter(Boolean).join(" "),
    html: el("span", { "aria-hidden": "true" }, glyph, directionUnknown ? el("span", { class: "cam-badge" }, "?") : null),
    iconSize: [26, 26],
    iconAnchor: [13, 13],
    popupAnchor: [0, -13],
  });
}

export function clusterIcon(count) {
  const size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 44 : 52;
  const label = count >= 10000 ? `${Math.round(count / 1000)}k` : String(count);
  return L.divIcon({
    className: "server-cluster",
    html: el("span", {}, label),
    iconSize: [size, size],
  });
}

export const STATUS_COLOURS = {
  active: "#1a7f37", faulty: "#b3261e", inactive: "#5f6368", planned: "#0b61a4", decommissioned: "#202124",
};

export const TYPE_NAMES = Object.keys(TYPE_GLYPHS);
export { TYPE_GLYPHS };

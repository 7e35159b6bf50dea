// The legend: the marker shapes by type and the colours by status, as Leaflet controls show them.
import { _ } from "../i18n.js";
import { el } from "./panel.js";
import { STATUS_COLOURS, TYPE_GLYPHS } from "./icons.js";

export function addLegend(map, labels) {
  const Legend = L.Control.extend({
    options: { position: "bottomright" },
    onAdd() {
      const box = el("details", { class: "legend leaflet-bar" });
      box.append(el("summary", {}, _("Legend")));
      const types = el("ul", { class: "legend-types" }, Object.entries(TYPE_GLYPHS).map(([type, glyph]) =>
        el("li", {}, el("span", { class: `cam cam-${type} cam-status-active`, "aria-hidden": "true" }, glyph), " ", labels.camera_type[type])));
      types.append(el("li", {}, el("span", { class: "cam cam-alpr cam-status-active", "aria-hidden": "true" }, "LT"), " ",
        labels.surveillance_type.alpr));
      types.append(el("li", {}, el("span", { class: "cam cam-fixed cam-status-active cam-direction-unknown", "aria-hidden": "true" },
        TYPE_GLYPHS.fixed, el("span", { class: "cam-badge" }, "?")), " ", _("Direction unknown: no sector")));
      const statuses = el("ul", { class: "legend-status" }, Object.entries(STATUS_COLOURS).map(([status, colour]) =>
        el("li", {}, el("span", { class: "swatch", style: `background:${colour}` }), " ", labels.status[status])));
      // Where buildings clip a sector (cameras.js): the visible part filled, the whole sector faint and dashed.
      const clipped = el("p", { class: "legend-clipped" }, el("span", { class: "legend-sector", "aria-hidden": "true" },
        el("span", { class: "legend-visible" })), " ",
        _("Filled: what the camera sees. Faint dashed outline: its whole sector, where buildings hide part of it."));
      const buildings = el("p", { class: "legend-clipped" }, el("span", { class: "legend-building", "aria-hidden": "true" }), " ",
        _("Buildings and walls that block the views (from zoom 17)."));
      box.append(types, statuses, el("p", {}, _("Sectors show what each camera sees, from street zoom.")), clipped, buildings);
      L.DomEvent.disableClickPropagation(box);
      return box;
    },
  });
  new Legend().addTo(map);
}

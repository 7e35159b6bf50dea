// The background map. With no tile URL configured, or when no tile can be fetched (a closed network,
// the tile server down), the map says so and draws the cameras on a neutral background with their
// names beside them, so a street-less map still tells one camera from another.
import { _ } from "../i18n.js";
import { el } from "./panel.js";

const FAILURES_BEFORE_NOTE = 4; // a few tiles failing while others load is a flaky network, not no tiles

export function addBackground(map, tiles) {
  const note = el("div", { class: "leaflet-control no-tiles-note", role: "status", hidden: true },
    _("Background map unavailable: the cameras are shown on a neutral background, with their names."));
  const Note = L.Control.extend({
    options: { position: "bottomleft" },
    onAdd() {
      L.DomEvent.disableClickPropagation(note);
      return note;
    },
  });
  new Note().addTo(map);

  function setMissing(missing) {
    map.getContainer().classList.toggle("no-tiles", missing);
    note.hidden = !missing;
    document.body.dataset.tiles = missing ? "missing" : "shown";
  }

  if (!tiles.url) {
    setMissing(true);
    return { missing: () => true };
  }
  let loaded = 0;
  let failed = 0;
  const layer = L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: tiles.maxZoom });
  layer.on("tileload", () => {
    loaded += 1;
    if (note.hidden === false) setMissing(false);
  });
  layer.on("tileerror", () => {
    failed += 1;
    if (!loaded && failed >= FAILURES_BEFORE_NOTE) setMissing(true);
  });
  layer.addTo(map);
  return { missing: () => !note.hidden };
}

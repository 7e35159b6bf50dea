// The credit for the cameras' data, a line of its own above the tiles' credit (bottom right): while
// the map draws cameras whose data carries a licence (OpenStreetMap's ODbL for imported nodes), it
// names that data's authors, once per licence. Built of elements, never an HTML string: Leaflet's
// own attribution control takes HTML, so the line is a control of its own styled like it.
import { _ } from "../i18n.js";
import { el } from "./panel.js";
import { attributionNode, dataLicence, licenceAttribution } from "./source.js";

export function addDataAttribution(map, config) {
  const line = el("div", { class: "leaflet-control-attribution leaflet-control data-attribution", hidden: true });
  const Control = L.Control.extend({
    options: { position: "bottomright" },
    onAdd() {
      L.DomEvent.disableClickPropagation(line);
      return line;
    },
  });
  new Control().addTo(map);
  let shown = "";

  // The licences of the cameras drawn now. The server's grid clusters count cameras without their
  // licences: zoomed out, the line waits for the cameras themselves.
  function update(features) {
    const licences = [...new Set(features.map((feature) => dataLicence(feature.properties)).filter(Boolean))].sort();
    const key = licences.join("\n");
    if (key === shown) return;
    shown = key;
    const credits = licences.map((licence) => attributionNode(licenceAttribution(licence, config.licences)));
    line.replaceChildren(...(credits.length
      ? [_("Camera data:"), " ", ...credits.flatMap((credit, index) => (index ? ["; ", credit] : [credit]))]
      : []));
    line.hidden = !credits.length;
  }

  return { update, element: line };
}

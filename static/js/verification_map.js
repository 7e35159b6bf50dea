// The verification queue's small maps (web/templates/verifications.html): the declared position and
// field of view of each declaration, and for a change where the camera is now. The data come from
// JSON script elements read with textContent; nothing is written to the page as HTML.

const L = window.L;
const config = JSON.parse(document.getElementById("verification-config").textContent);
const DECLARED = { color: "#0b3d91", weight: 2, fillOpacity: 0.25 };
const CURRENT = { color: "#777777", weight: 1.5, dashArray: "4 4", fillOpacity: 0.1 };
const MAX_ZOOM = 19;

function drawMap(container) {
  const data = JSON.parse(document.getElementById(container.dataset.map).textContent);
  const { url, attribution, maxZoom } = config.tiles;
  const map = L.map(container, { maxZoom, scrollWheelZoom: false });
  L.tileLayer(url, { attribution, maxZoom }).addTo(map);
  const shapes = [];
  if (data.currentFov) shapes.push(L.geoJSON(data.currentFov, { style: CURRENT }));
  if (data.currentPoint) {
    const [lon, lat] = data.currentPoint;
    shapes.push(L.circleMarker([lat, lon], { ...CURRENT, radius: 5 }));
  }
  shapes.push(L.geoJSON(data.fov, { style: DECLARED }));
  const [lon, lat] = data.point;
  shapes.push(L.circleMarker([lat, lon], { ...DECLARED, radius: 6, fillOpacity: 0.9 }));
  const group = L.featureGroup(shapes).addTo(map);
  map.fitBounds(group.getBounds(), { padding: [16, 16], maxZoom: Math.min(maxZoom, MAX_ZOOM) });
}

if (L) document.querySelectorAll(".verification-map[data-map]").forEach(drawMap);

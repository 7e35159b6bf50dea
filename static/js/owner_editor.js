// The owner's camera form (observo/web/templates/owners/camera_form.html): a click on the map places
// the camera in the longitude/latitude inputs, and the sector it sees is drawn from the direction,
// angle and range as they are typed. The inputs stay the truth: typing a position moves the point,
// and the server checks everything again. No user text reaches the DOM from here.

import { sectorLatLngs } from "./map/sector.js";

const config = JSON.parse(document.getElementById("owner-editor-config").textContent);
const container = document.getElementById("camera-map");
const form = document.getElementById("camera-form");
const L = window.L;

const PLACE_ZOOM = 18; // a placed camera: its street and its door
const FIT_MAX_ZOOM = 17;
const MAX_RANGE_M = 500;
const MIN_RANGE_M = 1;
const COORDINATE_DECIMALS = 6; // about 10 cm

function input(name) {
  return form.elements.namedItem(name);
}

// '12,5' or '12.5' as the server reads them (web/owner_camera_forms.py); null when empty or not a number.
function numberOf(name) {
  const text = input(name).value.trim();
  if (!text) return null;
  const normalised = text.includes(".") || text.split(",").length !== 2 ? text : text.replace(",", ".");
  const value = Number(normalised);
  return Number.isFinite(value) ? value : null;
}

function inside(lng, lat) {
  const [west, south, east, north] = config.extent;
  return lng >= west && lng <= east && lat >= south && lat <= north;
}

function position() {
  const lng = numberOf("longitude");
  const lat = numberOf("latitude");
  return lng !== null && lat !== null && inside(lng, lat) ? L.latLng(lat, lng) : null;
}

// The range the server will use: the one typed, else from height and tilt (domain/fov.derive_range),
// else the type's default.
function rangeM(defaults) {
  const typed = numberOf("range_m");
  if (typed !== null) return Math.min(MAX_RANGE_M, Math.max(MIN_RANGE_M, typed));
  const height = numberOf("height_m");
  const tilt = numberOf("tilt_deg");
  if (height !== null && tilt !== null && height > 0 && tilt > 0) {
    const distance = height / Math.tan((Math.min(tilt, 90) * Math.PI) / 180);
    return Math.min(MAX_RANGE_M, Math.max(MIN_RANGE_M, distance));
  }
  return defaults.range;
}

function sectorPoints(at) {
  const defaults = config.defaults[input("camera_type").value] ?? { hfov: 60, range: 40 };
  const typedAngle = numberOf("hfov_deg");
  const hfov = typedAngle !== null && typedAngle >= 1 && typedAngle <= 360 ? typedAngle : defaults.hfov;
  const bearing = numberOf("bearing_deg");
  if (hfov < 360 && (bearing === null || bearing < 0 || bearing >= 360)) return null; // no direction yet
  return sectorLatLngs(at.lat, at.lng, bearing ?? 0, hfov, rangeM(defaults));
}

const { url: tileUrl, attribution, maxZoom } = config.tiles;
const map = L.map(container, { maxZoom });
L.tileLayer(tileUrl, { attribution, maxZoom }).addTo(map);
const point = L.circleMarker([0, 0], { radius: 5, color: "#0b3d91", weight: 2, fillOpacity: 0.9 });
const sector = L.polygon([], { color: "#1b5e20", weight: 2, fillOpacity: 0.25, className: "owner-sector" });

function redraw() {
  const at = position();
  container.dataset.placed = at ? "yes" : "no";
  if (!at) {
    point.remove();
    sector.remove();
    return;
  }
  point.setLatLng(at).addTo(map);
  const points = sectorPoints(at);
  if (points) sector.setLatLngs(points).addTo(map);
  else sector.remove();
}

function place(latlng) {
  input("longitude").value = latlng.lng.toFixed(COORDINATE_DECIMALS);
  input("latitude").value = latlng.lat.toFixed(COORDINATE_DECIMALS);
  redraw();
}

function start() {
  const at = position();
  if (at) {
    map.setView(at, PLACE_ZOOM);
    return;
  }
  const [west, south, east, north] = config.start ?? config.extent;
  map.fitBounds(
    [
      [south, west],
      [north, east],
    ],
    { maxZoom: FIT_MAX_ZOOM },
  );
}

map.on("click", (event) => {
  if (!inside(event.latlng.lng, event.latlng.lat)) return;
  place(event.latlng);
  // From afar a click is tens of metres off and the sector a dot: come close to check and adjust.
  if (map.getZoom() < FIT_MAX_ZOOM) map.setView(event.latlng, PLACE_ZOOM);
});
// Typing the position moves the point; the view follows once a whole position is typed.
for (const name of ["longitude", "latitude"]) {
  input(name).addEventListener("change", () => {
    const at = position();
    redraw();
    if (at && !map.getBounds().contains(at)) map.setView(at, Math.max(map.getZoom(), FIT_MAX_ZOOM));
  });
}
for (const name of ["longitude", "latitude", "bearing_deg", "hfov_deg", "range_m", "height_m", "tilt_deg"]) {
  input(name).addEventListener("input", redraw);
}
input("camera_type").addEventListener("change", redraw);

start();
redraw();
container.dataset.state = "ready";

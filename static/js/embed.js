// The public embed: one organisation's public cameras, exactly as the anonymous API lists them.
// Requests carry no credentials, so a visitor signed in to Observo in another tab still gets the
// public, generalised answer. Every user string goes through _() (pybabel extracts it); the page
// config carries the translations. Data reaches the page through textContent, never as HTML.

import { _, useMessages } from "./i18n.js";

const config = JSON.parse(document.getElementById("embed-config").textContent);
useMessages(config.messages, document.documentElement.lang);
const container = document.getElementById("embed-map");
const statusLine = document.getElementById("embed-status");

const DEBOUNCE_MS = 250;
const CENTER_ZOOM = 15; // a `center` without a `zoom`: a neighbourhood
const FIT_MAX_ZOOM = 17; // fitting one camera must not zoom to the last tile
const PAD_DEG = 0.00001; // about a metre: the box never cuts a camera on its own edge
const L = window.L;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function label(name, value) {
  return config.labels[name]?.[value] ?? value;
}

function setStatus(text, state) {
  statusLine.textContent = text;
  statusLine.hidden = !text;
  if (state) container.dataset.state = state;
}

function clusterIcon(cluster) {
  const count = cluster.getChildCount();
  const size = count < 10 ? "small" : count < 100 ? "medium" : "large";
  const inner = element("div");
  const shown = element("span", "", String(count));
  shown.setAttribute("aria-hidden", "true");
  inner.append(shown, element("span", "visually-hidden", _("%(count)s cameras", { count })));
  const className = `marker-cluster marker-cluster-${size}`;
  return L.divIcon({ html: inner, className, iconSize: L.point(40, 40) });
}

function popupContent(properties) {
  const root = element("div", "embed-popup");
  root.append(element("h2", "embed-popup-name", properties.name));
  const details = element("dl");
  let kind = label("camera_type", properties.camera_type);
  if (properties.surveillance_type && properties.surveillance_type !== "camera") {
    kind = `${kind} · ${label("surveillance_type", properties.surveillance_type)}`;
  }
  details.append(element("dt", "", _("Type")), element("dd", "", kind));
  if (properties.owner) {
    const owner = properties.owner === config.organisation.slug ? config.organisation.name : properties.owner;
    details.append(element("dt", "", _("Owner")), element("dd", "", owner));
  }
  root.append(details);
  return root;
}

const { url: tileUrl, attribution, maxZoom } = config.tiles;
const map = L.map(container, { maxZoom });
L.tileLayer(tileUrl, { attribution, maxZoom }).addTo(map);
const clusters = L.markerClusterGroup({
  showCoverageOnHover: false, // its hover polygon would look like a field of view
  maxClusterRadius: 50,
  iconCreateFunction: clusterIcon,
});
map.addLayer(clusters);
// Enter on a cluster zooms in and the cluster's element goes: the focus moves to the map (arrows pan,
// Tab reaches the cameras now shown) instead of falling back to the top of the page.
clusters.on("clusterkeypress", (event) => {
  if (event.originalEvent?.key !== "Enter") return;
  map.once("moveend", () => {
    if (document.activeElement === document.body || !document.activeElement) container.focus();
  });
});
const cameraIcon = L.divIcon({ className: "embed-camera", iconSize: [14, 14] });
const markers = new Map(); // camera id -> marker: each camera is added once, whatever the viewport

function addFeatures(features) {
  const added = [];
  for (const feature of features) {
    if (markers.has(feature.id) || !feature.geometry) continue;
    const [lon, lat] = feature.geometry.coordinates;
    const marker = L.marker([lat, lon], { icon: cameraIcon, title: feature.properties.name, keyboard: true });
    marker.bindPopup(() => popupContent(feature.properties));
    followKeyboard(marker);
    markers.set(feature.id, marker);
    added.push(marker);
  }
  clusters.addLayers(added);
}

// A popup opened with the keyboard takes the focus, Escape closes it, and the focus goes back to its
// marker: a keyboard user reads the camera's details and carries on from where they were.
function followKeyboard(marker) {
  let byKey = false;
  marker.on("popupopen", (event) => {
    // A marker focused by the keyboard (not by the click that opened it) matches :focus-visible.
    byKey = marker.getElement()?.matches(":focus-visible") ?? false;
    const popup = event.popup.getElement();
    if (popup && !popup.dataset.escapes) {
      popup.dataset.escapes = "1"; // the popup's element is reused: listen once
      popup.addEventListener("keydown", (key) => {
        if (key.key === "Escape") marker.closePopup();
      });
    }
    if (!byKey) return;
    const heading = popup?.querySelector(".embed-popup-name");
    heading?.setAttribute("tabindex", "-1");
    heading?.focus();
  });
  marker.on("popupclose", () => {
    if (byKey) marker.getElement()?.focus();
    byKey = false;
  });
}

// The viewport cut to the organisation's public cameras: a small box, never one the API refuses.
function requestBox() {
  if (!config.extent) return null;
  const bounds = map.getBounds();
  const [minLon, minLat, maxLon, maxLat] = config.extent;
  const box = [
    Math.max(bounds.getWest(), minLon - PAD_DEG),
    Math.max(bounds.getSouth(), minLat - PAD_DEG),
    Math.min(bounds.getEast(), maxLon + PAD_DEG),
    Math.min(bounds.getNorth(), maxLat + PAD_DEG),
  ];
  return box[0] <= box[2] && box[1] <= box[3] ? box : null;
}

function finish(message) {
  container.dataset.cameras = String(markers.size);
  setStatus(message, "ready");
}

let controller = null;
const complete = []; // boxes whose every camera is on the map already: moving inside them asks nothing

function covered(box) {
  const inside = (done) => done[0] <= box[0] && done[1] <= box[1] && done[2] >= box[2] && done[3] >= box[3];
  return complete.some(inside);
}

async function load() {
  controller?.abort();
  const box = requestBox();
  if (!box || covered(box)) {
    finish(config.extent ? "" : _("No public cameras to show."));
    return;
  }
  controller = new AbortController();
  setStatus(_("Loading the cameras…"), "loading");
  const url = new URL(config.urls.cameras, window.location.href);
  url.search = new URLSearchParams({
    owner: config.organisation.slug,
    bbox: box.map((value) => value.toFixed(7)).join(","),
    limit: String(config.pageLimit),
  }).toString();
  try {
    const response = await fetch(url, {
      credentials: "omit",
      signal: controller.signal,
      headers: { Accept: "application/geo+json" },
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = await response.json();
    addFeatures(body.features);
    const more = (body.links ?? []).some((link) => link.rel === "next");
    if (!more) complete.push(box);
    finish(more ? _("Zoom in to see every camera.") : "");
  } catch (error) {
    if (error.name !== "AbortError") setStatus(_("The cameras could not be loaded."), "error");
  }
}

function startView() {
  const { center, zoom } = config.view;
  if (center) {
    map.setView(center, zoom ?? CENTER_ZOOM);
    return;
  }
  const [minLon, minLat, maxLon, maxLat] = config.extent ?? config.fallbackExtent;
  const bounds = L.latLngBounds([minLat, minLon], [maxLat, maxLon]);
  if (zoom !== null) map.setView(bounds.getCenter(), zoom);
  else map.fitBounds(bounds, { padding: [24, 24], maxZoom: FIT_MAX_ZOOM });
}

let timer = null;
startView();
container.dataset.zoom = String(map.getZoom());
map.on("moveend", () => {
  container.dataset.zoom = String(map.getZoom());
  clearTimeout(timer);
  timer = setTimeout(load, DEBOUNCE_MS);
});
load();

// The map's state in the address bar (centre, zoom, filters, the intervention shown), so a view can
// be shared as a link.
export const FILTER_NAMES = ["q", "camera_type", "status", "owner", "municipality", "visibility"];

export function readState(search = window.location.search) {
  const params = new URLSearchParams(search);
  const number = (name) => (params.has(name) && !Number.isNaN(Number(params.get(name))) ? Number(params.get(name)) : null);
  const filters = {};
  for (const name of FILTER_NAMES) if (params.get(name)) filters[name] = params.get(name);
  return {
    lat: number("lat"), lng: number("lng"), zoom: number("z"),
    camera: number("camera"), intervention: number("intervention"), filters,
  };
}

export function writeState(map, filters) {
  const params = new URLSearchParams(window.location.search);
  const centre = map.getCenter();
  params.set("lat", centre.lat.toFixed(5));
  params.set("lng", centre.lng.toFixed(5));
  params.set("z", String(map.getZoom()));
  for (const name of FILTER_NAMES) {
    if (filters[name]) params.set(name, filters[name]);
    else params.delete(name);
  }
  params.delete("camera");
  window.history.replaceState(null, "", `${window.location.pathname}?${params}`);
}

// The intervention shown on the map (`?intervention=<id>`), or none. Kept by writeState as it is.
export function writeIntervention(id) {
  const params = new URLSearchParams(window.location.search);
  if (id === null || id === undefined) params.delete("intervention");
  else params.set("intervention", String(id));
  window.history.replaceState(null, "", `${window.location.pathname}?${params}`);
}

// The map's state in the address bar (centre, zoom, filters), so a view can be shared as a link.
export const FILTER_NAMES = ["q", "camera_type", "status", "owner", "municipality", "visibility"];

export function readState(search = window.location.search) {
  const params = new URLSearchParams(search);
  const number = (name) => (params.has(name) && !Number.isNaN(Number(params.get(name))) ? Number(params.get(name)) : null);
  const filters = {};
  for (const name of FILTER_NAMES) if (params.get(name)) filters[name] = params.get(name);
  return {
    lat: number("lat"), lng: number("lng"), zoom: number("z"),
    camera: number("camera"), filters,
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

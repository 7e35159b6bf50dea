// Where the map opens: a shared link's view, else the last view this user left on this browser
// (localStorage, keyed by user: two officers sharing a control-room PC keep their own), else the
// extent of the user's organisation's cameras the server sends (`config.home`).
const KEY = "observo.map.view";
const HOME_MAX_ZOOM = 15; // one camera's extent is a point: open on its streets, not on its pole

function storageKey(user) {
  return user?.id ? `${KEY}.${user.id}` : null;
}

export function savedView(user) {
  const key = storageKey(user);
  if (!key) return null;
  try {
    const view = JSON.parse(window.localStorage.getItem(key) || "null");
    const valid = view && [view.lat, view.lng, view.zoom].every((value) => Number.isFinite(value));
    return valid ? view : null;
  } catch (error) {
    return null; // storage refused (private mode, a policy) or garbage: open at home
  }
}

export function rememberView(map, user) {
  const key = storageKey(user);
  if (!key) return;
  const centre = map.getCenter();
  const view = { lat: Number(centre.lat.toFixed(5)), lng: Number(centre.lng.toFixed(5)), zoom: map.getZoom() };
  try {
    window.localStorage.setItem(key, JSON.stringify(view));
  } catch (error) {
    // storage full or refused: the map still works, it only forgets
  }
}

export function homeView(map, config) {
  const [west, south, east, north] = config.home || config.extent;
  map.fitBounds([[south, west], [north, east]], { padding: [30, 30], maxZoom: HOME_MAX_ZOOM });
}

// minLon,minLat,maxLon,maxLat of the view clipped to the service's extent; null when outside it.
export function viewportBbox(map, extent) {
  const bounds = map.getBounds();
  const box = [
    Math.max(bounds.getWest(), extent[0]), Math.max(bounds.getSouth(), extent[1]),
    Math.min(bounds.getEast(), extent[2]), Math.min(bounds.getNorth(), extent[3]),
  ].map((value) => Number(value.toFixed(6)));
  return box[0] < box[2] && box[1] < box[3] ? box : null;
}

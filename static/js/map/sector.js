// A field of view drawn in the browser while an editor moves it (the server computes the stored one
// the same way: apex, bearing clockwise from north, horizontal angle, range in metres).
const METRES_PER_DEGREE = 111_320;
const FULL_CIRCLE_DEG = 359.5;

export function offset(lat, lng, bearingDeg, metres) {
  const radians = (bearingDeg * Math.PI) / 180;
  const dLat = (metres * Math.cos(radians)) / METRES_PER_DEGREE;
  const dLng = (metres * Math.sin(radians)) / (METRES_PER_DEGREE * Math.cos((lat * Math.PI) / 180));
  return [lat + dLat, lng + dLng];
}

export function sectorLatLngs(lat, lng, bearingDeg, hfovDeg, rangeM) {
  const points = [];
  if (hfovDeg >= FULL_CIRCLE_DEG) {
    for (let angle = 0; angle < 360; angle += 5) points.push(offset(lat, lng, angle, rangeM));
    return points;
  }
  const start = bearingDeg - hfovDeg / 2;
  const steps = Math.max(2, Math.ceil(hfovDeg / 5));
  points.push([lat, lng]);
  for (let step = 0; step <= steps; step += 1) points.push(offset(lat, lng, start + (hfovDeg * step) / steps, rangeM));
  return points;
}

// Bearing (0 = north, clockwise) and distance in metres from the apex to a point.
export function bearingAndDistance(apex, point) {
  const dy = (point.lat - apex.lat) * METRES_PER_DEGREE;
  const dx = (point.lng - apex.lng) * METRES_PER_DEGREE * Math.cos((apex.lat * Math.PI) / 180);
  const bearing = ((Math.atan2(dx, dy) * 180) / Math.PI + 360) % 360;
  return { bearing, distance: Math.hypot(dx, dy) };
}

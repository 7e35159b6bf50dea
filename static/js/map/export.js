// Query results saved as files in the browser: what the officer sees is what is exported.
const COLUMNS = ["id", "code", "name", "owner", "camera_type", "status", "visibility", "relation", "distance_m",
  "retention_hours", "address", "lon", "lat"];

export function toCsv(features) {
  const rows = features.map((feature) => {
    const [lon, lat] = feature.geometry.coordinates;
    const values = { ...feature.properties, id: feature.id, lon, lat };
    return COLUMNS.map((name) => csvCell(values[name]));
  });
  return [COLUMNS.join(","), ...rows.map((row) => row.join(","))].join("\r\n") + "\r\n";
}

function csvCell(value) {
  if (value === undefined || value === null) return "";
  let text = String(value);
  // Text a spreadsheet would run as a formula gets a leading ' (observo/domain/csv_cells.py); numbers stay.
  if (typeof value === "string" && /^(?:[\t\r\n]|\s*[=+\-@\uff1d\uff0b\uff0d\uff20])/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function download(filename, type, content) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

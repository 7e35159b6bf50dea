"""`?f=csv`: one row per camera, streamed in batches as the database returns them.

Rows are the same Features the JSON answer carries (the schema is the contract), flattened: the
position as `lon`/`lat` columns, the field of view as WKT, `source_tags` as the JSON text of its
object (read back by the CSV import). In an export every row says its `licence` (the attribution a
CSV carries with it; public rows get that column too, nothing else of the source; the public list,
`GET /cameras?f=csv`, keeps its allowlisted columns). The one CSV writer of the
product (`?f=csv`, exports, `observo export`): no text cell is a formula (docs/security.md,
"Spreadsheets"); a JSON object starts with `{` and is never one.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

from shapely.geometry import shape
from sqlalchemy.orm import Session

from observo.domain.csv_cells import csv_cell
from observo.domain.permissions import Actor, audience, sees_full_detail
from observo.rendering.features import property_names, streamed_features
from observo.services import export_queries, queries
from observo.services.export_attribution import Attribution

BATCH = 500
LicenceLookup = Callable[[Sequence[int]], Mapping[int, str]]


def columns_for(actor: Actor, licence: bool = False) -> list[str]:
    """The columns: the audience's properties; `licence` too for an export (the public's lack it)."""
    names = property_names(audience(actor))
    flat = ["fov_wkt" if name == "fov" else name for name in names]
    added = ["licence"] if licence and "licence" not in names else []
    return ["id", "lon", "lat", *flat, *added]


def licence_lookup(session: Session, actor: Actor, attribution: Attribution) -> LicenceLookup | None:
    """For an export, the licences of rows whose Features do not say it (the public's), read a batch
    at a time; None when the Features say it, or when no row of the export has a licence."""
    if sees_full_detail(actor) or not attribution:
        return None
    return lambda camera_ids: export_queries.licences_of(session, camera_ids)


def stream_rows(
    session: Session, actor: Actor, query: queries.CameraQuery, limit: int | None, offset: int
) -> Iterator[str]:
    return rows_of(actor, streamed_features(session, actor, query, limit, offset, BATCH))


def rows_of(
    actor: Actor,
    features: Iterable[dict[str, Any]],
    licences: LicenceLookup | None = None,
    *,
    licence_column: bool = False,
) -> Iterator[str]:
    """CSV text, a chunk per batch of rows: the header, then one row per Feature. An export has a
    `licence` column for every audience (`licence_column`), filled by `licences` where the Features
    do not say it."""
    buffer = io.StringIO()
    columns = columns_for(actor, licence_column)
    writer = csv.DictWriter(buffer, columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    stream = iter(features)
    while batch := list(islice(stream, BATCH)):
        known = licences([feature["id"] for feature in batch]) if licences else {}
        for feature in batch:
            row = _flat(feature)
            if feature["id"] in known:
                row["licence"] = csv_cell(known[feature["id"]])
            writer.writerow(row)
        yield _drain(buffer)
    if buffer.tell():  # the header of an export without rows
        yield _drain(buffer)


def _flat(feature: dict[str, Any]) -> dict[str, Any]:
    """One row; text cells a spreadsheet would run as a formula are neutralised (domain.csv_cells),
    numbers are written as numbers, objects as JSON."""
    lon, lat = feature["geometry"]["coordinates"]
    row = {"id": feature["id"], "lon": lon, "lat": lat}
    for name, value in feature["properties"].items():
        if name == "fov":
            row["fov_wkt"] = shape(value).wkt if value else None
        elif name == "fov_visible":  # as WKT too; read-only, so a re-import ignores the column
            row[name] = shape(value).wkt if value else None
        elif isinstance(value, bool):
            row[name] = "true" if value else "false"
        elif isinstance(value, dict):
            row[name] = (
                csv_cell(json.dumps(value, ensure_ascii=False, separators=(",", ":"))) if value else None
            )
        else:
            row[name] = csv_cell(value)
    return row


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text

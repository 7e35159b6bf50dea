"""`?f=csv`: one row per camera, streamed in batches as the database returns them.

Rows are the same Features the JSON answer carries (the schema is the contract), flattened: the
position as `lon`/`lat` columns and the field of view as WKT. The one CSV writer of the product
(`?f=csv`, exports, `observo export`): no text cell is a formula (docs/security.md, "Spreadsheets").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Response, stream_with_context
from shapely.geometry import shape
from sqlalchemy.orm import Session

from observo.api.features import property_names, streamed_features
from observo.domain.csv_cells import csv_cell
from observo.domain.permissions import Actor, audience
from observo.services import queries

BATCH = 500


def columns_for(actor: Actor) -> list[str]:
    names = property_names(audience(actor))
    flat = ["fov_wkt" if name == "fov" else name for name in names]
    return ["id", "lon", "lat", *flat]


def csv_response(
    session: Session, actor: Actor, query: queries.CameraQuery, limit: int | None, offset: int
) -> Response:
    rows = stream_rows(session, actor, query, limit, offset)
    headers = {"Content-Disposition": 'attachment; filename="cameras.csv"'}
    return Response(stream_with_context(rows), mimetype="text/csv", headers=headers)


def stream_rows(
    session: Session, actor: Actor, query: queries.CameraQuery, limit: int | None, offset: int
) -> Iterator[str]:
    return rows_of(actor, streamed_features(session, actor, query, limit, offset, BATCH))


def rows_of(actor: Actor, features: Iterable[dict[str, Any]]) -> Iterator[str]:
    """CSV text, a chunk per batch of rows: the header, then one row per Feature."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns_for(actor), extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for count, feature in enumerate(features, start=1):
        writer.writerow(_flat(feature))
        if count % BATCH == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _flat(feature: dict[str, Any]) -> dict[str, Any]:
    """One row; text cells a spreadsheet would run as a formula are neutralised (domain.csv_cells),
    numbers are written as numbers."""
    lon, lat = feature["geometry"]["coordinates"]
    row = {"id": feature["id"], "lon": lon, "lat": lat}
    for name, value in feature["properties"].items():
        if name == "fov":
            row["fov_wkt"] = shape(value).wkt if value else None
        elif isinstance(value, bool):
            row[name] = "true" if value else "false"
        else:
            row[name] = csv_cell(value)
    return row


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text

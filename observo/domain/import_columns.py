"""Tabular records (CSV rows, GeoJSON properties, GIS attribute tables) -> camera API Features.

Shared by every source whose records are named columns. What each column means is decided once per
file (`Columns`), from, in this order:

1. the explicit column map (`ImportOptions.column_map`: source column -> camera property, `lon`,
   `lat`, `x`, `y`, `wkt` (a WKT point), or `-` to ignore the column);
2. the column named as the camera property itself (`hfov_deg`, `Camera Type`...);
3. the header variants people write, Italian and English (`HEADERS`), compared without case,
   accents, spaces, dashes or underscores (`Direzione`, `angolo_visuale`, `LATITUDINE`...); in a
   Shapefile, a name the DBF format cut to 10 characters names the one it starts (`DENOMINAZI`).

Two columns meaning the same property: the first by that order (then file order) is used, the other
kept verbatim, and a file-level `column_duplicate` warning says so. Every column no property takes
is kept verbatim per row in `source_tags` and counted in `FileSummary.kept`.

Observo's own exports go back in: a row whose `code` is an Observo code (`OBS-000042`) is one of
ours, so its server-set fields (`READ_ONLY`, the computed field of view) are dropped with one
`read_only_ignored` warning per row, and its `id` (or the number in its code) becomes the Feature's
top-level `id`, the key of the same registry. In any other file those columns are the source's own
and are kept like any other.

Direction columns (`direzione`, `direction`, `azimut`, `bearing_deg`...) are read by
`directions.parse_directions`: several directions in one cell make several heads sharing a
`site_ref` (the row's `ref`, else `<format>:<row>`), with `ref` suffixed `/1`, `/2`... as for OSM
nodes. A head that does not see all round and has no direction is registered with
`direction_unknown: true` (a `direction_unknown` warning), a row without a camera type is a fixed
camera (a `type_assumed` warning), and a row that says neither whether the camera records nor how
long is imported with `records: false` (a file-level `records_assumed` warning): OSM rows get the
same, and a recording camera without a retention would be refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import shapely

from observo.domain import import_values
from observo.domain.directions import DirectionReading, parse_directions
from observo.domain.import_crs import Positions
from observo.domain.import_rows import ASSUMABLE, FileSummary, ImportOptions, ParsedRow
from observo.domain.import_values import fold
from observo.domain.vocabulary import ALL_ROUND_TYPES
from observo.errors import FieldIssue, InvalidInput, pointer_token

# Every property a client writes (schemas.camera.CameraAttributes; a test keeps them equal).
PROPERTIES = (
    "name", "ref", "source", "osm_id", "site_ref", "licence", "source_tags", "address", "municipality",
    "indoor", "level", "mount", "height_m", "surveillance_type", "camera_type", "area_class", "zone",
    "make", "model", "bearing_deg", "direction_unknown", "hfov_deg", "tilt_deg", "range_m", "fov",
    "fov_method", "owner", "operator", "operator_name", "data_controller", "footage_contact_name",
    "footage_contact_phone", "footage_contact_email", "footage_contact_pec", "footage_contact_hours",
    "purpose", "legal_basis", "retention_hours", "signage", "signage_checked_on", "status", "records",
    "live_link", "night_vision", "resolution", "installed_on", "last_verified_on", "verification",
    "temporary", "valid_from", "valid_until", "visibility",
)  # fmt: skip
# Set by the server: in an Observo export, ignored (schemas.camera.READ_ONLY_PROPERTIES).
READ_ONLY = (
    "code", "version", "created_at", "updated_at", "created_by", "updated_by", "range_derived", "fov_visible",
    "owner_confirmation",
)  # fmt: skip
COORDINATES = ("lon", "lat", "x", "y", "wkt")  # wkt: a column holding the point as WKT
IGNORE = "-"
MAP_TARGETS = (*PROPERTIES, *COORDINATES, IGNORE)
# Targets of columns beyond the properties: the Observo id, the field of view as WKT (CSV export).
_ID, _FOV_WKT, _DIRECTION = "id", "fov_wkt", "bearing_deg"
_OBSERVO_CODE = re.compile(r"OBS-([0-9]{1,18})", re.ASCII)
_SRID = re.compile(r"\s*SRID=([0-9]{4,6})\s*;", re.IGNORECASE)

# Header variants (compared folded: `import_values.fold`) -> property or coordinate.
HEADERS = {
    **{name: name for name in (*PROPERTIES, *COORDINATES, *READ_ONLY, _ID, _FOV_WKT)},
    "lat": ("latitude", "latitudine", "wgs84 lat", "lat wgs84", "y wgs84"),
    "lon": ("lng", "long", "longitude", "longitudine", "wgs84 lon", "lon wgs84", "x wgs84"),
    "x": ("coord x", "coordinata x", "x coord", "easting"),
    "y": ("coord y", "coordinata y", "y coord", "northing"),
    "wkt": ("geom", "geometry", "the geom", "geometria", "wkt geom", "geometria wkt", "geom wkt"),
    "name": ("nome", "denominazione", "nome telecamera", "camera name", "titolo", "varco", "nome varco"),
    "ref": (
        "riferimento",
        "codice",
        "codice telecamera",
        "camera id",
        "id telecamera",
        "matricola",
        "codice varco",
        "id varco",
    ),
    "camera_type": ("tipo", "type", "tipologia", "tipo telecamera", "tipo camera"),
    "surveillance_type": ("tipo sorveglianza",),
    "owner": ("titolare", "proprietario"),
    "operator_name": ("gestore", "operatore", "gestito da", "operator name"),
    "address": ("indirizzo", "ubicazione", "via", "street address", "location", "localizzazione"),
    "municipality": ("comune", "istat", "codice istat", "codice comune", "municipality code"),
    "level": ("piano",),
    "mount": ("montaggio", "supporto", "camera mount", "installazione su"),
    "height_m": ("altezza", "height", "altezza m", "height m"),
    "tilt_deg": ("inclinazione", "tilt", "camera angle"),
    "range_m": ("portata", "range", "radius", "raggio", "distanza visuale"),
    "hfov_deg": (
        "angolo",
        "apertura",
        "angolo visuale",
        "angolo di visuale",
        "angolo di visione",
        "hfov",
        "angle of view",
        "field of view",
        "view angle",
        "camera angle of view",
    ),
    _DIRECTION: (
        "direzione",
        "direction",
        "azimut",
        "azimuth",
        "bearing",
        "orientamento",
        "heading",
        "camera direction",
        "camera:direction",
        "surveillance direction",
        "direzione ripresa",
    ),
    "status": ("stato",),
    "visibility": ("visibilità",),
    "retention_hours": ("conservazione ore", "ore conservazione", "retention"),
    "source": ("fonte",),
    "make": ("marca", "produttore", "manufacturer", "brand"),
    "model": ("modello",),
    "installed_on": (
        "installata il",
        "installata",
        "data installazione",
        "data di installazione",
        "installation date",
        "start date",
    ),
    "records": ("registra", "registrazione", "recording"),
    "purpose": ("finalità", "scopo"),
    "zone": ("zona", "surveillance zone"),
    "night_vision": ("visione notturna", "infrarossi"),
    "resolution": ("risoluzione",),
    "signage": ("cartello", "cartellonistica", "informativa"),
    "licence": ("license", "licenza"),
    "legal_basis": ("base giuridica",),
    "data_controller": ("titolare del trattamento", "titolare trattamento"),
    "osm_id": ("osm id", "osm node"),
}
_ALIASES: dict[str, str] = {}
for _target, _spellings in HEADERS.items():
    for _spelling in (_spellings,) if isinstance(_spellings, str) else (_target, *_spellings):
        _ALIASES[fold(_spelling)] = _target


DBF_NAME = 10  # characters of a Shapefile's column names: longer ones arrive cut (`DENOMINAZI`)


def _alias(column: str, *, cut: bool = False) -> str | None:
    """The target a header names; with `cut`, a header DBF cut short names the one it starts."""
    if column.strip() == "@id":  # Overpass's OSM id column; folded it would be Observo's `id`
        return "osm_id"
    folded = fold(column)
    found = _ALIASES.get(folded)
    if found is None and cut and len(column.strip()) == DBF_NAME and len(folded) >= 7:
        started = {target for spelling, target in _ALIASES.items() if spelling.startswith(folded)}
        found = started.pop() if len(started) == 1 else None
    return found


@dataclass(frozen=True)
class _Cell:
    column: str
    target: str | None  # None: kept verbatim in source_tags
    value: Any


class Columns:
    """What each column of one file means, and the Features its records make.

    `coordinates_from_columns`: the position is in columns (CSV), else the reader gives it (GeoJSON,
    GIS files: coordinate-named columns are then kept like any other).
    """

    def __init__(
        self,
        names: Sequence[str],
        options: ImportOptions,
        summary: FileSummary,
        *,
        coordinates_from_columns: bool,
        default_source: str | None,
        cut_names: bool = False,
    ) -> None:
        self.names = unique_names(names)
        self.cut_names = cut_names  # a Shapefile's: at most DBF_NAME characters
        self.options = options
        self.summary = summary
        self.default_source = default_source
        self.targets = self._targets(coordinates_from_columns)
        self.has_type_column = "camera_type" in self.targets
        self.direction_column = next(
            (name for name, target in zip(self.names, self.targets, strict=True) if target == _DIRECTION),
            None,
        )
        self.positions: Positions | None = None
        if coordinates_from_columns:
            uses_xy = "lon" not in self.targets  # x/y or WKT: their CRS is not in their name
            self.positions = Positions(summary, None, options.crs, warn_assumed=uses_xy)
        for name, target in zip(self.names, self.targets, strict=True):
            if target is not None and target not in (IGNORE, *READ_ONLY, _ID, _FOV_WKT):
                summary.mapped[name] = "fov" if target == "fov" else target
            elif target == IGNORE:
                detail = f"column {name!r} ignored (the column map says '-')"
                summary.warnings.append(FieldIssue(f"/{pointer_token(name)}", "column_ignored", detail))

    # -- the meaning of the columns ------------------------------------------------------------

    def _targets(self, coordinates_from_columns: bool) -> list[str | None]:
        explicit = self._explicit()
        ranked: list[tuple[int, int, str]] = []
        for index, name in enumerate(self.names):
            if index in explicit:
                ranked.append((0, index, explicit[index]))
            elif (target := _alias(name, cut=self.cut_names)) is not None:
                ranked.append((1 if fold(name) == fold(target) else 2, index, target))
        targets: list[str | None] = [None] * len(self.names)
        claimed: dict[str, int] = {}
        for _rank, index, target in sorted(ranked):
            if target == IGNORE:
                targets[index] = IGNORE
            elif target in claimed:
                used, kept = self.names[claimed[target]], self.names[index]
                detail = (
                    f"columns {used!r} and {kept!r} both give {target}: {used!r} used, {kept!r} kept "
                    f"as it is (the column map chooses: {kept!r}={target} and {used!r}=-)"
                )
                self.summary.warnings.append(
                    FieldIssue(f"/{pointer_token(kept)}", "column_duplicate", detail)
                )
            else:
                claimed[target] = index
                targets[index] = target
        return self._coordinates(targets, claimed, coordinates_from_columns)

    def _explicit(self) -> dict[int, str]:
        """Column index -> target of the column map; a wrong map is a file-level error."""
        found: dict[int, str] = {}
        folded = {fold(name): index for index, name in reversed(list(enumerate(self.names)))}
        exact = {name.strip(): index for index, name in reversed(list(enumerate(self.names)))}
        for column, target in self.options.column_map.items():
            pointer = f"/column_map/{pointer_token(column)}"
            wanted = target.strip()
            if wanted not in MAP_TARGETS:
                detail = (
                    f"column map {column}={target}: {target!r} is not a camera property; map a column to "
                    "a property (name, camera_type, bearing_deg, hfov_deg, range_m...), to lon, lat, x, y or "
                    "wkt (a WKT point), or to - to ignore it"
                )
                raise InvalidInput(detail, [FieldIssue(pointer, "unknown_property", detail)])
            index = exact.get(column.strip(), folded.get(fold(column)))
            if index is None:
                detail = f"column map {column}={target}: the file has no column {column!r}"
                raise InvalidInput(detail, [FieldIssue(pointer, "unknown_column", detail)])
            found[index] = wanted
        return found

    def _coordinates(
        self, targets: list[str | None], claimed: dict[str, int], from_columns: bool
    ) -> list[str | None]:
        """The position's columns: lon/lat, else x/y (x/y first when a CRS is named for them), else
        a WKT point."""
        lonlat = "lon" in claimed and "lat" in claimed
        xy = "x" in claimed and "y" in claimed
        use: tuple[str, ...] = ()
        if xy and (self.options.crs or not lonlat):
            use = ("x", "y")
        elif lonlat:
            use = ("lon", "lat")
        elif "wkt" in claimed:
            use = ("wkt",)
        for name in COORDINATES:
            if name in claimed and (not from_columns or name not in use):
                targets[claimed[name]] = None  # kept as the source wrote it
        if from_columns and not use and self.names:
            found = ", ".join(repr(name) for name in self.names[:12])
            detail = (
                f"no position columns: expected lon and lat (longitudine/latitudine, lng...), x and y "
                f"with a CRS, or a WKT point; the file has {found}; the column map names yours (e.g. 'E=x')"
            )
            raise InvalidInput(detail, [FieldIssue("/file", "no_position", detail)])
        return targets

    # -- one record ----------------------------------------------------------------------------

    def rows(
        self,
        row: int,
        values: Sequence[Any],
        *,
        position: tuple[float, float] | None = None,
        feature_id: Any = None,
        file_format: str = "csv",
    ) -> list[ParsedRow]:
        """The camera heads of one record (one, or one per direction). `values` align with `names`;
        None or blank text is an empty cell."""
        cells = [
            _Cell(name, target, value)
            for name, target, value in zip(self.names, self.targets, values, strict=False)
            if not _blank(value)
        ]
        record = _Record(row, self, cells, file_format)
        return record.parsed(position, feature_id)


def unique_names(names: Sequence[str]) -> list[str]:
    """Header cells as column names: blank ones `column N`, repeated ones `name (2)`."""
    seen: dict[str, int] = {}
    unique = []
    for index, raw in enumerate(names, start=1):
        name = raw.strip() or f"column {index}"
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Record:
    """One record being read: the properties, what is kept, the problems and the interpretations."""

    def __init__(self, row: int, columns: Columns, cells: list[_Cell], file_format: str) -> None:
        self.row = row
        self.columns = columns
        self.cells = cells
        self.file_format = file_format
        self.props: dict[str, Any] = {}
        self.kept: dict[str, str] = {}
        self.explicit_tags: dict[str, str] = {}
        self.issues: list[FieldIssue] = []
        self.warnings: list[FieldIssue] = []
        self.dropped: list[str] = []
        self.directions: _Cell | None = None
        self.coordinates: dict[str, _Cell] = {}
        self.fov: _Cell | None = None
        self.observo = any(c.target == "code" and _observo_code(c.value) is not None for c in cells)

    def parsed(self, position: tuple[float, float] | None, feature_id: Any) -> list[ParsedRow]:
        for cell in self.cells:
            self._read(cell)
        self._read_only()
        self._defaults()
        readings = self._readings()
        if position is None:
            position = self._position()
        observo_id = self._observo_id(feature_id)
        if feature_id is not None and observo_id is None:
            self._keep("id", feature_id)
        self._tags()
        if self.issues or position is None:
            return [ParsedRow(self.row, None, self.issues, self.warnings)]
        heads = self._heads(readings)
        stated = {cell.target for cell in self.cells}
        features = []
        for number, props in enumerate(heads):
            feature: dict[str, Any] = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [position[0], position[1]]},
                "properties": props,
            }
            if observo_id is not None:
                feature["id"] = observo_id
            # The record's warnings once, with its first head: the report lists them per row.
            assumed = frozenset(name for name in ASSUMABLE if name in props and name not in stated)
            features.append(ParsedRow(self.row, feature, [], self.warnings if number == 0 else [], assumed))
        return features

    # -- cells -----------------------------------------------------------------------------------

    def _read(self, cell: _Cell) -> None:
        target = cell.target
        if target is None:
            self._keep(cell.column, cell.value)
        elif target == IGNORE:
            self.columns.summary.ignored[cell.column] += 1
        elif target in (*READ_ONLY, _ID):
            self._server_set(cell)
        elif target == _DIRECTION:
            self.directions = cell
        elif target in COORDINATES:
            self.coordinates[target] = cell
        elif target in ("fov", _FOV_WKT):
            self.fov = cell
        elif target == "source_tags":
            self._source_tags(cell)
        else:
            self._property(cell)

    def _server_set(self, cell: _Cell) -> None:
        """A read-only column: dropped in an Observo export (the id is the key), else the source's own."""
        if not self.observo:
            self._keep(cell.column, cell.value)
        elif cell.target != _ID:
            self._drop(cell.column)

    def _property(self, cell: _Cell) -> None:
        if (
            cell.target == "fov_method"
            and self.observo
            and import_values.text(cell.value).strip() == "occluded"
        ):
            self._drop(cell.column)  # the server computes the occluded view again
            return
        owner = self.columns.options.owner
        if cell.target == "owner" and owner and not import_values.is_slug(cell.value):
            # A municipal list's `titolare` names the town ("Comune di Torino"): the owner named wins.
            self._keep(cell.column, cell.value)
            shown = import_values.text(cell.value)[:40]
            detail = f"{cell.column}: {shown!r} is not an organisation: owner {owner}, the value kept"
            self._warn(cell.column, "value_mapped", detail)
            return
        try:
            read = import_values.convert(cell.target or "", cell.value)
        except ValueError as exc:
            self._issue(cell.column, "invalid_value", f"{cell.column}: {exc}")
            return
        if read.note is not None:
            self._warn(cell.column, "value_mapped", read.note)
        if read.keep_raw:
            self._keep(cell.column, cell.value)
        if read.target != "":
            self.props[read.target or cell.target or ""] = read.value

    def _source_tags(self, cell: _Cell) -> None:
        """A source_tags column: Observo's export writes the tags as JSON text (or an object)."""
        tags = cell.value
        if isinstance(tags, str):
            try:
                tags = json.loads(tags)
            except json.JSONDecodeError:
                tags = None
        if not isinstance(tags, dict):
            detail = f'{cell.column}: expected a JSON object of tags ({{"key": "value"}})'
            self._issue(cell.column, "invalid_value", detail)
            return
        # Verbatim: an empty value is a value (an OSM node may carry `camera:direction=`).
        self.explicit_tags = {
            str(key): import_values.text(value) for key, value in tags.items() if value is not None
        }

    def _keep(self, column: str, value: Any) -> None:
        if column not in self.kept:
            self.kept[column] = import_values.text(value)

    def _drop(self, column: str) -> None:
        self.dropped.append(column)
        self.columns.summary.ignored[column] += 1

    def _issue(self, column: str, code: str, detail: str) -> None:
        self.issues.append(FieldIssue(f"/{pointer_token(column)}", code, detail))

    def _warn(self, column: str, code: str, detail: str) -> None:
        self.warnings.append(FieldIssue(f"/{pointer_token(column)}" if column else "", code, detail))

    # -- Observo's own exports -------------------------------------------------------------------

    def _read_only(self) -> None:
        """The server-set fields of an Observo export: a computed field of view and a derived range
        are dropped (the server computes them again); a drawn field of view is kept."""
        if self.fov is not None:
            self._field_of_view(self.fov)
        if self.observo:
            derived = next((c for c in self.cells if c.target == "range_derived"), None)
            if derived is not None and _is_true(derived.value) and "range_m" in self.props:
                del self.props["range_m"]
                self._drop(self._column_of("range_m"))
        if self.dropped:
            detail = f"set by Observo, ignored: {', '.join(self.dropped)}"
            self._warn("", "read_only_ignored", detail)

    def _field_of_view(self, cell: _Cell) -> None:
        value = cell.value
        polygon_like = isinstance(value, dict) or (
            isinstance(value, str) and value.lstrip().upper().startswith(("POLYGON", "MULTIPOLYGON"))
        )
        if not polygon_like:  # another file's `fov` column: an angle
            if "hfov_deg" not in self.props:
                self._property(_Cell(cell.column, "hfov_deg", value))
            return
        if self.props.get("fov_method") != "drawn":
            if self.observo:
                self._drop(cell.column)
            else:
                self._keep(cell.column, value)
            return
        if isinstance(value, dict):
            self.props["fov"] = value
            return
        try:
            self.props["fov"] = json.loads(shapely.to_geojson(shapely.from_wkt(value)))
        except shapely.errors.GEOSException as exc:
            self._issue(cell.column, "invalid_value", f"{cell.column}: not a WKT polygon ({exc})")

    def _observo_id(self, feature_id: Any) -> int | None:
        """The camera id of a row of an Observo export: the Feature id, the `id` column, the code."""
        if not self.observo:
            return None
        column = next((c for c in self.cells if c.target == _ID), None)
        given = feature_id if feature_id is not None else column.value if column is not None else None
        if given is not None:
            try:
                return import_values.integer(given)
            except ValueError:
                self._issue(
                    column.column if column else "id", "invalid_value", f"id: {given!r} is not a camera id"
                )
                return None
        code = next(c for c in self.cells if c.target == "code")
        return _observo_code(code.value)

    def _column_of(self, target: str) -> str:
        return next((c.column for c in self.cells if c.target == target), target)

    # -- what the row does not say -----------------------------------------------------------------

    def _defaults(self) -> None:
        props, columns = self.props, self.columns
        if columns.options.owner and "owner" not in props:
            props["owner"] = columns.options.owner
        if columns.default_source and "source" not in props:
            props["source"] = columns.default_source
        if "records" not in props and "retention_hours" not in props:
            props["records"] = False
            detail = (
                "rows that say neither whether the camera records (records, registra) nor for how "
                "long (retention_hours, conservazione_ore) are imported as not recording (records=false)"
            )
            say_once(columns.summary, FieldIssue("/records", "records_assumed", detail))

    def _readings(self) -> list[DirectionReading]:
        cell = self.directions
        if cell is None:
            return []
        try:
            parsed = parse_directions(import_values.text(cell.value))
        except ValueError as exc:
            self._issue(cell.column, "invalid_direction", f"{cell.column}: {exc}")
            return []
        for note in parsed.notes:
            self._warn(cell.column, "direction_normalised", f"{cell.column}: {note}")
        return parsed.readings

    def _position(self) -> tuple[float, float] | None:
        positions = self.columns.positions
        if positions is None:
            return None
        if "x" in self.columns.targets:
            names = ("x", "y")
        elif "lon" in self.columns.targets:
            names = ("lon", "lat")
        else:
            return self._wkt_position(positions)
        numbers = []
        for name in names:
            cell = self.coordinates.get(name)
            if cell is None:
                column = self.columns.names[self.columns.targets.index(name)]
                self._issue(column, "required", f"{names[0]} and {names[1]} are required")
                continue
            try:
                numbers.append(import_values.number(cell.value, "deg" if name in ("lon", "lat") else None))
            except ValueError as exc:
                self._issue(cell.column, "invalid_value", f"{cell.column}: {exc}")
        if len(numbers) < 2:
            return None
        try:
            return positions.to_wgs84(numbers[0], numbers[1])
        except ValueError as exc:
            self._issue(self.coordinates[names[0]].column, "invalid_position", str(exc))
            return None

    def _wkt_position(self, positions: Positions) -> tuple[float, float] | None:
        """A WKT (or EWKT: `SRID=3003;POINT (...)`) point column's position."""
        cell = self.coordinates.get("wkt")
        if cell is None:
            column = self.columns.names[self.columns.targets.index("wkt")]
            self._issue(column, "required", f"{column}: the position is required")
            return None
        text = import_values.text(cell.value).strip()
        srid = _SRID.match(text)
        try:
            shape = shapely.from_wkt(text[srid.end() :] if srid else text)
        except shapely.errors.GEOSException:
            shape = None
        if shape is not None and shape.geom_type == "MultiPoint" and len(shape.geoms) == 1:
            shape = shape.geoms[0]
        if shape is None or shape.geom_type != "Point" or shape.is_empty:
            self._issue(cell.column, "invalid_position", f"{cell.column}: {text[:60]!r} is not a WKT point")
            return None
        if srid:
            positions.adopt(f"EPSG:{srid.group(1)}")
        try:
            return positions.to_wgs84(shape.x, shape.y)
        except ValueError as exc:
            self._issue(cell.column, "invalid_position", str(exc))
            return None

    def _tags(self) -> None:
        tags = dict(self.explicit_tags)
        for column, value in self.kept.items():
            tags.setdefault(column, value)
            self.columns.summary.kept[column] += 1
        if tags:
            self.props["source_tags"] = tags

    def _heads(self, readings: list[DirectionReading]) -> list[dict[str, Any]]:
        """One property set per head; the camera type and a missing direction decided here."""
        props = self.props
        if "camera_type" not in props:
            props["camera_type"] = "fixed"
            self._type_assumed()
        if not readings:
            if self._needs_direction(props) and "bearing_deg" not in props:
                props["direction_unknown"] = True
                detail = (
                    f"a {props['camera_type']} camera without a direction: registered with its direction "
                    "unknown (it covers nothing until a bearing is given)"
                )
                self._warn(self.columns.direction_column or "", "direction_unknown", detail)
            return [props]
        if len(readings) == 1:
            return [_aimed(props, readings[0])]
        site = props.get("site_ref") or props.get("ref") or f"{self.file_format}:{self.row}"
        heads = []
        for number, reading in enumerate(readings, start=1):
            head = _aimed(props, reading)
            head["site_ref"] = site
            if props.get("ref"):
                head["ref"] = f"{props['ref']}/{number}"
            heads.append(head)
        return heads

    def _needs_direction(self, props: dict[str, Any]) -> bool:
        all_round = props["camera_type"] in ALL_ROUND_TYPES or props.get("hfov_deg") == 360
        return not all_round and "direction_unknown" not in props

    def _type_assumed(self) -> None:
        if self.columns.has_type_column:
            column = self.columns.names[self.columns.targets.index("camera_type")]
            self._warn(column, "type_assumed", f"{column}: no camera type given: a fixed camera")
        else:
            detail = "no camera type column: the cameras are fixed cameras"
            say_once(self.columns.summary, FieldIssue("/camera_type", "type_assumed", detail))


def say_once(summary: FileSummary, warning: FieldIssue) -> None:
    """A file-level warning, said once however many rows (or layers) it concerns."""
    if warning not in summary.warnings:
        summary.warnings.append(warning)


def _aimed(props: dict[str, Any], reading: DirectionReading) -> dict[str, Any]:
    head = {**props, "bearing_deg": reading.bearing_deg}
    if reading.hfov_deg is not None and "hfov_deg" not in props:
        head["hfov_deg"] = reading.hfov_deg
    return head


def _observo_code(value: Any) -> int | None:
    found = _OBSERVO_CODE.fullmatch(value.strip()) if isinstance(value, str) else None
    return int(found.group(1)) if found else None


def _is_true(value: Any) -> bool:
    try:
        return import_values.boolean(value)
    except ValueError:
        return False

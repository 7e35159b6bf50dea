"""Coordinates of an import file -> WGS84 longitude and latitude (pyproj).

Municipal GIS offices keep their layers in the CRS of their regional cartography (Monte Mario /
Gauss-Boaga EPSG:3003-3004, UTM 32N/33N on ED50, WGS84 or ETRS89...). A file that says its CRS
(a .prj, a GeoPackage's srs, GeoJSON's legacy `crs` member) is reprojected from it; a file that
does not is read in the CRS the person names (`ImportOptions.crs`), else taken as WGS84 degrees
only when its first position is plausible as degrees (a warning says so), else refused with the fix.
Projected coordinates written northing first (x is north in Nordic geodesy) are read the other way
round when only that way falls inside the CRS's area of use (an `axes_swapped` warning).
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from observo.domain.import_rows import FileSummary
from observo.errors import FieldIssue, InvalidInput

WGS84 = "EPSG:4326"
CRS_HINT = "name the CRS of the coordinates (--crs, or the API's crs option), e.g. EPSG:3003 or EPSG:32632"
_EPSG_NUMBER = re.compile(r"\s*(?:epsg\s*:?\s*)?([0-9]{4,6})\s*", re.IGNORECASE)
_OGC_URN = re.compile(r"urn:ogc:def:crs:(?:epsg|EPSG)::?([0-9]{4,6})")


def resolve(text: str, pointer: str = "/crs") -> CRS:
    """A CRS from what a person or a file writes: `EPSG:3003`, `3003`, an OGC URN, WKT, PROJ."""
    if text.strip().upper() in ("CRS84", "OGC:CRS84", "URN:OGC:DEF:CRS:OGC:1.3:CRS84"):
        return CRS.from_user_input(WGS84)
    found = _EPSG_NUMBER.fullmatch(text) or _OGC_URN.fullmatch(text.strip())
    try:
        return CRS.from_epsg(int(found.group(1))) if found else CRS.from_user_input(text)
    except CRSError:
        detail = f"unknown CRS {text[:80]!r}: {CRS_HINT}"
        raise InvalidInput(detail, [FieldIssue(pointer, "unknown_crs", detail)]) from None


def name(crs: CRS) -> str:
    """`EPSG:3003` when the CRS has an EPSG code, else its name."""
    authority = crs.to_authority(min_confidence=90)
    return f"{authority[0]}:{authority[1]}" if authority else crs.name


@lru_cache(maxsize=32)
def transformer(crs_wkt: str) -> Transformer:
    """The transformation to WGS84, built once per CRS (building one costs milliseconds)."""
    return Transformer.from_crs(CRS.from_wkt(crs_wkt), WGS84, always_xy=True)


def plausible_degrees(x: float, y: float) -> bool:
    return -180.0 <= x <= 180.0 and -90.0 <= y <= 90.0


class Positions:
    """The positions of one file, in WGS84: reprojected from the file's CRS or the one named.

    `file_crs` is what the file says (None when it says nothing); `options_crs` what the person named,
    used when the file says nothing. With neither, the first position decides: plausible degrees are
    WGS84 (a file-level `crs_assumed` warning when `warn_assumed`), anything else refuses the file.
    """

    def __init__(
        self, summary: FileSummary, file_crs: str | None, options_crs: str | None, *, warn_assumed: bool
    ) -> None:
        self.summary = summary
        self.warn_assumed = warn_assumed
        given = file_crs or options_crs
        self.crs: CRS | None = resolve(given, "/crs" if file_crs is None else "/file/crs") if given else None
        if self.crs is not None:
            summary.crs = name(self.crs)
        self._set_transform()
        self._swap: bool | None = None  # northing before easting? Decided on the first position

    def adopt(self, crs_text: str) -> None:
        """The CRS a position names itself (EWKT's SRID), when neither the file nor the person did."""
        if self.crs is None:
            self.crs = resolve(crs_text, "/file/crs")
            self.summary.crs = name(self.crs)
            self._set_transform()

    def to_wgs84(self, x: float, y: float) -> tuple[float, float]:
        """(lon, lat); ValueError for a position that does not reproject to a finite point."""
        if not (math.isfinite(x) and math.isfinite(y)):
            raise ValueError(f"({x}, {y}) is not a position")
        if self.crs is None:
            self._assume_degrees(x, y)
        if self._transform is None:
            return x, y
        if self._swap is None:
            self._swap = self._swapped(x, y)
        if self._swap:
            x, y = y, x
        lon, lat = self._transform.transform(x, y, errcheck=False)
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise ValueError(f"({x}, {y}) is outside the area of {self.summary.crs}")
        return lon, lat

    def _set_transform(self) -> None:
        wgs84 = self.crs is None or self._is_wgs84(self.crs)
        self._transform = None if wgs84 else transformer(self.crs.to_wkt())  # type: ignore[union-attr]

    def _swapped(self, x: float, y: float) -> bool:
        """True when (x, y) falls outside the projected CRS's area and (y, x) inside: Nordic and some
        Italian files write the northing first (x is north in their geodesy)."""
        area = self.crs.area_of_use if self.crs is not None and self.crs.is_projected else None
        if area is None or self._transform is None:
            return False

        def inside(easting: float, northing: float) -> bool:
            lon, lat = self._transform.transform(easting, northing, errcheck=False)  # type: ignore[union-attr]
            return area.west - 1 <= lon <= area.east + 1 and area.south - 1 <= lat <= area.north + 1

        if inside(x, y) or not inside(y, x):
            return False
        detail = (
            f"the coordinates are northing, easting: ({x:g}, {y:g}) is outside the area of "
            f"{self.summary.crs} and read the other way round it is inside; every position is read that way"
        )
        self.summary.warnings.append(FieldIssue("/crs", "axes_swapped", detail))
        return True

    def _assume_degrees(self, x: float, y: float) -> None:
        if not plausible_degrees(x, y):
            detail = f"the coordinates ({x:g}, {y:g}) are not degrees and the file does not say its CRS: "
            detail += CRS_HINT
            raise InvalidInput(detail, [FieldIssue("/crs", "crs_required", detail)])
        self.crs = CRS.from_user_input(WGS84)
        self.summary.crs = WGS84
        if self.warn_assumed:
            detail = (
                "the file does not say its CRS: its coordinates look like degrees, read as WGS84 (EPSG:4326)"
            )
            self.summary.warnings.append(FieldIssue("/crs", "crs_assumed", detail))

    @staticmethod
    def _is_wgs84(crs: CRS) -> bool:
        return crs.is_geographic and name(crs) in (WGS84, "OGC:CRS84")

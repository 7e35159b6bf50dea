"""A headless QGIS that loads Observo's layers the way the QGIS desktop does, and reports what it saw.

Run by Debian's /usr/bin/python3 (python3-qgis; the test virtualenv cannot import qgis), never
imported by pytest. It reads a job as JSON on stdin:

    {"profile": "/tmp/...",            # QGIS profile: settings, auth database, network cache
     "steps": [{"name": "...", "kind": "features" | "tiles" | "render" | "ogr", ...}, ...]}

runs the steps in order in ONE QgsApplication (one profile, one network cache, as one desktop
session would), and prints {"qgis": version, "results": {name: {...}}} on stdout. A step that fails
reports {"error": "..."} and the others still run, so one missing server feature costs one check.

Layers are built as the Data Source Manager builds them: the "OAPIF" provider with
`url='.../ogc' typename='...'`, an authentication configuration of method Basic (stored in the
profile's auth database behind a master password set here), vector tiles as
`type=xyz&url=.../{z}/{x}/{y}.mvt`, files through the "ogr" provider (`/vsicurl/` for a URL).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from datetime import date, datetime, time
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display: Qt draws into memory

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsAuthMethodConfig,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsMapRendererCustomPainterJob,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsMarkerSymbol,
    QgsProject,
    QgsRectangle,
    QgsVectorLayer,
    QgsVectorTileBasicRenderer,
    QgsVectorTileBasicRendererStyle,
    QgsVectorTileLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QDate, QDateTime, QSize, QTime, QVariant
from qgis.PyQt.QtGui import QColor, QImage, QPainter

MASTER_PASSWORD = "observo-test-master"  # the profile's auth database is throwaway
WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")
MERCATOR = QgsCoordinateReferenceSystem("EPSG:3857")
BACKGROUND = QColor(255, 255, 255)


def plain(value: Any) -> Any:
    """A QVariant-ish attribute value as JSON."""
    if value is None or (isinstance(value, QVariant) and value.isNull()):
        return None
    if isinstance(value, QDateTime):
        return value.toString("yyyy-MM-ddTHH:mm:ss.zzzt") if value.isValid() else None
    if isinstance(value, QDate):
        return value.toString("yyyy-MM-dd") if value.isValid() else None
    if isinstance(value, QTime):
        return value.toString("HH:mm:ss") if value.isValid() else None
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return str(value)


class Session:
    """One QGIS desktop session: the application, its profile and its authentication configurations."""

    def __init__(self, profile: str) -> None:
        self.app = QgsApplication([], False, profile)
        self.app.initQgis()
        self.auth_ids: dict[tuple[str, str], str] = {}
        self.kept: list[Any] = []  # Python renderers handed to C++ must outlive the render
        self.log: list[str] = []  # what the providers logged (QGIS's "Log Messages" panel)
        QgsApplication.messageLog().messageReceived.connect(
            lambda message, tag, _level: self.log.append(f"{tag}: {message}")
        )

    def invalid(self, layer: Any) -> dict[str, Any]:
        """Why a layer did not load. (QgsError.summary() crashes 3.22 when the error is empty.)"""
        QgsApplication.processEvents()
        error = layer.error()
        reasons = ([] if error.isEmpty() else [error.summary()]) + self.log
        return {"valid": False, "error": "; ".join(reasons) or "invalid layer"}

    def auth_config(self, credentials: dict[str, str] | None) -> str:
        """The id of a Basic configuration for these credentials (created once, as a user would)."""
        if not credentials:
            return ""
        key = (credentials["username"], credentials["password"])
        if key not in self.auth_ids:
            manager = QgsApplication.authManager()
            if not manager.masterPasswordIsSet():
                manager.setMasterPassword(MASTER_PASSWORD, True)
            config = QgsAuthMethodConfig("Basic")
            config.setName(f"Observo ({key[0]})")
            config.setConfig("username", key[0])
            config.setConfig("password", key[1])
            stored = manager.storeAuthenticationConfig(config)
            stored_ok = stored[0] if isinstance(stored, tuple) else stored
            if not stored_ok or not config.id():
                raise RuntimeError("QGIS could not store the authentication configuration")
            self.auth_ids[key] = config.id()
        return self.auth_ids[key]

    def features_layer(self, step: dict[str, Any]) -> QgsVectorLayer:
        uri = f"url='{step['url']}' typename='{step['typename']}'"
        authcfg = self.auth_config(step.get("auth"))
        if authcfg:
            uri += f" authcfg='{authcfg}'"
        return QgsVectorLayer(uri, step["typename"], "OAPIF")

    def layer(self, step: dict[str, Any]) -> Any:
        if step.get("provider", "OAPIF") == "OAPIF":
            return self.features_layer(step)
        return QgsVectorLayer(step["source"], step["name"], step["provider"])

    def exit(self) -> None:
        self.app.exitQgis()


# ---------------------------------------------------------------- steps


def read_features(session: Session, step: dict[str, Any]) -> dict[str, Any]:
    """A vector layer: validity, the count QGIS reports, fields, geometry type, and every feature."""
    layer = session.layer(step)
    if not layer.isValid():
        return session.invalid(layer)
    names = layer.fields().names()
    features = []
    for feature in layer.getFeatures():
        geometry = feature.geometry()
        features.append(
            {
                "attributes": {name: plain(feature[name]) for name in names},
                "geometry": json.loads(geometry.asJson(7)) if not geometry.isNull() else None,
            }
        )
    return {
        "valid": True,
        "feature_count": layer.featureCount(),
        "fields": names,
        "field_types": {field.name(): field.typeName() for field in layer.fields()},
        "geometry_type": QgsWkbTypes.displayString(layer.wkbType()),
        "crs": layer.crs().authid(),
        "features": features,
    }


class TileProbe(QgsVectorTileBasicRenderer):
    """Draws every point as QGIS would, and records what QGIS decoded from each tile."""

    def __init__(self, sink: list[dict[str, Any]], layer: str, fields: list[str], owner: Session) -> None:
        super().__init__()
        self.sink, self.layer_name, self.field_names, self.owner = sink, layer, fields, owner
        style = QgsVectorTileBasicRendererStyle("points", layer, QgsWkbTypes.PointGeometry)
        style.setSymbol(QgsMarkerSymbol.createSimple({"color": "red", "size": "2"}))
        # QGIS decodes only the attributes a style refers to: name them all in the filter.
        style.setFilterExpression(" OR ".join(f'"{name}" IS NOT NULL' for name in fields) or "TRUE")
        self.setStyles([style])

    def clone(self) -> TileProbe:
        twin = TileProbe(self.sink, self.layer_name, self.field_names, self.owner)
        self.owner.kept.append(twin)
        return twin

    def renderTile(self, tile, context) -> None:  # noqa: N802 (QGIS's name)
        super().renderTile(tile, context)
        tile_id = tile.id()
        for layer in tile.layers():
            for feature in tile.layerFeatures(layer):
                names, values = feature.fields().names(), feature.attributes()
                self.sink.append(
                    {
                        "tile": [tile_id.zoomLevel(), tile_id.column(), tile_id.row()],
                        "layer": layer,
                        "geometry_type": QgsWkbTypes.displayString(feature.geometry().wkbType()),
                        "attributes": {name: plain(value) for name, value in zip(names, values, strict=True)},
                    }
                )


def mercator_extent(bbox: list[float]) -> QgsRectangle:
    transform = QgsCoordinateTransform(WGS84, MERCATOR, QgsProject.instance())
    return transform.transformBoundingBox(QgsRectangle(*bbox))


def drawn_pixels(image: QImage) -> int:
    """How many pixels the map drew on (not the background colour)."""
    background = BACKGROUND.rgb()
    return sum(
        1 for y in range(image.height()) for x in range(image.width()) if image.pixel(x, y) != background
    )


def read_tiles(session: Session, step: dict[str, Any]) -> dict[str, Any]:
    """A vector tile layer rendered over `bbox`: the features QGIS decoded, tile by tile."""
    source = f"type=xyz&url={step['url']}&zmin={step.get('zmin', 0)}&zmax={step.get('zmax', 14)}"
    authcfg = session.auth_config(step.get("auth"))
    if authcfg:
        source += f"&authcfg={authcfg}"
    layer = QgsVectorTileLayer(source, step["name"])
    if not layer.isValid():
        return session.invalid(layer)
    sink: list[dict[str, Any]] = []
    layer.setRenderer(TileProbe(sink, step.get("layer", "cameras"), step.get("fields", []), session))
    settings = map_settings([layer], step["bbox"], step.get("size", 512))
    image = QImage(settings.outputSize(), QImage.Format_ARGB32)
    image.fill(BACKGROUND)
    painter = QPainter(image)
    job = QgsMapRendererCustomPainterJob(settings, painter)
    job.renderSynchronously()  # in this thread: the Python renderer is called back here
    painter.end()
    errors = [error.message for error in job.errors()]
    return {"valid": True, "features": sink, "errors": errors, "drawn_pixels": drawn_pixels(image)}


def map_settings(layers: list[Any], bbox: list[float], size: int) -> QgsMapSettings:
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(MERCATOR)
    settings.setExtent(mercator_extent(bbox))
    settings.setOutputSize(QSize(size, size))
    settings.setBackgroundColor(BACKGROUND)
    return settings


def render(session: Session, step: dict[str, Any]) -> dict[str, Any]:
    """A layer drawn over `bbox` by the parallel renderer (QGIS's canvas), as an image."""
    layer = session.layer(step)
    if not layer.isValid():
        return session.invalid(layer)
    if step.get("fill"):
        symbol = layer.renderer().symbol()
        symbol.setColor(QColor(step["fill"]))
    job = QgsMapRendererParallelJob(map_settings([layer], step["bbox"], step.get("size", 256)))
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    if step.get("save"):
        image.save(step["save"])
    return {
        "valid": True,
        "geometry_type": QgsWkbTypes.displayString(layer.wkbType()),
        "errors": [error.message for error in job.errors()],
        "drawn_pixels": drawn_pixels(image),
        "pixels": image.width() * image.height(),
    }


STEPS = {"features": read_features, "tiles": read_tiles, "render": render}


def main() -> int:
    job = json.load(sys.stdin)
    session = Session(job["profile"])
    results: dict[str, Any] = {}
    try:
        for step in job["steps"]:
            kind = step.get("kind", "features")
            session.log.clear()
            try:
                result = STEPS[kind](session, step)
            except Exception:  # one failed check must not hide the others' answers
                result = {"error": traceback.format_exc(limit=3)}
            QgsApplication.processEvents()  # the download threads' log messages arrive queued
            results[step["name"]] = {**result, "log": list(session.log)}
    finally:
        session.exit()
    json.dump({"qgis": Qgis.QGIS_VERSION, "results": results}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

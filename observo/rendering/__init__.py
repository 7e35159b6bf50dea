"""Writers: cameras as GeoJSON Features, CSV rows, KML and OpenStreetMap exports, without Flask.

The API, the pages and the `observo export` command all write through here, from the same schema
per audience, so no output can show more than the caller's reads (docs/architecture.md, "Layers").
"""

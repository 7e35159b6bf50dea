"""Does writing new cameras a batch at a time change what an import does?
`python -m benchmarks.import_wiring_check [--batch-rows N]`

Imports each real-shaped fixture of tests/fixtures (OSM and municipal files) and three generated CSVs
(refs repeated in the file, cameras at the same spot under the same name with key=position and
without a key) twice, on fresh databases: through `services.imports.import_cameras` as it is (new
cameras kept back and created in bulk, refs looked up a batch at a time), and through it running
`benchmarks.import_speed.RowAtATimeRun` (the row loop as it was: a camera at a time). Each file goes in
three times: a real run, a dry run of the same file (every row found by its key), and a real run of
the file with some digits changed (moves, new directions, updates). The job documents (ids and times
aside), every camera column (but the sector, drawn within 1e-9 degrees by `fov.sectors`), the status
rows and the audit chain must be the same; `--batch-rows 2` makes every other record a batch of its
own. Exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from benchmarks import import_speed
from observo.domain import import_rows
from observo.domain.permissions import SYSTEM
from observo.extensions import db
from observo.models import Camera, CameraStatusChange, Organisation
from observo.services import audit, imports, organisations

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
HEADER = "nome;tipo;titolare;direzione;portata;longitudine;latitudine;conservazione_ore"
CASES: list[tuple[str, dict[str, Any], str | None]] = [
    ("repeated_refs.csv", {"skip_invalid": True}, "torino"),
    ("same_spot.csv", {"skip_invalid": True, "key": "position"}, "torino"),
    ("same_spot.csv", {"skip_invalid": True}, "torino"),
    ("osm/overpass_turbo.geojson", {}, "torino"),
    ("osm/swiss_overpass.json", {"skip_invalid": True}, "torino"),
    ("osm/monaco.osm", {"skip_invalid": True}, "torino"),
    ("imports/comune_cp1252.csv", {"skip_invalid": True}, None),
    ("imports/finnish_city.csv", {"skip_invalid": True}, "torino"),
    ("imports/roma_ztl.geojson", {"skip_invalid": True}, "torino"),
    ("imports/spreadsheet_mangled.csv", {"skip_invalid": True}, "torino"),
    ("imports/comune.kml", {"skip_invalid": True}, "torino"),
]


def generated(name: str) -> bytes:
    if name == "repeated_refs.csv":
        lines = [f"{HEADER};riferimento"]
        lines += [f"C{n};fixed;torino;{n * 10};40;7,6{n % 4};45,0{n % 3};24;R{n % 5}" for n in range(14)]
    else:
        lines = [HEADER] + [f"C{n % 3};fixed;torino;{n * 10};40;7,6{n % 4};45,0{n % 4};24" for n in range(14)]
    return ("\n".join(lines) + "\n").encode()


def outcome(
    kind: str, path: str, data: bytes, name: str, options: dict[str, Any], owner: str | None, tmp: str
) -> Any:
    # a folder of its own: a SpatiaLite file is never reused from the case before
    own = tempfile.mkdtemp(dir=tmp)
    with import_speed.fresh_app(kind, own, f"wiring_{path}") as app, app.app_context():
        for slug in ("torino", "milano"):
            if db.session.scalar(sa.select(Organisation.id).where(Organisation.slug == slug)) is None:
                organisations.create_organisation(
                    db.session, slug=slug, name=slug.title(), kind="municipality"
                )
        db.session.commit()
        documents = []
        for attempt, (dry_run, changed) in enumerate(
            ((False, data), (True, data), (False, data.replace(b"0", b"5", 6)))
        ):
            request = imports.ImportRequest(
                changed,
                name,
                owner,
                dry_run,
                f"key-{attempt}",
                import_rows.ImportOptions(owner=owner, **options),
            )
            try:
                if path == "row":
                    with import_speed.row_at_a_time():
                        report = imports.import_cameras(db.session, SYSTEM, request)
                else:
                    report = imports.import_cameras(db.session, SYSTEM, request)
                db.session.commit()
                documents.append(_scrubbed(imports.job_document(report.job)))
            except imports.ImportRefused as refused:
                db.session.rollback()
                documents.append(("refused", refused.report.document()))
        columns = [
            c for c in Camera.__table__.columns if c.key not in ("id", "created_at", "updated_at", "fov")
        ]
        shown = [sa.func.ST_AsText(c) if c.key in ("location", "public_location") else c for c in columns]
        cameras = [tuple(row) for row in db.session.execute(sa.select(*shown).order_by(Camera.id))]
        statuses = db.session.scalar(sa.select(sa.func.count()).select_from(CameraStatusChange))
        intact = audit.verify(db.session, checkpoint_dirs=[]).intact
        db.session.remove()
        return documents, cameras, statuses, intact


def _scrubbed(document: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(document)
    for name in ("id", "created_at", "finished_at"):
        document.pop(name, None)
    for row in document.get("rows", []):
        row["camera_id"] = None  # ids come from different databases
    return document


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--databases", default="spatialite,postgis")
    parser.add_argument("--batch-rows", type=int, default=500)
    args = parser.parse_args()
    logging.disable(logging.INFO)
    imports.ImportRun.batch_rows = args.batch_rows
    differences = 0
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.databases.split(","):
            for name, options, owner in CASES:
                data = (FIXTURES / name).read_bytes() if "/" in name else generated(name)
                current = outcome(kind, "current", data, name.split("/")[-1], options, owner, tmp)
                row = outcome(kind, "row", data, name.split("/")[-1], options, owner, tmp)
                same = current == row and current[3]
                differences += not same
                counts = [d["counts"] if isinstance(d, dict) else d[0] for d in current[0]]
                print(f"{kind:10} {name:34} {'same' if same else 'DIFFERENT'}: {json.dumps(counts)[:150]}")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()

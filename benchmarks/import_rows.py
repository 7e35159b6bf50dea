"""Time and memory of a CSV import on SpatiaLite: `python benchmarks/import_rows.py [N]` (default 20,000).

Builds a fresh database in a temporary directory, generates N rows (Italian headers, `;`, decimal
comma), then times a dry run and a real run of `observo.services.imports.import_cameras`, printing
seconds, rows per second and the process's peak resident memory after each.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time

import flask_migrate

from observo.app import create_app
from observo.domain.permissions import SYSTEM
from observo.extensions import db
from observo.services import imports, organisations
from observo.settings import Settings

HEADER = "nome;tipo;titolare;direzione;portata;longitudine;latitudine;conservazione_ore;riferimento"


def generate(rows: int) -> bytes:
    """N cameras on a grid around Turin, every tenth a dome."""
    lines = [HEADER]
    for number in range(rows):
        lon, lat = 7.60 + (number % 300) * 0.0005, 45.00 + (number // 300) * 0.0005
        kind = "dome" if number % 10 == 0 else "fixed"
        lon_text, lat_text = f"{lon:.6f}".replace(".", ","), f"{lat:.6f}".replace(".", ",")
        lines.append(f"Cam {number};{kind};bench;{number % 360};60,5;{lon_text};{lat_text};168;B-{number}")
    return ("\n".join(lines) + "\n").encode()


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, rows: int, request: imports.ImportRequest) -> None:
    started = time.perf_counter()
    report = imports.import_cameras(db.session, SYSTEM, request)
    db.session.commit()
    seconds = time.perf_counter() - started
    print(
        f"{label}: {rows} rows in {seconds:.1f} s ({rows / seconds:.0f} rows/s), counts {report.counts}, "
        f"peak RSS {peak_mib():.0f} MiB"
    )


def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(instance_path=tmp, database_url=f"sqlite:///{tmp}/bench.sqlite", secret_key="x")
        app = create_app(settings)
        with app.app_context():
            flask_migrate.upgrade()
            organisations.create_organisation(db.session, slug="bench", name="Bench", kind="municipality")
            db.session.commit()
            data = generate(rows)
            print(f"file: {len(data) / 2**20:.1f} MiB; peak RSS before import {peak_mib():.0f} MiB")
            timed("dry run", rows, imports.ImportRequest(data, "csv", "bench", dry_run=True))
            timed("real run", rows, imports.ImportRequest(data, "csv", "bench"))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)

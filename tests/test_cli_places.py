"""`observo places measure`: one measurement per place, one line each; errors on stderr, exit 1."""

from __future__ import annotations

import sqlalchemy as sa
from shapely.geometry import box

from observo.cli import main
from observo.domain.permissions import SYSTEM
from observo.models import AuditEntry, PlaceCoverage
from observo.services import places
from tests import factories


def _place(session, organisation, name, lon_shift=0.0):
    lon, lat = factories.TURIN
    outline = box(lon + lon_shift - 0.001, lat - 0.001, lon + lon_shift + 0.001, lat + 0.001)
    created = places.create_place(
        session,
        SYSTEM,
        {"organisation": organisation.slug, "name": name, "category": "square", "geometry": outline},
    )
    session.commit()
    return created


def _measurements(session, place) -> int:
    return session.scalar(sa.select(sa.func.count()).where(PlaceCoverage.place_id == place.id))


def _run(app, *args):
    return app.test_cli_runner().invoke(main, ["places", "measure", *args])


def test_measures_every_place_and_prints_one_line_each(app, session):
    torino, asti = factories.org(session, "torino"), factories.org(session, "asti")
    castello = _place(session, torino, "Piazza Castello")
    alfieri = _place(session, asti, "Piazza Alfieri", lon_shift=0.05)
    factories.camera(session, torino, camera_type="dome", range_m=50.0)
    result = _run(app)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    by_name = {line.split("\t")[2]: line.split("\t") for line in lines}
    assert by_name["Piazza Castello"][:2] == [str(castello.id), "torino"]
    assert by_name["Piazza Castello"][4] == "cameras=1" and by_name["Piazza Alfieri"][4] == "cameras=0"
    assert float(by_name["Piazza Castello"][3].removeprefix("ratio=")) > 0
    assert "2 places measured" in result.stderr
    assert (_measurements(session, castello), _measurements(session, alfieri)) == (2, 2)
    labels = session.scalars(
        sa.select(AuditEntry.actor_label).where(AuditEntry.action == "place.measure")
    ).all()
    assert sum(label.startswith("cli:") for label in labels) == 2


def test_one_organisation_only(app, session):
    torino, asti = factories.org(session, "torino"), factories.org(session, "asti")
    castello = _place(session, torino, "Piazza Castello")
    alfieri = _place(session, asti, "Piazza Alfieri")
    result = _run(app, "--org", "asti")
    assert result.exit_code == 0, result.stderr
    assert [line.split("\t")[1] for line in result.stdout.splitlines()] == ["asti"]
    assert (_measurements(session, castello), _measurements(session, alfieri)) == (1, 2)


def test_unknown_organisation_is_an_error_on_stderr(app, session):
    result = _run(app, "--org", "nowhere")
    assert result.exit_code == 1
    assert result.stdout == "" and "no organisation 'nowhere'" in result.stderr

"""`observo obstacles import|list|delete`: a layer per organisation and source; errors on stderr, exit 1."""

from __future__ import annotations

import json

import sqlalchemy as sa

from observo.cli import main
from observo.models import AuditEntry, Obstacle
from tests import factories
from tests import obstacle_data as data


def _run(app, *args):
    return app.test_cli_runner().invoke(main, ["obstacles", *args])


def _count(session, **where) -> int:
    stmt = sa.select(sa.func.count()).select_from(Obstacle).filter_by(**where)
    return session.scalar(stmt)


def test_import_list_reimport_delete(app, session, tmp_path):
    torino = factories.org(session, "torino")
    factories.org(session, "asti")
    osm, city = tmp_path / "centro.osm", tmp_path / "edifici.geojson"
    osm.write_bytes(data.osm_xml())
    city.write_bytes(data.city_geojson())

    result = _run(app, "import", str(osm), "--organization", "torino")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("torino\tosm\t2 buildings, 1 walls; replaced 0")
    assert _run(app, "import", str(city), "--municipality", "asti").exit_code == 0  # the same option
    named = _run(app, "import", str(city), "--organization", "torino", "--source", "dbt-2024")
    assert named.exit_code == 0, named.stderr

    listed = _run(app, "list")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines() == [
        "asti\tedifici.geojson\tbuilding\t2",
        "asti\tedifici.geojson\twall\t1",
        "torino\tdbt-2024\tbuilding\t2",
        "torino\tdbt-2024\twall\t1",
        "torino\tosm\tbuilding\t2",
        "torino\tosm\twall\t1",
    ]
    assert "9 obstacles" in listed.stderr
    only = _run(app, "list", "--municipality", "asti")
    assert len(only.stdout.splitlines()) == 2

    osm.write_bytes(data.osm_xml(with_wall=False))
    again = _run(app, "import", str(osm), "--organization", "torino")
    assert "2 buildings, 0 walls; replaced 3" in again.stdout
    assert _count(session, organisation_id=torino.id, source="osm") == 2
    assert _count(session, organisation_id=torino.id, source="dbt-2024") == 3

    deleted = _run(app, "delete", "--organization", "torino", "--source", "osm")
    assert deleted.exit_code == 0 and deleted.stdout.strip() == "2 obstacles deleted"
    assert _count(session, organisation_id=torino.id) == 3
    actions = session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.action.like("obstacles.%")).order_by(AuditEntry.id)
    ).all()
    assert actions == ["obstacles.import"] * 4 + ["obstacles.delete"]
    labels = session.scalars(sa.select(AuditEntry.actor_label).where(AuditEntry.action.like("obstacles.%")))
    assert all(label.startswith("cli:") for label in labels)


def test_a_bad_file_is_refused_with_every_problem(app, session, tmp_path):
    factories.org(session, "torino")
    bad = tmp_path / "edifici.geojson"
    paris = [[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]]
    bad.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    data.feature({"type": "Polygon", "coordinates": [paris]}),
                    data.feature(None),
                ],
            }
        )
    )
    result = _run(app, "import", str(bad), "--organization", "torino")
    assert result.exit_code == 1
    assert "problem(s): nothing was imported" in result.stderr
    assert "/features/0/geometry" in result.stderr and "/features/1/geometry" in result.stderr
    assert _count(session) == 0
    unknown = _run(app, "delete", "--organization", "nowhere")
    assert unknown.exit_code == 1 and "unknown organisation" in unknown.stderr

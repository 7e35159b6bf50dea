"""Clusters precomputed: camera counts per map grid cell, kept by triggers on every write.

`camera_cell_counts` holds, at zooms 6, 9, 12 and 15, one row per Web Mercator cell (4 x 4 per tile,
as models/cell_count.py and domain.shapes.MapGrid) and per (owner, visibility, status, camera type,
surveillance type) with the number of cameras and the sums of their generalised positions in 1e-7
degrees. A cluster request sums the rows of one level in the caller's scope instead of grouping every
camera (docs/performance.md, "Clusters").

Triggers keep it exact whatever writes the cameras (the app, an import, psql, COPY): on PostgreSQL
statement triggers with transition tables (one grouped upsert per statement, so a bulk load is one
pass), on SQLite row triggers. Each cell index is computed with the very expression the live query
uses (services/clusters.py), so both answers are the same to the bit; a test compares them.

Revision ID: d7b3e9f1a2c4
Revises: c5f2a7e1d9b8
Create Date: 2026-12-05 09:00:00.000000
"""

import math

import sqlalchemy as sa
from alembic import op

revision = "d7b3e9f1a2c4"
down_revision = "c5f2a7e1d9b8"
branch_labels = None
depends_on = None

LEVELS = (6, 9, 12, 15)
EARTH_RADIUS_M = 6_378_137.0
KEYS = ("owner_id", "visibility", "status", "camera_type", "surveillance_type")
ALL_KEYS = ("zoom", "ix", "iy", *KEYS)
SUMS = ("n", "sum_lon_e7", "sum_lat_e7")
SQLITE_EVENTS = ("insert", "update", "delete")


def _cell_m(zoom: int) -> str:
    # repr round-trips: the database parses the very double domain.shapes.MapGrid computes.
    return repr(2 * math.pi * EARTH_RADIUS_M / (2**zoom * 4))


def _cell_columns(row: str, cell_m: str, integer: str) -> tuple[str, str]:
    """ix, iy of `row`'s generalised position: the expression of spatial.base.mercator_cell."""
    x = f"({EARTH_RADIUS_M!r} * radians(ST_X({row}.public_location)))"
    y = f"({EARTH_RADIUS_M!r} * ln(tan(pi() / 4 + radians(ST_Y({row}.public_location)) / 2)))"
    return f"CAST(floor({x} / {cell_m}) AS {integer})", f"CAST(floor({y} / {cell_m}) AS {integer})"


def _e7(row: str, axis: str, integer: str) -> str:
    return f"CAST(round(ST_{axis}({row}.public_location) * 10000000.0) AS {integer})"


# --- PostgreSQL: statement triggers, one grouped upsert per statement -------------------------------

_PG_UPSERT = f"""
    INSERT INTO camera_cell_counts AS t ({", ".join(ALL_KEYS + SUMS)})
    SELECT {", ".join(ALL_KEYS)}, sum(sign), sum(sign * lon_e7), sum(sign * lat_e7)
    FROM ({{rows}}) AS changes
    GROUP BY {", ".join(ALL_KEYS)}
    ORDER BY {", ".join(ALL_KEYS)}  -- rows locked in one order by every writer: no deadlock
    ON CONFLICT ({", ".join(ALL_KEYS)}) DO UPDATE
        SET n = t.n + excluded.n,
            sum_lon_e7 = t.sum_lon_e7 + excluded.sum_lon_e7,
            sum_lat_e7 = t.sum_lat_e7 + excluded.sum_lat_e7;
    DELETE FROM camera_cell_counts WHERE n = 0;
"""


def _pg_rows(table: str, sign: int, where: str = "") -> str:
    levels = ", ".join(f"({zoom}, {_cell_m(zoom)}::float8)" for zoom in LEVELS)
    ix, iy = _cell_columns("c", "l.cell_m", "integer")
    keys = ", ".join(f"c.{key}" for key in KEYS)
    return f"""
        SELECT l.zoom, {ix} AS ix, {iy} AS iy, {keys}, {sign} AS sign,
               {_e7("c", "X", "bigint")} AS lon_e7, {_e7("c", "Y", "bigint")} AS lat_e7
        FROM {table} AS c CROSS JOIN (VALUES {levels}) AS l(zoom, cell_m)
        WHERE c.public_location IS NOT NULL {where}"""


# An update counts only for the cameras whose counted keys or generalised position changed: an edit of
# a name must not lock the cell's counts until its transaction ends.
def _counted(row: str) -> str:
    position = f"ST_X({row}.public_location), ST_Y({row}.public_location)"
    return f"({', '.join(f'{row}.{key}' for key in KEYS)}, {position})"


_PG_CHANGED = f"""AND c.id IN (
            SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE {_counted("o")} IS DISTINCT FROM {_counted("n")})"""

_PG_FUNCTIONS = {
    "insert": _PG_UPSERT.format(rows=_pg_rows("new_rows", 1)),
    "update": _PG_UPSERT.format(
        rows=_pg_rows("old_rows", -1, _PG_CHANGED) + " UNION ALL " + _pg_rows("new_rows", 1, _PG_CHANGED)
    ),
    "delete": _PG_UPSERT.format(rows=_pg_rows("old_rows", -1)),
}
_PG_TRANSITIONS = {
    "insert": "REFERENCING NEW TABLE AS new_rows",
    "update": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "delete": "REFERENCING OLD TABLE AS old_rows",
}


def _postgresql_up() -> None:
    for event, body in _PG_FUNCTIONS.items():
        op.execute(
            f"""CREATE FUNCTION camera_cell_counts_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN {body} RETURN NULL; END $$"""
        )
        op.execute(
            f"""CREATE TRIGGER camera_cell_counts_{event} AFTER {event.upper()} ON cameras
            {_PG_TRANSITIONS[event]} FOR EACH STATEMENT EXECUTE FUNCTION camera_cell_counts_{event}()"""
        )
    op.execute(_PG_UPSERT.format(rows=_pg_rows("cameras", 1)))


def _postgresql_down() -> None:
    for event in _PG_FUNCTIONS:
        op.execute(f"DROP TRIGGER camera_cell_counts_{event} ON cameras")
        op.execute(f"DROP FUNCTION camera_cell_counts_{event}()")


# --- SQLite: row triggers, one upsert per level --------------------------------------------------


def _sqlite_add(row: str, sign: int) -> str:
    statements = []
    for zoom in LEVELS:
        ix, iy = _cell_columns(row, _cell_m(zoom), "INTEGER")
        keys = ", ".join(f"{row}.{key}" for key in KEYS)
        statements.append(
            f"""INSERT INTO camera_cell_counts ({", ".join(ALL_KEYS + SUMS)})
            VALUES ({zoom}, {ix}, {iy}, {keys}, {sign},
                    {sign} * {_e7(row, "X", "INTEGER")}, {sign} * {_e7(row, "Y", "INTEGER")})
            ON CONFLICT ({", ".join(ALL_KEYS)}) DO UPDATE
                SET n = n + excluded.n,
                    sum_lon_e7 = sum_lon_e7 + excluded.sum_lon_e7,
                    sum_lat_e7 = sum_lat_e7 + excluded.sum_lat_e7;"""
        )
    return "\n".join(statements)


# Compared as stored (no SpatiaLite function): a connection without the extension can still rename.
_COUNTED_COLUMNS = (*KEYS, "public_location")
_SQLITE_CHANGED = " OR ".join(f"OLD.{key} IS NOT NEW.{key}" for key in _COUNTED_COLUMNS)
_SQLITE_TRIGGERS = {
    "insert": ("WHEN NEW.public_location IS NOT NULL", _sqlite_add("NEW", 1)),
    "delete": ("WHEN OLD.public_location IS NOT NULL", _sqlite_add("OLD", -1)),
    # Two triggers for an update: the old row out when it was counted, the new one in when it counts.
    "update_old": (
        f"WHEN OLD.public_location IS NOT NULL AND ({_SQLITE_CHANGED})",
        _sqlite_add("OLD", -1),
    ),
    "update_new": (
        f"WHEN NEW.public_location IS NOT NULL AND ({_SQLITE_CHANGED})",
        _sqlite_add("NEW", 1),
    ),
}


def _sqlite_up() -> None:
    for name, (when, body) in _SQLITE_TRIGGERS.items():
        event = name.split("_")[0].upper()
        if event == "UPDATE":  # only an update of a counted column fires it
            event += f" OF {', '.join(_COUNTED_COLUMNS)}"
        op.execute(
            f"""CREATE TRIGGER camera_cell_counts_{name} AFTER {event} ON cameras FOR EACH ROW {when}
            BEGIN {body} DELETE FROM camera_cell_counts WHERE n = 0; END"""
        )
    for zoom in LEVELS:
        ix, iy = _cell_columns("c", _cell_m(zoom), "INTEGER")
        op.execute(
            f"""INSERT INTO camera_cell_counts ({", ".join(ALL_KEYS + SUMS)})
            SELECT {zoom}, {ix}, {iy}, {", ".join(f"c.{key}" for key in KEYS)}, count(*),
                   sum({_e7("c", "X", "INTEGER")}), sum({_e7("c", "Y", "INTEGER")})
            FROM cameras AS c WHERE c.public_location IS NOT NULL
            GROUP BY 1, 2, 3, {", ".join(f"c.{key}" for key in KEYS)}"""
        )


def _sqlite_down() -> None:
    for name in _SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER camera_cell_counts_{name}")


def upgrade():
    op.create_table(
        "camera_cell_counts",
        sa.Column("zoom", sa.SmallInteger(), nullable=False),
        sa.Column("ix", sa.Integer(), nullable=False),
        sa.Column("iy", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("camera_type", sa.String(length=16), nullable=False),
        sa.Column("surveillance_type", sa.String(length=16), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("sum_lon_e7", sa.BigInteger(), nullable=False),
        sa.Column("sum_lat_e7", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*ALL_KEYS, name=op.f("pk_camera_cell_counts")),
    )
    empty = sa.text("n = 0")
    op.create_index(
        "ix_camera_cell_counts_empty",
        "camera_cell_counts",
        ["n"],
        unique=False,
        postgresql_where=empty,
        sqlite_where=empty,
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_up()
    else:
        _sqlite_up()


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_down()
    else:
        _sqlite_down()
    op.drop_index("ix_camera_cell_counts_empty", table_name="camera_cell_counts")
    op.drop_table("camera_cell_counts")

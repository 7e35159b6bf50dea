"""Camera counts per map grid cell, kept by the database on every write (docs/performance.md, "Clusters").

One row per (zoom level, Web Mercator cell, owner, visibility, status, type, surveillance type): what
the read scope and the cluster filters are made of, so a request sums the rows it may read instead
of grouping a million cameras. Triggers on `cameras` keep the rows in step (migration d7b3e9f1a2c4);
positions are summed in 1e-7 degrees as integers, so the sums are exact however they are reached.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from observo.models.base import Base


class CameraCellCount(Base):
    __tablename__ = "camera_cell_counts"

    zoom: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True)
    ix: Mapped[int] = mapped_column(primary_key=True)
    iy: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(primary_key=True)
    visibility: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    camera_type: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    surveillance_type: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    n: Mapped[int]
    sum_lon_e7: Mapped[int] = mapped_column(sa.BigInteger)
    sum_lat_e7: Mapped[int] = mapped_column(sa.BigInteger)

    __table_args__ = (
        # Rows that fell to zero are removed by the triggers through this (almost always empty) index.
        sa.Index(
            "ix_camera_cell_counts_empty",
            "n",
            postgresql_where=sa.text("n = 0"),
            sqlite_where=sa.text("n = 0"),
        ),
    )

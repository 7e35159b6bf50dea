"""COPY text (tab-separated, \\N for NULL) of a chunk of synthetic cameras.

Columns that always travel together (the owner's people, purpose and legal basis, make and model)
are pre-joined fragments looked up per row, so each row is one join of ~35 short strings.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from benchmarks import ewkb
from benchmarks.owners import Owner, all_owners
from benchmarks.towns import TOWNS

NULL = "\\N"
OWNER_COLUMNS = (
    "owner_id,operator_id,data_controller,footage_contact_name,footage_contact_phone,"
    "footage_contact_email,footage_contact_pec,footage_contact_hours"
)
CREATED_TIME = " 09:00:00"
UPDATED_TIME = " 17:30:00"

STREETS = (
    "Via Roma", "Via Garibaldi", "Corso Vittorio Emanuele II", "Piazza Castello", "Via Po",
    "Via Mazzini", "Via Cavour", "Corso Francia", "Via XX Settembre", "Piazza San Carlo",
    "Via Nizza", "Corso Regina Margherita", "Via Dante Alighieri", "Via Manzoni", "Via Verdi",
    "Piazza della Repubblica", "Viale Europa", "Via Matteotti", "Piazza del Mercato",
    "Via della Stazione", "Corso Giulio Cesare", "Via Cernaia", "Largo Augusto", "Viale dei Mille",
    "Via Gramsci", "Piazza Vittorio Veneto", "Via Milano", "Via Torino", "Corso Italia", "Via Marconi",
)  # fmt: skip

LEGAL_BASIS = {
    "urban_security": "D.L. 14/2017 art. 5; D.Lgs. 51/2018",
    "traffic": "D.Lgs. 285/1992 (Codice della strada)",
    "ztl_access": "D.P.R. 250/1999",
    "environmental": "D.Lgs. 152/2006",
    "property_protection": "Reg. (UE) 2016/679 art. 6.1.f",
    "other": NULL,
}


def _owner_fragment(owner: Owner) -> str:
    """owner_id, operator_id, data_controller, footage_contact_{name,phone,email,pec,hours}."""
    domain = owner.contact_domain
    return "\t".join(
        (
            str(owner.id),
            NULL,
            owner.name,
            f"Centrale operativa {owner.name}",
            f"+39 011 {owner.id:03d} {owner.id * 37 % 10000:04d}",
            f"videosorveglianza@{domain}",
            f"protocollo@pec.{domain}",
            "lun-ven 8:00-18:00",
        )
    )


def _labels(values: np.ndarray) -> list[str]:
    return values.tolist()


def _booleans(values: np.ndarray) -> list[str]:
    return np.where(values, "t", "f").tolist()


def _floats(values: np.ndarray) -> list[str]:
    return [NULL if v != v else repr(v) for v in values.tolist()]


def _dates(values: np.ndarray, suffix: str = "") -> list[str]:
    text = np.datetime_as_string(values, unit="D").astype(object) + suffix
    text[np.isnat(values)] = NULL
    return text.tolist()


def _text_columns(c: dict[str, np.ndarray]) -> list[tuple[str, list[str]]]:
    """(column name(s), strings) for the columns that need per-row Python formatting."""
    ids = c["id"].tolist()
    streets = [STREETS[s % len(STREETS)] for s in c["street"].tolist()]
    town_names = [TOWNS[t].name for t in c["town"].tolist()]
    numbers = c["house_number"].tolist()
    osm = c["source"] == "osm_import"
    return [
        ("id", [str(i) for i in ids]),
        ("name", [f"{s} {n} - {t}" for s, n, t in zip(streets, numbers, town_names, strict=True)]),
        ("ref", [f"BENCH-{i:07d}" for i in ids]),
        ("address", [f"{s} {n}, {t}" for s, n, t in zip(streets, numbers, town_names, strict=True)]),
        ("osm_id", np.where(osm, (c["id"] + 1_000_000_000).astype(str), NULL).tolist()),
        (
            "retention_hours",
            np.where(c["retention_hours"] > 0, c["retention_hours"].astype(str), NULL).tolist(),
        ),
    ]


def _fragment_columns(c: dict[str, np.ndarray]) -> list[tuple[str, list[str]]]:
    owners = {o.id: _owner_fragment(o) for o in all_owners()}
    owner_text = np.array([owners.get(i, "") for i in range(max(owners) + 1)], dtype=object)
    istat = np.array([t.istat for t in TOWNS], dtype=object)
    purposes = {p: f"{p}\t{basis}" for p, basis in LEGAL_BASIS.items()}
    make_model = {m: "\t".join(x or NULL for x in m.split("|")) for m in np.unique(c["make_model"]).tolist()}
    night = np.array(["f", "t", NULL], dtype=object)
    return [
        (OWNER_COLUMNS, owner_text[c["owner_id"]].tolist()),
        ("purpose,legal_basis", [purposes[p] for p in c["purpose"].tolist()]),
        ("make,model", [make_model[m] for m in c["make_model"].tolist()]),
        ("municipality", istat[c["town"]].tolist()),
        ("night_vision", night[c["night_vision"]].tolist()),
    ]  # fmt: skip


LABELS = (
    "source", "mount", "surveillance_type", "camera_type", "area_class", "zone", "signage", "status",
    "verification", "resolution", "visibility",
)  # fmt: skip
BOOLEANS = ("indoor", "range_derived", "records", "live_link", "temporary")
FLOATS = ("height_m", "bearing_deg", "hfov_deg", "tilt_deg", "range_m")
CONSTANTS = {
    "site_ref": NULL, "level": NULL, "fov_method": "computed", "version": "1",
    "created_by_id": NULL, "updated_by_id": NULL,
}  # fmt: skip


def _typed_columns(c: dict[str, np.ndarray]) -> list[tuple[str, list[str]]]:
    converters: list[tuple[tuple[str, ...], Callable[[np.ndarray], list[str]]]] = [
        (LABELS, _labels),
        (BOOLEANS, _booleans),
        (FLOATS, _floats),
    ]
    out = [(name, convert(c[name])) for names, convert in converters for name in names]
    updated = np.where(np.isnat(c["last_verified_on"]), c["installed_on"], c["last_verified_on"])
    out += [
        ("location", ewkb.points(c["lon"], c["lat"])),
        ("public_location", ewkb.points(c["public_lon"], c["public_lat"])),
        ("fov", c["fov"].tolist()),
        ("installed_on", _dates(c["installed_on"])),
        ("last_verified_on", _dates(c["last_verified_on"])),
        ("signage_checked_on", _dates(c["signage_checked_on"])),
        ("valid_from", _dates(np.where(c["temporary"], c["installed_on"], np.datetime64("NaT")))),
        ("valid_until", _dates(c["valid_until"])),
        ("created_at", _dates(c["installed_on"], CREATED_TIME)),
        ("updated_at", _dates(updated, UPDATED_TIME)),
    ]
    return out


def column_names() -> list[str]:
    """The table columns a chunk fills, in COPY order."""
    return [part for name in _NAMES for part in name.split(",")]


def _parts(c: dict[str, np.ndarray]) -> list[tuple[str, list[str]]]:
    parts = _text_columns(c) + _fragment_columns(c) + _typed_columns(c)
    if [name for name, _ in parts] != _NAMES[: len(parts)]:
        raise AssertionError("copy_rows: column builders and _NAMES disagree")
    return parts


def to_copy_text(c: dict[str, np.ndarray]) -> bytes:
    """The chunk as COPY text rows, UTF-8."""
    tail = "\t" + "\t".join(CONSTANTS.values()) + "\n"
    columns = [values for _, values in _parts(c)]
    return "".join("\t".join(row) + tail for row in zip(*columns, strict=True)).encode()


_NAMES = [
    "id", "name", "ref", "address", "osm_id", "retention_hours",
    OWNER_COLUMNS,
    "purpose,legal_basis", "make,model", "municipality", "night_vision",
    *LABELS, *BOOLEANS, *FLOATS,
    "location", "public_location", "fov", "installed_on", "last_verified_on", "signage_checked_on",
    "valid_from", "valid_until", "created_at", "updated_at",
    *CONSTANTS,
]  # fmt: skip

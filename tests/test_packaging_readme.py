"""The README tells the truth about the house: every setting the app or gunicorn reads is in its
configuration table, and it points to documents that exist."""

from __future__ import annotations

import re
from pathlib import Path

from observo import settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
# Read outside Settings: by gunicorn (observo/gunicorn_conf.py) before the app exists.
GUNICORN_ONLY = {"OBSERVO_BIND", "OBSERVO_THREADS", "WEB_CONCURRENCY"}
# Paths that exist only in a build (the wheel's copies) or once `make vendor` ran.
BUILT = {"observo/static", "observo/migrations", "observo/vendor"}


def _table_variables() -> set[str]:
    section = README.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    first_cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    return {name for cell in first_cells for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)}


def test_every_setting_is_in_the_configuration_table() -> None:
    read_by_settings = {f"OBSERVO_{name.upper()}" for name in settings._READERS}
    read_by_settings |= {"OBSERVO_INSTANCE_PATH", "OBSERVO_DATABASE_URL", "OBSERVO_SECRET_KEY"}
    missing = (read_by_settings | GUNICORN_ONLY) - _table_variables()
    assert not missing, f"add to README.md's Configuration table: {sorted(missing)}"


def test_the_table_names_no_setting_that_does_not_exist() -> None:
    known = {f"OBSERVO_{name.upper()}" for name in settings._READERS}
    known |= {"OBSERVO_INSTANCE_PATH", "OBSERVO_DATABASE_URL", "OBSERVO_SECRET_KEY"} | GUNICORN_ONLY
    assert _table_variables() <= known, sorted(_table_variables() - known)


def test_documents_the_readme_links_exist() -> None:
    assert "DESIGN.md" not in README
    assert "(docs/architecture.md)" in README
    for link in re.findall(r"\]\(((?:docs|observo|static|scripts|tests)/[^)#\s]+)\)", README):
        assert (ROOT / link).exists(), link
    for path in set(re.findall(r"`((?:docs|observo|static|scripts|tests|migrations)/[\w./-]+)`", README)):
        if "<" not in path and "*" not in path:
            assert (ROOT / path).exists() or path.rstrip("/") in BUILT, path

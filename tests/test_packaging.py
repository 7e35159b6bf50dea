"""The wheel carries everything an installed Observo reads (static/, migrations/, templates, the
catalogue, the vendored browser assets), its metadata keeps the heavy parts optional, and the hashed
locks pin every requirement of setup.cfg.

The wheel is built once, from a copy of the working tree (no stale build/ of the checkout, no
download: setuptools and wheel come from the dev lock), and inspected as pip would install it.
"""

from __future__ import annotations

import configparser
import email
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
# Top-level entries the build never reads (observo/vendor/ has dist/ folders of its own: keep those).
NOT_SOURCE_AT_TOP = {
    ".git", ".venv", "node_modules", "build", "dist", "instance", "test-artifacts", ".pytest_cache",
    ".ruff_cache", ".hypothesis", "benchmarks", "tests", "observo.egg-info",
}
OPTIONAL_EXTRAS = {"pdf": "weasyprint", "vector-tiles": "mapbox-vector-tile", "redis": "redis"}


def _not_source(directory: str, names: list[str]) -> set[str]:
    skipped = {name for name in names if name == "__pycache__" or name.endswith((".pyc", ".pyo"))}
    return skipped | (NOT_SOURCE_AT_TOP & set(names) if Path(directory) == ROOT else set())


def _files(directory: Path) -> set[str]:
    return {
        path.relative_to(directory).as_posix()
        for path in directory.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in {".pyc", ".pyo"}
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=_not_source, symlinks=True)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
    done = subprocess.run(
        [*command, "-w", str(work / "dist"), str(source)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = (work / "dist").glob("observo-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def test_the_wheel_carries_static_and_migrations_inside_the_package(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for top in ("static", "migrations"):
        expected = {f"observo/{top}/{name}" for name in _files(ROOT / top)}
        assert expected, top
        assert expected <= names, sorted(expected - names)[:5]
    assert "observo/migrations/env.py" in names
    assert "observo/static/js/map/main.js" in names


def test_the_wheel_carries_templates_catalogue_and_vendored_assets(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    templates = {f"observo/web/templates/{name}" for name in _files(ROOT / "observo/web/templates")}
    assert templates and templates <= names
    assert "observo/translations/it/LC_MESSAGES/messages.po" in names
    # Compiled by `make setup` and `make test` before the build: the app reads the .mo, not the .po.
    assert "observo/translations/it/LC_MESSAGES/messages.mo" in names
    vendored = {f"observo/vendor/{name}" for name in _files(ROOT / "observo/vendor")}
    assert vendored, "observo/vendor/ is empty: `make vendor` (npm ci, scripts/vendor_assets.py)"
    assert vendored <= names, sorted(vendored - names)[:5]
    assert any(name.endswith("/leaflet.js") for name in vendored)


def test_the_wheel_holds_the_package_only(wheel: zipfile.ZipFile) -> None:
    tops = {name.split("/", 1)[0] for name in wheel.namelist()}
    assert tops == {"observo", "observo-0.1.0.dist-info"}
    assert not [name for name in wheel.namelist() if "__pycache__" in name or name.endswith(".pyc")]


def test_installed_from_the_wheel_the_package_finds_its_own_copies(
    wheel: zipfile.ZipFile, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    wheel.extractall(site)
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from observo import package_files as p;"
        "print(p.static_dir()); print(p.migrations_dir()); print(p.PACKAGE_DIR)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(site)], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert done.returncode == 0, done.stderr
    static, migrations, package = (Path(line) for line in done.stdout.split())
    assert package == site / "observo"
    assert static == site / "observo" / "static" and (static / "map.css").is_file()
    assert migrations == site / "observo" / "migrations" and (migrations / "versions").is_dir()


def test_installed_from_the_wheel_the_app_serves_and_migrates_from_the_package(
    wheel: zipfile.ZipFile, tmp_path: Path
) -> None:
    """`observo db upgrade` and /static, run from the unpacked wheel with no checkout in sight."""
    site = tmp_path / "site"
    wheel.extractall(site)
    instance = tmp_path / "instance"
    env = {
        **os.environ,
        "PYTHONPATH": str(site),
        "OBSERVO_INSTANCE_PATH": str(instance),
        "OBSERVO_DATABASE_URL": f"sqlite:///{instance / 'observo.sqlite'}",
    }
    upgrade = "import sys; from observo.cli import main; main(['db', 'upgrade'])"
    done = subprocess.run(
        [sys.executable, "-c", upgrade], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    with sqlite3.connect(instance / "observo.sqlite") as connection:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert revision in _head_revisions()
    serve = (
        "import observo; from observo.app import create_app; app = create_app();"
        "answer = app.test_client().get('/static/map.css');"
        "print(observo.__file__); print(app.static_folder); print(answer.status_code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", serve], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    package_init, static_folder, status = done.stdout.split()[-3:]
    assert Path(package_init) == site / "observo" / "__init__.py"
    assert Path(static_folder) == site / "observo" / "static"
    assert status == "200"


def _head_revisions() -> set[str]:
    revisions, parents = set(), set()
    for script in (ROOT / "migrations" / "versions").glob("*.py"):
        text = script.read_text()
        revisions |= set(re.findall(r'^revision = "(\w+)"', text, flags=re.MULTILINE))
        for down in re.findall(r"^down_revision = (.+)$", text, flags=re.MULTILINE):
            parents |= set(re.findall(r'"(\w+)"', down))
    return revisions - parents


def test_in_the_checkout_the_package_reads_the_top_level_directories() -> None:
    from observo import package_files

    assert package_files.static_dir() == ROOT / "static"
    assert package_files.migrations_dir() == ROOT / "migrations"


def test_heavy_dependencies_are_extras(wheel: zipfile.ZipFile) -> None:
    (metadata_name,) = [name for name in wheel.namelist() if name.endswith(".dist-info/METADATA")]
    metadata = email.message_from_bytes(wheel.read(metadata_name))
    requirements = [Requirement(line) for line in metadata.get_all("Requires-Dist")]
    core = {req.name for req in requirements if req.marker is None}
    assert "flask" in core
    assert not core & set(OPTIONAL_EXTRAS.values())
    extras = set(metadata.get_all("Provides-Extra"))
    assert {*OPTIONAL_EXTRAS, "all", "dev"} <= extras
    for extra, distribution in OPTIONAL_EXTRAS.items():
        for wanted in (extra, "all"):
            assert any(
                req.name == distribution and req.marker.evaluate({"extra": wanted}) for req in requirements
            ), (distribution, wanted)


def _setup_cfg_requirements() -> dict[str, list[Requirement]]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")

    def parse(text: str) -> list[Requirement]:
        return [Requirement(line) for line in text.splitlines() if line.strip() and not line.startswith("#")]

    groups = {"core": parse(config["options"]["install_requires"])}
    groups.update({name: parse(text) for name, text in config["options.extras_require"].items()})
    return groups


def _pins(lock: Path) -> dict[str, str]:
    """name -> version of every `name==version \\` entry, each followed by at least one hash."""
    text = lock.read_text()
    entry = r"^([A-Za-z0-9_.\-]+(?:\[[^\]]*\])?)==([^\s;\\]+)[^\n]*\\\n((?:\s+--hash=sha256:\w+.*\n)+)"
    entries = re.findall(entry, text, flags=re.MULTILINE)
    pins = {re.sub(r"[-_.]+", "-", name.split("[")[0]).lower(): version for name, version, _ in entries}
    lines = [line for line in text.splitlines() if re.match(r"^[A-Za-z0-9]", line)]
    assert len(lines) == len(entries), "every pin has its hashes"
    return pins


@pytest.mark.parametrize(
    ("lock", "groups"),
    [("requirements.lock", ("core", "all")), ("requirements-dev.lock", ("core", "all", "dev"))],
)
def test_the_locks_pin_every_requirement_with_hashes(lock: str, groups: tuple[str, ...]) -> None:
    pins = _pins(ROOT / lock)
    declared = _setup_cfg_requirements()
    for group in groups:
        for requirement in declared[group]:
            name = re.sub(r"[-_.]+", "-", requirement.name).lower()
            assert name in pins, f"{lock}: {requirement.name} ({group}) not pinned: run `make lock`"
            pinned = pins[name]
            assert requirement.specifier.contains(pinned, prereleases=True), (lock, requirement, pinned)


def test_the_runtime_lock_agrees_with_the_dev_lock() -> None:
    runtime, dev = _pins(ROOT / "requirements.lock"), _pins(ROOT / "requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime


def test_ci_make_and_the_image_install_from_the_hashed_locks() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install -q --require-hashes -r requirements.lock" in makefile
    assert "pip install -q --require-hashes -r requirements-dev.lock" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements.lock" in dockerfile
    assert "scripts/vendor_assets.py" in dockerfile and "npm ci" in dockerfile
    assert "pip install --no-deps /dist/observo-" in dockerfile  # the image runs the wheel
    assert " -e ." not in dockerfile  # never an editable install in the image

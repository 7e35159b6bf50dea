"""The layers of docs/architecture.md hold: import-linter checks the contracts in setup.cfg.

The first test checks the package as it is. The others break one rule each in a copy of the package
and expect import-linter to name it, so a contract that stopped checking anything would fail here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess[str]:
    # No cache: the copies below differ from the checkout by one line.
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "setup.cfg"), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_package_keeps_every_contract() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package (sources only) that lint-imports finds first: it runs from the copy's
    parent, which comes before the installed package on its path."""
    root = tmp_path_factory.mktemp("layers")
    shutil.copytree(
        ROOT / "observo",
        root / "observo",
        ignore=shutil.ignore_patterns("__pycache__", "translations", "templates", "vendor", "demo_data*"),
    )
    return root


@pytest.mark.parametrize(
    ("module", "added_import", "broken"),
    [
        ("web/map_page.py", "from observo.api import cameras", "web is not allowed to import observo.api"),
        ("api/cameras.py", "from observo.web import embed", "api is not allowed to import observo.web"),
        ("http/auth.py", "from observo.web import pages", "http is not allowed to import observo.web"),
        ("extensions.py", "from observo.http import problem_api", "extensions is not allowed to import"),
        ("schemas/accounts.py", "from observo.services import accounts", "schemas is not allowed to import"),
        ("services/cameras.py", "from flask import request", "services is not allowed to import flask"),
        ("rendering/features.py", "import flask", "rendering is not allowed to import flask"),
        ("api/features_probe.py", "from observo.spatial.base import session_backend", "observo.spatial.base"),
    ],
)
def test_a_broken_rule_is_named(package_copy: Path, module: str, added_import: str, broken: str) -> None:
    path = package_copy / "observo" / module
    original = path.read_text() if path.exists() else None
    path.write_text(f"{added_import}  # noqa\n{original or ''}")
    try:
        result = _lint(package_copy)
    finally:
        if original is None:
            path.unlink()
        else:
            path.write_text(original)
    assert result.returncode != 0, result.stdout
    assert broken in result.stdout, result.stdout

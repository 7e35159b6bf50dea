"""Build hook: the wheel carries the top-level static/ and migrations/ as observo/static and
observo/migrations, so an installed Observo needs no checkout (observo/package_files.py finds them).

The directories stay where they are in the repository; an editable install reads them in place.
Metadata lives in setup.cfg.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = {"static": "observo/static", "migrations": "observo/migrations"}
SKIPPED = shutil.ignore_patterns("__pycache__", "*.py[cod]")


class BuildWithData(build_py):
    """build_py, plus a copy of each shipped directory inside the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for source, target in SHIPPED.items():
            if not (ROOT / source).is_dir():
                raise SystemExit(f"setup.py: {source}/ is missing: build from a checkout or its sdist")
            destination = Path(self.build_lib) / target
            shutil.rmtree(destination, ignore_errors=True)
            shutil.copytree(ROOT / source, destination, ignore=SKIPPED)
        if not (ROOT / "observo" / "vendor").is_dir():
            # Still a working wheel: pages use the CDN; only the local fallback is missing.
            print("setup.py: observo/vendor/ is missing (run `make vendor`): no local copies of CDN assets")


setup(cmdclass={"build_py": BuildWithData})

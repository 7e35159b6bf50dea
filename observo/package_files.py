"""Where the directories that ship beside the code are: static/ (scripts, styles) and migrations/.

In a checkout (and an editable install) they sit at the top of the repository, next to the package;
a wheel carries them inside it as observo/static and observo/migrations (setup.py copies them at
build time). The packaged copy wins when present, so an installed Observo never needs a checkout.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent


def shipped_dir(name: str) -> Path:
    """observo/<name> when installed from a wheel, else <checkout>/<name>."""
    packaged = PACKAGE_DIR / name
    return packaged if packaged.is_dir() else CHECKOUT_DIR / name


def static_dir() -> Path:
    """The static files Flask serves at /static (and WeasyPrint reads for the brief)."""
    return shipped_dir("static")


def migrations_dir() -> Path:
    """The Alembic history that `observo db upgrade` applies."""
    return shipped_dir("migrations")

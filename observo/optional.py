"""Optional dependencies: what each one adds, the extra that installs it, and a clear message when
it is missing, instead of a bare ImportError deep in a request.

`pip install observo` is the core (pages, API, SpatiaLite and PostGIS); `observo[all]` (what `make run`,
CI and the Docker image install) adds every extra below.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Optional:
    module: str  # the import name
    distribution: str  # the name on PyPI
    extra: str  # pip install 'observo[<extra>]'
    feature: str  # what stops working without it
    system: str = ""  # Debian packages it needs beside the Python one, if any


OPTIONAL: dict[str, Optional] = {
    item.module: item
    for item in (
        Optional(
            "weasyprint",
            "weasyprint",
            "pdf",
            "the intervention brief as PDF (/api/v1/interventions/<id>/brief?f=pdf; HTML still works)",
            "libpango-1.0-0 libpangoft2-1.0-0",
        ),
        Optional(
            "mapbox_vector_tile",
            "mapbox-vector-tile",
            "vector-tiles",
            "vector tiles (/tiles/...) on SpatiaLite; PostGIS encodes them itself",
        ),
        Optional(
            "redis",
            "redis",
            "redis",
            "rate-limit counters shared by workers in Redis (OBSERVO_RATELIMIT_STORAGE_URL=redis://...)",
        ),
    )
}


class MissingDependencyError(ImportError):
    """An optional package is not installed (or its system library is missing). The message says
    which feature needs it and the exact command that adds it."""


def missing_message(module: str, cause: BaseException | None = None) -> str:
    item = OPTIONAL[module]
    message = (
        f"{item.feature}: needs the Python package '{item.distribution}', "
        f"not installed here: pip install 'observo[{item.extra}]'"
    )
    if item.system:
        message += f" (Debian packages: {item.system})"
    if cause is not None and not isinstance(cause, ModuleNotFoundError):
        message += f"; import failed with: {cause}"
    return message


def load(module: str) -> ModuleType:
    """Import an optional package, or raise MissingDependencyError with a message that helps."""
    if module not in OPTIONAL:
        raise KeyError(f"{module} is not an optional dependency of Observo")
    try:
        return importlib.import_module(module)
    except (ImportError, OSError) as exc:  # OSError: a shared library (e.g. Pango) is missing
        raise MissingDependencyError(missing_message(module, exc)) from exc


def installed(module: str) -> bool:
    """True when the package can be found (without importing it: WeasyPrint is slow to import)."""
    return importlib.util.find_spec(module) is not None


def missing() -> list[Optional]:
    """The optional packages this installation lacks."""
    return [item for item in OPTIONAL.values() if not installed(item.module)]


def log_missing(logger: logging.Logger) -> None:
    """One warning per missing optional package, at start-up, so an operator sees it before a user does."""
    for item in missing():
        logger.warning("optional dependency missing: %s", missing_message(item.module))

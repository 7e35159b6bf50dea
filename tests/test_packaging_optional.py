"""observo/optional.py: a missing optional package is named, with the feature it serves and the exact
command that adds it. A package is made missing as Python itself allows (sys.modules[name] = None)."""

from __future__ import annotations

import logging
import sys

import pytest

from observo import optional


def test_every_optional_package_is_installed_by_the_all_extra() -> None:
    # `make run`, CI and the image install observo[all]: nothing is missing here.
    assert optional.missing() == []
    for module in optional.OPTIONAL:
        assert optional.load(module).__name__ == module


@pytest.mark.parametrize(
    ("module", "command"),
    [
        ("weasyprint", "pip install 'observo[pdf]'"),
        ("mapbox_vector_tile", "pip install 'observo[vector-tiles]'"),
        ("redis", "pip install 'observo[redis]'"),
    ],
)
def test_a_missing_package_says_what_stops_and_how_to_add_it(
    monkeypatch: pytest.MonkeyPatch, module: str, command: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(optional.MissingDependencyError) as raised:
        optional.load(module)
    message = str(raised.value)
    assert command in message
    assert optional.OPTIONAL[module].feature in message
    # An ImportError still: code that already catches ImportError keeps working.
    assert isinstance(raised.value, ImportError)


def test_pango_is_named_for_the_pdf() -> None:
    assert "libpango-1.0-0" in optional.missing_message("weasyprint")


def test_a_failing_system_library_is_reported_with_its_cause(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(name: str) -> None:
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(optional.importlib, "import_module", broken)
    with pytest.raises(optional.MissingDependencyError, match="cannot load library"):
        optional.load("weasyprint")


def test_only_declared_packages_are_optional() -> None:
    with pytest.raises(KeyError):
        optional.load("flask")


def test_start_up_warns_once_per_missing_package(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(optional, "installed", lambda module: module != "redis")
    with caplog.at_level(logging.WARNING):
        optional.log_missing(logging.getLogger("observo.test"))
    assert [record.getMessage() for record in caplog.records] == [
        "optional dependency missing: " + optional.missing_message("redis")
    ]

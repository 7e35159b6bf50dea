"""Fixtures for the attacks in tests/security.

The browser fixtures are tests/browser's, imported rather than copied: a Chromium test here runs as
one there (no internet, CDN files from node_modules, JS errors collected, a screenshot on failure).
Imported here they get their own live server and demo database, so the data an attack plants never
meets another folder's assumptions; the Playwright driver is shared per process. Nothing is autouse:
the tests of this folder that need no browser never start one.
"""

from __future__ import annotations

from tests.browser.conftest import (
    browser,
    live_server,
    mail_inbox,
    page,
    playwright_instance,
    pytest_runtest_makereport,
)

__all__ = ["browser", "live_server", "mail_inbox", "page", "playwright_instance", "pytest_runtest_makereport"]

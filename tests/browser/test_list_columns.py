"""The camera list and the intervention list show every column at 1280 px: the last one is not cut off,
and the page needs no sideways scrolling to reach it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import EDITOR, assert_no_js_errors, sign_in

# What a row's cells would need beyond their box: > 0 means a column is clipped or pushed off screen.
MEASURE = """() => {
  const box = document.querySelector('.table-scroll');
  const table = box.querySelector('table');
  const cells = [...table.querySelectorAll('tr')].map((row) => row.lastElementChild).filter(Boolean);
  const right = Math.max(...cells.map((cell) => cell.getBoundingClientRect().right));
  const clipped = cells.filter((cell) => cell.scrollWidth > cell.clientWidth + 1).length;
  return {
    overflow: box.scrollWidth - box.clientWidth,
    beyond: right - Math.min(box.getBoundingClientRect().right, document.documentElement.clientWidth),
    clipped,
    pageOverflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    columns: table.querySelectorAll('thead th').length,
  };
}"""


@pytest.mark.parametrize("path", ["/cameras", "/interventions"])
def test_last_column_is_whole_at_1280(page: Page, live_server: str, path: str) -> None:
    sign_in(page, live_server, EDITOR, then=path)
    assert page.viewport_size == {"width": 1280, "height": 800}
    page.wait_for_selector(".table-scroll table tbody tr")
    measured = page.evaluate(MEASURE)
    assert measured["columns"] >= 4
    assert measured["overflow"] <= 1, measured
    assert measured["beyond"] <= 1, measured
    assert measured["clipped"] == 0, measured
    assert measured["pageOverflow"] <= 0, measured
    assert_no_js_errors(page)

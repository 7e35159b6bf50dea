"""axe-core in the browser tests: the WCAG 2.1 A/AA rules run on a loaded page.

axe-core comes from node_modules (pinned in package.json), never from a CDN. It is evaluated through
the DevTools protocol, which the pages' Content-Security-Policy does not govern, in every frame of the
page, so that axe can descend into iframes (the share page previews the embed in one).
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from observo.settings import PROJECT_ROOT

AXE_SOURCE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN = """async ({tags, exclude}) => {
  const context = exclude.length ? {exclude: exclude.map((selector) => [selector])} : document;
  const results = await axe.run(context, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target, html: n.html, summary: n.failureSummary})),
  }));
}"""


def _inject(page: Page) -> None:
    source = AXE_SOURCE.read_text(encoding="utf-8")
    for frame in page.frames:
        if frame.is_detached():
            continue
        if not frame.evaluate("() => typeof window.axe !== 'undefined'"):
            frame.evaluate(source)


def violations(page: Page, exclude: list[str] | None = None) -> list[dict[str, Any]]:
    """The WCAG 2.1 A and AA violations axe-core finds on the page as it is now.

    `exclude` lists CSS selectors left out (for content the project does not control). Each violation
    is {id, impact, help, nodes: [{target, html, summary}]}.
    """
    _inject(page)
    return page.evaluate(_RUN, {"tags": WCAG_21_AA, "exclude": exclude or []})


def describe(found: list[dict[str, Any]]) -> str:
    """A readable assertion message: one line per rule, then the offending elements."""
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html'][:160]}")
            if node.get("summary"):
                lines.append("      " + node["summary"].replace("\n", "\n      ")[:400])
    return "\n".join(lines)


def assert_accessible(page: Page, exclude: list[str] | None = None) -> None:
    """Fail with a readable list when axe-core finds any WCAG 2.1 A/AA violation."""
    found = violations(page, exclude)
    assert not found, "axe-core WCAG 2.1 A/AA violations:\n" + describe(found)

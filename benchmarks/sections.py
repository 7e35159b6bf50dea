"""Sections of RESULTS.md written by other runs than `benchmarks.run`, which rewrites the file and
keeps them: a section is its `## ` heading up to the next `## ` heading (or the end)."""

from __future__ import annotations

from pathlib import Path

LOAD_TEST = "## Loopback load test (issue 8)"
KEPT = (LOAD_TEST,)


def _bounds(lines: list[str], heading: str) -> tuple[int, int] | None:
    if heading not in lines:
        return None
    start = lines.index(heading)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return start, end


def extract(path: Path, heading: str) -> list[str]:
    """The section's lines (heading first), or none."""
    lines = path.read_text().splitlines() if path.exists() else []
    bounds = _bounds(lines, heading)
    return lines[bounds[0] : bounds[1]] if bounds else []


def kept(path: Path) -> list[str]:
    """Every section in KEPT that the file holds, in order."""
    return [line for heading in KEPT for line in extract(path, heading)]


def replace(path: Path, section: list[str]) -> None:
    """Put ``section`` (its first line is the heading) in place of the old one, else at the end."""
    lines = path.read_text().splitlines() if path.exists() else []
    bounds = _bounds(lines, section[0])
    if bounds:
        lines[bounds[0] : bounds[1]] = section
    else:
        lines += ["", *section] if lines and lines[-1] else section
    path.write_text("\n".join(lines).rstrip("\n") + "\n")

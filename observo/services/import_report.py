"""The report of an import: exact counts, and lists of problems, warnings and row changes kept short.

A file of 100,000 rows may have as many warnings: every count (and the tally by code) stays exact,
while each list keeps its first `LIST_MAX` entries and the document says how many it left out. The
job keeps the report in its columns: `report` (problems), `warnings`, and `summary` (the rest: the
file's summary, the row changes, the counts without a column of their own, what was left out).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from observo.domain import import_rows
from observo.errors import FieldIssue
from observo.models import ImportJob

LIST_MAX = 1000  # entries per list in a report; counts stay exact


# Where readers find a record's values in the file: an Overpass element, a Feature's properties, OSM
# tags nested under them. The report names the value itself (`camera:direction`), whatever the file.
_RECORD_PREFIX = re.compile(r"^(?:/elements/[0-9]+)?(?:/properties)?(?:/tags)?(?=/)")


def field_name(pointer: str) -> str:
    """The row's field a problem is about: `/properties/bearing_deg` -> `bearing_deg`,
    `/elements/5/tags/camera:direction` -> `camera:direction`, `` -> `row`."""
    return _RECORD_PREFIX.sub("", pointer, count=1).strip("/") or "row"


def entry(row: int, issue: FieldIssue) -> dict[str, Any]:
    return {"row": row, "field": field_name(issue.pointer), "code": issue.code, "message": issue.detail}


@dataclass
class CappedList:
    """The first LIST_MAX items, and how many came in all."""

    items: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0

    def add(self, item: dict[str, Any]) -> None:
        self.total += 1
        if len(self.items) < LIST_MAX:
            self.items.append(item)

    @property
    def not_listed(self) -> int:
        return self.total - len(self.items)


@dataclass
class ImportReport:
    """What a run did, row by row, as the API and the CLI report it."""

    format: str
    sha256: str
    dry_run: bool
    skip_invalid: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    decommissioned: int = 0
    errors: CappedList = field(default_factory=CappedList)
    warnings: CappedList = field(default_factory=CappedList)
    rows: CappedList = field(default_factory=CappedList)
    by_code: dict[str, Counter[str]] = field(
        default_factory=lambda: {"errors": Counter(), "warnings": Counter()}
    )
    refused_rows: set[int] = field(default_factory=set, repr=False)
    rows_read: int = 0  # rows the reader gave (an OSM node with three heads: three)
    summary: import_rows.FileSummary | None = None
    already_imported: bool = False
    job: ImportJob | None = None

    # --- filling it ---

    def refuse(self, row: int, issues: list[FieldIssue]) -> None:
        """The row is refused for these problems (each listed once)."""
        self.refused_rows.add(row)
        for issue in issues:
            self.errors.add(entry(row, issue))
            self.by_code["errors"][issue.code] += 1

    def warn(self, row: int, issues: list[FieldIssue]) -> None:
        for issue in issues:
            self.warnings.add(entry(row, issue))
            self.by_code["warnings"][issue.code] += 1

    def change(
        self, row: int, action: str, camera_id: int | None, changes: dict[str, Any], moved_m: float | None
    ) -> None:
        counted = {
            "create": "created",
            "update": "updated",
            "unchanged": "unchanged",
            "decommission": "decommissioned",
        }
        setattr(self, counted[action], getattr(self, counted[action]) + 1)
        self.rows.add(
            {"row": row, "action": action, "camera_id": camera_id, "changes": changes, "moved_m": moved_m}
        )

    # --- reading it ---

    @property
    def problems(self) -> list[dict[str, Any]]:
        return self.errors.items

    @property
    def written(self) -> int:
        """Rows that found their place (created, updated or unchanged)."""
        return self.created + self.updated + self.unchanged

    @property
    def skipped(self) -> int:
        return len(self.refused_rows) if self.skip_invalid else 0

    @property
    def all_refused(self) -> bool:
        return bool(self.refused_rows) and self.written == 0

    @property
    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "decommissioned": self.decommissioned,
            "skipped": self.skipped,
            "errors": self.errors.total,
            "warnings": self.warnings.total,
        }

    def file_document(self) -> dict[str, Any]:
        summary = self.summary or import_rows.FileSummary(self.format)
        file_warnings = [entry(0, issue) for issue in summary.warnings]
        return {**summary.document(), "warnings": file_warnings}

    def summary_document(self) -> dict[str, Any]:
        """The job's `summary` column: all of the report that has no column of its own."""
        return {
            "counts": self.counts,
            "file": self.file_document(),
            "rows": self.rows.items,
            "not_listed": {
                "errors": self.errors.not_listed,
                "warnings": self.warnings.not_listed,
                "rows": self.rows.not_listed,
            },
            "by_code": {kind: dict(found.most_common()) for kind, found in self.by_code.items()},
        }

    def document(self) -> dict[str, Any]:
        """The report alone, as the job document shows it (for a run that stored no job)."""
        summary = self.summary_document()
        return {
            "format": self.format,
            "dry_run": self.dry_run,
            "skip_invalid": self.skip_invalid,
            "sha256": self.sha256,
            "counts": summary["counts"],
            "errors": self.errors.items,
            "warnings": self.warnings.items,
            **{name: summary[name] for name in ("rows", "not_listed", "by_code", "file")},
        }


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def job_document(job: ImportJob, *, already_imported: bool = False) -> dict[str, Any]:
    """The import resource, as the API and the CLI show it (schemas.imports.ImportJobOutput)."""
    summary = json.loads(job.summary) if job.summary else {}
    counts = {
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "decommissioned": 0,
        "skipped": job.skipped,
        "errors": job.errors,
        "warnings": 0,
        **summary.get("counts", {}),
    }
    return {
        "id": job.id,
        "status": job.status,
        "dry_run": job.dry_run,
        "skip_invalid": job.skip_invalid,
        "format": job.format,
        "filename": job.filename,
        "sha256": job.sha256,
        "options": json.loads(job.options) if job.options else {},
        "counts": counts,
        "errors": json.loads(job.report),
        "warnings": json.loads(job.warnings) if job.warnings else [],
        "rows": summary.get("rows", []),
        "not_listed": summary.get("not_listed", {"errors": 0, "warnings": 0, "rows": 0}),
        "by_code": summary.get("by_code", {"errors": {}, "warnings": {}}),
        "file": summary.get("file", {}),
        "already_imported": already_imported,
        # a background job's (`background_imports.progress_document` gives the live figures)
        "progress": {"rows_done": job.rows_done or 0, "rows_total": job.rows_total},
        "failure": job.failure,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }

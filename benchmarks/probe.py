"""One request, read in full: does the endpoint exist, how big is an answer, how many features."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from benchmarks.workloads import Request

# An endpoint that is not there yet (or refuses the workload's parameters) answers these.
NOT_AVAILABLE = {400, 404, 405, 501}


@dataclass(frozen=True)
class Sample:
    status: int
    bytes: int
    features: int | None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def missing(self) -> bool:
        return self.status in NOT_AVAILABLE


def fetch(base_url: str, request: Request, headers: dict[str, str]) -> Sample:
    data = request.body.encode() if request.body else None
    http = urllib.request.Request(base_url + request.path, data=data, method=request.method, headers=headers)
    try:
        with urllib.request.urlopen(http, timeout=120) as response:
            body = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        return Sample(error.code, 0, None, error.read()[:300].decode(errors="replace"))
    return Sample(status, len(body), _count_features(body))


def _count_features(body: bytes) -> int | None:
    try:
        document = json.loads(body)
    except ValueError:
        return None
    if isinstance(document, dict) and isinstance(document.get("features"), list):
        return len(document["features"])
    return 1 if isinstance(document, dict) and document.get("type") == "Feature" else None

"""Every request: its id first (before the rate limiter, so even a 429 carries it), then one log
line and its metrics once the response is final."""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from observo.http import metrics
from observo.logs import request_id

_log = logging.getLogger("observo.request")


def install_request_log(app: Flask) -> None:
    """Call before any other extension registers its hooks: before_request hooks run in order, and
    after_request hooks in reverse, so these run first and last."""
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    g.request_started = time.perf_counter()
    request_id()


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    seconds = time.perf_counter() - started if started is not None else 0.0
    metrics.observe_request(request, response.status_code, seconds)
    if _log.isEnabledFor(logging.INFO):
        _log.info(
            "%s %s %s",
            request.method,
            request.path,  # never the query string: it may carry a case number (`reason`)
            response.status_code,
            extra={
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 2),
                "remote_addr": request.remote_addr,
            },
        )
    return response

"""Logging: one JSON object per line (production) or plain text, each tagged with the request's id.

The request id links a client's error body (problem+json `request_id`), the `X-Request-ID` header,
the log lines the request wrote and its audit entries. One handler on the root logger formats the
records of every library (Flask, SQLAlchemy, Alembic, Flask-Limiter) alike; gunicorn's own loggers
get the same formatter from `observo.gunicorn_conf`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime
from typing import Any, TextIO

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler

# A caller's own request id is kept if it looks like one (a proxy's, a client's trace id).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
# A LogRecord's own attributes; anything else on a record came from `extra=` and is logged as a field.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_OURS = "_observo_handler"  # marks the handler we installed, so a second app replaces it
# A query string in a request line, up to the next space or ANSI colour code.
_QUERY = re.compile(r"\?[^\s\x1b]*")


def request_id() -> str | None:
    """This request's id: the caller's `X-Request-ID` when well-formed, else a new one; None outside
    a request. Assigned on first use, so the rate limiter's 429, the access check, the problem body
    and the log lines all carry the same one."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        offered = request.headers.get("X-Request-ID", "")
        g.request_id = offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex
    return g.request_id


class RequestContextFilter(logging.Filter):
    """Adds request_id, method and path to records written while a request is being served."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            fields = (("request_id", request_id()), ("method", request.method), ("path", request.path))
            for name, value in fields:
                if not hasattr(record, name):  # a field passed in `extra=` wins
                    setattr(record, name, value)
        return True


class JsonFormatter(logging.Formatter):
    """`{"time": <UTC ISO 8601>, "level", "logger", "message", ...extra fields, "exc_info"}`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            (name, value)
            for name, value in vars(record).items()
            if name not in _RECORD_FIELDS and not name.startswith("_")
        )
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def text_formatter() -> logging.Formatter:
    return logging.Formatter(_TEXT_FORMAT, defaults={"request_id": "-"})


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is now (the CLI runner and the tests swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


class PathOnlyFilter(logging.Filter):
    """Drops the query string from the request lines of the development server (`observo run`,
    werkzeug's access log), as the production access log does: it may carry a case number
    (`reason`) or a search (docs/security.md, "Logs")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(_QUERY.sub("", arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def keep_queries_out_of_server_log() -> None:
    """Install PathOnlyFilter on werkzeug's logger, once."""
    server_log = logging.getLogger("werkzeug")
    if not any(isinstance(existing, PathOnlyFilter) for existing in server_log.filters):
        server_log.addFilter(PathOnlyFilter())


def configure_logging(app: Flask, log_format: str, level: str) -> None:
    """Install one handler on the root logger in `log_format` ("json" or "text") at `level`.

    An empty format installs nothing (the tests: pytest captures the records itself). A handler
    installed by an earlier app is replaced, never stacked. The development server's request lines
    never carry a query string, whatever the format.
    """
    keep_queries_out_of_server_log()
    root = logging.getLogger()
    for handler in [handler for handler in root.handlers if getattr(handler, _OURS, False)]:
        root.removeHandler(handler)
    if not log_format:
        return
    handler = _StderrHandler()
    setattr(handler, _OURS, True)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else text_formatter())
    root.addHandler(handler)
    root.setLevel(level)
    app.logger.removeHandler(default_handler)  # Flask's own would print its records a second time

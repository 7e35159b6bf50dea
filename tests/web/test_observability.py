"""Request ids, JSON logs and the catch-all error handler: a client's error body names the request
id, and that id finds the request's log lines (the access line, the traceback)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

import pytest
from flask import Flask

from observo.extensions import db
from observo.http import route_policy
from observo.http.route_policy import ANYONE, Rule
from observo.logs import JsonFormatter, configure_logging
from observo.settings import Settings
from tests.conftest import make_app

SECRET = "SELECT password FROM users -- not for clients"


@pytest.fixture
def logged_app(app: Flask, session, monkeypatch):
    """An app on the test database logging JSON at INFO on stderr (which `capsys` captures: the
    handler writes to whatever stderr is at the time), with two routes that fail unexpectedly (one
    machine path, one page)."""
    root = logging.getLogger()
    level = root.level
    settings = app.config["OBSERVO_SETTINGS"]
    probe = make_app(settings.database_url, settings.instance_path, log_format="json", log_level="INFO")
    probe.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: tests otherwise re-raise

    def fail() -> str:
        raise RuntimeError(SECRET)

    for endpoint, path in (("boom_api", "/api/v1/boom"), ("boom_page", "/boom")):
        monkeypatch.setitem(route_policy.POLICY, endpoint, {"GET": Rule(ANYONE, "test")})
        probe.add_url_rule(path, endpoint, fail)
    yield probe
    configure_logging(probe, "", "INFO")  # remove the JSON handler: the other tests leave logs to pytest
    root.setLevel(level)
    with probe.app_context():
        db.engine.dispose()


def lines_of(capsys: pytest.CaptureFixture[str], request_id: str) -> list[dict]:
    """The log lines of one request among those written to stderr so far: each must be JSON."""
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]
    return [line for line in lines if line.get("request_id") == request_id]


# --- the request id in every problem body ---


def test_problem_bodies_carry_the_request_id_of_the_response(client, session):
    for path in ("/api/v1/nowhere", "/api/v1/cameras?limit=many", "/ogc/collections/cameras/items?limit=x"):
        response = client.get(path)
        assert response.mimetype == "application/problem+json", path
        assert response.json["request_id"] == response.headers["X-Request-ID"], path
    offered = client.get("/api/v1/nowhere", headers={"X-Request-ID": "trace-0123456789"})
    assert offered.json["request_id"] == offered.headers["X-Request-ID"] == "trace-0123456789"
    forged = client.get("/api/v1/nowhere", headers={"X-Request-ID": "<script>"})
    assert forged.json["request_id"] != "<script>" and len(forged.json["request_id"]) == 32


def test_a_throttled_request_has_its_id_in_body_and_header(client, configure, session):
    configure(ratelimit_api="1 per minute")
    assert client.get("/api/v1/cameras").status_code == 200
    limited = client.get("/api/v1/cameras", headers={"X-Request-ID": "retry-storm-0001"})
    assert limited.status_code == 429
    assert limited.json["request_id"] == limited.headers["X-Request-ID"] == "retry-storm-0001"


# --- the log line of each request ---


def test_a_request_id_links_the_error_body_to_the_log_line(logged_app, capsys):
    client = logged_app.test_client()
    response = client.get("/api/v1/cameras?limit=many", environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert response.status_code == 400
    request_id = response.json["request_id"]
    (line,) = lines_of(capsys, request_id)
    assert line["logger"] == "observo.request" and line["level"] == "INFO"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/v1/cameras", 400)
    assert line["remote_addr"] == "198.51.100.9" and line["duration_ms"] >= 0
    assert datetime.fromisoformat(line["time"]).utcoffset() == UTC.utcoffset(None)
    assert "many" not in json.dumps(line)  # never the query string (it may carry a case number)
    not_found = client.get("/api/v1/nowhere")
    assert lines_of(capsys, not_found.json["request_id"])[0]["status"] == 404


def test_an_unexpected_api_error_is_a_500_problem_and_a_logged_traceback(logged_app, capsys):
    response = logged_app.test_client().get("/api/v1/boom")
    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    body = response.json
    assert body["code"] == "internal_error" and body["status"] == 500
    assert body["request_id"] == response.headers["X-Request-ID"]
    text = response.get_data(as_text=True)
    assert SECRET not in text and "Traceback" not in text and "RuntimeError" not in text
    error, access = lines_of(capsys, body["request_id"])
    assert error["level"] == "ERROR" and error["path"] == "/api/v1/boom" and error["method"] == "GET"
    assert "Traceback" in error["exc_info"] and f"RuntimeError: {SECRET}" in error["exc_info"]
    assert access["logger"] == "observo.request" and access["status"] == 500


def test_an_unexpected_page_error_is_a_plain_page_with_the_reference(logged_app, capsys):
    response = logged_app.test_client().get("/boom")
    assert response.status_code == 500 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    request_id = response.headers["X-Request-ID"]
    assert "Si è verificato un errore da parte nostra" in page and request_id in page
    assert SECRET not in page and "Traceback" not in page
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert any("exc_info" in line for line in lines_of(capsys, request_id))
    english = logged_app.test_client().get("/boom?lang=en").get_data(as_text=True)
    assert "Something went wrong on our side" in english


# --- configuration ---


def test_one_handler_per_process_however_many_apps(logged_app):
    settings = logged_app.config["OBSERVO_SETTINGS"]
    second = make_app(settings.database_url, settings.instance_path, log_format="text")
    ours = [
        handler for handler in logging.getLogger().handlers if getattr(handler, "_observo_handler", False)
    ]
    assert len(ours) == 1 and not isinstance(ours[0].formatter, JsonFormatter)
    with second.app_context():
        db.engine.dispose()


def test_json_formatter_outside_a_request():
    try:
        raise ValueError("bad value")
    except ValueError:
        record = logging.LogRecord(
            "observo.test", logging.WARNING, __file__, 1, "%s rows", (3,), sys.exc_info()
        )
    record.rows = 3  # as `extra={"rows": 3}` would
    entry = json.loads(JsonFormatter().format(record))
    assert (entry["level"], entry["logger"], entry["message"], entry["rows"]) == (
        "WARNING",
        "observo.test",
        "3 rows",
        3,
    )
    assert datetime.fromisoformat(entry["time"]).utcoffset() == UTC.utcoffset(None)
    assert "ValueError: bad value" in entry["exc_info"] and "request_id" not in entry


def test_log_settings_from_environment():
    settings = Settings.from_env({"OBSERVO_LOG_FORMAT": "Text", "OBSERVO_LOG_LEVEL": "warning"})
    assert (settings.log_format, settings.log_level) == ("text", "WARNING")
    assert Settings.from_env({}).effective_log_format == "json"  # production
    assert Settings(testing=True).effective_log_format == ""  # tests: pytest captures the records
    assert Settings(testing=True, log_format="json").effective_log_format == "json"
    for variable, value in (("OBSERVO_LOG_FORMAT", "xml"), ("OBSERVO_LOG_LEVEL", "loud")):
        with pytest.raises(ValueError, match=variable):
            Settings.from_env({variable: value})

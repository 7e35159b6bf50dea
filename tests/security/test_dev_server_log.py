"""Class 11b of issue 15: the development server's log holds paths, never query strings.

A query string may carry a case number (`reason`), a searched address or a next page. `observo run`
(werkzeug's server) is started as a user would, asked for URLs carrying a secret in their query,
and its whole log must show the paths without the secret.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from observo import logs

SECRET = "PG-2026-SEGRETO-4711"
OBSERVO = Path(sys.executable).parent / "observo"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _wait_ready(base: str, server: subprocess.Popen, deadline_s: float = 60.0) -> None:
    waited = 0.0
    while waited < deadline_s:
        if server.poll() is not None:
            raise AssertionError(f"observo run exited with {server.returncode}")
        try:
            if _get(f"{base}/healthz") == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
        waited += 0.2
    raise AssertionError("observo run did not answer")


def test_observo_run_logs_paths_without_query_strings(tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "OBSERVO_INSTANCE_PATH": str(tmp_path),
        "OBSERVO_DATABASE_URL": f"sqlite:///{tmp_path}/observo.sqlite",
        "OBSERVO_SECRET_KEY": "dev-server-log-test",
        "OBSERVO_LOG_FORMAT": "text",
        "OBSERVO_SESSION_COOKIE_SECURE": "0",
    }
    log = tmp_path / "run.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(OBSERVO), "run", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(base, server)
            asked = {
                "/healthz": f"/healthz?reason={SECRET}",
                "/login": f"/login?next=/cameras%3Freason%3D{SECRET}&reason={SECRET}",
                "/nowhere": f"/nowhere?reason={SECRET}",
            }
            statuses = {path: _get(base + url) for path, url in asked.items()}
            assert statuses == {"/healthz": 200, "/login": 200, "/nowhere": 404}
        finally:
            server.terminate()  # the process this test started, by its handle
            server.wait(timeout=20)
    written = log.read_text(errors="replace")
    assert SECRET not in written, written
    for path in asked:
        assert f"GET {path} " in written, written  # the request line keeps its path


def test_the_filter_keeps_the_path_of_a_coloured_request_line():
    """werkzeug colours the request line of non-200 answers with ANSI codes."""
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '127.0.0.1 - - [date] "%s" %s %s',
        (f"\x1b[33mGET /api/v1/cameras?near=7,45&reason={SECRET} HTTP/1.1\x1b[0m", "404", "-"),
        None,
    )
    assert logs.PathOnlyFilter().filter(record)
    message = record.getMessage()
    assert SECRET not in message and "GET /api/v1/cameras HTTP/1.1\x1b[0m" in message

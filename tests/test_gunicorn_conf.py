"""observo/gunicorn_conf.py: gunicorn accepts it, its access line is valid JSON whatever the client
sends, and under gunicorn the workers' metrics add up and the request id links the logs."""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
from gunicorn.config import Config
from prometheus_client import CollectorRegistry
from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from benchmarks import servers

NASTY = 'evil "agent" \\ back\\slash \x01 ctrl'


@pytest.fixture
def conf(monkeypatch, tmp_path) -> ModuleType:
    """The config module as gunicorn's master would load it, with a metrics folder of the test's."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(metrics_dir))
    for name in ("OBSERVO_BIND", "WEB_CONCURRENCY", "OBSERVO_THREADS"):
        monkeypatch.delenv(name, raising=False)
    return importlib.reload(importlib.import_module("observo.gunicorn_conf"))


def loaded(module: ModuleType) -> Config:
    """gunicorn's Config with the module's values, through gunicorn's own validators."""
    cfg = Config()
    for name in cfg.settings:
        if hasattr(module, name):
            cfg.set(name, getattr(module, name))
    return cfg


def test_gunicorn_accepts_the_config(conf, monkeypatch):
    cfg = loaded(conf)
    assert cfg.bind == ["127.0.0.1:8000"] and cfg.worker_class_str == "gthread" and cfg.threads == 4
    assert cfg.workers == 2 * len(os.sched_getaffinity(0)) + 1
    assert cfg.timeout > 15 and cfg.graceful_timeout > 0 and cfg.keepalive > 60  # beyond a balancer's idle
    assert cfg.max_requests > 0 and cfg.max_requests_jitter > 0
    assert cfg.forwarded_allow_ips == ["127.0.0.1", "::1"]
    assert cfg.logger_class is conf.JsonLogger and cfg.accesslog == "-"
    monkeypatch.setenv("OBSERVO_BIND", "0.0.0.0:8000,unix:/run/observo.sock")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("OBSERVO_FORWARDED_ALLOW_IPS", "10.0.0.2")
    cfg = loaded(importlib.reload(conf))
    assert cfg.bind == ["0.0.0.0:8000", "unix:/run/observo.sock"] and cfg.workers == 3
    assert cfg.forwarded_allow_ips == ["10.0.0.2"]


def _access_line(conf: ModuleType, sent: int | None, headers: list[tuple[str, str]]) -> dict:
    cfg = loaded(conf)
    logger = conf.JsonLogger(cfg)
    response = SimpleNamespace(status="404 NOT FOUND", sent=sent, headers=headers)
    request = SimpleNamespace(headers=[("USER-AGENT", NASTY)])
    environ = {
        "REMOTE_ADDR": "198.51.100.7",
        "REQUEST_METHOD": "GET",
        "RAW_URI": '/api/v1/x"y?reason=case 42',
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": '/api/v1/x"y\\z',
        "QUERY_STRING": "reason=case 42",
        "HTTP_USER_AGENT": NASTY,
        "HTTP_REFERER": "https://example.it/mappa?q=case 42",
    }
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=12.5))
    line = cfg.access_log_format % logger.atoms_wrapper_class(atoms)
    assert "case 42" not in line  # never the query string
    return json.loads(line)


def test_the_access_log_line_is_json_whatever_the_client_sends(conf):
    entry = _access_line(
        conf, 293, [("Content-Type", "application/problem+json"), ("X-Request-ID", "abc-1234")]
    )
    assert entry["path"] == '/api/v1/x"y\\z' and entry["user_agent"] == NASTY
    assert "referrer" not in entry  # a page's URL would bring its query string back
    assert (entry["status"], entry["bytes"], entry["duration_ms"]) == (404, 293, 12)
    assert (entry["request_id"], entry["remote_addr"], entry["method"]) == ("abc-1234", "198.51.100.7", "GET")
    assert datetime.fromisoformat(entry["time"]).utcoffset() == timedelta(0)
    bare = _access_line(conf, None, [])
    assert bare["bytes"] is None and bare["request_id"] == "-"


def _write_counter(directory: Path, file_name: str, value: float) -> None:
    counts = MmapedDict(str(directory / file_name))
    key = mmap_key(
        "observo_http_requests", "observo_http_requests_total", ["route"], ["/healthz"], "requests"
    )
    counts.write_value(key, value, 0.0)
    counts.close()


def _total(directory: Path) -> float | None:
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    return registry.get_sample_value("observo_http_requests_total", {"route": "/healthz"})


def test_a_dead_worker_leaves_its_counts_and_not_its_files(conf):
    metrics_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    _write_counter(metrics_dir, "counter_4242.db", 5)
    _write_counter(metrics_dir, "counter_4343.db", 7)
    for pid in (4242, 4343):
        MmapedDict(str(metrics_dir / f"gauge_livesum_{pid}.db")).close()  # the pool's gauges
    conf.child_exit(None, SimpleNamespace(pid=4242))
    _write_counter(metrics_dir, "counter_4444.db", 1)
    conf.child_exit(None, SimpleNamespace(pid=4444))  # a second death adds to the archive
    files = sorted(path.name for path in metrics_dir.iterdir())
    assert files == ["counter_4343.db", "counter_archive.db", "gauge_livesum_4343.db"]
    assert _total(metrics_dir) == 13  # nothing lost, nothing counted twice
    conf.on_starting(None)  # a new master: nothing of the previous run counts
    assert list(metrics_dir.iterdir()) == []


# --- gunicorn itself, two workers ---


def _get(url: str, request_id: str | None = None) -> tuple[int, dict[str, str], str]:
    headers = {"X-Request-ID": request_id} if request_id else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited at start"
        try:
            if _get(f"{base}/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("gunicorn did not answer within 60 s")


@pytest.fixture
def served(tmp_path):
    """gunicorn with the config, two workers, on an embedded database; its stdout and stderr files."""
    port = servers.free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    environment = dict(os.environ)
    environment.update(
        PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
        OBSERVO_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="2",
        OBSERVO_DATABASE_URL=f"sqlite:///{tmp_path}/observo.sqlite",
        OBSERVO_INSTANCE_PATH=str(tmp_path),
        OBSERVO_SECRET_KEY="gunicorn-test",
        HOME=str(tmp_path),  # gunicorn's control socket goes under ~/.gunicorn
    )
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    # Workers recycled after 4 requests: their counts must survive them, their files must not.
    recycling = ["--max-requests", "4", "--max-requests-jitter", "0"]
    command = [gunicorn, "-c", "python:observo.gunicorn_conf", *recycling, "observo.wsgi:app"]
    with out.open("w") as stdout, err.open("w") as stderr:
        server = subprocess.Popen(command, env=environment, stdout=stdout, stderr=stderr, cwd=tmp_path)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}", server)
        yield f"http://127.0.0.1:{port}", server, out, err, metrics_dir
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _metrics_files_once_folded(metrics_dir: Path) -> tuple[set[int], set[str]]:
    """The live workers' pids and the counter files' suffixes, once an archive exists and no dead
    worker's files are left (or after 15 s)."""
    deadline = time.monotonic() + 15
    while True:
        live = {int(path.stem.rsplit("_", 1)[1]) for path in metrics_dir.glob("gauge_live*.db")}
        counters = {path.stem.rsplit("_", 1)[1] for path in metrics_dir.glob("counter_*.db")}
        folded = "archive" in counters and counters <= {"archive"} | {str(pid) for pid in live}
        if folded or time.monotonic() > deadline:
            return live, counters
        time.sleep(0.1)


def _json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_under_gunicorn_metrics_add_up_and_the_request_id_links_the_logs(served):
    base, server, out, err, metrics_dir = served
    before = _healthz_count(_get(f"{base}/metrics")[2])
    for number in range(6):
        assert _get(f"{base}/healthz", f"gunicorn-test-{number:04d}")[0] == 200
    status, headers, body = _get(f"{base}/api/v1/nowhere")
    assert status == 404
    request_id = json.loads(body)["request_id"]
    assert headers["X-Request-ID"] == request_id
    assert _healthz_count(_get(f"{base}/metrics")[2]) - before == 6  # whichever worker answered
    # 9 requests on two workers recycled every 4: at least one has exited. The arbiter folds its
    # files when it reaps it, a moment after the worker's last answer, hence the wait.
    live, counters = _metrics_files_once_folded(metrics_dir)
    assert counters <= {"archive"} | {str(pid) for pid in live}  # recycled workers folded away
    assert "archive" in counters
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    access = _json_lines(out)  # every line JSON, or this fails
    assert {"gunicorn-test-0000", request_id} <= {line["request_id"] for line in access}
    app_lines = [line for line in _json_lines(err) if line.get("request_id") == request_id]
    assert [(line["logger"], line["status"]) for line in app_lines] == [("observo.request", 404)]
    assert any(line["logger"] == "gunicorn.error" for line in _json_lines(err))


def _healthz_count(exposition: str) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == "observo_http_requests_total" and sample.labels["route"] == "/healthz"
    )

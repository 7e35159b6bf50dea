"""/metrics: request counts and latencies by route, the pool's gauges, and who may read them."""

from __future__ import annotations

from ipaddress import ip_network

import pytest
from prometheus_client.parser import text_string_to_metric_families

from observo.http.metrics import address_allowed
from observo.settings import LOOPBACK, Settings

CAMERA_ROUTE = "/api/v1/cameras/<int:camera_id>"
OUTSIDER = {"REMOTE_ADDR": "203.0.113.5"}


def scrape(client, **kwargs) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted labels): value} of one scrape."""
    response = client.get("/metrics", **kwargs)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def requests_counted(samples, method: str, route: str, status: str) -> float:
    labels = (("method", method), ("route", route), ("status", status))
    return samples.get(("observo_http_requests_total", labels), 0.0)


def test_counts_and_latencies_rise_by_route_never_by_path(client, session):
    before = scrape(client)
    for camera_id in (912345, 954321):
        assert client.get(f"/api/v1/cameras/{camera_id}").status_code == 404
    after = scrape(client)
    assert (
        requests_counted(after, "GET", CAMERA_ROUTE, "404")
        - requests_counted(before, "GET", CAMERA_ROUTE, "404")
        == 2
    )
    latency = ("observo_http_request_duration_seconds_count", (("method", "GET"), ("route", CAMERA_ROUTE)))
    assert after[latency] - before.get(latency, 0.0) == 2
    assert not [key for key in after if "912345" in str(key)]  # the raw path never becomes a label


def test_unknown_paths_and_methods_share_one_series(client, session):
    before = scrape(client)
    for path in ("/nowhere-1", "/nowhere-2", "/api/v1/nowhere-3"):
        assert client.get(path).status_code == 404
    assert client.open("/healthz", method="BREW").status_code == 405
    after = scrape(client)
    assert (
        requests_counted(after, "GET", "unmatched", "404")
        - requests_counted(before, "GET", "unmatched", "404")
        == 3
    )
    assert (
        requests_counted(after, "other", "unmatched", "405")
        - requests_counted(before, "other", "unmatched", "405")
        == 1
    )
    assert not [key for key in after if "nowhere" in str(key) or "BREW" in str(key)]


def test_the_pool_and_the_process_are_measured(client, session):
    samples = scrape(client)
    assert samples[("observo_db_pool_size", ())] >= 1
    # the test's own session holds a pooled connection while the scrape runs: the gauge is read live
    assert samples[("observo_db_pool_checked_out", ())] >= 1
    assert samples[("observo_db_pool_overflow", ())] >= 0
    assert samples[("process_resident_memory_bytes", ())] > 0
    assert [key for key in samples if key[0] == "observo_build_info"]


def test_only_allowed_addresses_are_answered(client, configure, session):
    refused = client.get("/metrics", environ_base=OUTSIDER)
    assert refused.status_code == 404 and refused.mimetype == "text/html"  # as any unknown path
    assert "observo_" not in refused.get_data(as_text=True)
    scrape(client, environ_base={"REMOTE_ADDR": "::1"})
    scrape(client, environ_base={"REMOTE_ADDR": "::ffff:127.0.0.1"})  # IPv4 seen by an IPv6 socket
    configure(metrics_allow=(ip_network("203.0.113.0/24"),))
    scrape(client, environ_base=OUTSIDER)
    assert client.get("/metrics").status_code == 404  # loopback is no longer in the list


def test_the_token_opens_metrics_from_anywhere(client, configure, session):
    configure(metrics_token="scrape-secret-0123456789", metrics_allow=())
    assert client.get("/metrics").status_code == 404  # not even loopback: only the token
    wrong = {"Authorization": "Bearer scrape-secret-wrong"}
    assert client.get("/metrics", headers=wrong, environ_base=OUTSIDER).status_code == 404
    right = {"Authorization": "Bearer scrape-secret-0123456789"}
    scrape(client, headers=right, environ_base=OUTSIDER)
    configure(metrics_token="", metrics_allow=())
    empty = {"Authorization": "Bearer "}
    assert client.get("/metrics", headers=empty, environ_base=OUTSIDER).status_code == 404


def test_a_relayed_or_forged_address_never_opens_metrics(client, session):
    # Through a proxy the peer is the proxy (loopback here), whoever the client is: refused.
    relayed = client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"})
    assert relayed.status_code == 404
    # ProxyFix rewrites REMOTE_ADDR from X-Forwarded-For; the check reads the socket's peer.
    rewritten = {"REMOTE_ADDR": "127.0.0.1", "werkzeug.proxy_fix.orig": {"REMOTE_ADDR": "203.0.113.5"}}
    assert client.get("/metrics", environ_base=rewritten).status_code == 404


def test_a_non_ascii_token_is_refused_not_a_server_error(client, configure, session):
    configure(metrics_token="scrape-secret-0123456789", metrics_allow=())
    assert client.get("/metrics", headers={"Authorization": "Bearer é"}).status_code == 404


def test_metrics_are_not_rate_limited(client, configure, session):
    configure(ratelimit_api="1 per minute")
    for _ in range(3):
        scrape(client)


def test_address_check():
    assert address_allowed("127.0.0.42", LOOPBACK) and address_allowed("::1", LOOPBACK)
    assert not address_allowed("10.0.0.1", LOOPBACK)
    assert not address_allowed(None, LOOPBACK) and not address_allowed("not-an-address", LOOPBACK)
    assert not address_allowed("127.0.0.1", ())


def test_metrics_settings_from_environment():
    settings = Settings.from_env(
        {"OBSERVO_METRICS_ALLOW": "10.0.0.0/8, 2001:db8::/32,192.0.2.7", "OBSERVO_METRICS_TOKEN": "t0ken"}
    )
    assert settings.metrics_allow == (
        ip_network("10.0.0.0/8"),
        ip_network("2001:db8::/32"),
        ip_network("192.0.2.7/32"),
    )
    assert settings.metrics_token == "t0ken"
    assert Settings.from_env({"OBSERVO_METRICS_ALLOW": ""}).metrics_allow == ()
    assert Settings.from_env({}).metrics_allow == LOOPBACK and Settings.from_env({}).metrics_token == ""
    with pytest.raises(ValueError, match="OBSERVO_METRICS_ALLOW"):
        Settings.from_env({"OBSERVO_METRICS_ALLOW": "10.0.0.300/8"})

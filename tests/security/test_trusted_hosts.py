"""Class 11a of issue 15: only the configured host names are served.

Observo builds absolute links (OGC `links`, paging) from the request's host. A request naming
another host, directly or through a trusted proxy's `X-Forwarded-Host`, gets 400 before anything
runs, and that host appears nowhere in the answer.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from observo.extensions import db
from tests import factories
from tests.conftest import make_app

EVIL = "evil.example"


def _echoes(response, host: str) -> bool:
    headers = " ".join(f"{name}: {value}" for name, value in response.headers.items())
    return host in response.get_data(as_text=True) or host in headers


@pytest.mark.parametrize(
    "host",
    [
        EVIL,
        f"{EVIL}:80",
        "localhost.evil.example",
        "evil-localhost",
        "127.0.0.2",
        "[::2]",
        "localhost@evil.example",
    ],
)
def test_an_untrusted_host_gets_400_and_is_never_echoed(client, session, host):
    api = client.get("/ogc", headers={"Host": host})
    assert api.status_code == 400
    assert api.mimetype == "application/problem+json" and api.json["code"] == "untrusted_host"
    assert not _echoes(api, host) and not _echoes(api, EVIL)
    page = client.get("/map", headers={"Host": host})  # would redirect to the sign-in form
    assert page.status_code == 400 and "Location" not in page.headers
    assert page.mimetype == "text/html" and not _echoes(page, EVIL)
    assert "Questo sito non risponde" in page.get_data(as_text=True)  # Italian first


def test_a_write_for_another_host_does_nothing(client, session):
    town = factories.org(session, "torino")
    headers = {**factories.headers_for(session, town, "editor"), "Host": EVIL}
    created = client.post("/api/v1/cameras", json=factories.feature("torino"), headers=headers)
    assert created.status_code == 400 and "Location" not in created.headers
    assert client.get("/api/v1/cameras", headers=factories.headers_for(session, town)).json["features"] == []


@pytest.mark.parametrize("host", ["localhost", "localhost:5000", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST"])
def test_the_default_hosts_are_served_with_links_on_themselves(client, session, host):
    landing = client.get("/ogc", headers={"Host": host})
    assert landing.status_code == 200
    expected = f"http://{host.lower()}/"
    assert all(link["href"].lower().startswith(expected) for link in landing.json["links"]), landing.json[
        "links"
    ]


def test_a_leading_dot_serves_the_domain_and_its_subdomains(client, session, configure):
    configure(trusted_hosts=(".example.it",))
    for host in ("example.it", "observo.example.it", "a.b.example.it:8443"):
        landing = client.get("/ogc", headers={"Host": host})
        assert landing.status_code == 200, host
        assert landing.json["links"][0]["href"].startswith(f"http://{host}/")
    for host in ("evilexample.it", "example.it.evil.example", "localhost"):
        assert client.get("/ogc", headers={"Host": host}).status_code == 400, host


def test_a_created_objects_location_stays_on_the_site(client, session):
    town = factories.org(session, "torino")
    headers = {**factories.headers_for(session, town, "editor"), "Host": "127.0.0.1:8000"}
    created = client.post("/api/v1/cameras", json=factories.feature("torino"), headers=headers)
    assert created.status_code == 201
    assert created.headers["Location"].startswith(
        ("/api/v1/cameras/", "http://127.0.0.1:8000/api/v1/cameras/")
    )


def test_probes_are_answered_whatever_the_host(client, session):
    """Container probes address the app by its IP; these answers hold no link."""
    assert client.get("/healthz", headers={"Host": "10.1.2.3:8000"}).status_code == 200
    assert client.get("/readyz", headers={"Host": "10.1.2.3:8000"}).status_code == 200


@pytest.fixture
def proxied(app: Flask, tmp_path) -> Iterator[Flask]:
    """The same database behind one trusted proxy serving observo.example.it."""
    behind = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        tmp_path,
        trusted_proxies=1,
        trusted_hosts=("observo.example.it",),
    )
    yield behind
    with behind.app_context():
        db.engine.dispose()


def test_behind_a_proxy_the_forwarded_host_is_checked(proxied):
    client = proxied.test_client()
    forwarded = {
        "X-Forwarded-Host": "observo.example.it",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "1.2.3.4",
    }
    landing = client.get("/ogc", headers={"Host": "10.0.0.5:8000", **forwarded})
    assert landing.status_code == 200
    assert all(link["href"].startswith("https://observo.example.it/") for link in landing.json["links"])
    forged = client.get("/ogc", headers={**forwarded, "X-Forwarded-Host": EVIL})
    assert forged.status_code == 400 and not _echoes(forged, EVIL)
    # The proxy's own Host is not the site's name: without X-Forwarded-Host nothing is served.
    assert client.get("/ogc", headers={"Host": "10.0.0.5:8000"}).status_code == 400

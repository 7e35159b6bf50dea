"""Login form (CSRF, session), logout, protected pages, health and security headers."""

from __future__ import annotations

import re

from tests import factories


def test_map_requires_login(client, session):
    response = client.get("/map")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_page_is_italian_first(client, session):
    page = client.get("/login", headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert "Accedi" in page and 'lang="it"' in page
    assert "Sign in" in client.get("/login?lang=en").get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, session):
    user = factories.user(session, factories.org(session, "torino"), "viewer")
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 400
    assert client.get("/map").status_code == 302


def test_wrong_password_is_401_with_readable_message(client, session):
    user = factories.user(session, factories.org(session, "torino"), "viewer")
    response = client.post(
        "/login",
        data={"email": user.email, "password": "wrong password!", "csrf_token": factories.csrf_token(client)},
        headers={"Accept-Language": "it"},
    )
    assert response.status_code == 401
    assert "E-mail o password non corrette." in response.get_data(as_text=True)


def test_login_session_reads_api_and_logout(client, session):
    town = factories.org(session, "torino")
    user = factories.user(session, town, "editor")
    factories.camera(session, town, visibility="private")
    response = client.post(
        "/login?next=/api/v1/cameras",
        data={
            "email": user.email.upper(),
            "password": factories.PASSWORD,
            "csrf_token": factories.csrf_token(client),
        },
    )
    # `next` leads to pages only: a link must not run an API query at sign-in (issue 15, class 4).
    assert response.status_code == 302 and response.headers["Location"] == "/map"
    assert client.get("/map").status_code == 200
    same_origin = {"Sec-Fetch-Site": "same-origin"}  # the session is believed only from the site's pages
    features = client.get("/api/v1/cameras", headers=same_origin).json["features"]
    assert len(features) == 1 and "fov" in features[0]["properties"]  # full detail for the signed-in user
    # A session-authenticated API write needs the CSRF header too.
    without_token = client.post("/api/v1/cameras", json=factories.feature("torino"), headers=same_origin)
    assert without_token.status_code == 400
    token = factories.csrf_token(client, "/map")
    created = client.post(
        "/api/v1/cameras", json=factories.feature("torino"), headers={**same_origin, "X-CSRFToken": token}
    )
    assert created.status_code == 201
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/map").status_code == 302


def test_login_refuses_open_redirect(client, session):
    user = factories.user(session, factories.org(session, "torino"), "viewer")
    response = client.post(
        "/login?next=//evil.example/x",
        data={
            "email": user.email,
            "password": factories.PASSWORD,
            "csrf_token": factories.csrf_token(client),
        },
    )
    assert response.headers["Location"] == "/map"


def test_health_and_readiness(client, session):
    assert client.get("/healthz").json == {"status": "ok"}
    assert client.get("/readyz").json["database"] == "ok"


def test_html_has_csp_and_cannot_be_framed(client, session):
    response = client.get("/login")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_language_link_keeps_the_page_query(client, session):
    user = factories.user(session, factories.org(session, "torino"), "viewer")
    data = {"email": user.email, "password": factories.PASSWORD, "csrf_token": factories.csrf_token(client)}
    client.post("/login", data=data)
    page = client.get("/cameras?status=faulty&q=piazza").get_data(as_text=True)
    link = re.search(r'href="([^"]+)" hreflang="en"', page).group(1).replace("&amp;", "&")
    assert (
        link.startswith("/cameras?") and "status=faulty" in link and "q=piazza" in link and "lang=en" in link
    )
    english = client.get(link).get_data(as_text=True)
    assert 'lang="en"' in english and 'hreflang="it"' in english
    assert 'lang="en"' in client.get("/map").get_data(as_text=True)  # remembered for the session

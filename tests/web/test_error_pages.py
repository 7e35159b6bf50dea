"""HTTP errors on pages: the error page in the page's language, not Werkzeug's English one; the API
keeps problem+json."""

from __future__ import annotations


def test_page_404_is_in_italian(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="it">' in page
    assert "<h1>Pagina non trovata</h1>" in page and "Pagina non trovata — Observo</title>" in page
    assert "A questo indirizzo non c&#39;è nessuna pagina" in page
    assert "Not Found" not in page and "The requested URL" not in page


def test_page_404_in_english_when_asked(client):
    page = client.get("/no-such-page?lang=en").get_data(as_text=True)
    assert "<h1>Page not found</h1>" in page and "There is no page at this address" in page


def test_page_405_keeps_the_allow_header(client):
    response = client.post("/favicon.ico")
    assert response.status_code == 405 and response.mimetype == "text/html"
    assert "GET" in response.headers["Allow"]
    assert "Metodo non consentito" in response.get_data(as_text=True)


def test_api_404_stays_problem_json(client):
    response = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "it"})
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert response.json["title"] == "Risorsa non trovata"

"""/favicon.ico: browsers ask for it at the root of every site, signed in or not."""

from __future__ import annotations

import io

from PIL import Image


def test_favicon_is_served_to_anyone(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data.startswith(b"\x00\x00\x01\x00")  # the ICO header
    with Image.open(io.BytesIO(response.data)) as icon:
        assert {(16, 16), (32, 32)} <= set(icon.info["sizes"])
    assert "max-age=86400" in response.headers["Cache-Control"]

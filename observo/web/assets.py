"""The map's third-party scripts and styles: pinned npm files, loaded from a CDN with SRI.

The base URL is a setting (`OBSERVO_CDN_BASE_URL`): a closed police network mirrors the same
`<package>@<version>/<path>` layout on its own server (README: "Running on a closed network").
The integrity values are the files' SHA-384; a test recomputes them from the npm packages that the
setup installs (package.json pins the same versions).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Asset:
    package: str
    version: str
    path: str
    integrity: str

    @property
    def is_script(self) -> bool:
        return self.path.endswith(".js")

    def url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}/{self.package}@{self.version}/{self.path}"


LEAFLET = "1.9.4"
MARKERCLUSTER = "1.5.3"
GEOMAN = "2.20.2"

ASSETS: dict[str, Asset] = {
    "leaflet.css": Asset(
        "leaflet",
        LEAFLET,
        "dist/leaflet.css",
        "sha384-sHL9NAb7lN7rfvG5lfHpm643Xkcjzp4jFvuavGOndn6pjVqS6ny56CAt3nsEVT4H",
    ),
    "leaflet.js": Asset(
        "leaflet",
        LEAFLET,
        "dist/leaflet.js",
        "sha384-cxOPjt7s7Iz04uaHJceBmS+qpjv2JkIHNVcuOrM+YHwZOmJGBXI00mdUXEq65HTH",
    ),
    "markercluster.css": Asset(
        "leaflet.markercluster",
        MARKERCLUSTER,
        "dist/MarkerCluster.css",
        "sha384-pmjIAcz2bAn0xukfxADbZIb3t8oRT9Sv0rvO+BR5Csr6Dhqq+nZs59P0pPKQJkEV",
    ),
    "markercluster-default.css": Asset(
        "leaflet.markercluster",
        MARKERCLUSTER,
        "dist/MarkerCluster.Default.css",
        "sha384-wgw+aLYNQ7dlhK47ZPK7FRACiq7ROZwgFNg0m04avm4CaXS+Z9Y7nMu8yNjBKYC+",
    ),
    "markercluster.js": Asset(
        "leaflet.markercluster",
        MARKERCLUSTER,
        "dist/leaflet.markercluster.js",
        "sha384-eXVCORTRlv4FUUgS/xmOyr66XBVraen8ATNLMESp92FKXLAMiKkerixTiBvXriZr",
    ),
    "geoman.css": Asset(
        "@geoman-io/leaflet-geoman-free",
        GEOMAN,
        "dist/leaflet-geoman.css",
        "sha384-++juJE6hRzkkV4Ri9H2C+3yjCTdEk4PaZxptm3cpgKKjuMcAHErn35Q/0sGitZCR",
    ),
    "geoman.js": Asset(
        "@geoman-io/leaflet-geoman-free",
        GEOMAN,
        "dist/leaflet-geoman.min.js",
        "sha384-pXNWPiDuE2DMvhW70luPUxtqU3gGa3Fn+Q4CckIXyA9ZcnByNj6FgpHi8Km45rcc",
    ),
}
# What each kind of page loads, in order (styles, then scripts).
MAP_ASSETS = tuple(ASSETS)
EMBED_ASSETS = (
    "leaflet.css",
    "markercluster.css",
    "markercluster-default.css",
    "leaflet.js",
    "markercluster.js",
)


def asset_tags(base_url: str, names: tuple[str, ...]) -> Markup:
    """`<link>`/`<script>` tags with `integrity` and `crossorigin`, in the order given."""
    tags = []
    for name in names:
        asset = ASSETS[name]
        url, integrity = escape(asset.url(base_url)), escape(asset.integrity)
        if asset.is_script:
            tags.append(f'<script src="{url}" integrity="{integrity}" crossorigin="anonymous"></script>')
        else:
            tags.append(
                f'<link rel="stylesheet" href="{url}" integrity="{integrity}" crossorigin="anonymous">'
            )
    return Markup("\n  ".join(tags))


def origin_of(url: str) -> str:
    """`https://host[:port]` of an absolute URL, for the CSP; '' for a same-site path."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""

"""Which third-party browser files the pages use, pinned, and which of them ship with the package.

Standard library only: scripts/vendor_assets.py loads this module by path at build time, before the
application's dependencies need be installed. The integrity values are the files' SHA-384; a test
recomputes them from the npm packages (package.json pins the same versions).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Built by scripts/vendor_assets.py from node_modules, never fetched at run time (docs/offline.md).
VENDOR_DIR = Path(__file__).resolve().parent.parent / "vendor"
VENDOR_URL = "/vendor"


@dataclass(frozen=True)
class Asset:
    package: str
    version: str
    path: str
    integrity: str
    # A script's global, as a dotted path: missing after the tag ran means the file did not load.
    probe: str = ""

    @property
    def is_script(self) -> bool:
        return self.path.endswith(".js")

    @property
    def key(self) -> str:
        """`<package>@<version>/<path>`: the npm CDN layout, kept under the vendor folder too."""
        return f"{self.package}@{self.version}/{self.path}"

    def url(self, base_url: str) -> str:
        return f"{base_url.rstrip('/')}/{self.key}"


LEAFLET = "1.9.4"
MARKERCLUSTER = "1.5.3"
GEOMAN = "2.20.2"
SWAGGER_UI = "5.17.14"

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
        probe="L",
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
        probe="L.MarkerClusterGroup",
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
        probe="L.PM",
    ),
    "swagger-ui.css": Asset(
        "swagger-ui-dist",
        SWAGGER_UI,
        "swagger-ui.css",
        "sha384-wxLW6kwyHktdDGr6Pv1zgm/VGJh99lfUbzSn6HNHBENZlCN7W602k9VkGdxuFvPn",
    ),
    "swagger-ui-bundle.js": Asset(
        "swagger-ui-dist",
        SWAGGER_UI,
        "swagger-ui-bundle.js",
        "sha384-wmyclcVGX/WhUkdkATwhaK1X1JtiNrr2EoYJ+diV3vj4v6OC5yCeSu+yW13SYJep",
        probe="SwaggerUIBundle",
    ),
}
# What each kind of page loads, in order (styles, then scripts).
MAP_ASSETS = (
    "leaflet.css",
    "markercluster.css",
    "markercluster-default.css",
    "geoman.css",
    "leaflet.js",
    "markercluster.js",
    "geoman.js",
)
EMBED_ASSETS = (
    "leaflet.css",
    "markercluster.css",
    "markercluster-default.css",
    "leaflet.js",
    "markercluster.js",
)
DOCS_ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js")

# Files the assets load by relative URL (Leaflet's stylesheet points at its images): vendored too.
COMPANIONS: tuple[tuple[str, str, str], ...] = tuple(
    ("leaflet", LEAFLET, f"dist/images/{name}")
    for name in ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png", "marker-shadow.png")
)


def vendored_files() -> list[tuple[str, str, str]]:
    """Every (package, version, path) copied into the vendor folder."""
    files = [(asset.package, asset.version, asset.path) for asset in ASSETS.values()]
    return files + list(COMPANIONS)

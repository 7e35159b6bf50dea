"""/vendor/<package>@<version>/<path>: the pinned third-party files shipped inside the package.

Built by scripts/vendor_assets.py (docs/offline.md). The URL names the version, so a file never
changes under its URL and browsers may keep it for a year.
"""

from __future__ import annotations

from flask import Blueprint, Response, send_from_directory

from observo.http.asset_files import VENDOR_DIR, VENDOR_URL

bp = Blueprint("vendor", __name__, url_prefix=VENDOR_URL)
_ONE_YEAR_S = 365 * 24 * 3600


@bp.route("/<path:filename>")
def file(filename: str) -> Response:
    # send_from_directory refuses paths that leave the folder (404).
    response = send_from_directory(VENDOR_DIR, filename, max_age=_ONE_YEAR_S)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response

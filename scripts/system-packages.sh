#!/bin/sh
# Install the Debian packages Observo needs, if missing. As root: apt-get. Otherwise: print the
# exact command and fail, so `make` stops with an actionable message.
#   scripts/system-packages.sh            -> what `make run` needs (SpatiaLite, venv)
#   scripts/system-packages.sh --postgis  -> also PostGIS for the local PostgreSQL server, if any
#   scripts/system-packages.sh --browser  -> also Chromium and npm, for the browser tests
#   scripts/system-packages.sh --gis-clients -> also GDAL's ogrinfo and QGIS (python3-qgis), for the
#                                               GIS client tests
#   (flags combine: --postgis --browser --gis-clients)
set -eu

# Pango (and a font) for WeasyPrint, which renders the intervention brief as PDF.
packages="libsqlite3-mod-spatialite libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"
python3 -m venv --help >/dev/null 2>&1 || packages="$packages python3-venv"

for flag in "$@"; do
    case "$flag" in
    --postgis)
        # PostGIS must match the server's major version (postgresql-15 -> postgresql-15-postgis-3).
        for dir in /usr/lib/postgresql/*/bin; do
            [ -x "$dir/postgres" ] || continue
            major=$(basename "$(dirname "$dir")")
            packages="$packages postgresql-$major-postgis-3"
        done
        ;;
    --browser)
        # Debian's Chromium, driven by Playwright (never `playwright install`: no downloads here).
        packages="$packages chromium fonts-dejavu-core"
        command -v npm >/dev/null 2>&1 || packages="$packages npm"
        ;;
    --gis-clients)
        # GDAL's command line (ogrinfo, OAPIF driver): the OGC API tests read Observo as QGIS does.
        # python3-qgis: QGIS itself, headless, for Debian's /usr/bin/python3 (tests/gis/; ~900 MB
        # with Qt, installed without recommends; docs/gis-clients.md).
        packages="$packages gdal-bin python3-qgis"
        ;;
    *) echo "unknown flag: $flag" >&2; exit 2 ;;
    esac
done

missing=""
for package in $packages; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $package"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    echo "installing:$missing" >&2
    apt-get update -qq
    # shellcheck disable=SC2086 # word splitting of the package list is intended
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "Observo needs these Debian packages:$missing" >&2
    echo "run:  sudo apt-get install -y$missing" >&2
    exit 1
fi

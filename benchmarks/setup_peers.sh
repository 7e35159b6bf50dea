#!/bin/sh
# Create (or refresh) benchmarks/.venv-peers with the pinned peers: tipg + uvicorn, pygeoapi +
# gunicorn and its PostgreSQL provider. Idempotent: reinstalls only when the pins change.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
venv="$here/.venv-peers"
pins="$here/peers/requirements.txt"
python=${PYTHON:-python3}

test -x "$venv/bin/python" || "$python" -m venv "$venv"
if ! cmp -s "$pins" "$venv/.installed" 2>/dev/null; then
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q -r "$pins"
    cp "$pins" "$venv/.installed"
fi
"$venv/bin/python" -c "import tipg, pygeoapi; print('peers: tipg', tipg.__version__, '/ pygeoapi', pygeoapi.__version__)"

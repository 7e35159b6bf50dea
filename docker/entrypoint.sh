#!/bin/sh
# Container entrypoint: bring the schema up to date, then serve (default) or run the given command.
set -eu

observo db upgrade

if [ "$#" -eq 0 ] || [ "$1" = "serve" ]; then
    # Workers, threads, timeouts, JSON access log and shared metrics: observo/gunicorn_conf.py.
    export OBSERVO_BIND="${OBSERVO_BIND:-0.0.0.0:8000}"
    exec gunicorn -c python:observo.gunicorn_conf observo.wsgi:app
fi

exec "$@"

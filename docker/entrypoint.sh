#!/bin/sh
# Container entrypoint: bring the schema up to date, then serve (default) or run the given command.
set -eu

observo db upgrade

if [ "$#" -eq 0 ] || [ "$1" = "serve" ]; then
    exec gunicorn --bind 0.0.0.0:8000 --workers "${WEB_CONCURRENCY:-2}" \
        --access-logfile - observo.wsgi:app
fi

exec "$@"

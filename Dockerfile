# Observo: gunicorn serving observo.wsgi:app as a non-root user, with SpatiaLite available.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OBSERVO_INSTANCE_PATH=/app/instance \
    OBSERVO_BIND=0.0.0.0:8000

# mod_spatialite for the embedded SpatiaLite database (loaded through pysqlite3-binary).
# Pango and a font for WeasyPrint (the intervention brief as PDF).
# postgresql-client for `observo backup` on PostGIS (pg_dump 15, as the compose file's server).
# DL3008 (pin apt versions) ignored: Debian security updates drop old versions, so pins break rebuilds.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-mod-spatialite \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core postgresql-client \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, for layer caching: package metadata plus an empty package is enough for
# setuptools to resolve and install install_requires; this layer is rebuilt only when they change.
COPY setup.cfg pyproject.toml README* ./
RUN mkdir observo \
    && touch observo/__init__.py \
    && pip install --no-cache-dir -e . \
    && rm -rf observo

# The project itself. It stays in /app: the app finds migrations/ and static/ next to the package.
COPY . .
# Re-run the editable install (no dependencies) so the installed mapping matches the real sources.
# A writable home lets gunicorn create its control socket (~/.gunicorn) as the non-root user.
RUN pip install --no-cache-dir --no-deps -e . \
    && pybabel -q compile -d observo/translations \
    && groupadd --gid 10001 observo \
    && useradd --uid 10001 --gid observo --create-home --home-dir /home/observo \
        --shell /usr/sbin/nologin observo \
    && mkdir -p /app/instance \
    && chown observo:observo /app/instance

VOLUME ["/app/instance"]
USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# Migrate (observo db upgrade), then serve with gunicorn (observo/gunicorn_conf.py: workers from the
# cores or WEB_CONCURRENCY, JSON logs, metrics shared through PROMETHEUS_MULTIPROC_DIR); any other
# command runs after migrating.
ENTRYPOINT ["/bin/sh", "/app/docker/entrypoint.sh"]
CMD ["serve"]

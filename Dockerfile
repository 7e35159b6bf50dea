# Observo: gunicorn serving observo.wsgi:app as a non-root user, with SpatiaLite available.
# Two stages: `build` installs the hashed lock into a virtualenv, vendors the pinned browser assets
# from the npm lock, compiles the catalogue and builds the wheel; the image gets the virtualenv
# with that wheel installed, and no source tree (docs/architecture.md, "Packaging").
FROM python:3.11-slim-bookworm AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PATH=/opt/observo/bin:$PATH

# npm only to install package-lock.json's packages (nothing is fetched at run time).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends npm \
    && rm -rf /var/lib/apt/lists/* \
    && python -m venv /opt/observo

WORKDIR /src

# Dependencies first, for layer caching: rebuilt only when the lock changes.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

COPY . .
RUN rm -rf build dist observo/vendor \
    && python scripts/vendor_assets.py \
    && pybabel -q compile -d observo/translations \
    && pip wheel --no-deps -w /dist . \
    && pip install --no-deps /dist/observo-*.whl


FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/observo/bin:$PATH \
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

# The virtualenv: the locked dependencies and Observo from its wheel (static/, migrations/, the
# catalogue and the vendored assets are package data inside it).
COPY --from=build /opt/observo /opt/observo
COPY docker/entrypoint.sh /usr/local/bin/observo-entrypoint

# A writable home lets gunicorn create its control socket (~/.gunicorn) as the non-root user.
RUN groupadd --gid 10001 observo \
    && useradd --uid 10001 --gid observo --create-home --home-dir /home/observo \
        --shell /usr/sbin/nologin observo \
    && mkdir -p /app/instance \
    && chown observo:observo /app/instance

WORKDIR /app
VOLUME ["/app/instance"]
USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# Migrate (observo db upgrade), then serve with gunicorn (observo/gunicorn_conf.py: workers from the
# cores or WEB_CONCURRENCY, JSON logs, metrics shared through PROMETHEUS_MULTIPROC_DIR); any other
# command runs after migrating.
ENTRYPOINT ["/bin/sh", "/usr/local/bin/observo-entrypoint"]
CMD ["serve"]

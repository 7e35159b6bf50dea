# Observo: two commands on a fresh Debian machine.
#   make run   set up, migrate, seed the demo, serve on http://127.0.0.1:5000 (SpatiaLite; HOST=, PORT=)
#   make test  set up (with dev tools and PostGIS when a local PostgreSQL exists) and run the suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
DEMO_USER := agente@moncalieri.example.it
DEMO_VIEWER := stazione@carabinieri-nichelino.example.it
DEMO_OWNER := negozio@pasticceriadelcastello.example.it
PYTEST_ARGS ?= -n 2

.PHONY: run test setup setup-dev vendor wheel lock lint fuzz bench bench-visibility load clean messages

# Python dependencies from the hashed lock (every extra: PDF, vector tiles, Redis), then Observo itself
# in editable mode without dependencies (docs/architecture.md, "Packaging").
$(BIN)/observo: setup.cfg setup.py pyproject.toml requirements.lock
	scripts/system-packages.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	$(BIN)/pybabel -q compile -d observo/translations
	touch $@

# The pinned browser assets are vendored on every setup; if npm cannot run, the pages still load them
# from the CDN (only the offline fallback is missing), so `make run` goes on with a warning.
setup: $(BIN)/observo
	@$(MAKE) --no-print-directory vendor || echo "WARNING: make vendor failed (see above): the pages \
	will load Leaflet and Swagger UI from the CDN only, with no offline copy" >&2

$(VENV)/.dev: $(BIN)/observo requirements-dev.lock
	$(BIN)/pip install -q --require-hashes -r requirements-dev.lock
	touch $@

# The npm lock's packages: the browser tests serve the CDN files from them, and `make vendor` copies
# the pinned ones into observo/vendor/ (package data: the offline fallback, docs/offline.md).
node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { [ "$$(id -u)" -eq 0 ] && apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null; } \
		|| { echo "install npm: sudo apt-get install -y npm" >&2; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund

# Standard library only (runs before the virtualenv exists); checks each copy against its SRI hash.
vendor: node_modules/.package-lock.json
	$(PYTHON) scripts/vendor_assets.py

setup-dev: $(VENV)/.dev node_modules/.package-lock.json vendor

# The wheel (static/, migrations/, translations and observo/vendor/ inside the package) into dist/.
wheel: setup vendor
	$(BIN)/pybabel -q compile -d observo/translations
	rm -rf build
	$(BIN)/pip wheel -q --no-deps -w dist .

# Re-pin the Python dependencies after changing setup.cfg (any platform, Python >= 3.11, with hashes;
# existing pins are kept unless UPGRADE=--upgrade).
UPGRADE ?=
lock: setup-dev
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile -q setup.cfg --extra all --universal --python-version 3.11 --generate-hashes \
		--custom-compile-command "make lock" $(UPGRADE) -o requirements.lock
	$(BIN)/uv pip compile -q setup.cfg --extra all --extra dev --universal --python-version 3.11 \
		--generate-hashes --custom-compile-command "make lock" $(UPGRADE) -o requirements-dev.lock

# `make run` serves plain http on $(HOST): a Secure session cookie would never come back.
run: export OBSERVO_SESSION_COOKIE_SECURE = 0
run: setup
	$(BIN)/observo db upgrade
	$(BIN)/observo seed-demo
	@$(BIN)/observo token revoke --email $(DEMO_VIEWER) --name make-run >/dev/null 2>&1 || true
	@token=$$($(BIN)/observo token create --email $(DEMO_VIEWER) --name make-run --expires-days 1); \
	echo ""; \
	echo "  Observo:  http://$(HOST):$(PORT)/   (API docs: http://$(HOST):$(PORT)/api/v1/docs)"; \
	echo "  Accesso demo / demo login:  $(DEMO_USER)  password: observo-demo  (editor, Moncalieri)"; \
	echo "  Proprietario / owner login: http://$(HOST):$(PORT)/proprietari/accedi  $(DEMO_OWNER)  password: observo-demo"; \
	echo "  Public (anonymous) view:    curl http://$(HOST):$(PORT)/api/v1/cameras"; \
	echo "  Police view (demo token):   curl -H 'Authorization: Bearer $$token' http://$(HOST):$(PORT)/api/v1/cameras"; \
	echo ""
	$(BIN)/observo run --host $(HOST) --port $(PORT)

test: setup-dev
	scripts/system-packages.sh --postgis --browser --gis-clients
	$(BIN)/pybabel -q compile -d observo/translations
	@url=$$(scripts/test-postgis.sh) || { echo "PostGIS unavailable: its tests will be skipped (CI requires them)"; url=""; }; \
	OBSERVO_TEST_POSTGRES_URL=$$url OBSERVO_TEST_REQUIRE_POSTGIS=$${OBSERVO_TEST_REQUIRE_POSTGIS:-$${url:+1}} \
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(BIN)/ruff check .

lint: setup-dev
	$(BIN)/ruff check .

# The API fuzzed from its OpenAPI document, and the input properties, with many more examples than
# `make test` runs (random seeds each time: a new failure prints its reproduction). Both databases.
FUZZ_EXAMPLES ?= 200
fuzz: setup-dev
	@url=$$(scripts/test-postgis.sh) || { echo "PostGIS unavailable" >&2; exit 1; }; \
	OBSERVO_TEST_POSTGRES_URL=$$url OBSERVO_TEST_REQUIRE_POSTGIS=1 OBSERVO_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
	OBSERVO_FUZZ_RANDOM=1 $(BIN)/python -m pytest $(PYTEST_ARGS) tests/api/test_openapi_fuzz.py \
		tests/api/test_input_properties.py tests/domain/test_input_properties.py

clean:
	rm -rf $(VENV) node_modules observo/vendor build dist .pytest_cache .ruff_cache .hypothesis *.egg-info \
		test-artifacts

# Refresh the catalogue after changing strings: extract (templates, Python, JS), merge into it/.
messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project Observo -o observo/translations/messages.pot .
	$(BIN)/pybabel update -i observo/translations/messages.pot -d observo/translations \
		--no-fuzzy-matching --ignore-obsolete

# Benchmark against the peers on a synthetic PostGIS database (never part of `make test`).
#   make bench                                  1,000,000 cameras, full passes (~20 min)
#   make bench BENCH_ARGS="--n 50000 --quick"   smoke run
BENCH_ARGS ?=
bench: setup-dev
	@command -v wrk >/dev/null || { [ "$$(id -u)" -eq 0 ] && apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; } \
		|| { echo "install wrk: sudo apt-get install -y wrk" >&2; exit 1; }
	@command -v pgbench >/dev/null || { echo "pgbench is missing (Debian: postgresql-client)" >&2; exit 1; }
	benchmarks/setup_peers.sh
	$(BIN)/python -m benchmarks.run --load $(BENCH_ARGS)

# Visible areas at scale (issue 20): 100,000 cameras among ~200,000 synthetic footprints in PostGIS
# (database observo_vis_bench and its copy observo_vis_bench_sectors, recreated): the recompute's
# cameras/s, then who-sees and coverage on visible areas vs sectors (benchmarks/VISIBILITY.md).
#   make bench-visibility                                   full run (~15 min on 2 free cores)
#   make bench-visibility BENCH_VISIBILITY_ARGS="--skip-load --no-queries --workers 1"
BENCH_VISIBILITY_ARGS ?=
bench-visibility: setup-dev
	$(BIN)/python -m benchmarks.visibility_scale $(BENCH_VISIBILITY_ARGS)

# Loopback load test (issue 8): 100,000 synthetic cameras + the demo in PostGIS (database
# observo_load, recreated), gunicorn with observo/gunicorn_conf.py, wrk read mix at 64 connections
# for 60 s, each read endpoint alone, then the editor's write mix. Fails on any 5xx or socket error.
#   make load                                   full run (~6 min)
#   make load LOAD_ARGS="--skip-load --duration 10 --endpoint-seconds 0 --write-duration 10"
LOAD_ARGS ?=
load: setup
	@command -v wrk >/dev/null || { [ "$$(id -u)" -eq 0 ] && apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; } \
		|| { echo "install wrk: sudo apt-get install -y wrk" >&2; exit 1; }
	$(BIN)/python -m benchmarks.resilience_load $(LOAD_ARGS)

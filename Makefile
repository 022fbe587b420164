# Tandem's set-up and checks. Two commands matter on a fresh machine:
#   make demo   — install everything, load the demo project, serve it on http://127.0.0.1:8000/
#   make test   — install everything, then run the checks and the whole test suite
# Both are safe to run again.

SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python
TANDEM := $(VENV)/bin/tandem
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/tandem
APT_PACKAGES := chromium fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

.PHONY: demo serve test test-sqlite test-browser test-postgres check install install-system assets lint clean

## install: the Python environment (uv, from the lockfile), front-end packages, translations
install: $(VENV)/.installed assets

$(VENV)/.installed: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || [ -x "$(UV)" ] || $(PYTHON) -m pip install --quiet --user uv || $(PYTHON) -m pip install --quiet uv
	@# Compiled bytecode is written at install: where it is not (uv's default, or a read-only venv,
	@# or PYTHONDONTWRITEBYTECODE), every `tandem` command compiles its libraries again (0.6 s).
	@UV=$$(command -v uv || echo "$(UV)"); $$UV sync --frozen --extra redis --quiet --compile-bytecode
	@touch $@

assets: $(VENV)/.installed
	@if [ -f package-lock.json ]; then npm ci --silent --no-audit --no-fund; fi
	@$(TANDEM) build_assets
	@$(TANDEM) compile_translations

## install-system: Debian packages the browser tests and PDFs need (only when missing and root)
install-system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Missing Debian packages:$$missing (browser tests will be skipped)"; fi; \
	fi

demo: install
	@TANDEM_HTTPS=0 $(TANDEM) migrate --no-input -v0
	@TANDEM_HTTPS=0 $(TANDEM) collectstatic --no-input -v0
	@TANDEM_HTTPS=0 TANDEM_SITE_URL=http://$(HOST):$(PORT) $(TANDEM) demo
	@TANDEM_HTTPS=0 TANDEM_SITE_URL=http://$(HOST):$(PORT) $(TANDEM) serve --host $(HOST) --port $(PORT)

serve: install
	@$(TANDEM) migrate --no-input -v0 && $(TANDEM) collectstatic --no-input -v0 && $(TANDEM) serve --host $(HOST) --port $(PORT)

## test: static checks, then the suite on SQLite (with the browser tests)
test: install install-system check test-sqlite test-browser

check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy tandem tandem_engine
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

test-sqlite: install
	$(VENV)/bin/pytest -q -m "not browser" -n 2 -p no:cacheprovider

## test-browser: the Playwright tests, each run once: they wait for the state an action produces
## (an element, a response, the Gantt's aria-busy), never for a fixed time.
test-browser: install install-system
	$(VENV)/bin/pytest -q -m browser -p no:cacheprovider

## test-postgres: the same suite on PostgreSQL (PG_URL; the test database is created and dropped)
test-postgres: install
	TANDEM_DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest -q -m "not browser" -n 2 -p no:cacheprovider

clean:
	rm -rf $(VENV) node_modules tandem/web/static/vendor

# Statewide Micro-Credential Inventory: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
WORKERS ?= 2
export FLASK_APP := wsgi

USWDS_DIST := node_modules/@uswds/uswds/dist
VENDOR     := app/static/vendor

.PHONY: run serve-prod test check bench lint install install-test assets clean

## run: install, migrate, seed, index and serve on http://127.0.0.1:$(PORT)
run: install assets
	$(BIN)/flask db upgrade
	$(BIN)/flask seed
	$(BIN)/flask search rebuild
	@$(BIN)/flask users demo-logins --port $(PORT)
	$(BIN)/gunicorn -c gunicorn.conf.py --workers $(WORKERS) --bind 127.0.0.1:$(PORT) wsgi:app

## serve-prod: migrate the database at DATABASE_URL (default: SQLite in instance/), then serve
## with gunicorn.conf.py (BIND, WEB_CONCURRENCY); APP_ENV is production unless set otherwise,
## so SECRET_KEY must be set
serve-prod: export APP_ENV ?= production
serve-prod: install assets
	$(BIN)/flask db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

## test: install what the tests need, run the checks, then the whole suite; with
## TEST_DATABASE_URL, the whole suite once more on PostgreSQL with its own search backend
test: install-test assets check
	$(BIN)/pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "The whole suite again on PostgreSQL with SEARCH_BACKEND=postgres:"; \
		TEST_SEARCH_BACKEND=postgres $(BIN)/pytest; \
	fi

## check: ruff (with its security rules), bandit, and pip-audit of every installed package
# pip-audit asks PyPI's advisory data (https://pypi.org/pypi/NAME/VERSION/json) about each
# package; --strict fails on any it cannot audit. Where that data cannot be reached at all
# (a network that only mirrors the package index), the audit cannot run: that is said
# plainly, and the other checks still decide.
check: install-test
	$(BIN)/ruff check app tests
	$(BIN)/bandit -ll -q -r app
	@if $(BIN)/python -c "import urllib.request as u, importlib.metadata as m; u.urlopen('https://pypi.org/pypi/flask/%s/json' % m.version('flask'), timeout=10)" 2>/dev/null; then \
		timeout 180 $(BIN)/pip-audit --local --skip-editable --strict --timeout 10 \
			--progress-spinner off || { \
			echo "pip-audit failed: a package above has a known vulnerability, or PyPI's" \
			     "vulnerability data stopped answering (see the error above)." >&2; exit 1; }; \
	else \
		echo "pip-audit NOT RUN: PyPI's vulnerability data (pypi.org/pypi/NAME/VERSION/json) cannot be reached from here."; \
	fi

## bench: search latency at 1,000 / 10,000 / 100,000 entries (not part of `make test`)
bench: install-test assets
	$(BIN)/python -m tests.bench.search_bench
	$(BIN)/python -m tests.bench.insights_bench

lint: install-test
	$(BIN)/ruff check app tests
	$(BIN)/ruff format --check app tests

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The U.S. Web Design System is installed from npm at setup; its compiled assets are not committed.
$(VENDOR)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/uswds $(VENDOR)/axe $(VENDOR)/swagger-ui
	cp -r $(USWDS_DIST)/css $(USWDS_DIST)/js $(USWDS_DIST)/fonts $(USWDS_DIST)/img $(VENDOR)/uswds/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe/
	cp node_modules/swagger-ui-dist/swagger-ui.css node_modules/swagger-ui-dist/swagger-ui-bundle.js $(VENDOR)/swagger-ui/
	@touch $@

assets: $(VENDOR)/.installed

clean:
	rm -rf $(VENV) node_modules $(VENDOR) instance search_index/index-* search_index/CURRENT

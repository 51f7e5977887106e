# `make maps` builds every figure and report into site/; `make test` runs the checks.
# Both set themselves up from nothing: a .venv, the package, and the Debian
# packages the tests need. Re-running is fast: the install step re-runs only when
# pyproject.toml changes.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SITE   ?= site
# root installs directly; otherwise sudo if present
SUDO   := $(shell [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != 0 ] && echo sudo)

.PHONY: maps test test-fast lint chromium qgis postgis setup bench clean help

help:
	@echo "make maps   build figures 1-8, overview, prints, reports and claims into $(SITE)/"
	@echo "make test   lint and type check, unit tests, doctests, browser tests and notebooks"
	@echo "make bench  time geo.measure against its peers, start-up and geo site (writes docs/benchmarks.md)"

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Browser tests and thumbnails drive Debian's Chromium; labels and prints need a CJK
# font (fonts-noto-cjk). Both are installed here when missing.
chromium:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
		echo "installing Debian's chromium and fonts-noto-cjk (browser tests, thumbnails, prints)"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

# `geo export --format qgis` and its tests drive PyQGIS, which Debian packages for its
# own Python (/usr/bin/python3): installed here when missing.
qgis:
	@if ! /usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1; then \
		echo "installing Debian's qgis and python3-qgis (geo export --format qgis)"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends qgis python3-qgis >/dev/null; \
	fi

# The PostGIS store's tests start a throw-away PostgreSQL 15 + PostGIS 3 cluster
# (initdb in a temporary folder, as the postgres user); Debian's packages are
# installed here when missing.
postgis:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
		! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then \
		echo "installing Debian's postgresql-15-postgis-3 (PostGIS store tests)"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq postgresql-15 postgresql-15-postgis-3 >/dev/null; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(STAMP) chromium qgis postgis lint
	$(BIN)/python -m pytest --nbmake --doctest-modules geo tests notebooks

# The quick loop while editing: everything but the tests that drive an outside program
# (Chromium, Jupyter, a wheel build, a PostgreSQL server, PyQGIS; tests/conftest.py
# marks them by file and fixture) and those marked slow (whole-site builds, 1e5-1e6
# points, the corrupt-file matrix beyond one cell per command and per damage, the
# palette on figures beyond two, cases whose sibling runs here: the GeoPackage large
# layer, one of three warm commands, two unreadable-file processes; eight racing editors, the
# QGIS project opened and printed in PyQGIS), with 25 examples per property test,
# spread over every core, each module on one worker, the longest modules handed out
# first (tests/conftest.py LONGEST_FIRST). Compiled modules and pytest's rewritten test
# modules are kept in __pycache__ even where PYTHONDONTWRITEBYTECODE is set (as in many
# containers): each worker would compile them all again. No lint, no Chromium: `make
# test` stays the full suite CI runs.
test-fast: $(STAMP)
	PYTHONDONTWRITEBYTECODE= GEO_TEST_EXAMPLES=25 $(BIN)/python -m pytest -q -n auto --dist loadscope --no-loadscope-reorder \
		-m "not browser and not notebook and not packaging and not postgis and not qgis and not slow" \
		--doctest-modules geo tests

# One process builds the whole site (`geo site`): the reports, claims, prints and
# report.pdf, the locate page, the self-contained copies in site/offline/ (no network
# at all, for intranets), their thumbnails when Chromium is present, the online maps
# and the index pages. Only what changed is rebuilt: site/.build-manifest.json keeps
# a hash of each output's inputs and of the files written.
maps: $(STAMP) chromium
	$(BIN)/geo site --out $(SITE)

# hyperfine times the start-up commands when present (else repeated runs are timed).
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	@command -v hyperfine >/dev/null 2>&1 || $(SUDO) env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq hyperfine >/dev/null 2>&1 || echo "hyperfine not installed: repeated runs"
	$(BIN)/python scripts/bench_measure.py --maps --write docs/benchmarks.md

clean:
	rm -rf $(SITE) .pytest_cache

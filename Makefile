# Two commands set up everything from a bare machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test bench browser install-browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("amazon-credits needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# A browser only where none is found: Debian's chromium when apt is there, Playwright's own elsewhere.
browser: $(STAMP)
	@$(PY) -m scraper.browser >/dev/null 2>&1 || $(MAKE) --no-print-directory install-browser
	@echo "browser: $$($(PY) -m scraper.browser)"

install-browser:
	if command -v apt-get >/dev/null 2>&1; then \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; \
	else \
	  $(PY) -m playwright install chromium; \
	fi

demo: browser
	$(VENV)/bin/amazon-credits demo

test: browser
	$(PY) -m pytest -q

bench: browser
	$(PY) tests/bench.py

clean:
	rm -rf $(VENV) .pytest_cache

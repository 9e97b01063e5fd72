# Two commands set up everything from a bare machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# -n: never stop to ask for a password; a failed install says so instead of hanging.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)

.PHONY: demo test bench browser install-browser test-tools clean

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

# ledger checks the ledger export's balance assertions; without it those tests skip and say why.
test-tools:
	@command -v ledger >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq ledger; } || \
	  echo "could not install ledger: the ledger export tests will skip"

test: browser test-tools
	$(PY) -m pytest -q

bench: browser
	$(PY) tests/bench.py

clean:
	rm -rf $(VENV) .pytest_cache

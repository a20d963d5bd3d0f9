# The two commands a new user needs (see README):
#   make site   set up a virtualenv, install modelhub with what the shipped catalog needs, build cards/ into site/
#   make test   the same setup plus test tools and Debian's chromium, then the whole test suite
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
export OMP_NUM_THREADS ?= 1
export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1

.PHONY: site test setup setup-test system-packages clean bench

site: setup
	$(BIN)/modelhub build --site-dir site

test: setup-test
	$(BIN)/python -m pytest -q

setup: $(VENV)/.installed

# torch first, pinned: 2.13.0 is the machine's local CPU build; anything else would pull CUDA wheels.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[ml]'
	touch $@

setup-test: setup system-packages $(VENV)/.installed-test

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[ml,test]'
	touch $@

# Debian's chromium for the browser tests; never let a tool download its own browser.
system-packages:
	@if [ ! -x /usr/bin/chromium ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver; \
	fi

bench: setup-test
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf site .modelhub-cache

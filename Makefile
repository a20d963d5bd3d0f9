# The two commands a new user needs (see README):
#   make site   set up a virtualenv from the committed lock, install modelhub, build cards/ into site/
#   make test   the same setup plus Debian's chromium, then the whole test suite
# Other targets: test-fast (no browser, no real models), lock (refresh the lock on purpose),
# wheel, bench, demo-model, keras-preset.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
PIP     = $(BIN)/pip install -q --disable-pip-version-check
LOCK    = requirements/lock.txt
NODEPS  = requirements/no-deps.txt
export OMP_NUM_THREADS ?= 1
export HF_HUB_OFFLINE ?= 1
export TRANSFORMERS_OFFLINE ?= 1
export KERAS_BACKEND ?= torch

.PHONY: site test test-fast setup setup-test system-packages lock wheel clean bench demo-model keras-preset

site: setup
	$(BIN)/modelhub build --site-dir site

# lint-imports first: a stage importing a later one (or an import cycle) fails the build before any test runs
test: setup-test
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q

test-fast: setup-test
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q -m "not slow and not browser"

# Every package comes from the committed lock (torch first: 2.13.0 is the machine's local CPU build, and installing
# it on its own keeps pip from ever considering a CUDA wheel). modelhub itself goes in editable, without resolving.
setup: $(VENV)/.installed

$(VENV)/.installed: $(LOCK) $(NODEPS) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) "$$(grep -E '^torch==' $(LOCK))"
	$(PIP) -r $(LOCK)
	$(PIP) --no-deps -r $(NODEPS)
	$(PIP) --no-deps --no-build-isolation -e .
	touch $@

setup-test: setup system-packages

# Debian's chromium for the browser tests; never let a tool download its own browser.
system-packages:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver; \
	fi

# Refresh the lock on purpose: newest releases within pyproject.toml and requirements/constraints.in, then a fresh
# environment from it, then every card whose stored results the new versions make stale is run again (auto mode
# executes only what is missing or stale), and the lock and the new results are committed together.
lock: setup
	$(BIN)/pip-compile -q --upgrade --all-extras --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links -c requirements/constraints.in -o $(LOCK) pyproject.toml
	$(BIN)/python requirements/refresh_no_deps.py $(NODEPS)
	rm -f $(VENV)/.installed
	$(MAKE) setup
	$(BIN)/modelhub run cards --mode auto --write
	$(BIN)/modelhub bench cards --mode auto --write
	git add $(LOCK) $(NODEPS) cards
	git commit -m "Refresh the lock; re-run the cards it makes stale" || echo "nothing changed"

wheel: setup
	$(BIN)/python -m build --wheel --no-isolation --outdir dist

# Retrain the shipped demo ALBERT classifier (deterministic: the same zip, byte for byte, as the card declares).
demo-model: setup
	$(BIN)/python -m generator.demo.train_albert --train cards/data/demo_sentiment_train.csv \
		--eval cards/data/demo_sentiment_eval.csv --out cards/artifacts/demo_albert_sentiment_en.zip

# Rebuild the tiny stand-in preset the Keras page's examples load as albert_base_en_uncased (same zip, byte for byte).
keras-preset: setup
	$(BIN)/python -m generator.demo.keras_preset --out cards/artifacts/albert_base_en_uncased_standin.zip

bench: setup-test
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf site dist .modelhub-cache

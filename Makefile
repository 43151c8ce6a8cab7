# seatcast: every target sets up what it needs by itself (a .venv installed from the lock file).
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
LOCK ?= requirements/all.txt
STAMP := $(VENV)/.installed-$(shell cat $(LOCK) pyproject.toml | cksum | cut -d' ' -f1)
CORE_VENV ?= .venv-core
UV_COMPILE = uv pip compile --quiet --generate-hashes --python-version 3.11 \
	--python-platform x86_64-unknown-linux-gnu pyproject.toml requirements/build.in

.PHONY: setup demo test test-core lint bench browser lock clean

# The locked versions, with hashes, then seatcast itself (editable, no further resolution).
$(STAMP): $(LOCK) pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r $(LOCK)
	$(PY) -m pip install -q --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

# Refresh the locks on purpose (uv's resolver); then `make test` and commit them.
lock:
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q uv
	PATH="$(abspath $(BIN)):$$PATH" $(UV_COMPILE) --extra all --extra dev -o requirements/all.txt
	PATH="$(abspath $(BIN)):$$PATH" $(UV_COMPILE) --extra dev -o requirements/core.txt

# Debian's chromium for the browser tests (skipped where it cannot be installed, failed in CI).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium not installed: browser tests will be skipped"; fi; }

demo: setup
	$(BIN)/seatcast elections
	$(BIN)/seatcast models fit
	$(BIN)/seatcast results ge2019 "Derby North"
	$(BIN)/seatcast project --base ge2019n24 --polls ge2024 --model transition
	$(BIN)/seatcast backtest all --model all --inputs polls
	$(BIN)/seatcast backtest all --model all --inputs actual

lint: setup
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/mypy
	$(BIN)/lint-imports

test: setup browser lint
	$(BIN)/pytest -q --basetemp=.pytest-tmp

# The suite on a plain install (no extras): tests that need an extra skip, naming it.
test-core:
	$(MAKE) VENV=$(CORE_VENV) LOCK=requirements/core.txt setup
	SEATCAST_REQUIRE_ALL= $(CORE_VENV)/bin/pytest -q --basetemp=.pytest-tmp-core -p no:cacheprovider

# The simulation engine at 10k, 100k and 1M simulations (numpy and numba), then the web load test.
bench: setup
	$(PY) benchmarks/bench_simulate.py --max 1000000 --accel both
	$(PY) benchmarks/load_web.py --clients 50 --seconds 30 --server-workers 2

clean:
	rm -rf $(VENV) $(CORE_VENV) .pytest_cache .mypy_cache .ruff_cache

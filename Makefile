# seatcast: every target sets up what it needs by itself (a .venv with the package and its extras).
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: setup demo test lint bench browser clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[all,dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

# Debian's chromium for the browser tests (skipped where it cannot be installed, failed in CI).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium not installed: browser tests will be skipped"; fi; }

demo: setup
	$(BIN)/seatcast elections
	$(BIN)/seatcast results ge2019 "Derby North"
	$(BIN)/seatcast project --base ge2019n24 --polls ge2024 --model transition
	$(BIN)/seatcast backtest all --model all --inputs polls
	$(BIN)/seatcast backtest all --model all --inputs actual

lint: setup
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/mypy

test: setup browser lint
	$(BIN)/pytest -q --basetemp=.pytest-tmp

# The simulation engine at 10k, 100k and 1M simulations (numpy and numba), then the web load test.
bench: setup
	$(PY) benchmarks/bench_simulate.py --max 1000000 --accel both
	$(PY) benchmarks/load_web.py --clients 50 --seconds 30

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

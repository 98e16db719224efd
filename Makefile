# Two commands for newcomers: `make demo` and `make test`. Everything else is plumbing.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
export PIP_CACHE_DIR ?= $(CURDIR)/.cache/pip
export WARTA_KAFKA_CACHE ?= $(CURDIR)/.cache/kafka
export WARTA_SHARED ?= $(abspath $(CURDIR)/../shared)

.PHONY: install demo test system-deps lint typecheck unit schemas bench bench-stages clean

# pip install -e builds the compiled hot path (six Cython extensions, streams/*/_*_hot.pyx and
# streams/core/_hot.pyx, with the .pxd they cimport) with the machine's gcc: a change to any of them reinstalls.
$(VENV)/.installed: pyproject.toml setup.py $(wildcard streams/*/*.pyx streams/*/*.pxd)
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) -m streams demo

lint: install
	$(VENV)/bin/ruff check streams tests bench scripts
	$(VENV)/bin/ruff format --check streams tests bench scripts
	$(PY) scripts/check_complexity.py > /dev/null
	$(PY) -m streams docs check

typecheck: install
	$(VENV)/bin/mypy streams

schemas: install
	$(PY) -m streams schemas check

unit: install
	$(PY) -m pytest -q -m "not kafka and not postgres and not prometheus and not browser"

# Installs the Debian packages the tests use when run as root; otherwise says which command does.
system-deps:
	bash scripts/system-deps.sh

test: system-deps lint typecheck schemas
	$(PY) -m pytest -q -p no:cacheprovider

bench: install
	$(PY) -m bench.run --save

# In-process per-stage times of this tree against a baseline commit (BENCH_BASELINE, default af7d607).
bench-stages: install
	$(PY) -m bench.stages --save

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache

# The only set-up commands a fresh machine needs are `make demo` and `make test`:
# each creates .venv and installs what is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export CITYCREDIT_HOME ?= $(CURDIR)/.citycredit

.PHONY: install demo up down test lint bench lock clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

# uv resolves Airflow + GX in seconds where pip backtracks for minutes; constraints.txt pins the set CI tested.
# Bytecode is compiled at install: where PYTHONDONTWRITEBYTECODE is set (as on CI's machine) every Airflow task
# process would otherwise compile Airflow and GX again on import.
$(VENV)/.installed: pyproject.toml requirements/constraints.txt | $(BIN)/uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -c requirements/constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/citycredit demo

# The local Airflow (api-server, scheduler, dag-processor, triggerer) on the demo's warehouse; prints the URL and
# the sign-in. `make down` stops it and the embedded warehouse.
up: install
	$(BIN)/citycredit up $(if $(PORT),--port $(PORT))

down:
	@if [ -x $(BIN)/citycredit ]; then $(BIN)/citycredit down; fi

# The suite runs on one pytest-xdist worker per core; tests/conftest.py keeps on one worker what must not run twice at
# once (the Airflow services) or is set up once per module. TEST_WORKERS=0 runs it in this one process.
TEST_WORKERS ?= auto
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# ruff, then mypy over include/citycredit ([tool.mypy] in pyproject.toml).
lint: install
	$(BIN)/ruff check include dags plugins tests
	$(BIN)/mypy

bench: install
	$(BIN)/citycredit bench

# Re-pin the dependency set after changing pyproject.toml.
lock: | $(BIN)/uv
	$(BIN)/uv pip compile --quiet --python $(BIN)/python --extra dev pyproject.toml -o requirements/constraints.txt

# Stops what runs on the data directory first: deleting it under a running PostgreSQL would leave the server orphaned.
clean: down
	rm -rf $(VENV) $(CITYCREDIT_HOME)

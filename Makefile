# Portail: `make run` serves the demo on http://127.0.0.1:8000/ (web server and task worker),
# `make test` runs every test, one process per core (pytest-xdist, a test file per process).
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

.PHONY: run test install demo messages lint migrations-check clean

$(STAMP): pyproject.toml constraints.txt
	@base=$$(PYTHON="$(PYTHON)" scripts/find-python) || exit 1; \
	  [ -x "$(PY)" ] || { echo "Creating $(VENV) with $$base"; "$$base" -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo
	PY=$(PY) scripts/serve 127.0.0.1:8000

demo: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo

test: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

messages: $(STAMP)
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) var

# The verbs people type. `make demo` and `make test` are the two quick-start commands.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo serve test test-fast lint format messages worker beat bench check-deploy clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Set up everything and run the portal on SQLite with tasks in-process.
demo: export DEBUG ?= true
demo: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

serve: $(STAMP)
	DEBUG=true $(BIN)/python manage.py runserver $(HOST):$(PORT)

# The whole suite: PostgreSQL when DATABASE_URL is set, SQLite otherwise.
test: $(STAMP)
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv -v 0
	bash scripts/ensure-browser.sh
	$(BIN)/pytest -n 2 --dist loadgroup -p no:cacheprovider

# The quick loop: no browser journeys.
test-fast: $(STAMP)
	$(BIN)/pytest -m "not browser" -x -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l cy --ignore=.venv --ignore=staticfiles --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore=.venv

worker: $(STAMP)
	$(BIN)/celery -A partnership worker --loglevel=INFO --concurrency=2

beat: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/celery -A partnership beat --loglevel=INFO

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

check-deploy: $(STAMP)
	DEBUG=false SECRET_KEY=$$(openssl rand -hex 40) ALLOWED_HOSTS=portal.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# The two commands a newcomer needs: `make run` and `make test`. Each sets up .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test system-deps test-fast lint format bench clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $@

run: $(VENV)/.installed  ## serve the archive on http://127.0.0.1:5000
	$(BIN)/dialogue-kg serve

system-deps:  ## chromium and virtuoso-t: installed as root with apt-get, else one line saying how
	@./scripts/system-deps

test: system-deps $(VENV)/.installed  ## the whole test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.installed  ## skip slow, server and browser tests
	$(BIN)/python -m pytest -m "not slow and not server and not browser" $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed  ## benchmarks; results in bench/results/
	$(BIN)/python -m bench.run

translations: $(VENV)/.installed  ## extract UI strings, update and compile the catalogues
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location -w 100 -o webapp/translations/messages.pot .
	$(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations -w 100 --no-fuzzy-matching
	$(BIN)/python webapp/translations/transliterate.py
	$(BIN)/pybabel compile -d webapp/translations --statistics

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info

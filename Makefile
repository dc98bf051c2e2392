# maillage: the two commands of the README.
#   make run   install, load the demo territory into the embedded FalkorDB, start the viewer
#   make test  install (with test tools: chromium, the Neo4j Cypher linter), run the tests
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN     = $(VENV)/bin
PORT   ?= 5000

.PHONY: run test install install-test browser cypher-lint clean

run: install
	$(BIN)/maillage load --demo --progress; test $$? -le 1
	$(BIN)/maillage serve --port $(PORT)

test: install-test browser cypher-lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

install-test: $(VENV)/.installed-test
$(VENV)/.installed-test: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

# Debian's chromium for the page tests (as root through apt; otherwise say what to install)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Please install Debian's chromium: sudo apt-get install chromium" >&2; exit 2; fi; }

# Neo4j's own Cypher linter (npm @neo4j-cypher/language-support), pinned by tests/cypher_lint/package-lock.json
cypher-lint:
	@if [ -f tests/cypher_lint/package.json ]; then \
	  cd tests/cypher_lint && { [ -d node_modules ] || npm ci --silent --no-audit --no-fund; }; fi

clean:
	rm -rf $(VENV) .pytest_cache

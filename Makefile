# eleven: make targets. Plain `make` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install demo test lint bench completions man check clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[mock,test,book]'
	$(BIN)/python -m compileall -q src >/dev/null  # bytecode, as a wheel install has (PYTHONDONTWRITEBYTECODE skips it)
	@touch $(STAMP)

MANPAGE := $(VENV)/share/man/man1/eleven.1

# An editable install skips data files: put the man page where `man` looks for a bin/ on PATH
# (../share/man), so `man eleven` works with .venv/bin on PATH.
$(MANPAGE): man/eleven.1 $(STAMP)
	install -D -m 644 man/eleven.1 $(MANPAGE)

install: $(STAMP) $(MANPAGE) ## create .venv and install eleven with the mock extra and test tools

demo: install ## start `eleven mock`, then speak, stream, perform a dialogue and write files into demo-out/
	sh docs/demo.sh

test: install ## run the test suite (starts `eleven mock` on free loopback ports)
	$(BIN)/python -m pytest -q

lint: install ## ruff and mypy
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

bench: install ## benchmarks against the official SDK, curl and mpv; writes bench/results.md and a chart
	@command -v mpv >/dev/null 2>&1 || echo "make bench: mpv is not installed (apt-get install mpv): the SDK + mpv baseline is skipped"
	$(BIN)/python -m pip install --quiet pillow
	$(BIN)/python -m compileall -q src >/dev/null  # time the code, not its compilation
	$(BIN)/python bench/run.py

completions: install ## regenerate completions/ from the app
	$(BIN)/python -m eleven_cli.cli.docgen completions completions

man: install ## regenerate man/eleven.1 (and the pre-rendered `eleven --help`) from the app
	$(BIN)/python -m eleven_cli.cli.docgen man > man/eleven.1
	$(BIN)/python -m eleven_cli.cli.docgen help > src/eleven_cli/cli/_help.py.new
	mv src/eleven_cli/cli/_help.py.new src/eleven_cli/cli/_help.py

check: lint test ## lint, test, and fail if generated files drifted
	$(MAKE) completions man
	git diff --exit-code -- completions man src/eleven_cli/cli/_help.py

clean: ## remove the virtualenv and build output
	rm -rf $(VENV) build dist src/*.egg-info demo-out

# Set-up and everyday tasks. `make site` and `make test` are all a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Re-install only when the package's requirements change.
STAMP := $(VENV)/.installed

.PHONY: site pdf test lint schema reference clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,lint]'
	touch $(STAMP)

site: $(STAMP)
	$(BIN)/golive build

# The printable runbooks as PDF too (needs the Pango library: apt-get install libpango-1.0-0 libpangoft2-1.0-0).
pdf: $(STAMP)
	$(BIN)/golive build --pdf

# Debian's chromium, Pango, a font and pdftoppm are installed first when missing (.ci/system-packages).
test: $(STAMP)
	bash .ci/system-packages
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check generator tests bench
	$(BIN)/ruff format --check generator tests bench
	$(BIN)/mypy

schema: $(STAMP)
	$(BIN)/golive schema

# docs/reference.md, the field reference, from the models' field descriptions (tests/test_reference.py checks it).
reference: $(STAMP)
	$(BIN)/python -m generator.authoring.reference > docs/reference.md

clean:
	rm -rf site .pytest_cache .mypy_cache .ruff_cache

# Two commands for a fresh machine: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export HAYSTACK_TELEMETRY_ENABLED := False
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
APT_PACKAGES := tesseract-ocr tesseract-ocr-ind poppler-utils qpdf
# only the tests need these: a real browser for the page tests, docker-compose to validate the compose file
TEST_APT_PACKAGES := chromium chromium-driver docker-compose

.PHONY: run run-es test setup system-deps test-system-deps apt-install ingest serve bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)

# torch first, pinned. pip finds no CPU-only build on PyPI for this machine, so this is PyPI's
# CUDA build (~3 GB of wheels, a 5.8 GB venv, 2 min 48 s for `make setup` here): it runs on CPU.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "torch==2.13.0"
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

setup: system-deps $(VENV)/.installed

# Debian packages the product needs (OCR, PDF rasterising). Installed only when missing.
system-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES)"

test-system-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES) $(TEST_APT_PACKAGES)"

apt-install:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

ingest: setup
	$(BIN)/jdih ingest regulations/

serve: setup
	$(BIN)/jdih serve --host $(HOST) --port $(PORT)

run: setup ingest serve

# The same product on a local Elasticsearch node (Elastic's minimal distribution from Maven Central,
# needs Java 17+ and Maven; pipelines/stores/es_local.py): the node's data and the control file in data-es/.
ES_DATA ?= data-es
run-es: setup
	JDIH_DATA_DIR=$(ES_DATA) $(BIN)/python -m pipelines.stores.es_local --data $(ES_DATA)/node -- \
	  bash -c '$(BIN)/jdih ingest regulations/ && exec $(BIN)/jdih serve --host $(HOST) --port $(PORT)'

test: test-system-deps setup
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

bench: setup
	$(BIN)/python benchmarks/parse_bench.py

clean:
	rm -rf $(VENV) data data-es .pytest_cache

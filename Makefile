# Two commands matter: `make run` to try the portal, `make test` to test it.
.DEFAULT_GOAL := help
.PHONY: help run test lint format messages lock bench clean

PYTEST_ARGS ?=
# `make bench` fits in 10 minutes; BENCH_DOSSIERS=1000000 is the full size.
BENCH_DOSSIERS ?= 100000
BENCH_ARGS ?=

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

run: ## Run the portal with demo data on 127.0.0.1:8000 (SQLite, no Redis)
	@scripts/run.sh

test: ## Lint, check migrations and run every test against PostgreSQL and Redis
	@scripts/test.sh $(PYTEST_ARGS)

lint: ## ruff check and format check
	@scripts/venv.sh
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: ## Format and fix what ruff can
	@scripts/venv.sh
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

messages: ## Extract translatable strings into locale/*/django.po
	@scripts/venv.sh
	.venv/bin/python manage.py makemessages -l vi --no-obsolete --ignore=.venv --ignore=var --ignore=bench
	.venv/bin/python manage.py compile_translations

lock: ## Re-resolve the lock files from pyproject.toml (needs uv)
	uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements.lock
	uv pip compile pyproject.toml --group dev --python-version 3.11 --generate-hashes -o requirements-dev.lock

bench: ## Load scenarios on gunicorn at BENCH_DOSSIERS dossiers; writes bench/results/
	@scripts/bench.sh --dossiers $(BENCH_DOSSIERS) $(BENCH_ARGS)

clean: ## Remove the virtualenv and local data
	rm -rf .venv var test-artifacts

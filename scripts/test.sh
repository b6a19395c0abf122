#!/usr/bin/env bash
# The whole test run: system packages, services, lint, migrations check,
# translations, then pytest (browser journeys included) against PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/system-deps.sh
scripts/venv.sh
# The national identity provider the tests sign in with (oidc-provider, npm).
scripts/identity-provider.sh install
# axe-core and the Nu HTML Checker, which check every page the browser visits.
scripts/page-checks.sh install

mkdir -p var
state=var/test-services.started
trap 'scripts/services.sh stop "$state"' EXIT
scripts/services.sh start "$state"

export DATABASE_URL=${TEST_DATABASE_URL:-postgres://portal:portal@127.0.0.1:5432/portal}
export CELERY_BROKER_URL=${TEST_CELERY_BROKER_URL:-redis://127.0.0.1:6379/15}
export DJANGO_ALLOW_ASYNC_UNSAFE=true
# The tests speak plain HTTP to 127.0.0.1; a deployment's default is to
# redirect it to HTTPS (tests/portal/test_deploy_check.py checks that default).
export SECURE_SSL_REDIRECT=false

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== migrations"
.venv/bin/python manage.py makemigrations --check --dry-run
echo "== translations"
.venv/bin/python manage.py compile_translations
echo "== pytest"
.venv/bin/pytest "$@"

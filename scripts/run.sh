#!/usr/bin/env bash
# Try the portal: SQLite, tasks in-process, demo data, on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/venv.sh
# Receipts and results are PDFs: WeasyPrint needs Pango and fonts from Debian.
scripts/system-deps.sh --pdf

export DEBUG=${DEBUG:-true}
export CELERY_TASK_ALWAYS_EAGER=true
export DATABASE_URL=${DATABASE_URL:-sqlite:///$PWD/var/portal.sqlite3}
mkdir -p var

.venv/bin/python manage.py compile_translations
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo
echo
echo "The portal is at http://127.0.0.1:${PORT:-8000}/ (Ctrl+C to stop)."
exec .venv/bin/python manage.py runserver "127.0.0.1:${PORT:-8000}"

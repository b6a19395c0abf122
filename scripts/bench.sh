#!/usr/bin/env bash
# The benchmark (bench/README.md): system packages, services, then bench/run.py,
# which starts and stops its own gunicorn. Arguments go to bench/run.py.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/system-deps.sh --bench
scripts/venv.sh

mkdir -p var
state=var/bench-services.started
trap 'scripts/services.sh stop "$state"' EXIT
scripts/services.sh start "$state"

.venv/bin/python -m bench.run "$@"

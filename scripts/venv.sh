#!/usr/bin/env bash
# Create .venv and install the locked dependencies, once per lock file version.
set -euo pipefail
cd "$(dirname "$0")/.."

LOCK=requirements-dev.lock
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}

if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    # Debian's system Python ships venv separately.
    echo "Installing python3-venv (needed to create the virtualenv)..."
    rm -rf .venv
    apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv
    "$PYTHON" -m venv .venv
  fi
fi

stamp=".venv/.installed-$(sha256sum "$LOCK" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "Installing Python dependencies from $LOCK..."
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet --require-hashes -r "$LOCK"
  rm -f .venv/.installed-*
  touch "$stamp"
fi

#!/usr/bin/env bash
# Install a package.json's locked dependencies (npm ci), once per lock file version.
#
#   scripts/npm-ci.sh DIR "what it is for"
set -euo pipefail
dir=${1:?directory with package-lock.json}
what=${2:-$dir}
cd "$dir"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Node.js and npm are needed for $what (apt-get install nodejs npm)." >&2
  exit 1
fi
stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "Installing $what (npm ci)..."
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

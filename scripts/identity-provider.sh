#!/usr/bin/env bash
# The development identity provider (a stand-in for VNeID, built on the npm
# package oidc-provider; see scripts/identity-provider/README.md).
#
#   scripts/identity-provider.sh install        npm ci, once per lock file version
#   scripts/identity-provider.sh run CONFIG     run it in the foreground
set -euo pipefail
cd "$(dirname "$0")/identity-provider"

install() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "Node.js and npm are needed for the identity provider (apt-get install nodejs npm)." >&2
    return 1
  fi
  local stamp
  stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    echo "Installing the development identity provider (npm ci)..."
    npm ci --no-audit --no-fund --loglevel=error
    touch "$stamp"
  fi
}

case "${1:-}" in
  install) install ;;
  run) install && exec node provider.mjs --config "${2:?config file}" ;;
  *) echo "usage: $0 install | run CONFIG" >&2; exit 2 ;;
esac

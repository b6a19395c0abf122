#!/usr/bin/env bash
# The development identity provider (a stand-in for VNeID, built on the npm
# package oidc-provider; see scripts/identity-provider/README.md).
#
#   scripts/identity-provider.sh install        npm ci, once per lock file version
#   scripts/identity-provider.sh run CONFIG     run it in the foreground
set -euo pipefail
cd "$(dirname "$0")/identity-provider"

install() {
  ../npm-ci.sh . "the development identity provider"
}

case "${1:-}" in
  install) install ;;
  run) install && exec node provider.mjs --config "${2:?config file}" ;;
  *) echo "usage: $0 install | run CONFIG" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# What the browser suite checks every page it visits with (tests/e2e/page_checks.py):
# axe-core for WCAG 2.2 A/AA and the Nu HTML Checker (vnu.jar, on Debian's Java),
# both from the npm registry.
#
#   scripts/page-checks.sh install
set -euo pipefail
cd "$(dirname "$0")"
case "${1:-}" in
  install)
    command -v java >/dev/null || { echo "Java is needed for the Nu HTML Checker (apt-get install default-jre-headless)." >&2; exit 1; }
    ./npm-ci.sh page-checks "the page checkers (axe-core, vnu)"
    ;;
  *) echo "usage: $0 install" >&2; exit 2 ;;
esac

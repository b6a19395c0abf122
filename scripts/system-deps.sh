#!/usr/bin/env bash
# Install the Debian packages the test suite needs, skipping what is present.
set -euo pipefail

# Usage: system-deps.sh          everything the test suite needs (Node.js too)
#        system-deps.sh --pdf    only what WeasyPrint needs to render PDFs
#        system-deps.sh --bench  what `make bench` needs: the services, the PDF
#                                libraries and the load generator (wrk)
PDF_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra)
SERVICE_PACKAGES=(postgresql postgresql-contrib redis-server)
# Only the benchmark uses these; the test suite does not install them.
BENCH_PACKAGES=(wrk)
PACKAGES=(
  "${PDF_PACKAGES[@]}"
  "${SERVICE_PACKAGES[@]}" gettext poppler-utils libnss3-tools chromium
)
case "${1:-}" in
  --pdf) PACKAGES=("${PDF_PACKAGES[@]}") ;;
  --bench) PACKAGES=("${PDF_PACKAGES[@]}" "${SERVICE_PACKAGES[@]}" "${BENCH_PACKAGES[@]}") ;;
esac

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# The tests' OpenID provider (and `make run`'s) runs on Node.js, which may
# come from another source than Debian's packages; install it only if absent.
if [ "${1:-}" != "--pdf" ] && [ "${1:-}" != "--bench" ]; then
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  # The Nu HTML Checker the browser suite validates every page with runs on Java.
  command -v java >/dev/null || missing+=(default-jre-headless)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

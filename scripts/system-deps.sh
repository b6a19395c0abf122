#!/usr/bin/env bash
# Install the Debian packages the test suite needs, skipping what is present.
set -euo pipefail

# Usage: system-deps.sh          everything the test suite needs
#        system-deps.sh --pdf    only what WeasyPrint needs to render PDFs
PDF_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-dejavu-extra)
PACKAGES=(
  "${PDF_PACKAGES[@]}"
  postgresql postgresql-contrib redis-server gettext poppler-utils chromium
)
if [ "${1:-}" = "--pdf" ]; then
  PACKAGES=("${PDF_PACKAGES[@]}")
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

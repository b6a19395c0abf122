#!/usr/bin/env bash
# Try the portal: SQLite, tasks in-process, demo data, on 127.0.0.1:8000, with
# a development national identity provider (VNeID stand-in) on 127.0.0.1:8001.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-8000}
IDP_PORT=${IDENTITY_PROVIDER_PORT:-8001}

scripts/venv.sh
# Receipts and results are PDFs: WeasyPrint needs Pango and fonts from Debian.
scripts/system-deps.sh --pdf

export DEBUG=${DEBUG:-true}
export CELERY_TASK_ALWAYS_EAGER=true
export DATABASE_URL=${DATABASE_URL:-sqlite:///$PWD/var/portal.sqlite3}
# Links in e-mails, PDFs, QR codes and the status list name the port served.
export PORTAL_BASE_URL=${PORTAL_BASE_URL:-http://127.0.0.1:$PORT}
mkdir -p var

.venv/bin/python manage.py compile_translations
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo

# The development identity provider, so that "Sign in with VNeID" works with
# the demo identities. Without Node.js the portal runs without it.
provider_pid=""
stop_provider() { [ -n "$provider_pid" ] && kill "$provider_pid" 2>/dev/null || true; }
trap stop_provider EXIT
if [ -z "${OIDC_ISSUER:-}" ] && scripts/identity-provider.sh install; then
  config=var/identity-provider.json
  cat > "$config" <<JSON
{
  "host": "127.0.0.1",
  "port": $IDP_PORT,
  "identitiesFile": "demo-identities.json",
  "clients": [{
    "client_id": "portal-development",
    "client_secret": "development-only-secret",
    "redirect_uris": ["http://127.0.0.1:$PORT/accounts/national-id/callback/",
                      "http://localhost:$PORT/accounts/national-id/callback/"],
    "post_logout_redirect_uris": ["http://127.0.0.1:$PORT/", "http://localhost:$PORT/"]
  }]
}
JSON
  coproc PROVIDER { node scripts/identity-provider/provider.mjs --config "$config" 2>var/identity-provider.log; }
  provider_pid=$PROVIDER_PID
  if read -r -t 20 ready <&"${PROVIDER[0]}" && [[ "$ready" == READY* ]]; then
    export OIDC_ISSUER=${ready#READY }
    export OIDC_CLIENT_ID=portal-development OIDC_CLIENT_SECRET=development-only-secret
    echo
    echo "Development VNeID at $OIDC_ISSUER (never for production). Demo identities:"
    .venv/bin/python - <<'PY'
import json
for person in json.load(open("scripts/identity-provider/demo-identities.json")):
    print(f"  citizen ID {person['login']}  password {person['password']}  {person['claims']['name']}")
PY
  else
    echo "The development identity provider did not start (see var/identity-provider.log);"
    echo "the portal runs without VNeID sign-in."
    stop_provider
    provider_pid=""
  fi
else
  [ -n "${OIDC_ISSUER:-}" ] || echo "The portal runs without VNeID sign-in."
fi

echo
echo "The portal is at http://127.0.0.1:${PORT}/ (Ctrl+C to stop)."
.venv/bin/python manage.py runserver "127.0.0.1:${PORT}"

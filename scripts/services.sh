#!/usr/bin/env bash
# Start PostgreSQL and Redis on 127.0.0.1 when they are not already answering,
# create the portal's database role, and stop only what this script started.
#
#   scripts/services.sh start STATE_FILE   # records what it started in STATE_FILE
#   scripts/services.sh stop STATE_FILE
set -euo pipefail

action=${1:?start or stop}
state=${2:?state file}
PG_ROLE=portal
PG_PASSWORD=portal

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432; }
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

start() {
  : > "$state"
  if ! pg_up; then
    read -r version cluster _ < <(pg_lsclusters -h | head -n 1)
    echo "Starting PostgreSQL $version/$cluster on 127.0.0.1:5432"
    pg_ctlcluster "$version" "$cluster" start
    echo "postgresql $version $cluster" >> "$state"
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
  # A role with a password works under Debian's default (scram) host rules and
  # under trust alike. CREATEDB lets pytest create its test database.
  as_postgres psql -q -v ON_ERROR_STOP=1 -d postgres <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE') THEN
    CREATE ROLE $PG_ROLE LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  END IF;
END \$\$;
SQL
  # The database the test settings name; pytest creates its own test_ copy,
  # and `manage.py makemigrations --check` looks at this one.
  if ! as_postgres psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'portal'" | grep -q 1; then
    as_postgres createdb -O "$PG_ROLE" portal
  fi
  if ! redis_up; then
    echo "Starting Redis on 127.0.0.1:6379"
    redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no
    echo "redis" >> "$state"
    for _ in $(seq 1 30); do redis_up && break; sleep 0.2; done
  fi
}

stop() {
  [ -f "$state" ] || return 0
  while read -r name version cluster; do
    case "$name" in
      postgresql) echo "Stopping PostgreSQL"; pg_ctlcluster "$version" "$cluster" stop ;;
      redis) echo "Stopping Redis"; redis-cli -h 127.0.0.1 -p 6379 shutdown nosave || true ;;
    esac
  done < "$state"
  rm -f "$state"
}

"$action"

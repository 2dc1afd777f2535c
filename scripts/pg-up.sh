#!/usr/bin/env bash
# Starts a local PostgreSQL 15 on 127.0.0.1:5432 for the tests and makes
# sure the role `zhiyuan` (password `zhiyuan`, CREATEDB) exists. Prints the
# admin URL the tests use to create their own databases, and nothing else on
# stdout: callers capture it. Needs root (as in CI) or an already running
# server that accepts the role.
set -euo pipefail
URL="postgresql://zhiyuan:zhiyuan@127.0.0.1:5432/postgres"

start() {
  if command -v psql >/dev/null && psql "$URL" -Atc 'SELECT 1' >/dev/null 2>&1; then
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "pg-up: PostgreSQL is not reachable at 127.0.0.1:5432 as zhiyuan, and only root can start it here"
    return 1
  fi
  if ! command -v pg_ctlcluster >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local ver
  ver=$(ls /usr/lib/postgresql | sort -n | tail -1)
  if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$ver main$"; then
    pg_createcluster "$ver" main >/dev/null
  fi
  # A server killed hard leaves pid and socket lock files behind; pg_ctl
  # clears the first, postgres the second once their pids are gone, which
  # can take a moment: try a few times.
  for _ in 1 2 3 4 5; do
    pg_ctlcluster "$ver" main start && break
    pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $4}' | grep -q online && break
    sleep 1
  done
  for _ in $(seq 1 50); do
    su postgres -c "psql -Atc 'SELECT 1'" >/dev/null 2>&1 && break
    sleep 0.2
  done
  su postgres -c "psql -v ON_ERROR_STOP=1 -q" <<'SQL' >/dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'zhiyuan') THEN
    CREATE ROLE zhiyuan LOGIN PASSWORD 'zhiyuan' CREATEDB;
  END IF;
END $$;
SQL
  psql "$URL" -Atc 'SELECT 1' >/dev/null
}

# pg_ctlcluster prints to stdout ("Removed stale pid file."), and the server
# it starts must not hold the caller's pipe open: all of it goes to stderr.
start >&2
echo "$URL"

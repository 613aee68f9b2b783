#!/usr/bin/env bash
# Makes sure PostgreSQL answers on 127.0.0.1:5432 before the tests run.
# Already up: nothing to do. Installed but stopped: start the cluster and wait.
# Not installed: fine on a laptop (the PostgreSQL tests skip themselves), a
# failure in CI (CI=true), where both stores must be tested.
set -euo pipefail

if [ -n "${HERALD_TEST_PG_URL:-}" ]; then
  echo "tests use HERALD_TEST_PG_URL; not starting a local PostgreSQL"
  exit 0
fi

if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "PostgreSQL is up on 127.0.0.1:5432"
  exit 0
fi

if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] && [ -n "$(ls /etc/postgresql 2>/dev/null)" ]; then
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  echo "starting PostgreSQL $version (cluster main)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 60); do
    if pg_isready -q -h 127.0.0.1 -p 5432; then
      echo "PostgreSQL is up on 127.0.0.1:5432"
      exit 0
    fi
    sleep 0.5
  done
  echo "PostgreSQL $version did not become ready on 127.0.0.1:5432 within 30 s" >&2
  exit 1
fi

if [ "${CI:-}" = "true" ] || [ -n "${CI:-}" ]; then
  echo "PostgreSQL is not installed (no pg_ctlcluster / /etc/postgresql) and CI is set:" >&2
  echo "the PostgreSQL store must be tested in CI. Install postgresql, or set HERALD_TEST_PG_URL to a reachable server." >&2
  exit 1
fi
echo "PostgreSQL is not installed: the PostgreSQL tests will be skipped (they run in CI)"

#!/usr/bin/env bash
# Sourced by .ci/run (and usable by hand: `source .ci/services.sh && start_test_services`).
# Installs PostgreSQL and Redis from Debian, starts them on loopback for the tests, and exports
# TEST_POSTGRES_URL and TEST_REDIS_URL. Idempotent: running it again reuses what is installed and running.

TEST_PG_PORT="${TEST_PG_PORT:-5432}"
TEST_PG_USER="vault_test"
TEST_PG_PASSWORD="vault_test"
TEST_PG_DB="vault_test"
TEST_REDIS_PORT="${TEST_REDIS_PORT:-6390}"

start_test_services() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if [ -x /usr/bin/pg_ctlcluster ] && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && [ -x /usr/bin/redis-server ]; then
    echo "== postgresql and redis-server already installed"
  else
    echo "== installing postgresql, redis-server"
    local policy_added=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null && $sudo chmod +x /usr/sbin/policy-rc.d && policy_added=1
    fi
    $sudo apt-get update -q >/dev/null
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql redis-server >/dev/null \
      || echo "!! apt-get install failed: the PostgreSQL and Redis tests will fail in CI"
    [ -n "$policy_added" ] && $sudo rm -f /usr/sbin/policy-rc.d
  fi

  # PostgreSQL: the packaged cluster (created by the package), on 127.0.0.1 only.
  local version cluster
  version="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n1)"
  if [ -n "$version" ]; then
    cluster="$(pg_lsclusters -h 2>/dev/null | awk -v v="$version" '$1 == v { print $2; exit }')"
    if [ -z "$cluster" ]; then
      cluster="main"
      $sudo pg_createcluster "$version" "$cluster" -p "$TEST_PG_PORT" >/dev/null || echo "!! pg_createcluster failed"
    fi
    local port
    port="$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c { print $3 }')"
    TEST_PG_PORT="${port:-$TEST_PG_PORT}"
    if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1 == v && $2 == c { print $4 }' | grep -q online; then
      $sudo pg_ctlcluster "$version" "$cluster" start -- -o "-c listen_addresses=127.0.0.1" >/dev/null 2>&1 \
        || $sudo pg_ctlcluster "$version" "$cluster" start || echo "!! could not start PostgreSQL"
    fi
    local i
    for i in $(seq 1 30); do
      if pg_isready -q -h 127.0.0.1 -p "$TEST_PG_PORT"; then break; fi
      sleep 1
    done
    run_psql() { if [ -z "$sudo" ]; then su postgres -c "psql -p $TEST_PG_PORT -v ON_ERROR_STOP=1 -qtA -c \"$1\""; else sudo -u postgres psql -p "$TEST_PG_PORT" -v ON_ERROR_STOP=1 -qtA -c "$1"; fi; }
    if [ "$(run_psql "SELECT 1 FROM pg_roles WHERE rolname = '$TEST_PG_USER'")" != "1" ]; then
      run_psql "CREATE ROLE $TEST_PG_USER LOGIN CREATEDB PASSWORD '$TEST_PG_PASSWORD'" >/dev/null
    fi
    if [ "$(run_psql "SELECT 1 FROM pg_database WHERE datname = '$TEST_PG_DB'")" != "1" ]; then
      run_psql "CREATE DATABASE $TEST_PG_DB OWNER $TEST_PG_USER" >/dev/null
    fi
    export TEST_POSTGRES_URL="postgresql://$TEST_PG_USER:$TEST_PG_PASSWORD@127.0.0.1:$TEST_PG_PORT/$TEST_PG_DB"
    echo "== PostgreSQL $version/$cluster on 127.0.0.1:$TEST_PG_PORT"
  fi

  # Redis: a private, memory-only instance on its own port (the package's service stays off).
  if command -v redis-server >/dev/null; then
    if ! redis-cli -p "$TEST_REDIS_PORT" ping >/dev/null 2>&1; then
      redis-server --port "$TEST_REDIS_PORT" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no >/dev/null \
        || echo "!! could not start redis-server"
      for i in $(seq 1 30); do
        if redis-cli -p "$TEST_REDIS_PORT" ping >/dev/null 2>&1; then break; fi
        sleep 0.2
      done
    fi
    export TEST_REDIS_URL="redis://127.0.0.1:$TEST_REDIS_PORT"
    echo "== Redis on 127.0.0.1:$TEST_REDIS_PORT"
  fi
}

#!/usr/bin/env bash
# Sourced by .ci/run (and usable by hand: `source .ci/services.sh && start_test_services`).
# Installs PostgreSQL, MariaDB and Redis from Debian, starts them on loopback for the tests, and exports
# TEST_POSTGRES_URL, TEST_MYSQL_URL and TEST_REDIS_URL. Idempotent: running it again reuses what is installed
# and running.

TEST_PG_PORT="${TEST_PG_PORT:-5432}"
TEST_PG_USER="vault_test"
TEST_PG_PASSWORD="vault_test"
TEST_PG_DB="vault_test"
TEST_REDIS_PORT="${TEST_REDIS_PORT:-6390}"
TEST_MYSQL_PORT="${TEST_MYSQL_PORT:-3307}"
TEST_MYSQL_USER="vault_test"
TEST_MYSQL_PASSWORD="vault_test"
TEST_MYSQL_DB="vault_test"
# The private MariaDB instance's data folder (its socket, pid file and error log live there too).
TEST_MYSQL_DIR="${TEST_MYSQL_DIR:-/var/tmp/vault-test-mariadb-$TEST_MYSQL_PORT}"

start_test_services() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  local packages=""
  { [ -x /usr/bin/pg_ctlcluster ] && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; } || packages="$packages postgresql"
  [ -x /usr/bin/redis-server ] || packages="$packages redis-server"
  { [ -x /usr/sbin/mariadbd ] && command -v mariadb-install-db >/dev/null && command -v mariadb >/dev/null; } || packages="$packages mariadb-server"
  if [ -z "$packages" ]; then
    echo "== postgresql, redis-server and mariadb-server already installed"
  else
    echo "== installing$packages"
    local policy_added=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null && $sudo chmod +x /usr/sbin/policy-rc.d && policy_added=1
    fi
    $sudo apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $packages >/dev/null \
      || echo "!! apt-get install failed: the PostgreSQL, MariaDB and Redis tests will fail in CI"
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

  # MariaDB: a private instance (its own data folder, port and socket; no configuration file, no systemd) on
  # 127.0.0.1 only. The package's own service stays off. Its SQL mode is MySQL 8's default, the stricter one.
  if [ -x /usr/sbin/mariadbd ] && command -v mariadb-install-db >/dev/null; then
    local mdir="$TEST_MYSQL_DIR" socket="$TEST_MYSQL_DIR/mysqld.sock" os_user
    os_user="$(id -un)"
    # As root the server runs as the package's `mysql` user (mariadbd refuses root); otherwise as this user.
    local run_as=()
    [ "$os_user" = "root" ] && run_as=(--user=mysql)
    run_mariadb() { mariadb --no-defaults --socket="$socket" -u "$os_user" -N -B -e "$1"; }
    if ! mariadb-admin --no-defaults --socket="$socket" -u "$os_user" ping >/dev/null 2>&1; then
      if [ ! -d "$mdir/mysql" ]; then
        rm -rf "$mdir" && mkdir -p "$mdir"
        [ "$os_user" = "root" ] && chown mysql:mysql "$mdir"
        # Accounts: root and this OS user, both by unix socket only (no password).
        mariadb-install-db --no-defaults "${run_as[@]}" --datadir="$mdir" --auth-root-authentication-method=socket \
          --skip-test-db >"$mdir/install.log" 2>&1 || echo "!! mariadb-install-db failed (see $mdir/install.log)"
      fi
      setsid /usr/sbin/mariadbd --no-defaults "${run_as[@]}" --datadir="$mdir" --socket="$socket" --pid-file="$mdir/mysqld.pid" \
        --log-error="$mdir/error.log" --port="$TEST_MYSQL_PORT" --bind-address=127.0.0.1 --skip-networking=0 \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
        --sql-mode=ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION \
        --innodb-buffer-pool-size=128M --innodb-flush-log-at-trx-commit=2 --skip-name-resolve --max-connections=300 \
        </dev/null >/dev/null 2>&1 &
      for i in $(seq 1 60); do
        if mariadb-admin --no-defaults --socket="$socket" -u "$os_user" ping >/dev/null 2>&1; then break; fi
        sleep 0.5
      done
      mariadb-admin --no-defaults --socket="$socket" -u "$os_user" ping >/dev/null 2>&1 || echo "!! could not start MariaDB (see $mdir/error.log)"
    fi
    if [ "$(run_mariadb "SELECT COUNT(*) FROM mysql.user WHERE user = '$TEST_MYSQL_USER' AND host = '127.0.0.1'" 2>/dev/null)" != "1" ]; then
      # Tests create and drop their own databases: all privileges on every database.
      run_mariadb "CREATE USER IF NOT EXISTS '$TEST_MYSQL_USER'@'127.0.0.1' IDENTIFIED BY '$TEST_MYSQL_PASSWORD';
        GRANT ALL PRIVILEGES ON *.* TO '$TEST_MYSQL_USER'@'127.0.0.1';" || echo "!! could not create the MariaDB user $TEST_MYSQL_USER"
    fi
    run_mariadb "CREATE DATABASE IF NOT EXISTS $TEST_MYSQL_DB" || echo "!! could not create the MariaDB database $TEST_MYSQL_DB"
    export TEST_MYSQL_URL="mysql://$TEST_MYSQL_USER:$TEST_MYSQL_PASSWORD@127.0.0.1:$TEST_MYSQL_PORT/$TEST_MYSQL_DB"
    echo "== MariaDB $(/usr/sbin/mariadbd --version | awk '{ print $3 }') on 127.0.0.1:$TEST_MYSQL_PORT ($mdir)"
  fi
}

#!/usr/bin/env bash
# A real PostgreSQL streaming replica of the local server, for tests and CI (issue 21).
#
#   scripts/pg_replica.sh ensure-hba        # idempotent: allow replication from 127.0.0.1 (trust)
#   scripts/pg_replica.sh start PORT DIR    # pg_basebackup -R into DIR, start a standby on PORT
#   scripts/pg_replica.sh stop PORT DIR     # stop it and remove DIR
#
# PRIMARY_HOST / PRIMARY_PORT / PRIMARY_USER (127.0.0.1 / 5432 / postgres). The standby runs as
# the postgres OS user when started as root (PostgreSQL refuses to run as root).
set -euo pipefail

PRIMARY_HOST=${PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
PRIMARY_USER=${PRIMARY_USER:-postgres}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_hba() {
  local hba
  hba=$(psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" -Atc "SHOW hba_file")
  if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
    echo "host replication all 127.0.0.1/32 trust" >>"$hba"
    psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" -qAtc "SELECT pg_reload_conf()" >/dev/null
    sleep 1
  fi
}

start() {
  local port=$1 dir=$2
  stop "$port" "$dir" >/dev/null 2>&1 || true
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  chmod 700 "$dir"
  as_pg "$BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" \
    -D "$dir/data" -R -X stream -c fast
  # Debian keeps postgresql.conf and pg_hba.conf in /etc: the copy gets small ones of its own.
  as_pg tee "$dir/data/pg_hba.conf" >/dev/null <<HBA
local all all trust
host all all 127.0.0.1/32 trust
HBA
  as_pg touch "$dir/data/pg_ident.conf"
  as_pg tee "$dir/data/postgresql.conf" >/dev/null <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
hot_standby = on
hot_standby_feedback = on
max_connections = $(psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" -Atc "SHOW max_connections")
max_worker_processes = $(psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PRIMARY_USER" -Atc "SHOW max_worker_processes")
shared_buffers = 32MB
CONF
  as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 start >/dev/null
  for _ in $(seq 1 30); do
    if [ "$(psql -h 127.0.0.1 -p "$port" -U "$PRIMARY_USER" -Atc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = t ]; then
      return 0
    fi
    sleep 1
  done
  echo "replica on port $port did not come up; log:" >&2
  cat "$dir/log" >&2
  return 1
}

stop() {
  local port=$1 dir=$2
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_pg "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  ensure-hba) ensure_hba ;;
  start) ensure_hba; start "$2" "$3" ;;
  stop) stop "$2" "$3" ;;
  *) echo "usage: $0 ensure-hba | start PORT DIR | stop PORT DIR" >&2; exit 2 ;;
esac

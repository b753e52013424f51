#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for Lifeguard: never the system cluster.
# Usage: eng/pg.sh init|start|stop|status|psql|url [--data DIR] [--port N] [--pool]
#   url --pool  appends the website's pool settings (sized with `lifeguard size`/`sweep`, see README)
#   defaults: --data .data/pg  --port 54329   (test.sh uses its own dir and port)
# Application role: lifeguard / $LIFEGUARD_PG_PASSWORD (default "lifeguard"), scram over TCP,
# database "lifeguard"; pg_stat_statements and auto_explain are preloaded.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-status}; shift || true
data="$root/.data/pg"
port=54329
pool=0
# The website's pool on this machine: the advisor's size for the measured dashboard load (README,
# "Sizing the website's pool"), a Timeout well inside the 10 s request budget, a bounded lifetime.
website_pool="Maximum Pool Size=8;Minimum Pool Size=2;Timeout=3;Connection Lifetime=3600"
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --pool) pool=1; shift ;;
    *) echo "pg.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$data" in /*) ;; *) data="$root/$data" ;; esac
password=${LIFEGUARD_PG_PASSWORD:-lifeguard}
bin=/usr/lib/postgresql/15/bin
[ -x "$bin/pg_ctl" ] || { echo "pg.sh: PostgreSQL 15 is not installed (run eng/prereqs.sh)" >&2; exit 1; }

# postgres refuses to run as root: run as the postgres OS user when we are root.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The data dir must be reachable by the postgres user. A clone under /root is not, so the
# cluster then lives under /var/tmp and $data becomes a symlink to it.
prepare_dir() {
  mkdir -p "$(dirname "$data")"
  if [ -L "$data" ] && [ -d "$(readlink -f "$data")" ]; then return; fi
  mkdir -p "$data"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$data"; chmod 700 "$data"
    if ! runuser -u postgres -- test -w "$data"; then
      local alt; alt="/var/tmp/lifeguard-pg-$(echo "$data" | md5sum | cut -c1-12)"
      rmdir "$data"; mkdir -p "$alt"; chown postgres:postgres "$alt"; chmod 700 "$alt"
      ln -s "$alt" "$data"
    fi
  fi
}

sockdir() { echo "$(readlink -f "$data")/socket"; }

is_running() {
  [ -f "$data/postmaster.pid" ] || return 1
  local pid; pid=$(head -1 "$data/postmaster.pid")
  [ -n "$pid" ] && [ -d "/proc/$pid" ] && grep -q postgres "/proc/$pid/comm" 2>/dev/null
}

do_init() {
  prepare_dir
  if [ -f "$data/PG_VERSION" ]; then return; fi
  echo "pg: initialising cluster in $data"
  local pwfile; pwfile=$(mktemp); echo "$password" > "$pwfile"; chmod 644 "$pwfile"
  as_pg "$bin/initdb" -D "$(readlink -f "$data")" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
    --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  as_pg mkdir -p "$(sockdir)"
  as_pg tee -a "$data/postgresql.conf" >/dev/null <<CONF
# --- Lifeguard private cluster ---
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$(sockdir)'
max_connections = 100
shared_buffers = 256MB
password_encryption = scram-sha-256
shared_preload_libraries = 'pg_stat_statements,auto_explain'
pg_stat_statements.track = all
auto_explain.log_min_duration = '1s'
auto_explain.log_analyze = off
fsync = on
log_line_prefix = '%m [%p] %q%u@%d '
CONF
}

do_start() {
  do_init
  if is_running; then echo "pg: already running on port $port"; ensure_app_role; return; fi
  # A crash leaves postmaster.pid behind; postgres refuses to start while it names a live pid.
  [ -f "$data/postmaster.pid" ] && { echo "pg: removing stale postmaster.pid"; rm -f "$data/postmaster.pid"; }
  as_pg mkdir -p "$(sockdir)"
  as_pg "$bin/pg_ctl" -D "$(readlink -f "$data")" -l "$(readlink -f "$data")/server.log" -w -t 60 \
    -o "-p $port -k $(sockdir)" start >/dev/null \
    || { echo "pg: start failed; last log lines:" >&2; tail -20 "$data/server.log" >&2; exit 1; }
  echo "pg: started on 127.0.0.1:$port (data $data)"
  ensure_app_role
}

psql_admin() { PGOPTIONS="-c client_min_messages=warning" as_pg "$bin/../bin/psql" -h "$(sockdir)" -p "$port" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"; }

ensure_app_role() {
  psql_admin -d postgres <<SQL >/dev/null
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lifeguard') THEN
    CREATE ROLE lifeguard LOGIN CREATEDB PASSWORD '$password';
  END IF;
END \$\$;
GRANT pg_monitor TO lifeguard;
SELECT 'CREATE DATABASE lifeguard OWNER lifeguard'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'lifeguard') \gexec
SQL
  # Extensions are created in template1 too, so databases the tests create have them.
  for db in lifeguard template1; do
    psql_admin -d "$db" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;" >/dev/null
    if [ -f /usr/share/postgresql/15/extension/hypopg.control ]; then
      psql_admin -d "$db" -c "CREATE EXTENSION IF NOT EXISTS hypopg;" >/dev/null
    fi
  done
}

do_stop() {
  if ! is_running; then echo "pg: not running"; return; fi
  as_pg "$bin/pg_ctl" -D "$(readlink -f "$data")" -m fast -w -t 60 stop >/dev/null
  echo "pg: stopped"
}

case "$cmd" in
  init) do_init ;;
  start) do_start ;;
  stop) do_stop ;;
  status) if is_running; then echo "pg: running on port $port (data $data)"; else echo "pg: not running"; exit 3; fi ;;
  psql) exec runuser -u postgres -- "$bin/../bin/psql" -h "$(sockdir)" -p "$port" -U postgres -d lifeguard ;;
  url) if [ "$pool" = 1 ]; then echo "Host=127.0.0.1;Port=$port;Username=lifeguard;Password=$password;Database=lifeguard;$website_pool"
       else echo "Host=127.0.0.1;Port=$port;Username=lifeguard;Password=$password;Database=lifeguard"; fi ;;
  *) echo "usage: eng/pg.sh init|start|stop|status|psql|url [--data DIR] [--port N] [--pool]" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for Lifeguard: never the system cluster.
# Usage: eng/pg.sh init|start|stop|status|psql|url [--data DIR] [--port N] [--pool] [--role website|incidents|diagnoser]
#        eng/pg.sh own-db NAME --role incidents [--data DIR] [--port N]   a database owned by that role (created or handed over)
#   url --pool  appends the website's pool settings (sized with `lifeguard size`/`sweep`, see docs/cli.md)
#   url --role  the URL of one of the three roles (default website)
#   defaults: --data .data/pg  --port 54329   (test.sh uses its own dir and port)
# Roles, one per job (scram over TCP):
#   website    lifeguard / $LIFEGUARD_PG_PASSWORD (default "lifeguard"): owns database "lifeguard"
#   incidents  lifeguard_incidents: owns the incident service's database only
#   diagnoser  lifeguard_diagnoser: pg_monitor (server statistics, every session's query text), no table of anyone's
# The two newer roles get random passwords at first start, kept in DIR.roles/ROLE.password (mode 600).
# pg_stat_statements and auto_explain are preloaded.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-status}; shift || true
own_db_name=""; if [ "$cmd" = own-db ] && [ $# -gt 0 ] && [[ "$1" != --* ]]; then own_db_name=$1; shift; fi
data="$root/.data/pg"
port=54329
pool=0
role=website
# The website's pool on this machine: the advisor's size for the measured dashboard load (README,
# "Sizing the website's pool"), a Timeout well inside the 10 s request budget, a bounded lifetime.
website_pool="Maximum Pool Size=8;Minimum Pool Size=2;Timeout=3;Connection Lifetime=3600"
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --pool) pool=1; shift ;;
    --role) role=${2:?--role needs website, incidents or diagnoser}; shift 2 ;;
    *) echo "pg.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$data" in /*) ;; *) data="$root/$data" ;; esac
case "$role" in website|incidents|diagnoser) ;; *) echo "pg.sh: --role must be website, incidents or diagnoser" >&2; exit 2 ;; esac
roles_dir="$data.roles"
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
  ensure_job_roles
}

# A role's password: made once (random, never printed), kept owner-only beside the cluster.
role_password() {
  local file="$roles_dir/$1.password"
  if [ ! -s "$file" ]; then
    (umask 077; mkdir -p "$roles_dir"; head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$file")
  fi
  chmod 700 "$roles_dir"; chmod 600 "$file"
  cat "$file"
}

# The incident service's and the diagnoser's roles; their passwords are set from the files at every start, so a
# removed file is a new password, not a lockout. The statements go over psql's stdin, never a command line.
ensure_job_roles() {
  local incidents diagnoser
  incidents=$(role_password lifeguard_incidents); diagnoser=$(role_password lifeguard_diagnoser)
  psql_admin -d postgres <<SQL >/dev/null
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lifeguard_incidents') THEN CREATE ROLE lifeguard_incidents LOGIN; END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lifeguard_diagnoser') THEN CREATE ROLE lifeguard_diagnoser LOGIN; END IF;
END \$\$;
ALTER ROLE lifeguard_incidents LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$incidents';
ALTER ROLE lifeguard_diagnoser LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$diagnoser' CONNECTION LIMIT 10;
GRANT pg_monitor TO lifeguard_diagnoser;
SQL
}

# A database owned by a job's role: created for it, or (a database the website role made before roles were split)
# handed over with its tables, sequences and views, so the job's role needs nothing of the website's.
do_own_db() {
  local name=$1 owner
  [[ "$name" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "pg.sh: own-db needs a database name" >&2; exit 2; }
  case "$role" in incidents) owner=lifeguard_incidents ;; *) echo "pg.sh: own-db is for --role incidents" >&2; exit 2 ;; esac
  ensure_job_roles
  psql_admin -d postgres <<SQL >/dev/null
SELECT 'CREATE DATABASE $name OWNER $owner' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$name') \gexec
ALTER DATABASE $name OWNER TO $owner;
SQL
  psql_admin -d "$name" <<SQL >/dev/null
DO \$\$ DECLARE r record; BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S', 'v', 'p') AND pg_get_userbyid(c.relowner) <> '$owner' LOOP
    EXECUTE format('ALTER %s public.%I OWNER TO $owner', CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END, r.relname);
  END LOOP;
END \$\$;
REVOKE ALL ON DATABASE $name FROM PUBLIC;
GRANT CONNECT ON DATABASE $name TO $owner;
SQL
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
  url) case "$role" in
         website) if [ "$pool" = 1 ]; then echo "Host=127.0.0.1;Port=$port;Username=lifeguard;Password=$password;Database=lifeguard;$website_pool"
                  else echo "Host=127.0.0.1;Port=$port;Username=lifeguard;Password=$password;Database=lifeguard"; fi ;;
         # the incident service's own database is named by its caller (eng/incidents.sh); this is the role's login
         incidents) echo "Host=127.0.0.1;Port=$port;Username=lifeguard_incidents;Password=$(role_password lifeguard_incidents);Database=lifeguard_incidents" ;;
         diagnoser) echo "Host=127.0.0.1;Port=$port;Username=lifeguard_diagnoser;Password=$(role_password lifeguard_diagnoser);Database=lifeguard" ;;
       esac ;;
  own-db) do_own_db "${own_db_name:-}" ;;
  *) echo "usage: eng/pg.sh init|start|stop|status|psql|url|own-db [--data DIR] [--port N] [--pool] [--role ROLE]" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# A private PgBouncer (Debian's package) in front of the private PostgreSQL, for ./run.sh --pgbouncer and anyone who
# wants to try Lifeguard behind a pooler; never the system's pgbouncer service.
# Usage: eng/pgbouncer.sh start|stop|status|url|admin-url [--port N] [--pg-port N] [--pool-size N] [--mode M]
#   --port N       where PgBouncer listens on 127.0.0.1 (default 64329)
#   --pg-port N    the private PostgreSQL behind it (default 54329, eng/pg.sh's)
#   --pool-size N  default_pool_size: server connections per database/user pair (default 20)
#   --mode M       pool_mode: transaction (default) or session
#   url            the website's connection string through the pooler (transaction mode: No Reset On Close=true)
#   admin-url      the admin console's connection string (database pgbouncer; Lifeguard:Diagnosis:Pooler:ConnectionString)
# The one user is the website's role (lifeguard / $LIFEGUARD_PG_PASSWORD), admin and stats user of the console, so the
# diagnoser reads SHOW POOLS/STATS/CONFIG and a drill may SET default_pool_size. Production: deploy/pgbouncer/.
# Files (ini, auth file, pid, log) live in /var/tmp/lifeguard-pgbouncer-PORT, owned by postgres (PgBouncer refuses
# to run as root), mode 700; the log is there as pgbouncer.log.
set -euo pipefail

cmd=${1:-status}; shift || true
port=64329; pg_port=${LIFEGUARD_PG_PORT:-54329}; pool_size=20; mode=transaction
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=${2:?--port needs a number}; shift 2 ;;
    --pg-port) pg_port=${2:?--pg-port needs a number}; shift 2 ;;
    --pool-size) pool_size=${2:?--pool-size needs a number}; shift 2 ;;
    --mode) mode=${2:?--mode needs transaction or session}; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "pgbouncer.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
for v in "$port" "$pg_port" "$pool_size"; do
  [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge 1 ] || { echo "pgbouncer.sh: --port, --pg-port and --pool-size must be whole numbers (got '$v')" >&2; exit 2; }
done
case "$mode" in transaction|session) ;; *) echo "pgbouncer.sh: --mode must be transaction or session (got '$mode')" >&2; exit 2 ;; esac
password=${LIFEGUARD_PG_PASSWORD:-lifeguard}
dir=/var/tmp/lifeguard-pgbouncer-$port
bin=/usr/sbin/pgbouncer

as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pid() { [ -f "$dir/pgbouncer.pid" ] && cat "$dir/pgbouncer.pid" 2>/dev/null || true; }
running() { local p; p=$(pid); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
listening() { python3 -c 'import socket,sys; s=socket.socket(); s.settimeout(0.5); s.connect(("127.0.0.1", int(sys.argv[1])))' "$port" 2>/dev/null; }

case "$cmd" in
  start)
    [ -x "$bin" ] || { echo "pgbouncer.sh: pgbouncer is not installed (eng/prereqs.sh pooler)" >&2; exit 1; }
    if running; then echo "pgbouncer.sh: already running on 127.0.0.1:$port (pid $(pid))"; exit 0; fi
    if listening; then echo "pgbouncer.sh: something else listens on 127.0.0.1:$port (--port picks another)" >&2; exit 1; fi
    mkdir -p "$dir"; chmod 700 "$dir"
    ( umask 077; printf '"lifeguard" "%s"\n' "$password" >"$dir/userlist.txt" )
    cat >"$dir/pgbouncer.ini" <<INI
; written by eng/pgbouncer.sh: a private PgBouncer for Lifeguard's website (see deploy/pgbouncer/pgbouncer.ini)
[databases]
lifeguard = host=127.0.0.1 port=$pg_port dbname=lifeguard
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
pool_mode = $mode
default_pool_size = $pool_size
max_client_conn = 200
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
admin_users = lifeguard
stats_users = lifeguard
; Npgsql sends these at startup; PgBouncer must not refuse them
ignore_startup_parameters = extra_float_digits,options
logfile = $dir/pgbouncer.log
pidfile = $dir/pgbouncer.pid
INI
    [ "$(id -u)" -eq 0 ] && chown -R postgres "$dir"
    as_pg "$bin" -d "$dir/pgbouncer.ini" || { echo "pgbouncer.sh: pgbouncer did not start; its log:" >&2; tail -n 20 "$dir/pgbouncer.log" >&2 || true; exit 1; }
    for _ in $(seq 1 100); do listening && break; sleep 0.1; done
    listening || { echo "pgbouncer.sh: pgbouncer does not listen on 127.0.0.1:$port; its log:" >&2; tail -n 20 "$dir/pgbouncer.log" >&2 || true; exit 1; }
    echo "pgbouncer.sh: PgBouncer on 127.0.0.1:$port ($mode mode, pool $pool_size) in front of 127.0.0.1:$pg_port"
    ;;
  stop)
    if running; then
      kill -TERM "$(pid)" 2>/dev/null || true
      for _ in $(seq 1 100); do running || break; sleep 0.1; done
      running && kill -KILL "$(pid)" 2>/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  status)
    if running; then echo "PgBouncer running on 127.0.0.1:$port (pid $(pid))"; else echo "PgBouncer not running on 127.0.0.1:$port"; exit 3; fi
    ;;
  url)
    # transaction mode: a pooled connection's reset (DISCARD ALL) would run on whatever server connection the pooler
    # hands out next, so Npgsql must not send it; the website prepares nothing itself (Max Auto Prepare stays 0)
    echo "Host=127.0.0.1;Port=$port;Username=lifeguard;Password=$password;Database=lifeguard;No Reset On Close=true"
    ;;
  admin-url)
    echo "Host=127.0.0.1;Port=$port;Username=lifeguard;Password=$password;Database=pgbouncer;Pooling=false"
    ;;
  *) echo "usage: eng/pgbouncer.sh start|stop|status|url|admin-url [--port N] [--pg-port N] [--pool-size N] [--mode M]" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# ./run.sh --pgbouncer and eng/pgbouncer.sh: a real PgBouncer (Debian's) in front of a private PostgreSQL of the suite's
# own, a stub `dotnet` standing in for the build and the website (as in run-fleet.sh). The website's pool goes through
# the pooler in transaction mode (No Reset On Close=true, the sized pool settings kept), migrations went to the server
# directly, the diagnoser gets the admin console and the direct server; a query through the pooler works and the admin
# console shows its pool; TERM stops run.sh and the pooler. Env: CI (set: a missing pgbouncer fails instead of skipping).
# Last line: suite: N passed, N failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

# shellcheck source=lib/checks.sh
. eng/suites/lib/checks.sh

# 1. eng/pgbouncer.sh validates its options before anything starts
out=$(eng/pgbouncer.sh start --mode statement 2>&1); rc=$?
check "pgbouncer.sh --mode statement: exit 2 with a clear error (got $rc)" eval '[ "$rc" -eq 2 ] && grep -q "pgbouncer.sh: --mode must be transaction or session" <<<"$out"'
out=$(eng/pgbouncer.sh start --pool-size x 2>&1); rc=$?
check "pgbouncer.sh --pool-size x: exit 2 with a clear error (got $rc)" eval '[ "$rc" -eq 2 ] && grep -q "must be whole numbers" <<<"$out"'

if [ ! -x /usr/sbin/pgbouncer ]; then
  if [ -n "${CI:-}" ]; then bad "pgbouncer is not installed (eng/prereqs.sh pooler)"; else echo "SKIP - pgbouncer is not installed (eng/prereqs.sh pooler); CI would fail here"; fi
  echo "suite: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit
fi

work=$root/.data/run-pgbouncer-$$
pg_port=$(free_port); pb_port=$(free_port)
run_pid=""
cleanup() {
  [ -n "$run_pid" ] && kill "$run_pid" 2>/dev/null && wait "$run_pid" 2>/dev/null
  eng/pgbouncer.sh stop --port "$pb_port" >/dev/null 2>&1
  eng/pg.sh stop --data "$work/pg" --port "$pg_port" >/dev/null 2>&1
  rm -rf "$(readlink -f "$work/pg" 2>/dev/null || echo "$work/pg")" "$work"
}
trap cleanup EXIT
mkdir -p "$work/bin"

# The stub site answers /health on both addresses and records the settings run.sh gave it (migrate: the string then).
cat >"$work/bin/dotnet" <<'SH'
#!/usr/bin/env bash
[ "${1:-}" = build ] && exit 0
case "${2:-}" in migrate|seed) echo "${ConnectionStrings__Main:-unset}" >"$STUB_DIR/$2.cs"; echo "stub $2: done"; exit 0 ;; esac
port=""; mport=""
for a in "$@"; do
  case "$a" in
    http://127.0.0.1:*) port=${a##*:} ;;
    --Lifeguard:Endpoints:ManagementPort=*) mport=${a#*=} ;;
  esac
done
echo $$ >"$STUB_DIR/site.pid"
echo "${ConnectionStrings__Main:-unset}" >"$STUB_DIR/site.cs"
echo "${Lifeguard__Diagnosis__Pooler__ConnectionString:-unset}" >"$STUB_DIR/site.pooler"
echo "${Lifeguard__Diagnosis__Postgres__ConnectionString:-unset}" >"$STUB_DIR/site.postgres"
exec python3 -c '
import http.server, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health": self.send_response(200); self.end_headers(); self.wfile.write(b"{}")
        else: self.send_response(404); self.end_headers()
    def log_message(self, *a): pass
servers = [http.server.HTTPServer(("127.0.0.1", int(p)), H) for p in sys.argv[1:]]
threading.Thread(target=servers[1].serve_forever, daemon=True).start()
servers[0].serve_forever()' "$port" "$mport"
SH
chmod +x "$work/bin/dotnet"

if ! eng/pg.sh start --data "$work/pg" --port "$pg_port" >"$work/pg.log" 2>&1; then
  bad "the suite's PostgreSQL did not start"; cat "$work/pg.log"; echo "suite: $passed passed, $failed failed"; exit 1
fi

# 2. run.sh --pgbouncer
p=$(free_port); m=$(free_port); out=$work/run.out
env PATH="$work/bin:$PATH" STUB_DIR="$work" LIFEGUARD_PG_DATA="$work/pg" LIFEGUARD_RUN_HEALTH_TIMEOUT=20 LIFEGUARD_PGBOUNCER_PORT="$pb_port" \
  ./run.sh --pgbouncer --port "$p" --management-port "$m" --pg-port "$pg_port" >"$out" 2>&1 &
run_pid=$!
for _ in $(seq 1 600); do grep -q "Ctrl-C stops everything" "$out" && break; kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
check "--pgbouncer: run.sh prints the ready banner with the pooler" grep -q "through PgBouncer   127.0.0.1:$pb_port, transaction mode" "$out" || sed 's/^/     /' "$out"
check "--pgbouncer: migrations went to the server directly (port $pg_port)" grep -q "Port=$pg_port;" "$work/migrate.cs"
check "--pgbouncer: the website's pool goes through the pooler (port $pb_port, No Reset On Close=true)" eval \
  'grep -q "Port=$pb_port;" "$work/site.cs" && grep -q "No Reset On Close=true" "$work/site.cs"'
check "--pgbouncer: the sized pool settings are kept (Maximum Pool Size=8, Timeout=3)" eval \
  'grep -q "Maximum Pool Size=8;" "$work/site.cs" && grep -q "Timeout=3" "$work/site.cs"'
check "--pgbouncer: the diagnoser gets the admin console (Lifeguard:Diagnosis:Pooler:ConnectionString)" eval \
  'grep -q "Port=$pb_port;" "$work/site.pooler" && grep -q "Database=pgbouncer" "$work/site.pooler"'
check "--pgbouncer: the diagnoser reads the server directly (Lifeguard:Diagnosis:Postgres:ConnectionString)" eval \
  'grep -q "Port=$pg_port;" "$work/site.postgres" && grep -q "Username=lifeguard_diagnoser" "$work/site.postgres"'
export PGPASSWORD=${LIFEGUARD_PG_PASSWORD:-lifeguard}
got=$(psql -h 127.0.0.1 -p "$pb_port" -U lifeguard -d lifeguard -Atc "select 40 + 2" 2>&1)
check "--pgbouncer: a query through the pooler answers (got $got)" [ "$got" = 42 ]
pools=$(psql -h 127.0.0.1 -p "$pb_port" -U lifeguard -d pgbouncer -Atc "show pools" 2>&1)
check "--pgbouncer: the admin console shows the lifeguard pool in transaction mode" grep -qE "^lifeguard\|lifeguard\|.*\|transaction$" <<<"$pools" || echo "     $pools"

# 3. TERM stops run.sh, the site and the pooler
kill -TERM "$run_pid" 2>/dev/null
for _ in $(seq 1 150); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
check "--pgbouncer: TERM stops run.sh and the site" eval '! kill -0 "$run_pid" 2>/dev/null && ! kill -0 "$(cat "$work/site.pid")" 2>/dev/null'
check "--pgbouncer: TERM stops the pooler" eval '! eng/pgbouncer.sh status --port "$pb_port" >/dev/null 2>&1'
wait "$run_pid" 2>/dev/null; run_pid=""
rm -f ".data/site-$p.log"

echo "suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

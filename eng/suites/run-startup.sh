#!/usr/bin/env bash
# ./run.sh's start-up checks, with a stub `dotnet` standing in for the build and the website (and a
# private PostgreSQL of the suite's own, since run.sh starts one): a site that exits, a site that never
# becomes healthy, and a healthy one. run.sh must exit non-zero with the site's last log lines in the
# first two cases (never the ready banner) and print the banner with the management address in the last.
# Last line: suite: N passed, N failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

passed=0; failed=0
ok() { echo "ok   - $*"; passed=$((passed + 1)); }
bad() { echo "FAIL - $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

work=$root/.data/run-startup-$$
pg_port=$(free_port)
run_pid=""
cleanup() {
  [ -n "$run_pid" ] && kill "$run_pid" 2>/dev/null
  eng/pg.sh stop --data "$work/pg" --port "$pg_port" >/dev/null 2>&1
  rm -rf "$(readlink -f "$work/pg" 2>/dev/null || echo "$work/pg")" "$work"
}
trap cleanup EXIT
mkdir -p "$work/bin"

# dotnet build ... | dotnet Website.dll migrate|seed ... | dotnet Website.dll --urls URL --Lifeguard:Endpoints:ManagementPort=N
cat >"$work/bin/dotnet" <<'SH'
#!/usr/bin/env bash
[ "${1:-}" = build ] && exit 0
case "${2:-}" in migrate|seed) echo "stub $2: done"; exit 0 ;; esac
port=""; mport=""
for a in "$@"; do
  case "$a" in
    http://127.0.0.1:*) port=${a##*:} ;;
    --Lifeguard:Endpoints:ManagementPort=*) mport=${a#*=} ;;
  esac
done
echo $$ >"$STUB_PIDFILE"
echo "${Website__AccountPostPermitLimit:-unset}" >"$STUB_PIDFILE.limit"
echo "stub site: starting on :$port, management :$mport"
case "$STUB_SITE" in
  exit) echo "stub site: fatal: cannot bind 127.0.0.1:$mport (the last words)" >&2; exit 3 ;;
  hang) echo "stub site: listening nowhere, never healthy (the last words)"; exec sleep 120 ;;
  healthy) exec python3 -c '
import http.server, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404); self.end_headers(); self.wfile.write(b"{\"status\":\"Healthy\"}")
    def log_message(self, *a): pass
servers = [http.server.HTTPServer(("127.0.0.1", int(p)), H) for p in sys.argv[1:]]
for s in servers[1:]: threading.Thread(target=s.serve_forever, daemon=True).start()
servers[0].serve_forever()' "$port" "$mport" ;;
esac
SH
chmod +x "$work/bin/dotnet"

if ! eng/pg.sh start --data "$work/pg" --port "$pg_port" >"$work/pg.log" 2>&1; then
  bad "the suite's PostgreSQL did not start"; cat "$work/pg.log"; echo "suite: $passed passed, $failed failed"; exit 1
fi

# start_run MODE: ./run.sh in the background with the stub; sets run_pid, out, port, mport
start_run() {
  port=$(free_port); mport=$(free_port); out=$work/run-$1.out
  : >"$work/site.pid"
  env PATH="$work/bin:$PATH" STUB_SITE="$1" STUB_PIDFILE="$work/site.pid" LIFEGUARD_PG_DATA="$work/pg" "${extra_env[@]}" \
    LIFEGUARD_RUN_HEALTH_TIMEOUT=3 ./run.sh --port "$port" --management-port "$mport" --pg-port "$pg_port" >"$out" 2>&1 &
  run_pid=$!
}
# finish_run SECONDS: waits for run.sh to exit; sets rc (124 when it did not)
finish_run() {
  local i
  for ((i = 0; i < $1 * 10; i++)); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$run_pid" 2>/dev/null; then kill "$run_pid"; wait "$run_pid" 2>/dev/null; rc=124; else wait "$run_pid"; rc=$?; fi
  run_pid=""
  rm -f ".data/site-$port.log"
}
extra_env=()
site_gone() { local pid; pid=$(cat "$work/site.pid"); [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; }

# 1. the site exits at start-up
start_run exit; finish_run 30
check "site exits: run.sh exits non-zero (got $rc)" eval '[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]'
check "site exits: run.sh says so and shows the site's last log lines" \
  eval 'grep -q "the website exited" "$out" && grep -q "cannot bind 127.0.0.1:$mport (the last words)" "$out"'
check "site exits: no ready banner" bash -c '! grep -q "Ctrl-C stops everything" "$0"' "$out"

# 2. the site runs but never answers /health
start_run hang; finish_run 30
check "site never healthy: run.sh exits non-zero within the timeout (got $rc)" eval '[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]'
check "site never healthy: run.sh says so and shows the site's last log lines" \
  eval 'grep -q "did not become healthy within 3 s" "$out" && grep -q "never healthy (the last words)" "$out"'
check "site never healthy: no ready banner" bash -c '! grep -q "Ctrl-C stops everything" "$0"' "$out"
check "site never healthy: the site process is stopped" site_gone

# 3. a healthy site: the banner with the management address, and TERM stops the site
start_run healthy
for _ in $(seq 1 300); do grep -q "Ctrl-C stops everything" "$out" && break; kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
check "healthy site: the ready banner names the management address" grep -q "management address  http://127.0.0.1:$mport" "$out"
check "healthy site: the banner's pool metrics are on the management address" grep -q "pool metrics      http://127.0.0.1:$mport/metrics" "$out"
# `lifeguard load` logs every user in from one address: run.sh's site admits 1000 account POSTs, and says so
check "healthy site: the site gets run.sh's login limit, 1000 (got $(cat "$work/site.pid.limit"))" grep -qx 1000 "$work/site.pid.limit"
check "healthy site: the banner shows the login limit" grep -q "login rate limit    1000 account POSTs" "$out"
kill -TERM "$run_pid" 2>/dev/null; finish_run 15
check "healthy site: TERM stops run.sh (got $rc) and the site" eval '[ "$rc" -ne 124 ] && site_gone'

# 4. a login limit given by the caller is the one the site gets
extra_env=(Website__AccountPostPermitLimit=7)
start_run healthy
for _ in $(seq 1 300); do grep -q "Ctrl-C stops everything" "$out" && break; kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
check "given limit: the site gets Website__AccountPostPermitLimit=7 (got $(cat "$work/site.pid.limit"))" grep -qx 7 "$work/site.pid.limit"
kill -TERM "$run_pid" 2>/dev/null; finish_run 15
extra_env=()

echo "suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

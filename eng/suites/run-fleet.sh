#!/usr/bin/env bash
# ./run.sh --instances N (and --max-pool-size): its validation, and a fleet of two (a stub `dotnet` standing in for the build and the website, as
# in run-startup.sh, and a private PostgreSQL of the suite's own): both instances answer /health on their ports (port,
# port+2; management port, port+2), each gets its own Lifeguard__Instance, the banner lists both, TERM stops both; then
# eng/monitoring.sh (what run.sh --monitoring starts) with both management addresses: the real Prometheus scrapes both.
# Env: CI (set: a missing prometheus fails instead of skipping that part). Last line: suite: N passed, N failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

# shellcheck source=lib/checks.sh
. eng/suites/lib/checks.sh
# free_run N: a port P with P..P+N-1 all free (the fleet's interleaved site and management ports)
free_run() {
  python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1])
for _ in range(200):
    base = random.randrange(20000, 60000 - n)
    socks = []
    try:
        for p in range(base, base + n):
            s = socket.socket(); s.bind(("127.0.0.1", p)); socks.append(s)
    except OSError:
        continue
    finally:
        for s in socks: s.close()
    print(base); break
PY
}

work=$root/.data/run-fleet-$$
pg_port=$(free_port)
run_pid=""; mon_pid=""
cleanup() {
  [ -n "$mon_pid" ] && kill "$mon_pid" 2>/dev/null && wait "$mon_pid" 2>/dev/null
  [ -n "$run_pid" ] && kill "$run_pid" 2>/dev/null && wait "$run_pid" 2>/dev/null
  eng/pg.sh stop --data "$work/pg" --port "$pg_port" >/dev/null 2>&1
  rm -rf "$(readlink -f "$work/pg" 2>/dev/null || echo "$work/pg")" "$work"
}
trap cleanup EXIT
mkdir -p "$work/bin"

# 1. --instances is validated before anything starts (no PostgreSQL needed for these)
for bad_n in 0 9 two; do
  out=$(./run.sh --instances "$bad_n" 2>&1); rc=$?
  check "--instances $bad_n: exit 2 with a clear error (got $rc)" \
    eval '[ "$rc" -eq 2 ] && grep -q "run.sh: --instances must be a whole number from 1 to 8" <<<"$out"'
done
out=$(./run.sh --max-pool-size 0 2>&1); rc=$?
check "--max-pool-size 0: exit 2 with a clear error (got $rc)" eval '[ "$rc" -eq 2 ] && grep -q "run.sh: --max-pool-size must be a whole number from 2" <<<"$out"'
out=$(./run.sh --instances 2 --port 6000 --management-port 6002 2>&1); rc=$?
check "--instances 2 with ports that collide (6000/6002): exit 2 naming the overlap (got $rc)" \
  eval '[ "$rc" -eq 2 ] && grep -q "overlap" <<<"$out"'

# The stub site: /health answers 200 on both of its addresses, /metrics a gauge on the management one; it records its
# pid and Lifeguard__Instance under its port.
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
echo $$ >"$STUB_DIR/site-$port.pid"
echo "${Lifeguard__Instance:-unset}" >"$STUB_DIR/site-$port.instance"
echo "${ConnectionStrings__Main:-unset}" >"$STUB_DIR/site-$port.cs"
exec python3 -c '
import http.server, sys, threading
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health": body = b"{\"status\":\"Healthy\"}"
        elif self.path == "/metrics" and self.server.server_port == int(sys.argv[2]): body = b"db_client_connection_max{db_client_connection_pool_name=\"main\"} 10\n"
        else: self.send_response(404); self.end_headers(); return
        self.send_response(200); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
servers = [http.server.HTTPServer(("127.0.0.1", int(p)), H) for p in sys.argv[1:]]
threading.Thread(target=servers[1].serve_forever, daemon=True).start()
servers[0].serve_forever()' "$port" "$mport"
SH
chmod +x "$work/bin/dotnet"

if ! eng/pg.sh start --data "$work/pg" --port "$pg_port" >"$work/pg.log" 2>&1; then
  bad "the suite's PostgreSQL did not start"; cat "$work/pg.log"; echo "suite: $passed passed, $failed failed"; exit 1
fi

# 2. a fleet of two: ports base (site 1), base+1 (management 1), base+2 (site 2), base+3 (management 2)
base=$(free_run 4); p1=$base; m1=$((base + 1)); p2=$((base + 2)); m2=$((base + 3)); out=$work/run.out
env PATH="$work/bin:$PATH" STUB_DIR="$work" LIFEGUARD_PG_DATA="$work/pg" LIFEGUARD_RUN_HEALTH_TIMEOUT=20 \
  ./run.sh --instances 2 --max-pool-size 60 --port "$p1" --management-port "$m1" --pg-port "$pg_port" >"$out" 2>&1 &
run_pid=$!
for _ in $(seq 1 600); do grep -q "Ctrl-C stops everything" "$out" && break; kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
check "fleet of 2: run.sh prints the ready banner" grep -q "Ctrl-C stops everything" "$out" || sed 's/^/     /' "$out"
for p in "$p1" "$p2"; do check "fleet of 2: the instance on :$p answers /health" curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$p/health"; done
for m in "$m1" "$m2"; do check "fleet of 2: the management address :$m answers /health" curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$m/health"; done
check "fleet of 2: instance 1 is Lifeguard__Instance web-1 (got $(cat "$work/site-$p1.instance" 2>/dev/null))" grep -qx web-1 "$work/site-$p1.instance"
check "fleet of 2: instance 2 is Lifeguard__Instance web-2 (got $(cat "$work/site-$p2.instance" 2>/dev/null))" grep -qx web-2 "$work/site-$p2.instance"
check "fleet of 2: --max-pool-size 60 is each instance's Maximum Pool Size" eval \
  'grep -q "Maximum Pool Size=60;" "$work/site-$p1.cs" && grep -q "Maximum Pool Size=60;" "$work/site-$p2.cs"'
check "fleet of 2: the banner lists both websites and both management addresses" eval \
  'grep -q "Lifeguard website   http://127.0.0.1:$p1" "$out" && grep -q "Lifeguard website   http://127.0.0.1:$p2" "$out" &&
   grep -q "management address  http://127.0.0.1:$m1" "$out" && grep -q "management address  http://127.0.0.1:$m2" "$out"'
check "fleet of 2: the banner gives the load command over both" grep -q "lifeguard load --url http://127.0.0.1:$p1,http://127.0.0.1:$p2" "$out"

# 3. both management addresses scraped by the real Prometheus, as run.sh --monitoring starts it
if ! { command -v prometheus && command -v prometheus-alertmanager; } >/dev/null; then
  if [ -n "${CI:-}" ]; then bad "prometheus/alertmanager are not installed (eng/prereqs.sh monitoring)"
  else echo "SKIP - prometheus is not installed (eng/prereqs.sh monitoring); CI would fail here"; fi
else
  prom_port=$(free_port); am_port=$(free_port); hook_port=$(free_port)
  eng/monitoring.sh start --site "127.0.0.1:$m1,127.0.0.1:$m2" --prometheus-port "$prom_port" --alertmanager-port "$am_port" \
    --receiver-port "$hook_port" --data "$work/monitoring" >"$work/monitoring.out" 2>&1 &
  mon_pid=$!
  up=""
  for _ in $(seq 1 120); do
    up=$(curl -fsS --max-time 2 "http://127.0.0.1:$prom_port/api/v1/query?query=up%7Bjob%3D%22lifeguard-website%22%7D%3D%3D1" 2>/dev/null \
      | python3 -c 'import json,sys; print(" ".join(sorted(r["metric"]["instance"] for r in json.load(sys.stdin)["data"]["result"])))' 2>/dev/null)
    [ "$up" = "127.0.0.1:$m1 127.0.0.1:$m2" ] && break
    kill -0 "$mon_pid" 2>/dev/null || break
    sleep 0.5
  done
  check "fleet of 2: Prometheus scrapes both management addresses (up==1: $up)" [ "$up" = "127.0.0.1:$m1 127.0.0.1:$m2" ] \
    || sed 's/^/     /' "$work/monitoring.out"
  kill "$mon_pid" 2>/dev/null; wait "$mon_pid" 2>/dev/null; mon_pid=""
fi

# 4. TERM stops run.sh and both instances
kill -TERM "$run_pid" 2>/dev/null
for _ in $(seq 1 150); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.1; done
gone() { ! kill -0 "$run_pid" 2>/dev/null && ! kill -0 "$(cat "$work/site-$p1.pid")" 2>/dev/null && ! kill -0 "$(cat "$work/site-$p2.pid")" 2>/dev/null; }
check "fleet of 2: TERM stops run.sh and both instances" gone
wait "$run_pid" 2>/dev/null; run_pid=""
rm -f ".data/site-$p1.log" ".data/site-$p2.log"

echo "suite: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

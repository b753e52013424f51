#!/usr/bin/env bash
# Checks eng/incidents.sh the way run.sh --monitoring uses it: `prepare` creates the token file (random, mode 600),
# the database, the migrations and the demo users, and a second run keeps the token; `serve` answers /health, takes
# the token on the API and refuses a wrong one, and never writes the token to its log.
# Env: LIFEGUARD_TEST_PG (test.sh's cluster; without it a private one on LIFEGUARD_INCIDENTS_PG_PORT, default 54345).
# Last line: suite: N passed, N failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
passed=0; failed=0
ok() { echo "ok   - $*"; passed=$((passed + 1)); }
bad() { echo "FAIL - $*"; failed=$((failed + 1)); }
finish() { echo "suite: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

work=$(mktemp -d); pid=""; started_pg=""
pg_port=$(sed -nE 's/.*Port=([0-9]+).*/\1/p' <<<"${LIFEGUARD_TEST_PG:-}")
if [ -z "$pg_port" ]; then
  pg_port=${LIFEGUARD_INCIDENTS_PG_PORT:-54345}; started_pg=.data/test-pg-$pg_port
  eng/pg.sh start --data "$started_pg" --port "$pg_port" >/dev/null || { bad "private PostgreSQL did not start"; finish; }
fi
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -n "$started_pg" ] && eng/pg.sh stop --data "$started_pg" --port "$pg_port" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
token_file=$work/incidents.token
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')

if out=$(eng/incidents.sh prepare --pg-port "$pg_port" --port "$port" --token-file "$token_file" 2>&1); then ok "eng/incidents.sh prepare"
else bad "eng/incidents.sh prepare failed"; sed 's/^/     /' <<<"$out"; finish; fi
mode=$(stat -c %a "$token_file" 2>/dev/null); token=$(cat "$token_file" 2>/dev/null)
if [ "$mode" = 600 ] && [ "${#token}" -ge 40 ]; then ok "token file created with mode 600 (${#token} characters)"
else bad "token file mode '$mode', length ${#token}"; fi
if grep -q "responder@lifeguard.local / Demo-Password-1" <<<"$out" && grep -qF "$token" <<<"$out"; then ok "prepare prints the demo login and the token"
else bad "prepare did not print the demo login and the token"; fi
eng/incidents.sh prepare --pg-port "$pg_port" --port "$port" --token-file "$token_file" >/dev/null 2>&1
if [ "$(cat "$token_file")" = "$token" ]; then ok "a second prepare keeps the token"; else bad "a second prepare replaced the token"; fi

eng/incidents.sh serve --pg-port "$pg_port" --port "$port" --token-file "$token_file" >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null && break; sleep 0.2; done
if [ "$(curl -sS "http://127.0.0.1:$port/health")" = Healthy ]; then ok "serve answers /health"; else bad "serve does not answer /health"; tail -5 "$work/serve.log"; finish; fi
with=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/incidents")
wrong=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${token}x" "http://127.0.0.1:$port/api/incidents")
if [ "$with" = 200 ] && [ "$wrong" = 401 ]; then ok "API: the token from the file 200, a wrong one 401"; else bad "API: token $with, wrong token $wrong"; fi
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=""
if grep -qF "${token:0:20}" "$work/serve.log"; then bad "the token appears in the service's log"; else ok "the token is not in the service's log"; fi
finish

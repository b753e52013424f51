#!/usr/bin/env bash
# Checks eng/incidents.sh the way run.sh --monitoring uses it: `prepare` creates the token and key-encryption files
# (random, mode 600), the database (owned by the incident service's own role), the migrations, and demo users only
# with --demo-users; it never prints the token; a second run keeps both files; `serve` answers /health, takes the token
# on the API and refuses a wrong one, and never writes the token to its log.
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
pg_port=$(sed -nE 's/.*Port=([0-9]+).*/\1/p' <<<"${LIFEGUARD_TEST_PG:-}"); pg_data=${LIFEGUARD_TEST_PG_DATA:-}
if [ -z "$pg_port" ] || [ -z "$pg_data" ]; then
  pg_port=${LIFEGUARD_INCIDENTS_PG_PORT:-54345}; started_pg=.data/test-pg-$pg_port; pg_data=$started_pg
  eng/pg.sh start --data "$started_pg" --port "$pg_port" >/dev/null || { bad "private PostgreSQL did not start"; finish; }
fi
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -n "$started_pg" ] && eng/pg.sh stop --data "$started_pg" --port "$pg_port" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
token_file=$work/incidents.token; kek_file=$work/incidents.kek
args=(--pg-port "$pg_port" --pg-data "$pg_data" --token-file "$token_file" --kek-file "$kek_file")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')

if out=$(eng/incidents.sh prepare "${args[@]}" --port "$port" 2>&1); then ok "eng/incidents.sh prepare"
else bad "eng/incidents.sh prepare failed"; sed 's/^/     /' <<<"$out"; finish; fi
mode=$(stat -c %a "$token_file" 2>/dev/null); token=$(cat "$token_file" 2>/dev/null); kmode=$(stat -c %a "$kek_file" 2>/dev/null)
if [ "$mode" = 600 ] && [ "${#token}" -ge 40 ] && [ "$kmode" = 600 ]; then ok "token and key-encryption files created with mode 600 (token ${#token} characters)"
else bad "token file mode '$mode', length ${#token}; key-encryption file mode '$kmode'"; fi
if ! grep -qF "$token" <<<"$out" && ! grep -q "Demo-Password-1" <<<"$out" && grep -q "no users yet" <<<"$out"; then
  ok "prepare without --demo-users creates no user with the published password and never prints the token"
else bad "prepare printed the token or made demo users without --demo-users: $(head -c 300 <<<"$out")"; fi
out2=$(eng/incidents.sh prepare "${args[@]}" --port "$port" --demo-users 2>&1)
if [ "$(cat "$token_file")" = "$token" ] && grep -q "DEMO USERS" <<<"$out2" && ! grep -qF "$token" <<<"$out2"; then ok "a second prepare keeps the token; --demo-users says it made demo users"
else bad "second prepare: token kept $([ "$(cat "$token_file")" = "$token" ] && echo yes || echo no); output $(head -c 300 <<<"$out2")"; fi
owner=$(runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -h "$(readlink -f "$pg_data")/socket" -p "$pg_port" -U postgres -d postgres -XAtq \
  -c "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'lifeguard_incidents'" 2>&1)
if [ "$owner" = lifeguard_incidents ]; then ok "the incident database is owned by the role lifeguard_incidents"; else bad "the incident database's owner: $owner"; fi

eng/incidents.sh serve "${args[@]}" --port "$port" >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null && break; sleep 0.2; done
if [ "$(curl -sS "http://127.0.0.1:$port/health")" = Healthy ]; then ok "serve answers /health"; else bad "serve does not answer /health"; tail -5 "$work/serve.log"; finish; fi
with=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/incidents")
wrong=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${token}x" "http://127.0.0.1:$port/api/incidents")
if [ "$with" = 200 ] && [ "$wrong" = 401 ]; then ok "API: the token from the file 200, a wrong one 401"; else bad "API: token $with, wrong token $wrong"; fi
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=""
if grep -qF "${token:0:20}" "$work/serve.log"; then bad "the token appears in the service's log"; else ok "the token is not in the service's log"; fi
finish

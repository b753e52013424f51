#!/usr/bin/env bash
# End-to-end test of the monitoring path with the real programs: the website (with the guard,
# Maximum Pool Size=2) on PostgreSQL, Prometheus and Alertmanager with deploy/'s rules and
# routes, and the local webhook receiver. It saturates the pool on purpose and asserts that
# LifeguardPoolSaturated reaches `firing` through the Prometheus API, that Alertmanager delivers
# it to the page receiver within the 30 s detection budget, and that the symptom alert
# LifeguardPoolTimeouts is inhibited, and that every dashboard query runs on the live data.
# Prints the seconds from fault onset to firing / webhook.
#
# Fault: one session takes ACCESS EXCLUSIVE locks on every table of the site's database (a
# stand-in for slow queries, independent of the site's schema), then 8 logged-in clients
# request /dashboard in loops: both pooled connections block, the other requests queue.
#
# The site runs as in production: operational endpoints on its management address only, with a
# bearer token; Prometheus scrapes that address with deploy/'s authorization block rendered.
#
# Env: LIFEGUARD_TEST_PG (connection string; without it a private cluster is started on
#      LIFEGUARD_E2E_PG_PORT, default 54348), CI (a missing program fails), LIFEGUARD_RECORD_BENCHMARKS=1
#      (write the measured seconds into BENCHMARKS.md); ports (default: free ones) LIFEGUARD_E2E_SITE_PORT,
#      LIFEGUARD_E2E_MANAGEMENT_PORT, LIFEGUARD_E2E_PROMETHEUS_PORT, LIFEGUARD_E2E_ALERTMANAGER_PORT,
#      LIFEGUARD_E2E_RECEIVER_PORT. Last line: suite: N passed, N failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=eng/monitoring/lib.sh
source eng/monitoring/lib.sh

# shellcheck source=eng/suites/lib/checks.sh
source eng/suites/lib/checks.sh
TOTAL_CHECKS=10   # every check below

work=$root/.data/monitoring-e2e-$$
pids=(); lock_pid=""; started_pg=""; db=""; psql_admin_conn=""
cleanup() {
  [ -n "$lock_pid" ] && mon_stop "$lock_pid"
  [ ${#pids[@]} -gt 0 ] && mon_stop "${pids[@]}"
  if [ -n "$db" ] && [ -n "$psql_admin_conn" ]; then
    psql "$psql_admin_conn" -Xq -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  [ -n "$started_pg" ] && eng/pg.sh stop --data "$started_pg" --port "${LIFEGUARD_E2E_PG_PORT:-54348}" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work"

field() { sed -nE "s/.*(^|;) *$1=([^;]*).*/\\2/ip" <<<"$2"; }

# --- prerequisites: a missing one is a failure (never a silent pass) -------------------------
for prog in prometheus prometheus-alertmanager promtool python3 curl psql dotnet; do
  command -v "$prog" >/dev/null || { bad "program $prog is not installed"; finish; }
done
site_dll=apps/Website/bin/Release/net10.0/Website.dll
if [ ! -f "$site_dll" ]; then
  dotnet build apps/Website -c Release -v quiet -nologo >"$work/build.log" 2>&1 || { bad "building apps/Website failed"; tail -20 "$work/build.log"; finish; }
fi

# --- PostgreSQL: a database of our own on the test cluster ------------------------------------
base=${LIFEGUARD_TEST_PG:-}
if [ -z "$base" ]; then
  started_pg=$root/.data/monitoring-e2e-pg
  eng/pg.sh start --data "$started_pg" --port "${LIFEGUARD_E2E_PG_PORT:-54348}" >/dev/null || { bad "private PostgreSQL did not start"; finish; }
  base=$(eng/pg.sh url --data "$started_pg" --port "${LIFEGUARD_E2E_PG_PORT:-54348}")
fi
pg_host=$(field Host "$base"); pg_port=$(field Port "$base"); pg_user=$(field Username "$base")
pg_pass=$(field Password "$base"); pg_db=$(field Database "$base")
export PGPASSWORD=$pg_pass
psql_admin_conn="host=$pg_host port=$pg_port user=$pg_user dbname=$pg_db"
db=lifeguard_e2e_mon_$$
psql "$psql_admin_conn" -Xq -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" >/dev/null || { db=""; bad "CREATE DATABASE failed"; finish; }
psql_site_conn="host=$pg_host port=$pg_port user=$pg_user dbname=$db"
# Timeout=3: a waiter gives up after 3 s, so the timeouts alert (inhibited) shows up quickly.
conn="Host=$pg_host;Port=$pg_port;Username=$pg_user;Password=$pg_pass;Database=$db;Maximum Pool Size=2;Timeout=3"

# --- the website ------------------------------------------------------------------------------
site_port=${LIFEGUARD_E2E_SITE_PORT:-$(free_port)}
mgmt_port=${LIFEGUARD_E2E_MANAGEMENT_PORT:-$(free_port)}
site=(dotnet "$site_dll")
export ConnectionStrings__Main=$conn
"${site[@]}" migrate >"$work/migrate.log" 2>&1 && "${site[@]}" seed --scale 0.01 >"$work/seed.log" 2>&1 \
  || { bad "website migrate/seed failed (is the real website merged?)"; tail -5 "$work/migrate.log" "$work/seed.log" 2>/dev/null; finish; }
# The management token lives in a file only Prometheus reads; it is never printed.
token_file=$work/site.token
( umask 077; python3 -c 'import secrets; print(secrets.token_hex(24))' >"$token_file" )
Lifeguard__Endpoints__TokenFile="$token_file" "${site[@]}" --urls "http://127.0.0.1:$site_port" \
  --Lifeguard:Endpoints:ManagementPort="$mgmt_port" >"$work/site.log" 2>&1 &
site_pid=$!; pids+=("$site_pid")
if ! mon_wait_url "http://127.0.0.1:$site_port/health" 60 "$site_pid"; then
  if kill -0 "$site_pid" 2>/dev/null; then bad "website did not answer /health within 60 s"
  else bad "website exited instead of serving (is the real website merged into this tree?)"; fi
  tail -20 "$work/site.log"; finish
fi
mgmt=http://127.0.0.1:$mgmt_port
# curl reads the header from a file (-H @file): no command line carries the token
(umask 077; printf 'Authorization: Bearer %s\n' "$(<"$token_file")" >"$work/site.header")
auth_header="@$work/site.header"

# 0. nothing operational on the public port; the management address wants the token
public_metrics=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$site_port/metrics")
anonymous_metrics=$(curl -s -o /dev/null -w '%{http_code}' "$mgmt/metrics")
token_metrics=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth_header" "$mgmt/metrics")
if [ "$public_metrics" = 404 ] && [ "$anonymous_metrics" = 401 ] && [ "$token_metrics" = 200 ]; then
  ok "/metrics: 404 on the public port, 401 without the token and 200 with it on the management address"
else bad "/metrics: public $public_metrics (want 404), management without token $anonymous_metrics (401), with token $token_metrics (200)"; fi

# --- the monitoring stack ---------------------------------------------------------------------
prom=127.0.0.1:${LIFEGUARD_E2E_PROMETHEUS_PORT:-$(free_port)}; am=127.0.0.1:${LIFEGUARD_E2E_ALERTMANAGER_PORT:-$(free_port)}
hook_port=${LIFEGUARD_E2E_RECEIVER_PORT:-$(free_port)}
mon_render_configs "$work/config" "127.0.0.1:$mgmt_port" "$prom" "$am" "http://127.0.0.1:$hook_port/alerts" "$token_file" || finish
mon_start_webhook "$hook_port" "$work/alerts.jsonl" "$work/webhook.log" && pids+=("$MON_HOOK_PID") || finish
mon_start_alertmanager "$work/config/alertmanager/alertmanager.yml" "$work/am" "$am" "$work/am.log" && pids+=("$MON_AM_PID") || finish
mon_start_prometheus "$work/config/prometheus/prometheus.yml" "$work/prom" "$prom" "$work/prom.log" && pids+=("$MON_PROM_PID") || finish

# 1. Prometheus scrapes the site and sees the guard's pool metrics
scraped=""
for _ in $(seq 1 60); do
  scraped=$(curl -fsS -g "http://$prom/api/v1/query?query=db_client_connection_max{job=\"lifeguard-website\"}" 2>/dev/null \
    | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null)
  [ -n "$scraped" ] && break; sleep 0.5
done
if [ "$scraped" = 2 ]; then ok "Prometheus scrapes the website's management address with the token: db_client_connection_max = 2"
else bad "no db_client_connection_max = 2 from the website in Prometheus after 30 s (got '${scraped}'; is the guard attached?)"; finish; fi

# 1b. the server side of the fleet budget reaches Prometheus (the fleet and server-connection alerts need it)
prom_value() {
  curl -fsS -g "http://$prom/api/v1/query" --data-urlencode "query=$1" 2>/dev/null \
    | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null
}
budget=""
for _ in $(seq 1 30); do
  budget=$(prom_value 'min(lifeguard_postgres_max_connections - lifeguard_postgres_reserved_connections)')
  [ -n "$budget" ] && break; sleep 0.5
done
backends=$(prom_value 'sum(max by (state) (lifeguard_postgres_connections))')
if [ -n "$budget" ] && [ "${budget%.*}" -gt 0 ] && [ -n "$backends" ] && [ "${backends%.*}" -ge 1 ]; then
  ok "server budget in Prometheus: max_connections - reserved = $budget, $backends client connection(s) on the server"
else
  bad "no lifeguard_postgres_* server metrics in Prometheus (budget '$budget', connections '$backends')"
fi

# informational: Prometheus' own lint of the site's /metrics (db_client_connection_count's
# "_count suffix" finding is expected: the OTel name, kept on purpose, see deploy/README.md)
lint=$(curl -fsS -H "$auth_header" "$mgmt/metrics" | promtool check metrics 2>&1 | grep -v '^$' || true)
echo "     promtool check metrics on /metrics: $(grep -c . <<<"$lint") finding(s)"
[ -n "$lint" ] && sed 's/^/       /' <<<"$lint" | head -10

# 2. a logged-in user (the dashboard needs the pool; login must happen before the fault)
jar=$work/cookies
login_page=$(curl -fsS -c "$jar" -b "$jar" "http://127.0.0.1:$site_port/account/login")
token=$(sed -nE 's/.*name="__RequestVerificationToken"[^>]*value="([^"]+)".*/\1/p' <<<"$login_page" | head -1)
[ -z "$token" ] && token=$(sed -nE 's/.*value="([^"]+)"[^>]*name="__RequestVerificationToken".*/\1/p' <<<"$login_page" | head -1)
location=$(curl -sS -o /dev/null -w '%{redirect_url}' -c "$jar" -b "$jar" \
  --data-urlencode "Email=demo@lifeguard.local" --data-urlencode "Password=Demo-Password-1" \
  --data-urlencode "__RequestVerificationToken=$token" "http://127.0.0.1:$site_port/account/login")
status=$(curl -sS -o /dev/null -w '%{http_code}' -b "$jar" "http://127.0.0.1:$site_port/dashboard")
if [[ "$location" == */dashboard* ]] && [ "$status" = 200 ]; then ok "demo user logged in, /dashboard answers 200"
else bad "login failed (redirect '$location', /dashboard $status)"; finish; fi

# --- the fault --------------------------------------------------------------------------------
tables=$(psql "$psql_site_conn" -XAtq -c "SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
[ -n "$tables" ] || { bad "the site's database has no tables to lock"; finish; }
lock_ready=$work/lock-ready
# the session holds the locks until it is killed (at most 120 s)
( printf 'BEGIN;\nLOCK TABLE %s IN ACCESS EXCLUSIVE MODE;\n\\! touch %s\nSELECT pg_sleep(120);\n' "$tables" "$lock_ready" \
    | psql "$psql_site_conn" -Xq >/dev/null 2>&1 ) &
lock_pid=$!
for _ in $(seq 1 100); do [ -e "$lock_ready" ] && break; sleep 0.1; done
[ -e "$lock_ready" ] || { bad "could not lock the site's tables"; finish; }
onset=$(date +%s.%N)
for _ in $(seq 1 8); do
  ( end=$((SECONDS + 75)); while [ $SECONDS -lt $end ]; do
      curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 -b "$jar" "http://127.0.0.1:$site_port/dashboard" >>"$work/codes"; done ) &
  pids+=("$!")
done
echo "fault injected at $(date -u +%T): tables locked, 8 clients on /dashboard"

# 3. + 4. saturation firing in Prometheus, then delivered by Alertmanager
t_fire=""; t_hook=""
deadline=$(( $(date +%s) + 60 ))
while [ "$(date +%s)" -lt "$deadline" ] && { [ -z "$t_fire" ] || [ -z "$t_hook" ]; }; do
  if [ -z "$t_fire" ] && [ "$(mon_alert_state "$prom" LifeguardPoolSaturated)" = firing ]; then t_fire=$(date +%s.%N); fi
  [ -z "$t_hook" ] && t_hook=$(mon_webhook_first "$work/alerts.jsonl" LifeguardPoolSaturated firing)
  sleep 0.2
done
secs() { python3 -c "import sys; print(f'{float(sys.argv[1]) - float(sys.argv[2]):.1f}')" "$1" "$onset"; }
if [ -n "$t_fire" ]; then fire_s=$(secs "$t_fire"); ok "LifeguardPoolSaturated firing in Prometheus ${fire_s} s after the fault"
else bad "LifeguardPoolSaturated not firing within 60 s"; fi
# without the saturation alert the checks below (webhook, budget, inhibition) cannot pass: stop here
[ -n "$t_fire" ] || { echo "     /dashboard answers during the fault (count status): $(sort "$work/codes" 2>/dev/null | uniq -c | tr -s ' ' | tr '\n' ',')"; finish; }
if [ -n "$t_hook" ]; then
  hook_s=$(secs "$t_hook")
  detail=$(python3 - "$work/alerts.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    rec = json.loads(line)
    for a in rec["body"]["alerts"]:
        if a["labels"].get("alertname") == "LifeguardPoolSaturated" and a["status"] == "firing":
            print(rec["body"]["receiver"], a["labels"].get("severity"), a["labels"].get("pool"), "|", a["annotations"].get("description"))
            sys.exit(0)
PY
)
  echo "     webhook: $detail"
  if [[ "$detail" == "lifeguard-page page "* ]] && [[ "$detail" == *"waiting for a connection"* ]]; then
    ok "Alertmanager delivered the page webhook ${hook_s} s after the fault"
  else bad "webhook delivered but not to the page receiver with the description: $detail"; fi
else bad "no LifeguardPoolSaturated webhook within 60 s"; fi

# 5. the detection budget
if [ -n "$t_hook" ] && python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < 30 else 1)" "$hook_s"; then
  ok "detection within the 30 s budget (${hook_s} s)"
else bad "detection over the 30 s budget (${hook_s:-none} s)"; fi

# 6. + 7. the timeouts that follow are inhibited by the saturation of the same pool
t_timeouts=""
for _ in $(seq 1 150); do
  [ "$(mon_alert_state "$prom" LifeguardPoolTimeouts)" = firing ] && { t_timeouts=$(date +%s.%N); break; }
  sleep 0.2
done
if [ -n "$t_timeouts" ]; then ok "LifeguardPoolTimeouts firing in Prometheus $(secs "$t_timeouts") s after the fault (waiters gave up after 3 s)"
else bad "LifeguardPoolTimeouts never fired although waiters time out after 3 s"; fi
inhibited=""
for _ in $(seq 1 50); do   # Alertmanager receives the alert on the next evaluation
  inhibited=$(curl -fsS -g "http://$am/api/v2/alerts?filter=alertname=\"LifeguardPoolTimeouts\"" 2>/dev/null \
    | python3 -c 'import json,sys; a=json.load(sys.stdin); print(",".join(sorted({s for x in a for s in x["status"]["inhibitedBy"]})) if a else "")' 2>/dev/null)
  [ -n "$inhibited" ] && break; sleep 0.2
done
sleep 3   # longer than the page route's group_wait: a non-inhibited alert would have been sent
if [ -n "$inhibited" ] && [ -z "$(mon_webhook_first "$work/alerts.jsonl" LifeguardPoolTimeouts firing)" ]; then
  ok "LifeguardPoolTimeouts inhibited in Alertmanager (by $inhibited) and not delivered"
else bad "LifeguardPoolTimeouts not inhibited (inhibitedBy '$inhibited') or delivered anyway"; fi

echo "     /dashboard answers during the fault (count status): $(sort "$work/codes" 2>/dev/null | uniq -c | tr -s ' ' | tr '\n' ',')"

# 8. every dashboard query runs against the live Prometheus, and those over exported metrics have data
if python3 eng/monitoring/check-dashboard.py deploy/grafana/lifeguard-dashboard.json --readme deploy/README.md \
     --rules-out "$work/dashboard-rules.json" >/dev/null && out=$(python3 eng/monitoring/query-dashboard.py "$work/dashboard-rules.json" "$prom" 2>&1); then
  ok "dashboard queries against the live Prometheus: $(tail -1 <<<"$out")"
else bad "dashboard queries against the live Prometheus"; sed 's/^/     /' <<<"${out:-}"; fi

# --- record -----------------------------------------------------------------------------------
if [ -n "$t_fire" ] && [ -n "$t_hook" ]; then
  echo "measured: fault -> firing ${fire_s} s, fault -> webhook ${hook_s} s"
  if [ "${LIFEGUARD_RECORD_BENCHMARKS:-0}" = 1 ]; then
    python3 eng/monitoring/record-benchmark.py BENCHMARKS.md "$fire_s" "$hook_s" \
      "website (guard, Maximum Pool Size=2) + Prometheus + Alertmanager, scrape/eval 5 s, for 10 s, group_wait 2 s"
  fi
fi
finish

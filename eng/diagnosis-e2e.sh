#!/usr/bin/env bash
# Issue 11's "done when", against a running ./run.sh under `lifeguard load`: injects each server-side fault
# for real and prints how long the site's diagnoser (/lifeguard/diagnosis) took to name it, then to return
# to healthy. Faults: a lock queue behind an idle transaction, other clients taking every slot, the
# database stopped and started, a dropped index, CPU burners. Bounded: every fault ends by itself.
# Usage: ./run.sh --port 5280 --management-port 5281 --pg-port 54353 --scale 0.05 &
#        then   eng/diagnosis-e2e.sh [SITE_URL] [PGPORT] [MANAGEMENT_URL]   (default management URL: the site's port + 1)
# A manual tool, not a suite: it needs the running site and stops and starts its PostgreSQL.
# Env: none. Needs psql and the CLI built (./lifeguard --help builds it).
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
URL=${1:-http://127.0.0.1:5080}
PGPORT=${2:-54329}
site_port=${URL##*:}; MGMT=${3:-${URL%:*}:$((site_port + 1))}
PG="host=127.0.0.1 port=$PGPORT user=lifeguard password=${LIFEGUARD_PG_PASSWORD:-lifeguard} dbname=lifeguard"
DLL=src/Lifeguard.Cli/bin/Release/net10.0/Lifeguard.Cli.dll
wait_cause() { # wait_cause CAUSE MAXSECONDS -> prints seconds
  local want=$1 max=$2 start=$(date +%s.%N) c
  for _ in $(seq 1 $((max*2))); do
    c=$(curl -s -m 2 $MGMT/lifeguard/diagnosis | python3 -c 'import json,sys; print(json.load(sys.stdin)["cause"])' 2>/dev/null)
    if [ "$c" = "$want" ]; then python3 -c "print(round($(date +%s.%N)-$start,1))"; return 0; fi
    sleep 0.5
  done
  echo "NOT within ${max}s (last: $c)"; return 1
}
dotnet $DLL load --url $URL --users 6 --think 100ms --duration 400s > /tmp/diag-load.log 2>&1 &
load=$!
sleep 15
echo "baseline: $(wait_cause healthy 30)"

echo "== lock: idle transaction on orders, ALTER queued, SELECTs behind"
(echo "BEGIN; SELECT count(*) FROM orders; SELECT 'BLOCKER', pg_backend_pid();"; sleep 40; echo "ROLLBACK;") | psql "$PG application_name=diag-e2e-report" -At > /tmp/diag-blocker.out 2>&1 &
bl=$!
sleep 1
psql "$PG application_name=diag-e2e-migration" -c "BEGIN" -c "ALTER TABLE orders ADD COLUMN diag_x int" -c "ROLLBACK" > /dev/null 2>&1 &
t=$(wait_cause lock_contention 30); echo "lock_contention after: $t s"
dotnet $DLL diagnose --url $MGMT --json /tmp/diag-lock.json; echo "exit $?"
grep BLOCKER /tmp/diag-blocker.out
wait $bl
echo "healthy after the blocker ended: $(wait_cause healthy 40) s"

echo "== connection limit: other clients take every free slot"
PGPORT=$PGPORT python3 - <<'PY' &
import os, subprocess, time
port = os.environ['PGPORT']
procs = []
for i in range(95):
    procs.append(subprocess.Popen(["psql", f"host=127.0.0.1 port={port} user=lifeguard password=lifeguard dbname=lifeguard application_name=diag-e2e-hog", "-c", "SELECT pg_sleep(40)"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
for p in procs: p.wait()
PY
hogs=$!
# the site's own sessions are ended, as in the issue
sleep 5
psql "$PG" -At -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'Lifeguard.Website'"
t=$(wait_cause connection_limit 30); echo "connection_limit after: $t s"
dotnet $DLL diagnose --url $MGMT --json /tmp/diag-limit.json; echo "exit $?"
wait $hogs
echo "healthy after the slots were freed: $(wait_cause healthy 40) s"

echo "== database stopped and started"
eng/pg.sh stop --port "$PGPORT" >/dev/null
t=$(wait_cause database_unavailable 30); echo "database_unavailable after: $t s"
dotnet $DLL diagnose --url $MGMT --json /tmp/diag-down.json; echo "exit $?"
sleep 5
eng/pg.sh start --port "$PGPORT" >/dev/null
echo "healthy after the restart: $(wait_cause healthy 40) s"
kill $load 2>/dev/null
sleep 2
dotnet $DLL load --url $URL --users 6 --think 100ms --duration 300s > /tmp/diag-load.log 2>&1 &
load=$!
sleep 20
echo "baseline: $(wait_cause healthy 30)"
echo "== dropped index"
psql "$PG" -c "DROP INDEX orders_workspace_created" >/dev/null
t=$(wait_cause slow_queries 40); echo "slow_queries after: $t s"
dotnet $DLL diagnose --url $MGMT --json /tmp/diag-slow.json; echo "exit $?"
psql "$PG" -c "CREATE INDEX orders_workspace_created ON orders (workspace_id, created_at)" >/dev/null
echo "healthy after the index is back: $(wait_cause healthy 60) s"
echo "== CPU burners"
for i in 1 2 3; do psql "$PG application_name=diag-e2e-burner" -c "DO \$\$ DECLARE x bigint := 0; BEGIN WHILE clock_timestamp() < now() + interval '40 seconds' LOOP x := x + 1; END LOOP; END \$\$" >/dev/null 2>&1 & done
t=$(wait_cause database_cpu 30); echo "database_cpu after: $t s"
dotnet $DLL diagnose --url $MGMT --json /tmp/diag-cpu.json; echo "exit $?"
sleep 41
echo "healthy after the burners: $(wait_cause healthy 60) s"
kill $load 2>/dev/null

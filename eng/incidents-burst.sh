#!/usr/bin/env bash
# Benchmark: a burst of Alertmanager webhooks against the incident service, then checks nothing was lost.
# Starts the service (Release build) on a database of its own on the private PostgreSQL, drives it with wrk
# (closed loop, N connections) for the duration, then verifies: every body answered 2xx, the service counted
# every one, exactly GROUPS incidents exist and every one of the ALERTS alerts is recorded. Drops the database.
# Usage: eng/incidents-burst.sh [--pg-port N] [--port N] [--duration 10s] [--connections 32] [--threads 2]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
pg_port=${LIFEGUARD_PG_PORT:-54329}; port=5390; duration=10s; conns=32; threads=2
while [ $# -gt 0 ]; do
  case "$1" in
    --pg-port) pg_port=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) conns=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) sed -n '2,7p' "$0"; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "burst: wrk is not installed (eng/prereqs.sh load)" >&2; exit 1; }
export BURST_GROUPS=100 BURST_ALERTS=1000 BURST_STARTS_AT; BURST_STARTS_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
export INCIDENTS_TOKEN; INCIDENTS_TOKEN=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
db=lifeguard_incidents_burst_$$
export PGPASSWORD=${LIFEGUARD_PG_PASSWORD:-lifeguard}
admin="host=127.0.0.1 port=$pg_port user=lifeguard dbname=lifeguard"
dotnet build apps/Incidents -c Release -v quiet -nologo >/dev/null
psql "$admin" -Xq -c "CREATE DATABASE $db"
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -f "${kek:-}"; psql "$admin" -Xq -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true; }
trap cleanup EXIT
base=$(eng/pg.sh url --port "$pg_port")
export ConnectionStrings__Incidents=${base/Database=lifeguard/Database=$db} Incidents__Token=$INCIDENTS_TOKEN
# a benchmark of intake's throughput, not of its per-caller rate limit (Incidents:Intake), which would answer 429
export Incidents__Intake__IntakePermitsPerSecond=100000 Incidents__Intake__IntakeBurst=1000000
kek=$(mktemp); head -c 32 /dev/urandom | base64 >"$kek"; export Incidents__KeyEncryptionKeyFile=$kek
export Logging__LogLevel__Default=Warning
dll=apps/Incidents/bin/Release/net10.0/Incidents.dll
dotnet "$dll" migrate >/dev/null
dotnet "$dll" --urls "http://127.0.0.1:$port" >/tmp/incidents-burst-$$.log 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null && break; sleep 0.2; done
# warm-up (JIT, pool), not counted: one body per group
warm=$(wrk -t1 -c4 -d2s -s eng/incidents/burst.lua "http://127.0.0.1:$port")
before=$(curl -fsS -H "Authorization: Bearer $INCIDENTS_TOKEN" "http://127.0.0.1:$port/metrics" | sed -nE 's/^lifeguard_incidents_notifications_total(\{[^}]*\})? ([0-9]+)$/\2/p')
out=$(wrk -t"$threads" -c"$conns" -d"$duration" -s eng/incidents/burst.lua "http://127.0.0.1:$port")
echo "$out" | grep -E "^burst:|Requests/sec"
sent=$(sed -nE 's/^burst: ([0-9]+) requests.*/\1/p' <<<"$out"); non2xx=$(sed -nE 's/.*non-2xx ([0-9]+).*/\1/p' <<<"$out")
after=$(curl -fsS -H "Authorization: Bearer $INCIDENTS_TOKEN" "http://127.0.0.1:$port/metrics" | sed -nE 's/^lifeguard_incidents_notifications_total(\{[^}]*\})? ([0-9]+)$/\2/p')
# the alerts that were sent at all: the longest walk through the fingerprint sequence, warm-up or burst
seq_warm=$(sed -nE 's/^sequence: ([0-9]+)/\1/p' <<<"$warm"); seq_burst=$(sed -nE 's/^sequence: ([0-9]+)/\1/p' <<<"$out")
expected=$(( seq_warm > seq_burst ? seq_warm : seq_burst )); [ "$expected" -gt "$BURST_ALERTS" ] && expected=$BURST_ALERTS
q() { psql "host=127.0.0.1 port=$pg_port user=lifeguard dbname=$db" -XAtq -c "$1"; }
incidents=$(q "SELECT count(*) FROM incidents"); alerts=$(q "SELECT count(*) FROM incident_alerts"); groups=$(q "SELECT count(DISTINCT group_key) FROM incidents")
opened=$(q "SELECT count(*) FROM timeline WHERE kind = 'opened'")
echo "burst: handled by the service $((after - before)) (wrk read $sent answers); incidents $incidents (groups $groups, opened events $opened), alerts recorded $alerts of $expected built by wrk"
ok=1
[ "$non2xx" = 0 ] || ok=0
# wrk counts the answers it read; bodies still in flight when it stopped were handled too (at most one per connection)
accepted=$((after - before))
[ "$accepted" -ge "$sent" ] && [ "$accepted" -le $((sent + conns)) ] || ok=0
[ "$incidents" = "$BURST_GROUPS" ] && [ "$groups" = "$BURST_GROUPS" ] && [ "$opened" = "$BURST_GROUPS" ] || ok=0
# wrk builds a body before it writes it: the last few of the longest walk (at most one per connection) may never
# have left wrk when it stopped, so they can be missing without being lost
slack=$(( conns > 4 ? conns : 4 ))
[ "$alerts" -le "$expected" ] && [ "$alerts" -ge $((expected - slack)) ] || ok=0
if [ "$ok" = 1 ]; then echo "burst: nothing lost, no duplicate incident"; else echo "burst: FAILED (see above)"; exit 1; fi

#!/usr/bin/env bash
# The fleet registry's cost on the database: one website instance, idle, for SECONDS (default 120) on a private cluster;
# the registry's statements read back from pg_stat_statements (calls, server time). Resets pg_stat_statements first.
# Usage: eng/fleet-cost.sh [--data DIR] [--port N] [--seconds S]   (defaults: .data/pg, 54329, 120; the site must be built)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd); cd "$root"
data=.data/pg; port=54329; secs=120
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data=$2; shift 2 ;; --port) port=$2; shift 2 ;; --seconds) secs=$2; shift 2 ;;
    *) echo "fleet-cost.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$secs" =~ ^[0-9]+$ ]] && [ "$secs" -ge 10 ] || { echo "fleet-cost.sh: --seconds must be a whole number ≥ 10" >&2; exit 2; }
cs="$(eng/pg.sh url --data "$data" --port "$port")"
echo "SELECT pg_stat_statements_reset();" | eng/pg.sh psql --data "$data" --port "$port" >/dev/null
ConnectionStrings__Main="$cs" Lifeguard__Instance=fleet-cost dotnet apps/Website/bin/Release/net10.0/Website.dll \
  --urls http://127.0.0.1:0 --Lifeguard:Endpoints:ManagementPort=0 >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
sleep "$secs"
kill "$pid"; wait "$pid" || true
echo "SELECT calls, round(total_exec_time::numeric, 3) AS total_ms, round(mean_exec_time::numeric, 4) AS mean_ms,
       left(regexp_replace(query, '\s+', ' ', 'g'), 70) AS statement
FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND (query LIKE '%lifeguard-fleet%' OR query IN ('BEGIN', 'COMMIT')) ORDER BY calls DESC;" \
  | eng/pg.sh psql --data "$data" --port "$port"

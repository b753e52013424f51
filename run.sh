#!/usr/bin/env bash
# Brings up the main job: the private PostgreSQL and the website with Lifeguard attached.
# Usage: ./run.sh [--port N] [--pg-port N] [--scale X] [--monitoring]
#   --port N      website port (default 5080)
#   --pg-port N   private PostgreSQL port (default 54329, or $LIFEGUARD_PG_PORT)
#   --scale X     seed size on first run (1.0 = 1,000 users, 2,000,000 activity rows)
#   --monitoring  also Prometheus, Alertmanager and the incident service (http://127.0.0.1:5090)
# Ctrl-C stops everything this script started (a PostgreSQL it found running is left running).
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

port=5080; scale=1.0; monitoring=0; pg_port=${LIFEGUARD_PG_PORT:-54329}
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=${2:?--port needs a number}; shift 2 ;;
    --pg-port) pg_port=${2:?--pg-port needs a number}; shift 2 ;;
    --scale) scale=${2:?--scale needs a number}; shift 2 ;;
    --monitoring) monitoring=1; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
[[ "$port" =~ ^[0-9]+$ ]] || { echo "run.sh: --port must be a number" >&2; exit 2; }
[[ "$pg_port" =~ ^[0-9]+$ ]] || { echo "run.sh: --pg-port must be a number" >&2; exit 2; }

eng/prereqs.sh db $([ "$monitoring" = 1 ] && echo monitoring)

pids=()
started_pg=0
eng/pg.sh status --port "$pg_port" >/dev/null 2>&1 || started_pg=1
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "$started_pg" = 1 ] && eng/pg.sh stop --port "$pg_port" || true
}
trap stop_all INT TERM EXIT
eng/pg.sh start --port "$pg_port"

# The sized pool (eng/pg.sh url --pool): `lifeguard check --env --server` passes on exactly this string.
export ConnectionStrings__Main; ConnectionStrings__Main=$(eng/pg.sh url --port "$pg_port" --pool)
echo "== build"
dotnet build apps/Website -c Release -v quiet -nologo
site=(dotnet apps/Website/bin/Release/net10.0/Website.dll)
"${site[@]}" migrate
"${site[@]}" seed --scale "$scale"

"${site[@]}" --urls "http://127.0.0.1:$port" &
pids+=($!)
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "${pids[0]}" 2>/dev/null || { echo "run.sh: the website exited" >&2; exit 1; }
  sleep 0.5
done

if [ "$monitoring" = 1 ] && [ -x eng/monitoring.sh ]; then
  # The incident service (eng/incidents.sh) is Alertmanager's receiver: token, database and demo users first.
  eng/incidents.sh prepare --pg-port "$pg_port"
  eng/incidents.sh serve --pg-port "$pg_port" &
  pids+=($!)
  eng/monitoring.sh start --site "127.0.0.1:$port" --webhook http://127.0.0.1:5090/api/alertmanager --webhook-token-file .data/incidents.token &
  pids+=($!)
fi

cat <<MSG

  Lifeguard website   http://127.0.0.1:$port
  demo login          demo@lifeguard.local / Demo-Password-1
  pool metrics        http://127.0.0.1:$port/metrics
  health              http://127.0.0.1:$port/health
  live pool page      http://127.0.0.1:$port/lifeguard

  Ctrl-C stops everything this script started.
MSG
wait "${pids[0]}"

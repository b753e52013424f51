#!/usr/bin/env bash
# Brings up the main job: the private PostgreSQL and the website with Lifeguard attached.
# Usage: ./run.sh [--port N] [--management-port N] [--instances N] [--pg-port N] [--scale X] [--monitoring] [--pgbouncer]
#   --port N      website port (default 5080)
#   --management-port N  management address: /metrics, /health with details, /lifeguard (default 5081)
#   --instances N 1..8 website instances on the one database, each with its own pool (docs/fleet-local.md): instance i
#                 listens on port+2(i-1) and management-port+2(i-1) (5080, 5082, ... and 5081, 5083, ...), Lifeguard:Instance web-i
#   --max-pool-size N  every instance's Maximum Pool Size (default 8, eng/pg.sh url --pool); 2 x 60 > 97 slots
#   --pg-port N   private PostgreSQL port (default 54329, or $LIFEGUARD_PG_PORT)
#   --scale X     seed size on first run (1.0 = 1,000 users, 2,000,000 activity rows)
#   --monitoring  also Prometheus, Alertmanager and the incident service (http://127.0.0.1:5090)
#   --pgbouncer   the site(s) through PgBouncer in transaction mode on 127.0.0.1:64329 (deploy/pgbouncer/pgbouncer.ini),
#                 the diagnoser reading its admin console and the server directly (docs/pooler.md)
# Ctrl-C stops everything this script started (a PostgreSQL it found running is left running).
# Env: LIFEGUARD_PG_DATA (cluster data dir, default .data/pg), LIFEGUARD_RUN_HEALTH_TIMEOUT (seconds the
# site has to become healthy, default 30); eng/suites/run-startup.sh exercises the start-up checks with them.
# With --pgbouncer: LIFEGUARD_PGBOUNCER_PORT (64329).
# With --monitoring (eng/suites/escalation-e2e.sh runs it on ports of its own): LIFEGUARD_INCIDENTS_PORT (5090),
# LIFEGUARD_INCIDENTS_TOKEN_FILE (.data/incidents.token), LIFEGUARD_RECEIVER_PORT (the channel `default`'s local
# receiver, 5099), LIFEGUARD_PROMETHEUS_PORT (9091), LIFEGUARD_ALERTMANAGER_PORT (9094), LIFEGUARD_MONITORING_DATA
# (.data/monitoring); Incidents__* settings (policy file, channel URLs) pass through to the incident service.
# LIFEGUARD_NO_BUILD=1 skips the builds when their output exists (the suites test.sh runs after building).
# A management token (Lifeguard__Endpoints__TokenFile, or Lifeguard__Endpoints__Token which run.sh moves into
# .data/management-PORT.token, mode 600) never goes on a command line: curl and the others read it from files.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

pg_data=${LIFEGUARD_PG_DATA:-.data/pg}; health_timeout=${LIFEGUARD_RUN_HEALTH_TIMEOUT:-30}
port=5080; management_port=5081; instances=1; max_pool_size=""; scale=1.0; monitoring=0; pgbouncer=0; pooler_port=${LIFEGUARD_PGBOUNCER_PORT:-64329}; pg_port=${LIFEGUARD_PG_PORT:-54329}
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=${2:?--port needs a number}; shift 2 ;;
    --management-port) management_port=${2:?--management-port needs a number}; shift 2 ;;
    --max-pool-size) max_pool_size=${2:?--max-pool-size needs a number}; shift 2 ;;
    --instances) instances=${2:?--instances needs a number}; shift 2 ;;
    --pg-port) pg_port=${2:?--pg-port needs a number}; shift 2 ;;
    --scale) scale=${2:?--scale needs a number}; shift 2 ;;
    --monitoring) monitoring=1; shift ;;
    --pgbouncer) pgbouncer=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
[[ "$port" =~ ^[0-9]+$ ]] || { echo "run.sh: --port must be a number" >&2; exit 2; }
[[ "$management_port" =~ ^[0-9]+$ ]] || { echo "run.sh: --management-port must be a number" >&2; exit 2; }
[ "$management_port" != "$port" ] || { echo "run.sh: --management-port must differ from --port" >&2; exit 2; }
[[ "$instances" =~ ^[0-9]+$ ]] && [ "$instances" -ge 1 ] && [ "$instances" -le 8 ] \
  || { echo "run.sh: --instances must be a whole number from 1 to 8 (got '$instances')" >&2; exit 2; }
[ -z "$max_pool_size" ] || { [[ "$max_pool_size" =~ ^[0-9]+$ ]] && [ "$max_pool_size" -ge 2 ] && [ "$max_pool_size" -le 1000 ]; } \
  || { echo "run.sh: --max-pool-size must be a whole number from 2 (the Minimum Pool Size) to 1000 (got '$max_pool_size')" >&2; exit 2; }
# instance i (0-based) listens on port+2i and management_port+2i: the defaults interleave (5080, 5081, 5082, 5083, ...)
site_ports=(); mgmt_ports=()
for ((i = 0; i < instances; i++)); do site_ports+=($((port + 2 * i))); mgmt_ports+=($((management_port + 2 * i))); done
if [ "$(printf '%s\n' "${site_ports[@]}" "${mgmt_ports[@]}" | sort -u | wc -l)" -ne $((2 * instances)) ]; then
  echo "run.sh: with --instances $instances the ports ${site_ports[*]} and management ports ${mgmt_ports[*]} overlap; pick --port and --management-port an odd distance apart" >&2; exit 2
fi
[[ "$health_timeout" =~ ^[0-9]+$ ]] || { echo "run.sh: LIFEGUARD_RUN_HEALTH_TIMEOUT must be a number of seconds" >&2; exit 2; }
[[ "$pg_port" =~ ^[0-9]+$ ]] || { echo "run.sh: --pg-port must be a number" >&2; exit 2; }
incidents_port=${LIFEGUARD_INCIDENTS_PORT:-5090}; receiver_port=${LIFEGUARD_RECEIVER_PORT:-5099}
incidents_token=${LIFEGUARD_INCIDENTS_TOKEN_FILE:-.data/incidents.token}
prometheus_port=${LIFEGUARD_PROMETHEUS_PORT:-9091}; alertmanager_port=${LIFEGUARD_ALERTMANAGER_PORT:-9094}
monitoring_data=${LIFEGUARD_MONITORING_DATA:-.data/monitoring}
for p in "$incidents_port" "$receiver_port" "$prometheus_port" "$alertmanager_port"; do
  [[ "$p" =~ ^[0-9]+$ ]] || { echo "run.sh: LIFEGUARD_*_PORT must be numbers" >&2; exit 2; }
done

eng/prereqs.sh db $([ "$monitoring" = 1 ] && echo monitoring) $([ "$pgbouncer" = 1 ] && echo pooler)

pids=()
started_pg=0
eng/pg.sh status --data "$pg_data" --port "$pg_port" >/dev/null 2>&1 || started_pg=1
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "$started_pg" = 1 ] && eng/pg.sh stop --data "$pg_data" --port "$pg_port" || true
}
trap stop_all INT TERM EXIT
eng/pg.sh start --data "$pg_data" --port "$pg_port"

# The sized pool (eng/pg.sh url --pool): `lifeguard check --env --server` passes on exactly this string.
export ConnectionStrings__Main; ConnectionStrings__Main=$(eng/pg.sh url --data "$pg_data" --port "$pg_port" --pool)
[ -z "$max_pool_size" ] || ConnectionStrings__Main=$(sed -E "s/Maximum Pool Size=[0-9]+/Maximum Pool Size=$max_pool_size/" <<<"$ConnectionStrings__Main")
# The live diagnosis and the server metrics read the server as the diagnoser (pg_monitor, no table of the site's).
export ConnectionStrings__Diagnosis; ConnectionStrings__Diagnosis=$(eng/pg.sh url --role diagnoser --data "$pg_data" --port "$pg_port")
if [ "$pgbouncer" = 1 ]; then
  # PgBouncer in front (deploy/pgbouncer/pgbouncer.ini, its port and paths made this checkout's): the site connects
  # through it; the diagnoser reads its admin console and the server directly. It refuses root: run as postgres then.
  if (exec 3<>"/dev/tcp/127.0.0.1/$pooler_port") 2>/dev/null; then echo "run.sh: 127.0.0.1:$pooler_port is taken (another PgBouncer?)" >&2; exit 1; fi
  pooler_dir=$PWD/.data/pgbouncer; mkdir -p "$pooler_dir"
  user=$(sed -nE 's/.*Username=([^;]*).*/\1/p' <<<"$ConnectionStrings__Main"); password=$(sed -nE 's/.*Password=([^;]*).*/\1/p' <<<"$ConnectionStrings__Main")
  (umask 077; printf '"%s" "%s"\n' "$user" "$password" >"$pooler_dir/userlist.txt")
  sed -E "s/^lifeguard = host=127.0.0.1 port=[0-9]+/lifeguard = host=127.0.0.1 port=$pg_port/; s/^listen_port = .*/listen_port = $pooler_port/;
    s#^auth_file = .*#auth_file = $pooler_dir/userlist.txt#; s#^logfile = .*#logfile = $pooler_dir/pgbouncer.log#;
    s/^(admin_users|stats_users) = .*/\1 = $user/" deploy/pgbouncer/pgbouncer.ini >"$pooler_dir/pgbouncer.ini"
  if [ "$(id -u)" = 0 ]; then chown -R postgres "$pooler_dir"; runuser -u postgres -- /usr/sbin/pgbouncer "$pooler_dir/pgbouncer.ini" &
  else /usr/sbin/pgbouncer "$pooler_dir/pgbouncer.ini" & fi
  pids+=($!)
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$pooler_port") 2>/dev/null && break; sleep 0.1; done
  (exec 3<>"/dev/tcp/127.0.0.1/$pooler_port") 2>/dev/null || { echo "run.sh: PgBouncer did not start: $(tail -3 "$pooler_dir/pgbouncer.log")" >&2; exit 1; }
  export Lifeguard__Diagnosis__Postgres__ConnectionString=$ConnectionStrings__Diagnosis
  export Lifeguard__Diagnosis__Pooler__ConnectionString="Host=127.0.0.1;Port=$pooler_port;Username=$user;Password=$password;Database=pgbouncer"
  main_direct=$ConnectionStrings__Main
  ConnectionStrings__Main=$(sed -E "s/Port=$pg_port/Port=$pooler_port/" <<<"$ConnectionStrings__Main")
  ConnectionStrings__Main="$ConnectionStrings__Main;No Reset On Close=true"
  echo "== PgBouncer (transaction mode) on 127.0.0.1:$pooler_port in front of PostgreSQL :$pg_port; the site connects through it"
fi
# LIFEGUARD_NO_BUILD=1: use the build output as it is (suites that test.sh runs right after building everything)
if [ "${LIFEGUARD_NO_BUILD:-0}" = 1 ] && [ -f apps/Website/bin/Release/net10.0/Website.dll ]; then echo "== build (skipped: LIFEGUARD_NO_BUILD=1)"
else echo "== build"; dotnet build apps/Website -c Release -v quiet -nologo; fi
site=(dotnet apps/Website/bin/Release/net10.0/Website.dll)
# `lifeguard load` logs its users in from this one address: the site's own default (10 account POSTs a minute per address,
# against password guessing) would stop it after ten. This loopback site admits 1000 unless told otherwise.
export Website__AccountPostPermitLimit="${Website__AccountPostPermitLimit:-1000}"
# Migrations and the seed take session-level locks: straight to PostgreSQL, never through a transaction-mode pooler.
ConnectionStrings__Main=${main_direct:-$ConnectionStrings__Main} "${site[@]}" migrate
ConnectionStrings__Main=${main_direct:-$ConnectionStrings__Main} "${site[@]}" seed --scale "$scale"

# With a token the management address answers 401 without it. A token given in the environment goes into a file
# (mode 600) that the site, curl, Prometheus and the incident service read: `ps` shows command lines to every user.
mkdir -p .data
mgmt_token_file=${Lifeguard__Endpoints__TokenFile:-}
if [ -n "${Lifeguard__Endpoints__Token:-}" ]; then
  mgmt_token_file=.data/management-$management_port.token
  ( umask 077; printf '%s' "$Lifeguard__Endpoints__Token" >"$mgmt_token_file" )
  unset Lifeguard__Endpoints__Token
  export Lifeguard__Endpoints__TokenFile=$mgmt_token_file
fi
mgmt_auth=()
if [ -n "$mgmt_token_file" ]; then
  [ -r "$mgmt_token_file" ] || { echo "run.sh: Lifeguard__Endpoints__TokenFile $mgmt_token_file cannot be read" >&2; exit 2; }
  mgmt_header=.data/management-$management_port.header
  ( umask 077; printf 'Authorization: Bearer %s\n' "$(tr -d '[:space:]' <"$mgmt_token_file")" >"$mgmt_header" )
  mgmt_auth=(-H "@$mgmt_header")
fi
# The site's output goes to a log (shown on failure): the banner below is the only thing printed on success.
# Every instance is its own process with its own pool, all on the one database (docs/fleet-local.md).
mkdir -p .data
site_logs=()
for ((i = 0; i < instances; i++)); do
  site_logs+=(.data/site-${site_ports[i]}.log)
  # one instance keeps the guard's own default identity; a fleet names each (Lifeguard:Instance, web-1, web-2, ...)
  instance_env=(); [ "$instances" -gt 1 ] && instance_env=(Lifeguard__Instance="web-$((i + 1))")
  env "${instance_env[@]}" "${site[@]}" --urls "http://127.0.0.1:${site_ports[i]}" \
    --Lifeguard:Endpoints:ManagementPort="${mgmt_ports[i]}" >"${site_logs[i]}" 2>&1 &
  pids+=($!)
done
# wait_healthy I: instance I answers /health on both addresses; 1 when it exited or the timeout passed
wait_healthy() {
  local i=$1 _
  for _ in $(seq 1 $((health_timeout * 2))); do
    if curl -fsS --max-time 2 "http://127.0.0.1:${site_ports[i]}/health" >/dev/null 2>&1 \
       && curl -fsS --max-time 2 "${mgmt_auth[@]}" "http://127.0.0.1:${mgmt_ports[i]}/health" >/dev/null 2>&1; then return 0; fi
    kill -0 "${pids[i]}" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}
for ((i = 0; i < instances; i++)); do
  wait_healthy "$i" && continue
  which="the website"; [ "$instances" -gt 1 ] && which="website instance $((i + 1))"
  if kill -0 "${pids[i]}" 2>/dev/null; then
    echo "run.sh: $which did not become healthy within $health_timeout s on :${site_ports[i]} and :${mgmt_ports[i]}; last lines of ${site_logs[i]}:" >&2
  else
    echo "run.sh: $which exited; last lines of ${site_logs[i]}:" >&2
  fi
  tail -n 30 "${site_logs[i]}" >&2
  exit 1
done
site_count=${#pids[@]}

if [ "$monitoring" = 1 ] && [ -x eng/monitoring.sh ]; then
  # The incident service (eng/incidents.sh) is Alertmanager's receiver: token, database and demo users first.
  # --demo-users: a responder and a viewer with the published demo password, for this local demo only (said below)
  eng/incidents.sh prepare --pg-port "$pg_port" --pg-data "$pg_data" --port "$incidents_port" --token-file "$incidents_token" --demo-users
  # the escalation policy's channel `default` (deploy/incidents/escalation.yaml): a local receiver unless a URL is given
  if [ -z "${Incidents__Channels__default__Url:-}" ]; then
    python3 -u eng/monitoring/webhook-receiver.py --port "$receiver_port" --out .data/escalation-notifications.jsonl >.data/escalation-receiver.log 2>&1 &
    pids+=($!)
    export Incidents__Channels__default__Url=http://127.0.0.1:$receiver_port/alerts
  fi
  # the live diagnosis comes only from these sites' management addresses (an alert's label cannot point elsewhere)
  token_args=(); evidence_args=(); scrape_targets=""
  for mp in "${mgmt_ports[@]}"; do
    evidence_args+=(--site "127.0.0.1:$mp"); scrape_targets+="${scrape_targets:+,}127.0.0.1:$mp"
  done
  if [ -n "$mgmt_token_file" ]; then   # Prometheus and the incident service read the token from its file
    token_args=(--site-token-file "$mgmt_token_file"); evidence_args+=(--management-token-file "$(readlink -f "$mgmt_token_file")")
  fi
  eng/incidents.sh serve --pg-port "$pg_port" --pg-data "$pg_data" --port "$incidents_port" --token-file "$incidents_token" "${evidence_args[@]}" &
  pids+=($!)
  eng/monitoring.sh start --site "$scrape_targets" "${token_args[@]}" \
    --prometheus-port "$prometheus_port" --alertmanager-port "$alertmanager_port" --data "$monitoring_data" \
    --webhook "http://127.0.0.1:$incidents_port/api/alertmanager" --webhook-token-file "$incidents_token" &
  pids+=($!)
fi

site_banner() { # site_banner I: one instance's URLs
  local p=${site_ports[$1]} m=${mgmt_ports[$1]}
  [ "$instances" -gt 1 ] && printf '  instance web-%s (Lifeguard:Instance)\n' "$(($1 + 1))"
  cat <<MSG
  Lifeguard website   http://127.0.0.1:$p
  health (status)     http://127.0.0.1:$p/health
  management address  http://127.0.0.1:$m   (loopback only; 404 on the public port)
    pool metrics      http://127.0.0.1:$m/metrics
    health, details   http://127.0.0.1:$m/health
    live pool page    http://127.0.0.1:$m/lifeguard
  site log            ${site_logs[$1]}
MSG
}
echo
for ((i = 0; i < instances; i++)); do site_banner "$i"; done
cat <<MSG
  demo login          demo@lifeguard.local / Demo-Password-1
  login rate limit    $Website__AccountPostPermitLimit account POSTs per address per window (the site's own default: 10 a minute)
$([ "$instances" -gt 1 ] && printf '  load them all       ./lifeguard load --url %s\n' "$(printf 'http://127.0.0.1:%s,' "${site_ports[@]}" | sed 's/,$//')"
  [ "$monitoring" = 1 ] && printf '  incident service    http://127.0.0.1:%s   DEMO USERS responder@/viewer@lifeguard.local / Demo-Password-1 (published: local demo only)\n' "$incidents_port")

  Ctrl-C stops everything this script started.
MSG
# any instance exiting ends the run (and stop_all stops the others)
wait -n "${pids[@]:0:site_count}"

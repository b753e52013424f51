#!/usr/bin/env bash
# Runs Lifeguard's monitoring stack from the command line, on 127.0.0.1 only, with the configs
# in deploy/: Prometheus, Alertmanager and a local webhook receiver standing in for the incident
# service. `start` stays in the foreground, prints the URLs and stops everything on Ctrl-C/TERM.
# Usage: eng/monitoring.sh start [--site HOST:PORT] [--site-token-file FILE] [--prometheus-port N]
#                                [--alertmanager-port N] [--webhook URL [--webhook-token-file F] | --receiver-port N] [--data DIR]
#        eng/monitoring.sh stop [--data DIR]
#   --site        the website's management address to scrape (default 127.0.0.1:5081); a comma list scrapes a fleet
#                 (./run.sh --instances N passes every instance's)
#   --site-token-file  a file holding the site's Lifeguard:Endpoints:Token, sent as a bearer token
#   --webhook     send notifications to URL instead of starting the local receiver
#   --webhook-token-file  send the bearer token in F with them (the incident service: run.sh passes .data/incidents.token)
#   --data        state, logs and rendered configs (default .data/monitoring)
# Defaults: Prometheus 9091, Alertmanager 9094, receiver 5099 (http://127.0.0.1:5099/alerts).
# (./run.sh --monitoring sends to the incident service instead: --webhook http://127.0.0.1:5090/api/alertmanager.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=eng/monitoring/lib.sh
source "$root/eng/monitoring/lib.sh"

cmd=${1:-}; [ $# -gt 0 ] && shift
site=127.0.0.1:5081; site_token_file=""; prom_port=9091; am_port=9094; hook_port=5099; webhook=""; token_file=""; data="$root/.data/monitoring"
while [ $# -gt 0 ]; do
  case "$1" in
    --site) site=${2:?--site needs HOST:PORT}; shift 2 ;;
    --site-token-file) site_token_file=$(readlink -f "${2:?--site-token-file needs a file}"); shift 2 ;;
    --prometheus-port) prom_port=${2:?}; shift 2 ;;
    --alertmanager-port) am_port=${2:?}; shift 2 ;;
    --receiver-port) hook_port=${2:?}; shift 2 ;;
    --webhook) webhook=${2:?--webhook needs a URL}; shift 2 ;;
    --webhook-token-file) token_file=${2:?--webhook-token-file needs a path}; shift 2 ;;
    --data) data=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "monitoring.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$data"; data=$(cd "$data" && pwd)
pidfile=$data/pids

stop_pids() {
  [ -f "$pidfile" ] || return 0
  # Only processes that are still ours: every one we start names $data in its arguments, so a
  # pid reused by some other program after a hard kill or reboot is left alone.
  local pid mine=()
  for pid in $(cat "$pidfile"); do
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$data" && mine+=("$pid")
  done
  [ ${#mine[@]} -gt 0 ] && mon_stop "${mine[@]}"
  rm -f "$pidfile"
}

case "$cmd" in
  start)
    "$root/eng/prereqs.sh" monitoring
    [ -f "$pidfile" ] && stop_pids   # leftovers of a run that was killed hard
    prom=127.0.0.1:$prom_port; am=127.0.0.1:$am_port
    local_receiver=0
    if [ -z "$webhook" ]; then webhook=http://127.0.0.1:$hook_port/alerts; local_receiver=1; fi
    if [ -n "$token_file" ]; then
      [ "$local_receiver" = 0 ] || { echo "monitoring.sh: --webhook-token-file goes with --webhook" >&2; exit 2; }
      token_file=$(readlink -f "$token_file"); [ -s "$token_file" ] || { echo "monitoring.sh: $token_file is missing or empty" >&2; exit 2; }
    fi
    MON_WEBHOOK_TOKEN_FILE=$token_file mon_render_configs "$data/config" "$site" "$prom" "$am" "$webhook" "$site_token_file"
    pids=()
    cleanup() { trap - INT TERM EXIT; mon_stop "${pids[@]}"; rm -f "$pidfile"; }
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    if [ "$local_receiver" = 1 ]; then
      mon_start_webhook "$hook_port" "$data/alerts.jsonl" "$data/webhook.log"; pids+=("$MON_HOOK_PID")
      echo "${pids[*]}" >"$pidfile"
    fi
    mon_start_alertmanager "$data/config/alertmanager/alertmanager.yml" "$data/alertmanager" "$am" "$data/alertmanager.log"
    pids+=("$MON_AM_PID"); echo "${pids[*]}" >"$pidfile"
    mon_start_prometheus "$data/config/prometheus/prometheus.yml" "$data/prometheus" "$prom" "$data/prometheus.log"
    pids+=("$MON_PROM_PID"); echo "${pids[*]}" >"$pidfile"
    cat <<MSG

  Prometheus          http://$prom   (alerts: http://$prom/alerts, scraping $site)
  Alertmanager        http://$am
  alert webhook       $webhook$([ "$local_receiver" = 1 ] && echo "   (local receiver, log: $data/alerts.jsonl)")
  Grafana dashboard   deploy/grafana/lifeguard-dashboard.json (import, pick the Prometheus above)

MSG
    # stay in the foreground; show notifications as the local receiver gets them
    if [ "$local_receiver" = 1 ]; then tail -n +2 -f "$data/webhook.log" --pid="$MON_PROM_PID" &
      pids+=("$!"); fi
    wait "$MON_PROM_PID"
    ;;
  stop) stop_pids ;;
  *) sed -n '2,15p' "$0"; exit 2 ;;
esac

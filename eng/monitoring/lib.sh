# Shared shell functions for running Lifeguard's monitoring stack from the command line.
# Sourced by eng/monitoring.sh and eng/suites/monitoring-e2e.sh; needs bash, curl, python3,
# prometheus, prometheus-alertmanager. Every server binds 127.0.0.1 only, and every Debian default
# (/etc/prometheus, /var/lib/prometheus, 0.0.0.0:9090, clustering on :9094) is overridden.

MON_ROOT=${MON_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

# mon_render_configs OUT_DIR SITE PROM_ADDR AM_ADDR WEBHOOK_URL [SITE_TOKEN_FILE]
# Copies deploy/prometheus and deploy/alertmanager into OUT_DIR with the addresses substituted
# (the files in deploy/ keep the documented defaults: 5081, 9091, 9094, the incident service on 5090). SITE is the
# website's management address, or a comma list of them (a fleet: ./run.sh --instances N), all scraped by one job; with SITE_TOKEN_FILE the scrape sends its content as a bearer token (the commented
# authorization block of deploy/prometheus/prometheus.yml, uncommented). With MON_WEBHOOK_TOKEN_FILE set (the
# incident service's token file, absolute) the webhooks send it as a bearer token; without it the lines marked
# "incidents-auth" are dropped (a plain receiver needs none).
mon_render_configs() {
  local out=$1 site=$2 prom=$3 am=$4 webhook=$5 token_file=${6:-} hook_token_file=${MON_WEBHOOK_TOKEN_FILE:-} hook_auth targets
  # 'a:1', 'b:2': the YAML list of the scrape job's targets
  targets="'${site//,/\', \'}'"
  rm -rf "$out/prometheus" "$out/alertmanager"
  mkdir -p "$out/prometheus" "$out/alertmanager"
  cp -r "$MON_ROOT/deploy/prometheus/rules" "$out/prometheus/rules"
  local auth=()
  if [ -n "$token_file" ]; then
    [ -r "$token_file" ] || { echo "monitoring: token file $token_file is not readable" >&2; return 1; }
    auth=(-e "s|^    # authorization:|    authorization:|" -e "s|^    #   type: Bearer|      type: Bearer|"
          -e "s|^    #   credentials_file: .*|      credentials_file: $token_file|")
  fi
  sed -e "s|'127.0.0.1:5081'|$targets|" -e "s|'127.0.0.1:9094'|'$am'|" -e "s|'127.0.0.1:9091'|'$prom'|" "${auth[@]}" \
    "$MON_ROOT/deploy/prometheus/prometheus.yml" >"$out/prometheus/prometheus.yml"
  if [ -n "$hook_token_file" ]; then hook_auth="s|credentials_file: .*# incidents-auth|credentials_file: $hook_token_file   # incidents-auth|"
  else hook_auth='/# incidents-auth$/d'; fi
  sed -e "s|http://127.0.0.1:5090/api/alertmanager|$webhook|g" -e "$hook_auth" \
    "$MON_ROOT/deploy/alertmanager/alertmanager.yml" >"$out/alertmanager/alertmanager.yml"
  # a substitution that silently did nothing would point the stack at the wrong place
  grep -qF "[$targets]" "$out/prometheus/prometheus.yml" && grep -q "$webhook" "$out/alertmanager/alertmanager.yml" || {
    echo "monitoring: rendering configs into $out failed" >&2; return 1; }
  if [ -n "$token_file" ] && ! grep -q "^      credentials_file: $token_file\$" "$out/prometheus/prometheus.yml"; then
    echo "monitoring: rendering the scrape's authorization into $out failed" >&2; return 1
  fi
}

# mon_wait_url URL SECONDS PID: waits until URL answers 2xx; fails early if PID died.
mon_wait_url() {
  local url=$1 secs=$2 pid=${3:-} i
  for ((i = 0; i < secs * 10; i++)); do
    curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null && return 0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    sleep 0.1
  done
  return 1
}

# mon_start_prometheus CONFIG_FILE DATA_DIR ADDR LOG -> sets MON_PROM_PID
mon_start_prometheus() {
  local cfg=$1 data=$2 addr=$3 log=$4
  mkdir -p "$data"
  prometheus --config.file="$cfg" --storage.tsdb.path="$data" --storage.tsdb.retention.time=1h \
    --web.listen-address="$addr" --web.external-url="http://$addr/" --web.enable-lifecycle \
    >"$log" 2>&1 &
  MON_PROM_PID=$!
  mon_wait_url "http://$addr/-/ready" 30 "$MON_PROM_PID" || {
    echo "monitoring: Prometheus did not become ready on $addr (log: $log)" >&2; tail -5 "$log" >&2; return 1; }
}

# mon_start_alertmanager CONFIG_FILE DATA_DIR ADDR LOG -> sets MON_AM_PID
mon_start_alertmanager() {
  local cfg=$1 data=$2 addr=$3 log=$4
  mkdir -p "$data"
  prometheus-alertmanager --config.file="$cfg" --storage.path="$data" --web.listen-address="$addr" \
    --web.external-url="http://$addr/" --cluster.listen-address= >"$log" 2>&1 &
  MON_AM_PID=$!
  mon_wait_url "http://$addr/-/ready" 30 "$MON_AM_PID" || {
    echo "monitoring: Alertmanager did not become ready on $addr (log: $log)" >&2; tail -5 "$log" >&2; return 1; }
}

# mon_start_webhook PORT OUT_FILE LOG -> sets MON_HOOK_PID
mon_start_webhook() {
  local port=$1 out=$2 log=$3
  : >"$out"
  python3 -u "$MON_ROOT/eng/monitoring/webhook-receiver.py" --port "$port" --out "$out" >"$log" 2>&1 &
  MON_HOOK_PID=$!
  mon_wait_url "http://127.0.0.1:$port/alerts" 20 "$MON_HOOK_PID" || {
    echo "monitoring: webhook receiver did not start on 127.0.0.1:$port (log: $log)" >&2; cat "$log" >&2; return 1; }
}

# mon_alert_state PROM_ADDR ALERTNAME -> prints "firing", "pending" or "" (first matching alert)
mon_alert_state() {
  curl -fsS --max-time 2 "http://$1/api/v1/alerts" 2>/dev/null | python3 -c '
import json, sys
name = sys.argv[1]
try:
    alerts = json.load(sys.stdin)["data"]["alerts"]
except Exception:
    sys.exit(0)
states = [a["state"] for a in alerts if a["labels"].get("alertname") == name]
print("firing" if "firing" in states else (states[0] if states else ""))' "$2"
}

# mon_webhook_first OUT_FILE ALERTNAME STATUS -> prints received_at of the first notification
# carrying ALERTNAME with STATUS (firing|resolved), or nothing.
mon_webhook_first() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
path, name, status = sys.argv[1:4]
try:
    lines = open(path, encoding="utf-8").read().splitlines()
except FileNotFoundError:
    sys.exit(0)
for line in lines:
    rec = json.loads(line)
    for alert in rec["body"].get("alerts", []):
        if alert["labels"].get("alertname") == name and alert["status"] == status:
            print(rec["received_at"])
            sys.exit(0)
PY
}

# mon_stop PID...: TERM, then KILL after 5 s, only the given process ids.
# Stops a ./run.sh the caller started in the background: TERM (run.sh then stops the site, the incident service, the
# monitoring and the PostgreSQL it started), up to 15 s, then KILL.
mon_stop_run() {
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { echo "     run.sh did not stop within 15 s; killing it"; kill -KILL "$pid" 2>/dev/null; }
  wait "$pid" 2>/dev/null || true
}

mon_stop() {
  local pid i
  for pid in "$@"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    [ -n "$pid" ] || continue
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  done
  wait "$@" 2>/dev/null || true
}

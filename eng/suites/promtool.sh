#!/usr/bin/env bash
# Checks deploy/ with the real tools: promtool check config / check rules / test rules (one result
# per unit-test group, parsed from promtool's report), the house rules of lint-rules.py, amtool
# check-config and routing, inhibition in a real Alertmanager, and the Grafana dashboard (structure,
# and every PromQL expression through promtool). Last line: suite: N passed, N failed.
# Env: CI (set: a missing promtool/amtool/alertmanager fails instead of skipping).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=eng/monitoring/lib.sh
source eng/monitoring/lib.sh

passed=0; failed=0
ok() { echo "ok   - $*"; passed=$((passed + 1)); }
bad() { echo "FAIL - $*"; failed=$((failed + 1)); }
finish() { echo "suite: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }
run() { # run NAME CMD...: one check, output shown indented
  local name=$1 out; shift
  if out=$("$@" 2>&1); then ok "$name"; else bad "$name"; fi
  sed 's/^/     /' <<<"$out"
}

for prog in promtool amtool prometheus-alertmanager python3; do
  if ! command -v "$prog" >/dev/null; then
    if [ -n "${CI:-}" ]; then bad "$prog is not installed (eng/prereqs.sh monitoring)"; finish; fi
    echo "SKIP - $prog is not installed (eng/prereqs.sh monitoring); CI would fail here"
    echo "suite: 0 passed, 0 failed"; exit 0
  fi
done
tmp=$(mktemp -d); am_pid=""
trap '[ -n "$am_pid" ] && mon_stop "$am_pid"; rm -rf "$tmp"' EXIT

# --- Prometheus --------------------------------------------------------------------------------
run "promtool check config deploy/prometheus/prometheus.yml" promtool check config deploy/prometheus/prometheus.yml
for f in deploy/prometheus/rules/*.yml; do run "promtool check rules $f" promtool check rules "$f"; done

# promtool reports a file as SUCCESS or FAILED with "name: <group>," before each failed assertion;
# a group counts as passed only when its file succeeded or it is not among the failures.
for f in deploy/prometheus/tests/*.yml; do
  groups=$(grep -E '^  - name: ' "$f" | sed -E 's/^  - name: *//; s/ *$//')
  n=$(grep -c . <<<"$groups")
  if [ "$n" -eq 0 ] || [ "$(sort <<<"$groups" | uniq -d)" != "" ]; then
    bad "$f: test groups must have unique names ('  - name:')"; continue
  fi
  out=$(cd deploy/prometheus && promtool test rules "tests/$(basename "$f")" 2>&1); rc=$?
  if [ "$rc" -eq 0 ] && grep -q SUCCESS <<<"$out"; then
    while IFS= read -r g; do ok "promtool test rules $(basename "$f"): $g"; done <<<"$groups"
    continue
  fi
  failing=$(sed -nE 's/^ +name: (.*),$/\1/p' <<<"$out" | sort -u)
  while IFS= read -r g; do
    if [ -z "$failing" ] || grep -qxF "$g" <<<"$failing"; then bad "promtool test rules $(basename "$f"): $g"
    else ok "promtool test rules $(basename "$f"): $g"; fi
  done <<<"$groups"
  sed 's/^/     /' <<<"$out"
done
run "rules: severity, annotations, runbook anchors, firing+quiet tests, documented metrics" \
  python3 eng/monitoring/lint-rules.py --rules deploy/prometheus/rules --tests deploy/prometheus/tests \
  --readme deploy/README.md --runbook deploy/RUNBOOK.md

# --- Alertmanager ------------------------------------------------------------------------------
am_cfg=deploy/alertmanager/alertmanager.yml
run "amtool check-config $am_cfg" amtool check-config "$am_cfg"
route_is() { # route_is RECEIVER LABEL=VALUE...
  local want=$1 got; shift
  got=$(amtool config routes test --config.file="$am_cfg" "$@" 2>/dev/null | tail -1)
  if [ "$got" = "$want" ]; then ok "route {$*} -> $want"; else bad "route {$*} -> '$got', want $want"; fi
}
route_is lifeguard-page alertname=LifeguardPoolSaturated severity=page pool=main
route_is lifeguard-ticket alertname=LifeguardConnectionLeak severity=ticket pool=main
route_is lifeguard-ticket alertname=SomethingElse

# Inhibition is only observable in a running Alertmanager: post a saturated pool and the symptom
# alerts of that pool and of another pool, then read which ones Alertmanager marks inhibited.
am=127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -e "s|http://127.0.0.1:5090/api/alertmanager|http://127.0.0.1:9/unused|" -e '/# incidents-auth$/d' "$am_cfg" >"$tmp/am.yml"
if mon_start_alertmanager "$tmp/am.yml" "$tmp/am-data" "$am" "$tmp/am.log"; then
  am_pid=$MON_AM_PID
  alert() { printf '{"labels":{"alertname":"%s","severity":"page","job":"lifeguard-website","pool":"%s"},"annotations":{"summary":"test"}}' "$1" "$2"; }
  body="[$(alert LifeguardPoolSaturated main),$(alert LifeguardPoolTimeouts main),$(alert LifeguardPoolWaitP99High main),$(alert LifeguardPoolTimeouts reports)]"
  curl -fsS -o /dev/null -H 'Content-Type: application/json' -d "$body" "http://$am/api/v2/alerts" || bad "posting alerts to Alertmanager failed"
  states=""
  for _ in $(seq 1 30); do
    states=$(curl -fsS "http://$am/api/v2/alerts" | python3 -c '
import json, sys
for a in sorted(json.load(sys.stdin), key=lambda a: (a["labels"]["alertname"], a["labels"]["pool"])):
    print(a["labels"]["alertname"], a["labels"]["pool"], a["status"]["state"])')
    [ "$(grep -c . <<<"$states")" -eq 4 ] && ! grep -q unprocessed <<<"$states" && break
    sleep 0.2
  done
  sed 's/^/     /' <<<"$states"
  if grep -qx "LifeguardPoolTimeouts main suppressed" <<<"$states" && grep -qx "LifeguardPoolWaitP99High main suppressed" <<<"$states"; then
    ok "Alertmanager: a saturated pool inhibits its timeouts and wait-p99 alerts"
  else bad "Alertmanager: symptom alerts of the saturated pool are not inhibited"; fi
  if grep -qx "LifeguardPoolTimeouts reports active" <<<"$states" && grep -qx "LifeguardPoolSaturated main active" <<<"$states"; then
    ok "Alertmanager: the cause and other pools' alerts stay active"
  else bad "Alertmanager: the saturation alert or another pool's alert was inhibited too"; fi
else
  bad "Alertmanager did not start"; bad "Alertmanager inhibition not checked"
fi

# --- Grafana dashboard ---------------------------------------------------------------------------
dash=deploy/grafana/lifeguard-dashboard.json
run "dashboard structure (JSON, schemaVersion, DS_PROMETHEUS, panels, targets, documented metrics)" \
  python3 eng/monitoring/check-dashboard.py "$dash" --readme deploy/README.md --rules-out "$tmp/dashboard-rules.json"
if [ -s "$tmp/dashboard-rules.json" ]; then
  run "dashboard PromQL syntax (promtool check rules)" promtool check rules "$tmp/dashboard-rules.json"
  # the syntax check must be able to fail: one broken expression has to be rejected
  python3 - "$tmp/dashboard-rules.json" "$tmp/broken-rules.json" <<'PY'
import json, sys
rules = json.load(open(sys.argv[1]))
rules["groups"][0]["rules"][0]["expr"] += " by ("
json.dump(rules, open(sys.argv[2], "w"))
PY
  if promtool check rules "$tmp/broken-rules.json" >/dev/null 2>&1; then bad "a broken dashboard expression passed the syntax check"
  else ok "a broken dashboard expression is rejected by the syntax check"; fi
else
  bad "dashboard PromQL syntax not checked (no expressions extracted)"
fi
finish

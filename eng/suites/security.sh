#!/usr/bin/env bash
# Issue 20's security suite: the running stack probed from outside, as an anonymous caller, a viewer and a responder.
# ./run.sh --monitoring is brought up on this suite's own ports and cluster with a management token file, a channel
# whose URL holds secrets (user info, path, query) and a second channel that cannot be reached (its failure must not
# leak its URL either). Then every probe below runs with curl against the real website, management address, incident
# service and Alertmanager; the suite fails on any leak: a channel secret, a token or a password in a response, page,
# postmortem or log line, an operational endpoint on the public port, a request forged without antiforgery, a cookie
# that outlives its logout, a fetch made where an alert's label points, an oversized body accepted, a 500.
# Bounded: about two minutes. Docs: docs/security.md (the threat model these checks hold to).
# Last line: suite: N passed, N failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
# shellcheck source=eng/monitoring/lib.sh
source eng/monitoring/lib.sh
# shellcheck source=eng/suites/lib/checks.sh
source eng/suites/lib/checks.sh
TOTAL_CHECKS=24   # every ok/bad below

work=$root/.data/security-$$
run_pid=""; hook_pid=""; trap_pid=""; site_port=""; pg_port=""
cleanup() {
  mon_stop_run "$run_pid"
  [ -n "$hook_pid" ] && mon_stop "$hook_pid"
  [ -n "$trap_pid" ] && mon_stop "$trap_pid"
  [ -n "$pg_port" ] && eng/pg.sh stop --data "$work/pg" --port "$pg_port" >/dev/null 2>&1
  rm -rf "$(readlink -f "$work/pg" 2>/dev/null || echo "$work/pg")" "$work" ".data/site-$site_port.log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work"

for prog in prometheus prometheus-alertmanager python3 curl psql dotnet; do
  command -v "$prog" >/dev/null || { bad "program $prog is not installed"; finish; }
done
for app in Website Incidents; do
  [ -f "apps/$app/bin/Release/net10.0/$app.dll" ] && continue
  dotnet build "apps/$app" -c Release -v quiet -nologo >"$work/build-$app.log" 2>&1 || { bad "building apps/$app failed"; tail -20 "$work/build-$app.log"; finish; }
done

pg_port=$(free_port); site_port=$(free_port); mgmt_port=$(free_port); inc_port=$(free_port)
prom_port=$(free_port); am_port=$(free_port); hook_port=$(free_port); trap_port=$(free_port); closed_port=$(free_port)
site=http://127.0.0.1:$site_port; mgmt=http://127.0.0.1:$mgmt_port; inc=http://127.0.0.1:$inc_port; am=http://127.0.0.1:$am_port
token_file=$work/incidents.token
mgmt_token_file=$work/management.token
(umask 077; head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$mgmt_token_file")

# The secrets a viewer must never see: in the working channel's URL (user info, path, query) and the broken one's.
secret_user=SuiteUser$RANDOM; secret_pass=SuitePass$RANDOM$RANDOM
secret_path=T0SECRET$RANDOM/B1SECRET$RANDOM/XSecretPath$RANDOM; secret_query=SecretQuery$RANDOM$RANDOM
broken_secret=BrokenSecret$RANDOM$RANDOM
default_url="http://$secret_user:$secret_pass@127.0.0.1:$hook_port/$secret_path?sig=$secret_query"
broken_url="http://127.0.0.1:$closed_port/hooks/$broken_secret?token=$broken_secret"

# --- the receivers: the working channel's, and a trap that records every connection made to it ------------------
mon_start_webhook "$hook_port" "$work/notifications.jsonl" "$work/receiver.log" && hook_pid=$MON_HOOK_PID || finish
python3 -u - "$trap_port" "$work/trap.log" >/dev/null 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        c, _ = s.accept()
        c.settimeout(1)
        try: data = c.recv(4096)
        except OSError: data = b""
        log.write(f"{time.time()} {data[:200]!r}\n")
        try: c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
        except OSError: pass
        c.close()
PY
trap_pid=$!
: >"$work/trap.log"

cat >"$work/policy.yaml" <<YAML
# eng/suites/security.sh: both channels at once; their URLs come from configuration (Incidents:Channels:NAME:Url)
channels:
  default: { type: webhook }
  broken: { type: webhook }
policies:
  page:
    steps:
      - notify_channel: default
      - notify_channel: broken
routes:
  - match: { severity: page }
    policy: page
default_policy: page
YAML

# --- ./run.sh --monitoring on this suite's ports ------------------------------------------------------------------
env LIFEGUARD_NO_BUILD=1 LIFEGUARD_PG_DATA="$work/pg" LIFEGUARD_INCIDENTS_PORT="$inc_port" LIFEGUARD_INCIDENTS_TOKEN_FILE="$token_file" \
  LIFEGUARD_PROMETHEUS_PORT="$prom_port" LIFEGUARD_ALERTMANAGER_PORT="$am_port" LIFEGUARD_MONITORING_DATA="$work/monitoring" \
  Lifeguard__Endpoints__TokenFile="$mgmt_token_file" \
  Incidents__Escalation__PolicyFile="$work/policy.yaml" Incidents__Escalation__MinuteLength=00:00:01 \
  Incidents__Escalation__PollInterval=00:00:00.200 \
  Incidents__Channels__default__Url="$default_url" Incidents__Channels__broken__Url="$broken_url" \
  Incidents__Intake__IntakeBurst=20 Incidents__Intake__IntakePermitsPerSecond=2 \
  ./run.sh --monitoring --port "$site_port" --management-port "$mgmt_port" --pg-port "$pg_port" --scale 0.01 \
  >"$work/run.log" 2>&1 &
run_pid=$!
up=0
for _ in $(seq 1 1200); do
  kill -0 "$run_pid" 2>/dev/null || break
  if grep -q "Ctrl-C stops everything" "$work/run.log" && curl -fsS -o /dev/null --max-time 1 "$inc/health" 2>/dev/null \
     && curl -fsS -o /dev/null --max-time 1 "$am/-/ready" 2>/dev/null; then up=1; break; fi
  sleep 0.1
done
if [ "$up" = 1 ]; then ok "./run.sh --monitoring up: website :$site_port, management :$mgmt_port, incident service :$inc_port"
else bad "./run.sh --monitoring did not come up within 120 s"; tail -25 "$work/run.log" | sed 's/^/     /'; finish; fi
incidents_token=$(cat "$token_file"); mgmt_token=$(cat "$mgmt_token_file")
# tokens go to curl in header files, never on a command line (this suite checks the same of run.sh below)
printf 'Authorization: Bearer %s\n' "$incidents_token" >"$work/inc.h"; printf 'Authorization: Bearer %s\n' "$mgmt_token" >"$work/mgmt.h"
chmod 600 "$work/inc.h" "$work/mgmt.h"
# the cluster's superuser over its socket (as eng/pg.sh does): what an operator with the database in hand sees
admin_psql() { local db=$1; shift; runuser -u postgres -- /usr/lib/postgresql/15/bin/psql -h "$(readlink -f "$work/pg")/socket" -p "$pg_port" -U postgres -d "$db" -XAtq "$@"; }
code() { curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }

# --- 1. the public port: the site and a status-only /health; nothing operational -------------------------------------
codes=""; for p in /metrics /lifeguard /lifeguard/state /lifeguard/diagnosis; do codes+="$p=$(code "$site$p") "; done
health=$(curl -sS --max-time 5 "$site/health")
if [[ "$codes" != *=[^4]* && "$codes" == *=404*=404*=404*=404* ]] && [[ "$health" =~ ^(Healthy|\{\"status\":\"Healthy\"\})$ ]]; then ok "public port: $codes; /health says only '$health'"
else bad "public port: $codes; /health: $(head -c 200 <<<"$health")"; fi

# --- 2. the management address: 401 without the token, 200 with it ---------------------------------------------------
anon=""; authd=""
for p in /metrics /lifeguard /lifeguard/state /lifeguard/diagnosis; do anon+="$(code "$mgmt$p") "; authd+="$(code -H @"$work/mgmt.h" "$mgmt$p") "; done
if [ "$anon" = "401 401 401 401 " ] && [ "$authd" = "200 200 200 200 " ]; then ok "management address: 401 without the token, 200 with it"
else bad "management address: without the token $anon, with it $authd"; fi

# --- 3. no token on any command line (ps shows every process's arguments to every user) ------------------------------
# the patterns come from a file: a grep given them as arguments would be the process that leaks them
printf '%s\n%s\n' "$incidents_token" "$mgmt_token" >"$work/tokens.pat"; chmod 600 "$work/tokens.pat"
leaky=$(for f in /proc/[0-9]*/cmdline; do tr '\0' ' ' <"$f" 2>/dev/null; echo; done | grep -F -f "$work/tokens.pat" | head -3)
if [ -z "$leaky" ]; then ok "no process's command line carries the incident or management token"
else bad "a command line carries a token: $(cut -c1-80 <<<"$leaky")"; fi

# --- 4. secrets on disk are owner-only ----------------------------------------------------------------------------
loose=$(find "$work" "$root/.data" -maxdepth 3 \( -name '*.token' -o -name '*.password' -o -name '*.key' -o -name '*.kek' -o -name '*.header' \) -perm /077 2>/dev/null | head -5)
nsecrets=$(find "$work" "$root/.data" -maxdepth 3 \( -name '*.token' -o -name '*.password' -o -name '*.kek' \) 2>/dev/null | wc -l)
if [ -z "$loose" ] && [ "$nsecrets" -ge 4 ]; then ok "$nsecrets token, password and key-encryption files: all owner-only"
else bad "readable by others: $loose"; fi

# --- 5. the incident service, anonymous: nothing without a token or a login -------------------------------------------
a1=$(code "$inc/api/incidents"); a2=$(code -X POST -H 'Content-Type: application/json' -d '{}' "$inc/api/alertmanager")
a3=$(code "$inc/"); a4=$(code "$inc/metrics"); a5=$(code "$inc/api/oncall")
if [ "$a1" = 401 ] && [ "$a2" = 401 ] && [ "$a3" = 302 ] && [[ "$a4" =~ ^(401|302)$ ]] && [ "$a5" = 401 ]; then
  ok "incident service, anonymous: API 401, intake 401, UI 302 to login, /metrics $a4, on-call 401"
else bad "incident service, anonymous: API $a1, intake $a2, UI $a3, /metrics $a4, on-call $a5"; fi

# --- an alert for the guarded site (its instance is configured) and one whose instance points at the trap ------------
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
post_alert() {  # NAME INSTANCE
  local body="[{\"labels\":{\"alertname\":\"$1\",\"severity\":\"page\",\"pool\":\"main\",\"instance\":\"$2\",\"job\":\"lifeguard-website\"},
    \"annotations\":{\"summary\":\"security suite $1\"},\"startsAt\":\"$now\"}]"
  code -H 'Content-Type: application/json' -d "$body" "$am/api/v2/alerts"
}
c1=$(post_alert LifeguardSecuritySuite "127.0.0.1:$mgmt_port"); c2=$(post_alert LifeguardSecurityTrap "127.0.0.1:$trap_port")
[ "$c1" = 200 ] && [ "$c2" = 200 ] || { bad "Alertmanager refused the alerts (HTTP $c1 $c2)"; finish; }
incident_of() {  # ALERTNAME -> id, waiting up to 20 s
  local i id
  for ((i = 0; i < 200; i++)); do
    id=$(curl -fsS -H @"$work/inc.h" "$inc/api/incidents" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin); items = d["items"] if isinstance(d, dict) else d
print(next((str(x["id"]) for x in items if x.get("labels", {}).get("alertname") == sys.argv[1] or sys.argv[1] in (x.get("title") or "")), ""))' "$1" 2>/dev/null)
    [ -n "$id" ] && { echo "$id"; return 0; }
    sleep 0.1
  done
  return 1
}
site_id=$(incident_of LifeguardSecuritySuite); trap_id=$(incident_of LifeguardSecurityTrap)
[ -n "$site_id" ] && [ -n "$trap_id" ] || { bad "the alerts did not become incidents within 20 s (site '$site_id', trap '$trap_id')"; finish; }
# wait until the channel got its notification, the broken channel failed, and the evidence of both incidents settled
for _ in $(seq 1 200); do
  j=$(curl -fsS -H @"$work/inc.h" "$inc/api/incidents/$site_id" 2>/dev/null)
  t=$(curl -fsS -H @"$work/inc.h" "$inc/api/incidents/$trap_id" 2>/dev/null)
  if grep -q '"evidence_state":"\(done\|failed\)"' <<<"$j" && ! grep -q '"evidence_state":"pending"' <<<"$t" \
     && [ -s "$work/notifications.jsonl" ] && grep -qi 'broken' <<<"$j" ; then break; fi
  sleep 0.1
done

# --- 6. SSRF through labels: the trap's port is named in an alert, and never called -----------------------------------
sleep 2
calls=$(wc -l <"$work/trap.log")
trap_timeline=$(curl -fsS -H @"$work/inc.h" "$inc/api/incidents/$trap_id")
if [ "$calls" = 0 ] && grep -qi 'no configured\|not configured\|unknown instance' <<<"$trap_timeline"; then
  ok "an alert whose instance names another local port: that port was never called, the timeline says why"
else bad "the trap on :$trap_port got $calls connection(s); timeline: $(grep -o '"timeline".*' <<<"$trap_timeline" | head -c 300)"; fi

# --- 7. the configured instance's evidence still comes (the guard rail does not break the feature) ---------------------
site_json=$(curl -fsS -H @"$work/inc.h" "$inc/api/incidents/$site_id")
if grep -q '"evidence_state":"done"' <<<"$site_json" && grep -q '"cause":"' <<<"$site_json"; then ok "the configured management address's diagnosis became the incident's evidence"
else bad "the site's incident has no fetched diagnosis: $(head -c 300 <<<"$site_json")"; fi

# --- the viewer and the responder log in to the UI --------------------------------------------------------------------
demo_password=Demo-Password-1
ui_login() {  # JAR EMAIL -> status of the POST
  local jar=$1 af
  af=$(curl -sS -c "$jar" -b "$jar" "$inc/account/login" | grep -o 'name="__RequestVerificationToken"[^>]*value="[^"]*"' | sed -E 's/.*value="([^"]*)".*/\1/' | head -1)
  curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "Email=$2" --data-urlencode "Password=$demo_password" \
    --data-urlencode "__RequestVerificationToken=$af" "$inc/account/login"
}
af_of() { curl -sS -b "$1" "$2" | grep -o 'name="__RequestVerificationToken"[^>]*value="[^"]*"' | sed -E 's/.*value="([^"]*)".*/\1/' | head -1; }
v=$(ui_login "$work/viewer.jar" viewer@lifeguard.local); r=$(ui_login "$work/responder.jar" responder@lifeguard.local)
[ "$v" = 302 ] && [ "$r" = 302 ] || { bad "demo logins failed (viewer $v, responder $r; run.sh must create them with --demo-users)"; finish; }

# --- 8. channel secrets: nowhere a viewer or the API can read them, nor in any log ------------------------------------
{
  curl -sS -H @"$work/inc.h" "$inc/api/incidents/$site_id"; curl -sS -H @"$work/inc.h" "$inc/api/incidents/$site_id/postmortem"
  curl -sS -H @"$work/inc.h" "$inc/api/incidents/$site_id/escalation"; curl -sS -H @"$work/inc.h" "$inc/api/incidents?status=triggered"
  curl -sS -b "$work/viewer.jar" "$inc/"; curl -sS -b "$work/viewer.jar" "$inc/incidents/$site_id"
  curl -sS -b "$work/viewer.jar" "$inc/incidents/$site_id/postmortem"; curl -sS -b "$work/viewer.jar" "$inc/audit"
  curl -sS -b "$work/viewer.jar" "$inc/oncall"
} >"$work/readable.txt" 2>/dev/null
cat "$work/run.log" .data/site-"$site_port".log "$work"/monitoring/*.log >"$work/logs.txt" 2>/dev/null
delivered=$(grep -c "$secret_query" "$work/notifications.jsonl" 2>/dev/null; grep -c . "$work/notifications.jsonl")
found=""
for s in "$secret_user" "$secret_pass" "$secret_path" "$secret_query" "$broken_secret" "$incidents_token" "$mgmt_token" "$demo_password"; do
  grep -qF "$s" "$work/readable.txt" && found+="responses:${s:0:12}… "
  # run.sh's banner names the demo users' published password on purpose; no other secret may reach a log
  [ "$s" != "$demo_password" ] && grep -qF "$s" "$work/logs.txt" && found+="logs:${s:0:12}… "
done
sent=$(grep -c '"path"' "$work/notifications.jsonl" 2>/dev/null || echo 0)
if [ -z "$found" ] && [ "$sent" -ge 1 ] && grep -qi 'default' "$work/readable.txt" && grep -qi 'broken' "$work/readable.txt"; then
  ok "channel URLs (user info, path, query), tokens, password: in none of $(wc -c <"$work/readable.txt") bytes of API/UI/postmortem nor $(wc -l <"$work/logs.txt") log lines; channels named default and broken"
else bad "secrets found: ${found:-none}; notifications sent $sent (delivered: $delivered)"; fi

# --- 9. the broken channel's failure names the channel, not its URL, nor the port it tried -----------------------------
if grep -qi 'broken' "$work/readable.txt" && ! grep -qF "127.0.0.1:$closed_port" "$work/readable.txt" && ! grep -qi 'connection refused' "$work/readable.txt"; then
  ok "the unreachable channel's failure is shown by its name, without its address or the socket error"
else bad "the unreachable channel's failure shows its address or socket error: $(grep -io ".\{60\}$closed_port.\{20\}\|.\{40\}connection refused.\{20\}" "$work/readable.txt" | head -2)"; fi

# --- 10. CSRF: a form posted without its antiforgery token is refused (login and an action) ---------------------------
c_login=$(code --data-urlencode "Email=viewer@lifeguard.local" --data-urlencode "Password=$demo_password" "$inc/account/login")
c_ack=$(code -b "$work/responder.jar" -X POST "$inc/incidents/$site_id?handler=Acknowledge")
c_site=$(code --data-urlencode "Email=demo@lifeguard.local" --data-urlencode "Password=Demo-Password-1" "$site/Account/Login")
status_now=$(curl -fsS -H @"$work/inc.h" "$inc/api/incidents/$site_id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
if [ "$c_login" = 400 ] && [ "$c_ack" = 400 ] && [ "$c_site" = 400 ] && [ "$status_now" = triggered ]; then ok "without antiforgery: incident login 400, acknowledge 400 (still $status_now), website login 400"
else bad "without antiforgery: incident login $c_login, acknowledge $c_ack (status $status_now), website login $c_site"; fi

# --- 11. the viewer cannot act, even with a valid form -----------------------------------------------------------------
af=$(af_of "$work/viewer.jar" "$inc/incidents/$site_id")
c_vack=$(code -b "$work/viewer.jar" --data-urlencode "__RequestVerificationToken=$af" "$inc/incidents/$site_id?handler=Acknowledge")
status_now=$(curl -fsS -H @"$work/inc.h" "$inc/api/incidents/$site_id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
if [[ "$c_vack" =~ ^(403|302|400)$ ]] && [ "$status_now" = triggered ]; then ok "the viewer's acknowledge with a valid form: HTTP $c_vack, incident still $status_now"
else bad "the viewer's acknowledge: HTTP $c_vack, incident $status_now"; fi

# --- 12. IDOR and odd ids: an id that does not exist, a negative one, a word: 404, never 500 ---------------------------
ids="$(code -b "$work/viewer.jar" "$inc/incidents/987654321") $(code -H @"$work/inc.h" "$inc/api/incidents/987654321") $(code -H @"$work/inc.h" "$inc/api/incidents/-1") $(code -H @"$work/inc.h" "$inc/api/incidents/abc") $(code -H @"$work/inc.h" "$inc/api/incidents/987654321/postmortem")"
if [[ "$ids" =~ ^(404\ ){4}404$ ]]; then ok "ids that do not exist or are not ids: $ids"
else bad "odd ids answered $ids (want 404 each)"; fi

# --- 13. a replayed cookie after logout is refused ----------------------------------------------------------------------
cp "$work/responder.jar" "$work/copied.jar"
af=$(af_of "$work/responder.jar" "$inc/account/logout")
curl -sS -o /dev/null -b "$work/responder.jar" -c "$work/responder.jar" --data-urlencode "__RequestVerificationToken=$af" "$inc/account/logout"
replay=$(code -b "$work/copied.jar" "$inc/incidents/$site_id")
if [ "$replay" = 302 ]; then ok "the responder's cookie copied before logout is refused after it (HTTP $replay to the login page)"
else bad "the responder's cookie replayed after logout answered HTTP $replay"; fi

# --- 14. the website's cookie, replayed after its logout, is refused too -------------------------------------------------
wj=$work/site.jar
waf=$(curl -sS -c "$wj" -b "$wj" "$site/Account/Login" | grep -o 'name="__RequestVerificationToken"[^>]*value="[^"]*"' | sed -E 's/.*value="([^"]*)".*/\1/' | head -1)
wl=$(code -c "$wj" -b "$wj" --data-urlencode "Email=demo@lifeguard.local" --data-urlencode "Password=Demo-Password-1" --data-urlencode "__RequestVerificationToken=$waf" "$site/Account/Login")
cp "$wj" "$work/site-copied.jar"
waf=$(af_of "$wj" "$site/Dashboard")
curl -sS -o /dev/null -b "$wj" -c "$wj" --data-urlencode "__RequestVerificationToken=$waf" "$site/Account/Logout"
wr=$(code -b "$work/site-copied.jar" "$site/Dashboard")
if [ "$wl" = 302 ] && [ "$wr" = 302 ]; then ok "website: login $wl; its cookie replayed after logout answers $wr (to the login page)"
else bad "website: login $wl, replayed cookie after logout $wr"; fi

# --- 15. oversized and flooded intake bodies are refused; the service keeps answering ---------------------------------
python3 -c 'import sys; sys.stdout.write("[" + ",".join(["{\"status\":\"firing\",\"labels\":{\"alertname\":\"Big\",\"x\":\"" + "y"*1000 + "\"}}"]*3000) + "]")' >"$work/big.json"
python3 - "$work/many.json" <<'PY'
import json, sys
alerts = [{"status": "firing", "labels": {"alertname": "Many", "n": str(i)}, "annotations": {}, "startsAt": "2026-01-01T00:00:00Z",
           "endsAt": "0001-01-01T00:00:00Z", "fingerprint": f"{i:016x}"} for i in range(10000)]
json.dump({"version": "4", "groupKey": "{}:{alertname=\"Many\"}", "status": "firing", "receiver": "lifeguard-page", "groupLabels": {"alertname": "Many"},
           "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am", "truncatedAlerts": 0, "alerts": alerts}, open(sys.argv[1], "w"))
PY
big=$(code -H @"$work/inc.h" -H 'Content-Type: application/json' --data-binary @"$work/big.json" "$inc/api/alertmanager")
many=$(code -H @"$work/inc.h" -H 'Content-Type: application/json' --data-binary @"$work/many.json" "$inc/api/alertmanager")
alive=$(code "$inc/health")
if [[ "$big" =~ ^(413|400)$ ]] && [[ "$many" =~ ^(413|400)$ ]] && [ "$alive" = 200 ]; then ok "intake: a 3 MB body $big, 10,000 alerts in one body $many; /health $alive"
else bad "intake: a 3 MB body $big, 10,000 alerts $many, /health $alive"; fi

# --- 16. control characters in a group key or a label are refused with a 400 ------------------------------------------
crlf='{"version":"4","groupKey":"{}:{alertname=\"X\"}\r\nINJECTED log line","status":"firing","receiver":"lifeguard-page","groupLabels":{},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://am","truncatedAlerts":0,"alerts":[{"status":"firing","labels":{"alertname":"X"},"annotations":{},"startsAt":"2026-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"00000000000000aa"}]}'
c_crlf=$(code -H @"$work/inc.h" -H 'Content-Type: application/json' -d "$crlf" "$inc/api/alertmanager")
if [ "$c_crlf" = 400 ] && ! grep -q '^INJECTED' "$work/run.log"; then ok "a group key carrying CR/LF: HTTP 400, no forged log line"
else bad "a group key carrying CR/LF: HTTP $c_crlf"; fi

# --- 17. a date out of range is a 400, not a 500 ------------------------------------------------------------------------
oc=$(code -H @"$work/inc.h" "$inc/api/oncall?at=9999-12-31T23:59:59Z"); oc2=$(code -H @"$work/inc.h" "$inc/api/oncall?at=yesterday")
if [ "$oc" = 400 ] && [ "$oc2" = 400 ]; then ok "on-call at 9999-12-31T23:59:59Z and at 'yesterday': 400 each"
else bad "on-call at 9999-12-31: HTTP $oc, at 'yesterday': HTTP $oc2"; fi

# --- 18. lists are paged: a page size above the maximum is refused, a small page is honoured ---------------------------
p1=$(curl -sS -H @"$work/inc.h" "$inc/api/incidents?limit=1"); pbig=$(code -H @"$work/inc.h" "$inc/api/incidents?limit=100000")
n1=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["items"] if isinstance(d, dict) else d))' <<<"$p1" 2>/dev/null)
if [ "$n1" = 1 ] && [ "$pbig" = 400 ]; then ok "the incident list pages: limit=1 gives 1, limit=100000 is a 400"
else bad "paging: limit=1 gave '$n1' item(s), limit=100000 HTTP $pbig"; fi

# --- 19. the intake rate limit answers 429 with Retry-After; the service keeps answering --------------------------------
small='{"version":"4","groupKey":"{}:{alertname=\"Rate\"}","status":"firing","receiver":"lifeguard-page","groupLabels":{"alertname":"Rate"},"commonLabels":{},"commonAnnotations":{},"externalURL":"http://am","truncatedAlerts":0,"alerts":[{"status":"firing","labels":{"alertname":"Rate"},"annotations":{},"startsAt":"2026-01-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"00000000000000bb"}]}'
printf '%s' "$small" >"$work/small.json"
got429=0; retry=""
for _ in $(seq 1 40); do
  seq 1 25 | xargs -P 8 -I{} curl -sS -o /dev/null -w '%{http_code}\n' -H @"$work/inc.h" -H 'Content-Type: application/json' --data-binary @"$work/small.json" "$inc/api/alertmanager" >>"$work/rate.txt"
  if grep -q 429 "$work/rate.txt"; then got429=1; break; fi
done
if [ "$got429" = 1 ]; then
  retry=$(curl -sS -D - -o /dev/null -H @"$work/inc.h" -H 'Content-Type: application/json' --data-binary @"$work/small.json" "$inc/api/alertmanager" | grep -i '^retry-after:' | tr -d '\r')
fi
alive=$(code "$inc/health")
if [ "$got429" = 1 ] && [ "$alive" = 200 ]; then ok "intake flood: 429 after $(grep -c 200 "$work/rate.txt") accepted (${retry:-Retry-After on the 429}); /health $alive"
else bad "intake flood of $(wc -l <"$work/rate.txt") posts: no 429 ($(sort "$work/rate.txt" | uniq -c | tr '\n' ' ')); /health $alive"; fi

# --- 20. nothing was lost: an ordinary alert after the flood still becomes an incident ---------------------------------
sleep 2
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
c3=$(post_alert LifeguardAfterFlood "127.0.0.1:$mgmt_port")
after_id=$(incident_of LifeguardAfterFlood)
if [ "$c3" = 200 ] && [ -n "$after_id" ]; then ok "after the flood an ordinary alert through Alertmanager became incident $after_id"
else bad "after the flood: Alertmanager $c3, incident '${after_id}'"; fi

# --- 21. the databases: the website, the incident service and the diagnoser log in as different roles -----------------
roles=$(admin_psql lifeguard -c "SELECT string_agg(DISTINCT usename || '@' || datname, ' ' ORDER BY usename || '@' || datname) FROM pg_stat_activity WHERE backend_type = 'client backend' AND datname IS NOT NULL" 2>/dev/null)
nroles=$(tr ' ' '\n' <<<"$roles" | cut -d@ -f1 | sort -u | grep -vc '^postgres$')
if [ "${nroles:-0}" -ge 3 ]; then ok "sessions by role@database: $roles"
else bad "the services share database roles: $roles"; fi

# --- 22. the diagnoser reads the server's statistics, not the site's tables -----------------------------------------
diag_url=$(eng/pg.sh url --role diagnoser --data "$work/pg" --port "$pg_port")
diag_pw=$(sed -nE 's/.*Password=([^;]*).*/\1/p' <<<"$diag_url")
denied=$(PGPASSWORD=$diag_pw psql "host=127.0.0.1 port=$pg_port user=lifeguard_diagnoser dbname=lifeguard" -XAtq -c "SELECT count(*) FROM users" 2>&1)
seen=$(PGPASSWORD=$diag_pw psql "host=127.0.0.1 port=$pg_port user=lifeguard_diagnoser dbname=lifeguard" -XAtq \
  -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'lifeguard' AND query <> '<insufficient privilege>'" 2>&1)
inc_denied=$(PGPASSWORD=$diag_pw psql "host=127.0.0.1 port=$pg_port user=lifeguard_diagnoser dbname=lifeguard_incidents" -XAtq -c "SELECT 1" 2>&1)
if grep -q "permission denied" <<<"$denied" && [[ "$seen" =~ ^[1-9][0-9]*$ ]] && grep -q "permission denied" <<<"$inc_denied"; then
  ok "the diagnoser: permission denied on the site's users and on the incident database; sees $seen website session(s) with their query text"
else bad "the diagnoser: users -> $(head -c 120 <<<"$denied"); activity -> $seen; incident database -> $(head -c 120 <<<"$inc_denied")"; fi

# --- 23. the data-protection keys in the incident database are not in clear --------------------------------------------
keys=$(admin_psql lifeguard_incidents -c "SELECT string_agg(xml, '') FROM data_protection_keys" 2>/dev/null)
if [ -n "$keys" ] && ! grep -q '<masterKey' <<<"$keys" ; then ok "the incident service's data-protection keys are stored encrypted ($(wc -c <<<"$keys") bytes, no clear masterKey)"
else bad "data-protection keys: $([ -z "$keys" ] && echo 'none read' || echo 'a clear <masterKey> element is stored')"; fi

finish

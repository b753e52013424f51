#!/usr/bin/env bash
# Dashboard throughput/latency with 32 concurrent logged-in users, measured with wrk (bounded in time).
# An outside reference until `lifeguard load` exists. Needs a running, seeded site whose login rate
# limit admits 32 logins from one IP, e.g.:
#   Website__AccountPostPermitLimit=100 ./run.sh --port 5091
#   bench/website/dashboard-wrk.sh http://127.0.0.1:5091 [users=32] [duration=20s]
set -euo pipefail
base=${1:-http://127.0.0.1:5080}; users=${2:-32}; duration=${3:-20s}
here=$(cd "$(dirname "$0")" && pwd)
command -v wrk >/dev/null || { echo "dashboard-wrk: wrk is missing (eng/prereqs.sh load)" >&2; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# Log in seeded users user00001..userNNNNN (password Demo-Password-1), one auth cookie each.
for i in $(seq 1 "$users"); do
  jar="$work/jar$i"; email=$(printf 'user%05d@lifeguard.local' "$i")
  token=$(curl -fsS -c "$jar" -b "$jar" "$base/account/login" \
    | grep -o 'name="__RequestVerificationToken" type="hidden" value="[^"]*"' | sed 's/.*value="//;s/"$//')
  code=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" -X POST "$base/account/login" \
    --data-urlencode "Email=$email" --data-urlencode "Password=Demo-Password-1" \
    --data-urlencode "__RequestVerificationToken=$token")
  [ "$code" = 302 ] || { echo "dashboard-wrk: login of $email answered $code (rate limit? see header)" >&2; exit 1; }
  awk '$6 == "lifeguard.auth" { print "lifeguard.auth=" $7 }' "$jar" >> "$work/cookies"
done
echo "dashboard-wrk: $(wc -l < "$work/cookies") users logged in; wrk -t2 -c$users -d$duration GET /dashboard"
COOKIES_FILE="$work/cookies" wrk -t2 -c"$users" -d"$duration" --timeout 10s --latency -s "$here/dashboard.lua" "$base"

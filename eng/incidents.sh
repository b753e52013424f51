#!/usr/bin/env bash
# The incident service (apps/Incidents) for ./run.sh --monitoring, on 127.0.0.1 only.
# Usage: eng/incidents.sh prepare [--pg-port N] [--port N] [--demo-users]   build, token, database, migrations
#        eng/incidents.sh serve   [--pg-port N] [--port N] [--site HOST:PORT]... [--management-token-file F]
#   --pg-port    the private PostgreSQL (default 54329, or $LIFEGUARD_PG_PORT); database lifeguard_incidents, owned by
#                and reached as the role lifeguard_incidents (not the website's role)
#   --pg-data    that cluster's data directory (default .data/pg, or $LIFEGUARD_PG_DATA): where eng/pg.sh keeps the role's password
#   --port       the service's port (default 5090)
#   --token-file the bearer token (default .data/incidents.token: created on first run, random, mode 600)
#   --kek-file   the key that encrypts the cookie-signing keys stored in the database (default .data/incidents.kek,
#                or $LIFEGUARD_INCIDENTS_KEK_FILE: created on first run, random, mode 600; keep it out of backups of the database)
#   --demo-users (prepare) also create responder@ and viewer@lifeguard.local with the PUBLISHED demo password;
#                only for a local demo (run.sh passes it and says so), never in a deployment
#   --site       (serve) a guarded app's management address the live diagnosis may be fetched from (repeatable);
#                an alert's instance label only selects one of these (Incidents:Evidence:Targets)
#   --management-token-file (serve) the management addresses' bearer token, sent only to the --site addresses
# The token authenticates Alertmanager (http_config in deploy/alertmanager) and the API; nothing prints or logs it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

cmd=${1:-}; [ $# -gt 0 ] && shift
pg_port=${LIFEGUARD_PG_PORT:-54329}; port=5090; token_file=$root/.data/incidents.token
demo_users=0; sites=(); management_token_file=""; pg_data=${LIFEGUARD_PG_DATA:-.data/pg}
kek_file=${LIFEGUARD_INCIDENTS_KEK_FILE:-$root/.data/incidents.kek}
while [ $# -gt 0 ]; do
  case "$1" in
    --demo-users) demo_users=1; shift ;;
    --pg-data) pg_data=${2:?--pg-data needs a directory}; shift 2 ;;
    --kek-file) kek_file=${2:?--kek-file needs a path}; shift 2 ;;
    --site) [[ "${2:-}" =~ ^[A-Za-z0-9.-]+:[0-9]+$ ]] || { echo "incidents.sh: --site needs HOST:PORT" >&2; exit 2; }
            sites+=("$2"); shift 2 ;;
    --management-token-file) management_token_file=${2:?--management-token-file needs a path}; shift 2 ;;
    --pg-port) pg_port=${2:?--pg-port needs a number}; shift 2 ;;
    --port) port=${2:?--port needs a number}; shift 2 ;;
    --token-file) token_file=${2:?--token-file needs a path}; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "incidents.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
[[ "$pg_port" =~ ^[0-9]+$ && "$port" =~ ^[0-9]+$ ]] || { echo "incidents.sh: ports must be numbers" >&2; exit 2; }

db=lifeguard_incidents
demo_password=Demo-Password-1
dll=apps/Incidents/bin/Release/net10.0/Incidents.dll
# the incident service's own role and database: the website's role cannot read incidents, nor this one the site's data
export ConnectionStrings__Incidents; ConnectionStrings__Incidents=$(eng/pg.sh url --role incidents --data "$pg_data" --port "$pg_port")
export Incidents__TokenFile=$token_file
export Incidents__KeyEncryptionKeyFile=$kek_file

case "$cmd" in
  prepare)
    # LIFEGUARD_NO_BUILD=1 (run.sh passes it on): the build output as it is, when there is one
    [ "${LIFEGUARD_NO_BUILD:-0}" = 1 ] && [ -f "$dll" ] || dotnet build apps/Incidents -c Release -v quiet -nologo >/dev/null
    if [ ! -s "$token_file" ]; then
      mkdir -p "$(dirname "$token_file")"
      # 32 random bytes, URL-safe; umask first so the file is never readable by others, not even briefly
      (umask 077; head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$token_file")
      echo "incidents: created $token_file (mode 600)"
    fi
    chmod 600 "$token_file"
    if [ ! -s "$kek_file" ]; then
      mkdir -p "$(dirname "$kek_file")"
      (umask 077; head -c 32 /dev/urandom | base64 >"$kek_file")
      echo "incidents: created $kek_file (mode 600): it encrypts the cookie-signing keys in the database"
    fi
    chmod 600 "$kek_file"
    eng/pg.sh own-db "$db" --role incidents --data "$pg_data" --port "$pg_port"
    dotnet "$dll" migrate
    # users with a published password only when asked for: a deployment creates its own (`dotnet Incidents.dll user`)
    if [ "$demo_users" = 1 ]; then
      echo "$demo_password" | dotnet "$dll" user responder@lifeguard.local responder --if-missing
      echo "$demo_password" | dotnet "$dll" user viewer@lifeguard.local viewer --if-missing
      login_line="responder@lifeguard.local / $demo_password   (viewer@lifeguard.local: read-only; DEMO USERS, published password)"
    else
      login_line="no users yet: echo PASSWORD | dotnet $dll user EMAIL responder|viewer"
    fi
    # the token is never printed (terminals are logged and screen-shared): only where it is
    cat <<MSG

  Incident service    http://127.0.0.1:$port   (Alertmanager posts to /api/alertmanager)
  login               $login_line
  API token           in $token_file (mode 600): curl -H @<(printf 'Authorization: Bearer %s\n' "\$(cat $token_file)") http://127.0.0.1:$port/api/incidents
MSG
    ;;
  serve)
    [ -f "$dll" ] && [ -s "$token_file" ] && [ -s "$kek_file" ] || { echo "incidents.sh: run 'eng/incidents.sh prepare' first" >&2; exit 1; }
    # where the live diagnosis may come from: only these addresses, and the management token only to them
    i=0; for s in "${sites[@]}"; do export "Incidents__Evidence__Targets__site$i=http://$s"; i=$((i + 1)); done
    [ -n "$management_token_file" ] && export Incidents__Evidence__TokenFile=$management_token_file
    # escalation (issue 16): the sample policy notifies the channel `default` (Incidents__Channels__default__Url, else
    # run.sh's local receiver on 5099) at once, then the demo schedule's on-call by e-mail after 5 minutes unacknowledged
    export Incidents__Escalation__PolicyFile=${Incidents__Escalation__PolicyFile:-$root/deploy/incidents/escalation.yaml}
    export Incidents__Escalation__PublicUrl=${Incidents__Escalation__PublicUrl:-http://127.0.0.1:$port/}
    exec dotnet "$dll" --urls "http://127.0.0.1:$port"
    ;;
  *) sed -n '2,17p' "$0"; exit 2 ;;
esac

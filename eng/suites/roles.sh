#!/usr/bin/env bash
# Separate database roles (issue 20, point 8), checked from outside against a real cluster set up as run.sh does:
# eng/pg.sh's generated passwords (owner-only files), the website's server reader logged in as lifeguard_diagnoser
# (ConnectionStrings__Diagnosis) beside the site's own lifeguard sessions, the diagnoser reading other roles' query text
# but no table, and the incident service's database closed to every other login. No timed assertion: waits only poll.
# Env: LIFEGUARD_TEST_PG + LIFEGUARD_TEST_PG_DATA (test.sh's cluster); without them a private one on
# LIFEGUARD_ROLES_PG_PORT (default 6441). Last line: suite: N passed, N failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
passed=0; failed=0
ok() { echo "ok   - $*"; passed=$((passed + 1)); }
bad() { echo "FAIL - $*"; failed=$((failed + 1)); }
finish() { echo "suite: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

work=$(mktemp -d); site_pid=""; sleeper_pid=""; started_pg=""; db=""
pg_port=$(sed -nE 's/.*Port=([0-9]+).*/\1/p' <<<"${LIFEGUARD_TEST_PG:-}"); pg_data=${LIFEGUARD_TEST_PG_DATA:-}
if [ -z "$pg_port" ]; then
  pg_port=${LIFEGUARD_ROLES_PG_PORT:-6441}; started_pg=.data/test-pg-$pg_port; pg_data=$started_pg
fi
[ -n "$pg_data" ] || { bad "LIFEGUARD_TEST_PG is set without LIFEGUARD_TEST_PG_DATA: the role passwords cannot be found"; finish; }

pw_of() { eng/pg.sh url --data "$pg_data" --port "$pg_port" --role "$1" | sed -nE 's/.*Password=([^;]*).*/\1/p'; }
# psql as a role; the password goes through the environment, never the command line
as_role() { local role=$1 user=$2 database=$3; shift 3
  PGPASSWORD=$(pw_of "$role") PGCONNECT_TIMEOUT=10 psql "host=127.0.0.1 port=$pg_port user=$user dbname=$database" -XAtq -v ON_ERROR_STOP=1 "$@" 2>&1; }
as_site() { as_role website lifeguard "$@"; }
as_diagnoser() { as_role diagnoser lifeguard_diagnoser "$@"; }
as_incidents() { as_role incidents lifeguard_incidents "$@"; }
cleanup() {
  [ -n "$site_pid" ] && kill "$site_pid" 2>/dev/null && wait "$site_pid" 2>/dev/null
  [ -n "$sleeper_pid" ] && { as_site lifeguard -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%roles-suite-$$%' AND pid <> pg_backend_pid()" >/dev/null; wait "$sleeper_pid" 2>/dev/null; }
  [ -n "$db" ] && as_site lifeguard -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  [ -n "$started_pg" ] && eng/pg.sh stop --data "$started_pg" --port "$pg_port" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

# start (or, on a running cluster, only ensure): roles made by an older pg.sh are added here, as on any start
if eng/pg.sh start --data "$pg_data" --port "$pg_port" >/dev/null; then ok "eng/pg.sh start makes (or keeps) the roles"
else bad "eng/pg.sh start failed"; finish; fi
# the incident service's database as eng/incidents.sh prepare makes it (created for its role, or handed over)
eng/pg.sh own-db lifeguard_incidents --role incidents --data "$pg_data" --port "$pg_port" >/dev/null || { bad "eng/pg.sh own-db failed"; finish; }

# --- the password files ---------------------------------------------------------------------------------------------
roles_dir="$(cd "$(dirname "$pg_data")" && pwd)/$(basename "$pg_data").roles"
modes="$(stat -c '%a %U' "$roles_dir") $(stat -c '%a %U' "$roles_dir"/lifeguard_incidents.password "$roles_dir"/lifeguard_diagnoser.password | tr '\n' ' ')"
me=$(id -un)
if [ "$modes" = "700 $me 600 $me 600 $me " ]; then ok "passwords in $roles_dir: directory 700, files 600, owned by $me"
else bad "password files: modes/owners '$modes'"; fi
pi=$(pw_of incidents); pd=$(pw_of diagnoser)
if [ "${#pi}" -ge 24 ] && [ "${#pd}" -ge 24 ] && [ "$pi" != "$pd" ] && [ "$pi" != lifeguard ]; then ok "each role has its own generated password"
else bad "the generated passwords are short, equal or the website's"; fi

# --- what each login is -------------------------------------------------------------------------------------------------
who=$(as_diagnoser lifeguard -c "SELECT current_user, pg_has_role('pg_monitor', 'member'), pg_has_role('pg_read_all_stats', 'member'),
  rolsuper, rolcreatedb, rolcreaterole, pg_has_role('pg_signal_backend', 'member') FROM pg_roles WHERE rolname = current_user")
if [ "$who" = "lifeguard_diagnoser|t|t|f|f|f|f" ]; then ok "url --role diagnoser logs in as lifeguard_diagnoser: pg_monitor, pg_read_all_stats, nothing more"
else bad "diagnoser login: $who"; fi
owner=$(as_incidents lifeguard_incidents -c "SELECT current_user, pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()")
if [ "$owner" = "lifeguard_incidents|lifeguard_incidents" ]; then ok "url --role incidents logs in as lifeguard_incidents, owner of its database"
else bad "incidents login: $owner"; fi
site_in=$(as_site lifeguard_incidents -c "SELECT 1")
diag_in=$(as_diagnoser lifeguard_incidents -c "SELECT 1")
if grep -q "permission denied for database" <<<"$site_in" && grep -q "permission denied for database" <<<"$diag_in"; then
  ok "neither the website's role nor the diagnoser can connect to the incident service's database"
else bad "the incident database let another login in: website '$site_in', diagnoser '$diag_in'"; fi

# --- a site database set up as run.sh's, and the website on it --------------------------------------------------------
db=lifeguard_roles_suite_$$
as_site lifeguard -c "CREATE DATABASE $db" >/dev/null && as_site lifeguard -c "GRANT CONNECT ON DATABASE $db TO lifeguard_diagnoser" >/dev/null \
  || { bad "could not create $db"; db=""; finish; }
base=$(eng/pg.sh url --data "$pg_data" --port "$pg_port" --role website)
diag=$(eng/pg.sh url --data "$pg_data" --port "$pg_port" --role diagnoser)
export ConnectionStrings__Main="${base/Database=lifeguard/Database=$db}" ConnectionStrings__Diagnosis="${diag/Database=lifeguard/Database=$db}"
dll=apps/Website/bin/Release/net10.0/Website.dll
[ -f "$dll" ] || dotnet build apps/Website -c Release -v quiet -nologo >/dev/null
if dotnet "$dll" migrate >"$work/migrate.log" 2>&1; then ok "the website's tables are made by its own role"
else bad "website migrate failed"; tail -5 "$work/migrate.log"; finish; fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
port=$(free_port); mport=$(free_port)
dotnet "$dll" --urls "http://127.0.0.1:$port" --Lifeguard:Endpoints:ManagementPort="$mport" >"$work/site.log" 2>&1 &
site_pid=$!
for _ in $(seq 1 300); do curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$mport/health" 2>/dev/null && break; kill -0 "$site_pid" 2>/dev/null || break; sleep 0.2; done
curl -fsS -o /dev/null --max-time 10 "http://127.0.0.1:$mport/lifeguard/diagnosis" 2>/dev/null || { bad "the website did not come up"; tail -20 "$work/site.log"; finish; }
# a failed login reads the accounts table through the site's pool (a page of its own needs no login)
jar=$work/cookies; page=$(curl -sS --max-time 10 -c "$jar" -b "$jar" "http://127.0.0.1:$port/account/login")
af=$(sed -nE 's/.*name="__RequestVerificationToken"[^>]*value="([^"]+)".*/\1/p' <<<"$page" | head -1)
[ -z "$af" ] && af=$(sed -nE 's/.*value="([^"]+)"[^>]*name="__RequestVerificationToken".*/\1/p' <<<"$page" | head -1)
curl -sS -o /dev/null --max-time 10 -c "$jar" -b "$jar" --data-urlencode "Email=nobody@lifeguard.local" \
  --data-urlencode "Password=not-a-password-1" --data-urlencode "__RequestVerificationToken=$af" "http://127.0.0.1:$port/account/login"
sessions=""
for _ in $(seq 1 300); do   # the reader and the pool connect on their own schedule; poll, never time
  # The site's sessions are named per instance: Lifeguard.Website/<instance> (docs/fleet.md).
  sessions=$(as_diagnoser "$db" -c "SELECT DISTINCT usename || ' ' || CASE WHEN application_name LIKE 'Lifeguard.Website/%' THEN 'Lifeguard.Website' ELSE application_name END
    FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
      AND (application_name = 'lifeguard-diagnoser' OR application_name LIKE 'Lifeguard.Website/%') ORDER BY 1")
  grep -q "^lifeguard_diagnoser lifeguard-diagnoser$" <<<"$sessions" && grep -q "^lifeguard Lifeguard.Website$" <<<"$sessions" && break
  sleep 0.2
done
if grep -q "^lifeguard_diagnoser lifeguard-diagnoser$" <<<"$sessions" && grep -q "^lifeguard Lifeguard.Website$" <<<"$sessions" \
   && ! grep -q "^lifeguard lifeguard-diagnoser$" <<<"$sessions"; then
  ok "pg_stat_activity: the site's pool is lifeguard, its server reader lifeguard_diagnoser"
else bad "pg_stat_activity shows: $(tr '\n' ';' <<<"$sessions")"; fi
if tr '\0' ' ' <"/proc/$site_pid/cmdline" | grep -qF -e "$pd" -e "Password="; then bad "the site's command line carries a password"
else ok "the site's command line carries no password (connection strings in its environment)"; fi

# --- least privilege, from the diagnoser's side -----------------------------------------------------------------------------
tables=$(as_site "$db" -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
denied=0; total=0; let_in=""
for t in $tables; do
  total=$((total + 1)); out=$(as_diagnoser "$db" -c "SELECT 1 FROM public.$t LIMIT 1")
  if grep -q "permission denied for table $t" <<<"$out"; then denied=$((denied + 1)); else let_in="$let_in $t"; fi
done
if [ "$total" -gt 0 ] && [ "$denied" = "$total" ]; then ok "the diagnoser cannot SELECT from any of the site's $total tables (permission denied)"
else bad "the diagnoser read site tables:$let_in (of $total)"; fi
create=$(as_diagnoser "$db" -c "CREATE TABLE diagnoser_was_here (i int)")
if grep -q "permission denied for schema public" <<<"$create"; then ok "the diagnoser cannot create tables"; else bad "diagnoser CREATE TABLE: $create"; fi
inc_read=$(as_incidents "$db" -c "SELECT 1 FROM public.$(head -1 <<<"$tables") LIMIT 1")
if grep -q "permission denied" <<<"$inc_read"; then ok "the incident service's role cannot read the site's tables either"; else bad "incidents role read a site table: $inc_read"; fi

# another role's live query, as the diagnosis needs it (query text visible)
PGPASSWORD=$(pw_of website) psql "host=127.0.0.1 port=$pg_port user=lifeguard dbname=$db" -XAtq -c "SELECT pg_sleep(120) /* roles-suite-$$ */" >/dev/null 2>&1 &
sleeper_pid=$!
seen=""
for _ in $(seq 1 300); do
  seen=$(as_diagnoser "$db" -c "SELECT query FROM pg_stat_activity WHERE usename = 'lifeguard' AND query LIKE '%roles-suite-$$%'")
  [ -n "$seen" ] && break; sleep 0.1
done
if grep -q "pg_sleep(120)" <<<"$seen"; then ok "the diagnoser reads another role's query text in pg_stat_activity"
else bad "the diagnoser saw: '$seen'"; fi
cancel=$(as_diagnoser "$db" -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE usename = 'lifeguard' AND query LIKE '%roles-suite-$$%' AND pid <> pg_backend_pid()")
if grep -q "permission denied\|must be a member" <<<"$cancel"; then ok "the diagnoser cannot cancel other roles' queries"
else bad "diagnoser pg_cancel_backend: $cancel"; fi
finish

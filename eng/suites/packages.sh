#!/usr/bin/env bash
# Lifeguard the way a user installs it: packs every package into a throwaway local feed (eng/pack.sh), checks each
# package's metadata, installs the `lifeguard` tool from the feed and runs it, builds both samples against the packed
# packages (not the projects) and runs one, and creates a fresh ASP.NET Core app outside the repository that adds
# Lifeguard.AspNetCore from the feed and serves guarded requests. A broken package fails here. Needs the test
# PostgreSQL (LIFEGUARD_TEST_PG, started by test.sh). Last line: suite: N passed, N failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# shellcheck source=lib/checks.sh
. eng/suites/lib/checks.sh
TOTAL_CHECKS=19

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
# Polls URL until it answers 2xx (up to $2 seconds).
wait_http() { local i; for ((i = 0; i < ${2:-60} * 4; i++)); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.25; done; return 1; }

if [ -z "${LIFEGUARD_TEST_PG:-}" ]; then
  echo "packages: LIFEGUARD_TEST_PG is not set (./test.sh starts the test PostgreSQL and sets it)"
  bad "the test PostgreSQL"; finish
fi

# A version NuGet's global cache has never seen, so every restore below takes this run's packages.
version=0.9.0-preview.1.ci$(date +%s)$$
feed=$work/feed
nobuild=()
[ -f src/Lifeguard.Cli/bin/Release/net10.0/Lifeguard.Cli.dll ] && nobuild=(--no-build)
if eng/pack.sh --output "$feed" --version-suffix "${version#0.9.0-}" "${nobuild[@]}" >"$work/pack.log" 2>&1 \
   && [ "$(ls "$feed"/*.nupkg 2>/dev/null | wc -l)" -eq 8 ] && [ "$(ls "$feed"/*.snupkg 2>/dev/null | wc -l)" -eq 8 ]; then
  ok "eng/pack.sh: 8 packages and 8 symbol packages, version $version"
else
  tail -20 "$work/pack.log"; bad "eng/pack.sh packed $(ls "$feed"/*.nupkg 2>/dev/null | wc -l) of 8 packages"; finish
fi

# Each package: license expression, its own README (not the repository's), a description, the commit it came from, the
# library with its XML docs, and symbols beside it.
for id in Lifeguard Lifeguard.Contracts Lifeguard.Hosting Lifeguard.AspNetCore Lifeguard.EntityFrameworkCore Lifeguard.Postgres Lifeguard.Testing Lifeguard.Cli; do
  pkg=$feed/$id.$version.nupkg
  nuspec=$(unzip -p "$pkg" "$id.nuspec" 2>/dev/null | tr -d '\r')
  readme=$(unzip -p "$pkg" README.md 2>/dev/null)
  files=$(unzip -Z1 "$pkg" 2>/dev/null)
  symbols=$(unzip -Z1 "$feed/$id.$version.snupkg" 2>/dev/null)
  why=""
  grep -q '<license type="expression">MIT</license>' <<<"$nuspec" || why+=" no MIT license expression;"
  grep -q '<readme>README.md</readme>' <<<"$nuspec" || why+=" no readme;"
  grep -qE '<description>.{40,}</description>' <<<"$nuspec" || why+=" no description;"
  grep -qE '<repository type="git"[^>]* commit="[0-9a-f]{40}"' <<<"$nuspec" || why+=" no repository commit;"
  [ -n "$readme" ] && ! cmp -s <(printf '%s\n' "$readme") README.md || why+=" README missing or the repository's;"
  if [ "$id" = Lifeguard.Cli ]; then
    grep -q 'dotnet tool install' <<<"$readme" || why+=" README without dotnet tool install;"
    grep -q '<packageType name="DotnetTool"' <<<"$nuspec" || why+=" not a dotnet tool;"
    grep -q '\.pdb$' <<<"$symbols" || why+=" no symbols;"
  else
    grep -q "dotnet add package $id" <<<"$readme" || why+=" README without its install line;"
    grep -q "^lib/net10.0/$id.dll$" <<<"$files" || why+=" no lib/net10.0/$id.dll;"
    grep -q "^lib/net10.0/$id.xml$" <<<"$files" || why+=" no XML docs;"
    grep -q "^lib/net10.0/$id.pdb$" <<<"$symbols" || why+=" no symbols;"
  fi
  if [ -z "$why" ]; then ok "$id: metadata, own README, docs, symbols"; else bad "$id:$why"; fi
done

# The tool, installed from the feed as a user would (a tool path, not the global one).
if dotnet tool install Lifeguard.Cli --version "$version" --add-source "$feed" --tool-path "$work/tools" >"$work/tool.log" 2>&1; then
  ok "dotnet tool install Lifeguard.Cli from the local feed"
else
  cat "$work/tool.log"; bad "dotnet tool install Lifeguard.Cli"
fi
help=$("$work/tools/lifeguard" --help 2>&1)
if grep -q 'check <target>' <<<"$help" && grep -q 'review' <<<"$help" && grep -q 'diagnose' <<<"$help"; then
  ok "lifeguard --help from the installed tool lists the verbs"
else
  echo "$help" | head -20; bad "lifeguard --help from the installed tool"
fi
check=$("$work/tools/lifeguard" check "Host=127.0.0.1;Database=shop;Maximum Pool Size=20;Timeout=3" 2>&1); rc=$?
if [ "$rc" -eq 0 ] && grep -q 'check passed' <<<"$check"; then
  ok "lifeguard check from the installed tool: exit 0, check passed"
else
  echo "$check" | tail -10; bad "lifeguard check from the installed tool (exit $rc)"
fi

# The samples against the packages: same code, package references instead of project references.
build_sample() {
  dotnet build "samples/$1" -c Release -nologo -v quiet -p:LifeguardFromPackages=true -p:LifeguardPackageVersion="$version" \
    -p:RestoreAdditionalProjectSources="$feed" --artifacts-path "$work/art-$1" >"$work/build-$1.log" 2>&1 \
    && grep -A1 "\"$2/$version\": {" "$work/art-$1/obj/$1/project.assets.json" | grep -q '"type": "package"'
}
for s in "WorkerService Lifeguard.Hosting" "MinimalApiEfCore Lifeguard.AspNetCore"; do
  set -- $s
  if build_sample "$1" "$2"; then ok "samples/$1 builds against the packed $2 $version"; else tail -15 "$work/build-$1.log"; bad "samples/$1 against the packages"; fi
done

# The worker sample from the packages: its job's leases and its diagnosis are logged (the first diagnosis at its 10 s tick).
wdll=$(ls "$work"/art-WorkerService/bin/WorkerService/*/WorkerService.dll 2>/dev/null | head -1)
if [ -n "$wdll" ]; then
  (cd "$(dirname "$wdll")" && DOTNET_ENVIRONMENT=Production ConnectionStrings__Jobs="$LIFEGUARD_TEST_PG" OTEL_METRICS_EXPORTER=none \
    exec dotnet "$wdll") >"$work/worker.log" 2>&1 &
  pids+=($!)
  for ((i = 0; i < 160; i++)); do grep -q 'Diagnosis: ' "$work/worker.log" && break; sleep 0.25; done
fi
if [ -n "$wdll" ] && grep -q 'Pool .* in use, wait p99' "$work/worker.log" && grep -q 'Diagnosis: healthy' "$work/worker.log"; then
  ok "samples/WorkerService from the packages: its guarded job and its live diagnosis (healthy) logged"
else
  tail -15 "$work/worker.log" 2>/dev/null; bad "samples/WorkerService from the packages runs and logs its pool and diagnosis"
fi

port=$(free_port); mport=$(free_port)
dll=$(ls "$work"/art-MinimalApiEfCore/bin/MinimalApiEfCore/*/MinimalApiEfCore.dll 2>/dev/null | head -1)
if [ -n "$dll" ]; then
  (cd "$(dirname "$dll")" && ASPNETCORE_ENVIRONMENT=Production Urls="http://127.0.0.1:$port" Lifeguard__Endpoints__ManagementPort="$mport" \
    ConnectionStrings__Shop="$LIFEGUARD_TEST_PG" exec dotnet "$dll") >"$work/sample.log" 2>&1 &
  pids+=($!)
fi
if [ -n "$dll" ] && wait_http "http://127.0.0.1:$port/orders" 60 \
   && [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{"customer":"packages suite"}' "http://127.0.0.1:$port/orders")" = 201 ] \
   && curl -fsS "http://127.0.0.1:$port/orders" | grep -q 'packages suite'; then
  ok "samples/MinimalApiEfCore from the packages: POST /orders 201, GET /orders lists it"
else
  tail -20 "$work/sample.log"; bad "samples/MinimalApiEfCore from the packages answers"
fi
metrics=$(curl -fsS "http://127.0.0.1:$mport/metrics" 2>/dev/null)
if grep -qE '^db_client_connection_use_time_seconds_count\{.*\} [1-9]' <<<"$metrics"; then
  ok "its management /metrics counts the guarded EF Core leases"
else
  grep -m5 '^db_client' <<<"$metrics"; bad "the packaged sample's /metrics has no leases"
fi

# A fresh app outside the repository (no Directory.Build.props, no central versions): dotnet new web, add the package.
app=$work/freshapp
mkdir -p "$app"
cat >"$work/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="lifeguard-local" value="$feed" />
  </packageSources>
</configuration>
XML
if (cd "$app" && dotnet new web --name FreshApp --output . >"$work/new.log" 2>&1 \
    && cp "$work/nuget.config" . \
    && dotnet add package Lifeguard.AspNetCore --version "$version" >>"$work/new.log" 2>&1 \
    && dotnet add package Npgsql.DependencyInjection --version 10.0.3 >>"$work/new.log" 2>&1); then
  cat >"$app/Program.cs" <<'CS'
using System.Data.Common;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddNpgsqlDataSource(builder.Configuration.GetConnectionString("Main")!);
builder.Services.AddLifeguard();
var app = builder.Build();
app.MapLifeguard();
app.MapGet("/", async (DbDataSource db) =>
{
    await using var connection = await db.OpenConnectionAsync();
    await using var command = connection.CreateCommand();
    command.CommandText = "SELECT 'guarded'";
    return (string)(await command.ExecuteScalarAsync())!;
});
app.Run();
CS
  if (cd "$app" && dotnet build -c Release -nologo -v quiet >>"$work/new.log" 2>&1); then
    ok "a fresh 'dotnet new web' app adds Lifeguard.AspNetCore $version from the feed and builds"
  else
    tail -20 "$work/new.log"; bad "the fresh app builds with the package"
  fi
else
  tail -20 "$work/new.log"; bad "dotnet new web + dotnet add package Lifeguard.AspNetCore"
fi
port=$(free_port); mport=$(free_port)
if [ -f "$app/bin/Release/net10.0/FreshApp.dll" ]; then
  (cd "$app" && Urls="http://127.0.0.1:$port" Lifeguard__Endpoints__ManagementPort="$mport" ConnectionStrings__Main="$LIFEGUARD_TEST_PG" \
    exec dotnet bin/Release/net10.0/FreshApp.dll) >"$work/fresh.log" 2>&1 &
  pids+=($!)
fi
if wait_http "http://127.0.0.1:$port/" 60 && [ "$(curl -fsS "http://127.0.0.1:$port/")" = guarded ] \
   && curl -fsS "http://127.0.0.1:$mport/lifeguard/state" | grep -qE '"leases": ?[1-9]'; then
  ok "the fresh app serves a guarded request; /lifeguard/state on the management port counts its lease"
else
  tail -20 "$work/fresh.log" 2>/dev/null; bad "the fresh app with the package serves guarded requests"
fi

finish

#!/usr/bin/env bash
# Packs every shipped library and the `lifeguard` tool into a local folder feed: .nupkg + .snupkg (symbols), each with
# its own README, license expression, SourceLink and package validation (src/Directory.Build.props).
#   eng/pack.sh                         into .artifacts/packages, version 0.9.0-preview.1
#   eng/pack.sh --output DIR            another folder (created)
#   eng/pack.sh --version-suffix SUFFIX  e.g. preview.1.ci42: a version NuGet's cache has never seen (the packages
#                                        suite uses one per run, so a cached older build is never restored instead)
#   eng/pack.sh --no-build              pack what `dotnet build -c Release` built (test.sh does, after its build)
# Publishing: pass -p:RepositoryUrl=... through PACK_ARGS when the git remote is not the public repository.
# Consume: dotnet add package Lifeguard.AspNetCore --version V (with DIR as a source in nuget.config);
#          dotnet tool install Lifeguard.Cli --add-source DIR --version V --tool-path tools
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

out=.artifacts/packages; suffix=""; build=()
while [ $# -gt 0 ]; do
  case "$1" in
    --output) out=${2:?--output needs a folder}; shift 2 ;;
    --version-suffix) suffix=${2:?--version-suffix needs a value}; shift 2 ;;
    --no-build) build=(--no-build); shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "eng/pack.sh: unknown argument '$1' (try --help)" >&2; exit 1 ;;
  esac
done
if [ -n "$suffix" ] && ! [[ "$suffix" =~ ^[0-9A-Za-z.-]+$ ]]; then
  echo "eng/pack.sh: --version-suffix '$suffix': letters, digits, dots and hyphens only" >&2; exit 1
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Inner packages first: a package's dependencies are the versions packed beside it.
projects=(src/Lifeguard.Contracts src/Lifeguard src/Lifeguard.Hosting src/Lifeguard.AspNetCore src/Lifeguard.EntityFrameworkCore
  src/Lifeguard.Postgres src/Lifeguard.Testing src/Lifeguard.Cli)
args=(-c Release -o "$out" -nologo -v quiet "${build[@]}")
[ -n "$suffix" ] && args+=("-p:VersionSuffix=$suffix")
# A release build maps source paths to /_/ (reproducible); with --no-build the test build's binaries are packed as they are.
[ ${#build[@]} -eq 0 ] && args+=(-p:ContinuousIntegrationBuild=true)
# shellcheck disable=SC2206
[ -n "${PACK_ARGS:-}" ] && args+=(${PACK_ARGS})
n=0
for p in "${projects[@]}"; do
  n=$((n + 1))
  echo "[$n/${#projects[@]}] pack $p" >&2
  dotnet pack "$p" "${args[@]}" >&2
done
echo "$out"

#!/usr/bin/env bash
# Records the public surface of every shipped library (src/*, the CLI excepted) in its PublicAPI files, with the
# PublicApiAnalyzers code fix run through `dotnet format`. Run it after a deliberate public change, then review the
# diff of src/*/PublicAPI.Unshipped.txt: what you did not mean to publish should become internal instead.
#   eng/public-api.sh            rewrite PublicAPI.Unshipped.txt from the code (Shipped is kept as it is)
#   eng/public-api.sh PROJECT..  the same for some projects only (e.g. src/Lifeguard.Postgres)
#   eng/public-api.sh --ship     at a release: move every Unshipped entry into PublicAPI.Shipped.txt
# The build fails (RS0016/RS0017, src/Directory.Build.targets) while code and files disagree.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

header='#nullable enable'
# Shipped libraries, inner ones first (dotnet format loads references, so a clean core keeps the rest quiet).
all=(src/Lifeguard src/Lifeguard.Postgres src/Lifeguard.Hosting src/Lifeguard.AspNetCore src/Lifeguard.EntityFrameworkCore
  src/Lifeguard.Testing)

ship=0
projects=()
for a in "$@"; do
  case $a in
    --ship) ship=1 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) projects+=("${a%/}") ;;
  esac
done
[ ${#projects[@]} -gt 0 ] || projects=("${all[@]}")

for dir in "${projects[@]}"; do
  csproj=$(ls "$dir"/*.csproj 2>/dev/null | head -1)
  [ -n "$csproj" ] || { echo "public-api: no project in $dir" >&2; exit 2; }
  shipped=$dir/PublicAPI.Shipped.txt unshipped=$dir/PublicAPI.Unshipped.txt
  [ -f "$shipped" ] || echo "$header" > "$shipped"
  if [ "$ship" -eq 1 ]; then
    # *REMOVED* lines name Shipped entries that are gone: drop both; everything else becomes Shipped.
    removed=$(grep '^\*REMOVED\*' "$unshipped" | sed 's/^\*REMOVED\*//' || true)
    { echo "$header"
      { grep -v "^$header\$" "$shipped" | grep -vxF -f <(printf '%s\n' "$removed") || true
        grep -v "^$header\$" "$unshipped" | grep -v '^\*REMOVED\*' || true; } | grep -v '^$' | LC_ALL=C sort -u
    } > "$shipped.new"
    mv "$shipped.new" "$shipped"
    echo "$header" > "$unshipped"
    echo "public-api: $dir: $(($(wc -l < "$shipped") - 1)) shipped entries"
    continue
  fi
  # From scratch, so entries of members that were removed or moved to another project go too.
  echo "$header" > "$unshipped"
  dotnet format analyzers "$csproj" --diagnostics RS0016 --severity warn -v quiet
  # The analyzers have no code fix for a Shipped entry whose member is gone (RS0017): the build names its line, and the
  # removal is recorded as "*REMOVED*<entry>" in Unshipped, as the analyzers expect.
  if grep -qv "^$header\$" "$shipped"; then
    dotnet build "$csproj" -c Release -v quiet -nologo 2>&1 |
      sed -nE 's|.*PublicAPI\.Shipped\.txt\(([0-9]+),[0-9]+\): error RS0017.*|\1|p' | sort -un |
      while read -r n; do echo "*REMOVED*$(sed -n "${n}p" "$shipped")"; done >> "$unshipped" || true
  fi
  LC_ALL=C sort -o "$unshipped.body" <(grep -v "^$header\$" "$unshipped" | grep -v '^$' || true)
  { echo "$header"; cat "$unshipped.body"; } > "$unshipped"
  rm -f "$unshipped.body"
  echo "public-api: $dir: $(($(wc -l < "$unshipped") - 1)) unshipped entries"
done

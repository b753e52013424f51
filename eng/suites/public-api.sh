#!/usr/bin/env bash
# Proves the public API discipline on a throwaway copy of a real shipped library (src/Lifeguard.EntityFrameworkCore,
# the smallest) under src/, so src/Directory.Build.props/.targets apply exactly as to the real ones: a public member
# not recorded in PublicAPI.*.txt fails the build (RS0016), an undocumented one too (CS1591), eng/public-api.sh records
# it and the build passes, and a recorded member that disappears fails it again (RS0017). The real projects are not
# touched. Last line: suite: N passed, N failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

passed=0; failed=0
ok() { echo "ok   - $*"; passed=$((passed + 1)); }
bad() { echo "FAIL - $*"; failed=$((failed + 1)); }
finish() { echo "suite: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

# Beside the real projects, so ..\Lifeguard\Lifeguard.csproj and the src/ Directory.Build files resolve as for them.
copy=$(mktemp -d "$root/src/.public-api-check.XXXXXX")
trap 'rm -rf "$copy"' EXIT
cp -r src/Lifeguard.EntityFrameworkCore/. "$copy/"
rm -rf "$copy/bin" "$copy/obj"
csproj=$copy/Lifeguard.EntityFrameworkCore.csproj
log=$copy/build.log

build() { dotnet build "$csproj" -c Release -v quiet -nologo >"$log" 2>&1; }

cat >"$copy/PublicApiProbe.cs" <<'CS'
namespace Lifeguard.EntityFrameworkCore;

/// <summary>A public type the PublicAPI files do not know yet.</summary>
public static class PublicApiProbe
{
    /// <summary>A documented public member.</summary>
    public static int Answer => 42;
}
CS
cat >"$copy/UndocumentedProbe.cs" <<'CS'
namespace Lifeguard.EntityFrameworkCore;

public static class UndocumentedProbe
{
    public static int Question => 41;
}
CS

if build; then bad "a public type not in PublicAPI.*.txt fails the build (it built)"
else
  grep -q "error RS0016.*PublicApiProbe.Answer" "$log" && ok "an unrecorded public member fails the build with RS0016" \
    || { bad "an unrecorded public member fails the build with RS0016"; grep -E "error" "$log" | head -5; }
  grep -q "error CS1591.*UndocumentedProbe" "$log" && ok "a public type without XML docs fails the build with CS1591" \
    || { bad "a public type without XML docs fails the build with CS1591"; grep -E "error" "$log" | head -5; }
fi

rm "$copy/UndocumentedProbe.cs"
if eng/public-api.sh "$copy" >"$log" 2>&1 && grep -qx "static Lifeguard.EntityFrameworkCore.PublicApiProbe.Answer.get -> int" "$copy/PublicAPI.Unshipped.txt"; then
  ok "eng/public-api.sh records the new member in PublicAPI.Unshipped.txt"
else
  bad "eng/public-api.sh records the new member in PublicAPI.Unshipped.txt"; tail -5 "$log"
fi
if build; then ok "once recorded, the build passes"; else bad "once recorded, the build passes"; grep -E "error" "$log" | head -5; fi

rm "$copy/PublicApiProbe.cs"
if build; then bad "a recorded member that is gone fails the build (it built)"
else
  grep -q "error RS0017.*PublicApiProbe" "$log" && ok "a recorded member that is gone fails the build with RS0017" \
    || { bad "a recorded member that is gone fails the build with RS0017"; grep -E "error" "$log" | head -5; }
fi
finish

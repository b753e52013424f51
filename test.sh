#!/usr/bin/env bash
# Runs every Lifeguard test: installs what is missing, starts a throwaway PostgreSQL on its own
# port and data dir (never run.sh's), builds, runs all test projects and the tool-level suites,
# and ends with the line `tests: N passed, N failed`.
# Env: LIFEGUARD_TEST_PG_PORT (default 54339), CI (set: a missing service fails, never skips).
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

passed=0; failed=0; skipped=0
finish() {
  # CI shows the end of this output: every failed test is named here, the first one first (a cascade's cause is
  # the first failure, not the last).
  local names
  names=$(cat ${log:-} ${dlog:-} 2>/dev/null | grep -E '^\[xUnit\.net [0-9:.]+\] +.* \[FAIL\]$' | sed -E 's/^\[xUnit\.net ([0-9:.]+)\] +/  \1 /; s/ \[FAIL\]$//' | head -40)
  if [ -n "$names" ]; then echo "failed tests, as logged (the first is often the cause of the rest):"; echo "$names"; fi
  echo "test.sh: ${SECONDS} s in all"
  if [ "$skipped" -gt 0 ]; then echo "tests: $passed passed, $failed failed, $skipped skipped"
  else echo "tests: $passed passed, $failed failed"; fi
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
  exit $?
}

eng/prereqs.sh all || { echo "test.sh: installing prerequisites failed"; failed=1; finish; }

port=${LIFEGUARD_TEST_PG_PORT:-54339}
data=.data/test-pg-$port
eng/pg.sh stop --data "$data" --port "$port" >/dev/null 2>&1 || true
rm -rf "$(readlink -f "$data" 2>/dev/null || echo "$data")" "$data"
cleanup() { eng/pg.sh stop --data "$data" --port "$port" >/dev/null 2>&1 || true; }
trap cleanup EXIT
eng/pg.sh start --data "$data" --port "$port" || { echo "test.sh: PostgreSQL did not start"; failed=1; finish; }
export LIFEGUARD_TEST_PG; LIFEGUARD_TEST_PG=$(eng/pg.sh url --data "$data" --port "$port")
export LIFEGUARD_TEST_PG_DATA; LIFEGUARD_TEST_PG_DATA=$(readlink -f "$data")

echo "== build (at ${SECONDS} s)"
if ! dotnet build Lifeguard.slnx -c Release -v quiet -nologo; then
  echo "test.sh: build failed"; failed=1; finish
fi

# Adds up the VSTest summaries (one per test assembly) of a `dotnet test` log; returns how many it saw.
count_summaries() {
  local log=$1 n=0 line f p s
  while IFS= read -r line; do
    f=$(sed -E 's/.*Failed: *([0-9]+).*/\1/' <<<"$line")
    p=$(sed -E 's/.*Passed: *([0-9]+).*/\1/' <<<"$line")
    s=$(sed -E 's/.*Skipped: *([0-9]+).*/\1/' <<<"$line")
    failed=$((failed + f)); passed=$((passed + p)); skipped=$((skipped + s)); n=$((n + 1))
  done < <(grep -E '^(Passed|Failed)! +- Failed: ' "$log")
  summaries=$n
}

echo "== dotnet test (at ${SECONDS} s)"
log=$(mktemp)
dotnet test Lifeguard.slnx -c Release --no-build -nologo --filter "Category!=Drill" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
count_summaries "$log"
projects=$(ls tests/*/*.Tests.csproj 2>/dev/null | wc -l) # test projects only: tests/TestKit is a library
if [ "$summaries" -lt "$projects" ]; then
  echo "test.sh: only $summaries of $projects test assemblies reported a summary (crash or no tests)"
  failed=$((failed + projects - summaries))
fi
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then echo "test.sh: dotnet test exited $rc"; failed=$((failed + 1)); fi

# Tool-level suites (promtool, shell checks): each eng/suites/*.sh prints `suite: N passed, N failed`.
for suite in eng/suites/*.sh; do
  [ -e "$suite" ] || continue
  echo "== $suite (at ${SECONDS} s)"
  out=$(bash "$suite" 2>&1); src=$?
  echo "$out"
  last=$(grep -E '^suite: [0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -1)
  if [ -z "$last" ]; then failed=$((failed + 1)); continue; fi
  p=$(sed -E 's/suite: ([0-9]+) passed.*/\1/' <<<"$last"); f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$last")
  passed=$((passed + p)); failed=$((failed + f))
  [ "$src" -ne 0 ] && [ "$f" -eq 0 ] && failed=$((failed + 1))
done
# The drills run last and alone: their latencies must not be those of a machine busy with other tests. Category=Drill:
# the quick pool drill with its admission replay (AdmissionDrillTests), every other fault injected for real (FaultDrillTests; the lock
# drill reporting to a real incident service, IncidentLinkDrillTests), the fleet without and with the governor
# (FleetDrillTests, GovernorFleetTests) and the
# accuracy corpus's quick slice (QuickCorpusTests, against bench/corpus/quick-baseline.json).
echo "== quick drills at ${SECONDS} s (SlotFillerTests, AdmissionDrillTests, FaultDrillTests, IncidentLinkDrillTests, FleetDrillTests, GovernorFleetTests, QuickCorpusTests)"
dlog=$(mktemp)
# The slot filler's own test (Lifeguard.Testing) first: it takes every slot of the cluster, so it too runs alone.
dotnet test tests/Lifeguard.Testing.Tests -c Release --no-build -nologo --filter "Category=Drill" 2>&1 | tee "$dlog"
frc=${PIPESTATUS[0]}
dotnet test tests/Lifeguard.Cli.Tests -c Release --no-build -nologo --filter "Category=Drill" 2>&1 | tee -a "$dlog"
drc=${PIPESTATUS[0]}
[ "$frc" -ne 0 ] && drc=$frc
count_summaries "$dlog"
if [ "$summaries" -lt 2 ]; then echo "test.sh: the slot filler or the quick drills reported no summary"; failed=$((failed + 1)); fi
if [ "$drc" -ne 0 ] && [ "$summaries" -ge 1 ] && ! grep -qE '^Failed!' "$dlog"; then failed=$((failed + 1)); fi
finish

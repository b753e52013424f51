#!/usr/bin/env bash
# Instructions per open+close, raw and guarded, counted by valgrind's callgrind: instructions, not seconds, so the
# figure is the same on a busy or a quiet machine and comparable across x64 CPUs, unlike nanoseconds.
# Each variant runs twice with the same warm-up and N or 2N measured leases of a provider-free connection
# (GuardOverheadRun.Count); the difference divided by N is one open+close, start-up and JIT cancelled out.
# Caveat: under valgrind the runtime reads thread-statics through its slow helper (~100 instructions instead of a
# couple), so every [ThreadStatic] and AsyncLocal read counts too high; the guard's own methods are counted exactly.
# Usage: bench/guard-instructions.sh [N] [warmup]   (defaults 40000 40000; ~1 min per run under valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-40000}; warmup=${2:-40000}
for tool in valgrind callgrind_annotate python3; do
  command -v "$tool" >/dev/null || { echo "guard-instructions: $tool is not installed (apt-get install valgrind python3)" >&2; exit 1; }
done
dotnet build bench/Lifeguard.Benchmarks -c Release -v quiet -nologo >/dev/null
dll=bench/Lifeguard.Benchmarks/bin/Release/net10.0/Lifeguard.Benchmarks.dll
# Valgrind cannot follow .NET's double-mapped (W^X) code pages; the perf map names the JIT's code.
export DOTNET_EnableWriteXorExecute=0 DOTNET_PerfMapEnabled=1
# Tiered compilation swaps optimised code in from a background thread at moments that depend on timing (under
# valgrind threads take turns), so two runs would not run the same code: every method is compiled optimised at its
# first call instead (no dynamic PGO; the framework runs its ReadyToRun code). Set DOTNET_TieredCompilation=1 to try.
export DOTNET_TieredCompilation=${DOTNET_TieredCompilation:-0}
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
for v in raw guarded guarded-no-operations; do
  for k in 1 2; do
    echo "guard-instructions: $v, $((k * n)) leases under valgrind..." >&2
    valgrind --tool=callgrind --callgrind-out-file="$out/$v-$k" dotnet "$dll" count "$v" "$warmup" $((k * n)) >/dev/null 2>&1
  done
  echo "$v:"
  python3 bench/callgrind-per-lease.py "$out/$v-1" "$out/$v-2" "$n" 12
done

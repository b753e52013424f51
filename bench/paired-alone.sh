#!/usr/bin/env bash
# Raw and guarded open+close on PostgreSQL, each variant alone in its own process, launches alternated (raw, guarded,
# raw, ...) so load changes hit both alike; the ratio is taken between neighbouring launches and its median printed.
# Why not one process: the JIT's dynamic PGO then profiles Npgsql's code on a mix of raw and guarded leases, and on some
# CPUs that mix alone moves a variant by 40 % (see BENCHMARKS.md, "Across CPUs"). An application runs one of the two.
# Usage: LIFEGUARD_BENCH_PG=CONNSTRING bench/paired-alone.sh [pairs] [rounds] [batch]   (defaults 6 1000 500)
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-6}; rounds=${2:-1000}; batch=${3:-500}
dotnet build bench/Lifeguard.Benchmarks -c Release -v quiet -nologo >/dev/null
dll=bench/Lifeguard.Benchmarks/bin/Release/net10.0/Lifeguard.Benchmarks.dll
ns() { dotnet "$dll" alone "$1" "$rounds" "$batch" | sed -nE 's/.*median ([0-9.]+) ns.*/\1/p'; }
ratios=()
for ((i = 1; i <= pairs; i++)); do
  # The order flips every pair, so neither variant always runs first.
  if ((i % 2)); then r=$(ns raw); g=$(ns guarded); else g=$(ns guarded); r=$(ns raw); fi
  ratio=$(awk -v g="$g" -v r="$r" 'BEGIN { printf "%.3f", g / r }')
  ratios+=("$ratio")
  echo "pair $i: raw $r ns, guarded $g ns, ratio $ratio"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "median ratio guarded/raw over %d pairs: %.3f (min %.3f, max %.3f)\n", NR, m, a[1], a[NR] }'

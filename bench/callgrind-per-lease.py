#!/usr/bin/env python3
"""Instructions per lease from two callgrind profiles of `count VARIANT warmup N` and `... 2N`.

The difference of the two profiles, divided by N, is one open+close: start-up, JIT and warm-up cancel out. Functions
the JIT compiled are named through the runtime's perf map (DOTNET_PerfMapEnabled=1 writes /tmp/perf-PID.map).
Usage: callgrind-per-lease.py PROFILE_N PROFILE_2N N [top]
"""
import bisect
import re
import subprocess
import sys


def load(profile):
    out = subprocess.run(["callgrind_annotate", "--threshold=100", profile], capture_output=True, text=True, check=True).stdout
    pid = re.search(r"\(PID (\d+)", out).group(1)
    costs = {}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \([^)]*\)\s+(.*)$", line)
        if m and "PROGRAM TOTALS" not in m.group(2):
            costs[m.group(2)] = costs.get(m.group(2), 0) + int(m.group(1).replace(",", ""))
    return costs, pid


def jit_names(pid):
    rows = []
    try:
        with open(f"/tmp/perf-{pid}.map") as f:
            for line in f:
                start, size, name = line.split(" ", 2)
                rows.append((int(start, 16), int(size, 16), name.strip()))
    except FileNotFoundError:
        pass
    rows.sort()
    starts = [r[0] for r in rows]

    def name(symbol):
        m = re.match(r"\?\?\?:0x([0-9a-f]+) \[\?\?\?\]", symbol)
        if not m:
            return re.sub(r"^.*?:", "", symbol) if "libcoreclr" not in symbol else "coreclr " + symbol.split()[0]
        address = int(m.group(1), 16)
        i = bisect.bisect_right(starts, address) - 1
        if i >= 0 and rows[i][0] <= address < rows[i][0] + rows[i][1]:
            # One method compiled at several tiers counts as one.
            return re.sub(r"\[(Optimized|OptimizedTier1|InstrumentedTierOptimized|Tier0|Instrumented)\w*\]$", "", rows[i][2])
        return "unnamed code (stubs, helpers)"
    return name


def named(profile):
    costs, pid = load(profile)
    name = jit_names(pid)
    out = {}
    for symbol, cost in costs.items():
        key = name(symbol)
        out[key] = out.get(key, 0) + cost
    return out


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    a, b, n = named(sys.argv[1]), named(sys.argv[2]), int(sys.argv[3])
    top = int(sys.argv[4]) if len(sys.argv) > 4 else 12
    rows = sorted((((b.get(k, 0) - a.get(k, 0)) / n), k) for k in set(a) | set(b))
    total = sum(r[0] for r in rows)
    own = sum(v for v, k in rows if "[Lifeguard]" in k)
    print(f"  per open+close: {total:.0f} instructions, of which in Lifeguard's own methods: {own:.0f}")
    for v, k in sorted(rows, reverse=True)[:top]:
        if v >= 1:
            print(f"  {v:8.0f}  {k[:140]}")
    print("  Lifeguard's own methods:")
    for v, k in sorted(((v, k) for v, k in rows if "[Lifeguard]" in k), reverse=True):
        if v >= 1:
            short = re.sub(r"class |valuetype |\[[^]]*\]", "", k)
            print(f"  {v:8.0f}  {short[:140]}")


if __name__ == "__main__":
    main()

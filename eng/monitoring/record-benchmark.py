#!/usr/bin/env python3
"""Appends one measured detection run to the monitoring section of BENCHMARKS.md.

The section lives between the markers below (created at the end of the file when missing); each
run adds a row with the date, fault->firing and fault->webhook seconds and the setup.
Usage: record-benchmark.py BENCHMARKS.md FIRE_SECONDS WEBHOOK_SECONDS SETUP
"""
import datetime
import sys

BEGIN = "<!-- monitoring-e2e:begin -->"
END = "<!-- monitoring-e2e:end -->"
HEADER = f"""{BEGIN}
## Monitoring: fault to alert (eng/suites/monitoring-e2e.sh)

Command: `LIFEGUARD_RECORD_BENCHMARKS=1 bash eng/suites/monitoring-e2e.sh` (real website with the
guard, `Maximum Pool Size=2`, real Prometheus 2.42 and Alertmanager 0.25, local webhook receiver).
Fault onset = the moment the site's tables are locked and 8 clients start requesting /dashboard.
Budget: 30 s (scrape 5 s + evaluation 5 s + for 10 s + group_wait 2 s = 22 s worst case).

| date (UTC) | fault -> firing (s) | fault -> webhook (s) | setup |
| --- | --- | --- | --- |
{END}
"""


def main() -> int:
    path, fire, hook, setup = sys.argv[1:5]
    try:
        text = open(path, encoding="utf-8").read()
    except FileNotFoundError:
        text = "# Benchmarks\n"
    if BEGIN not in text:
        text = text.rstrip("\n") + "\n\n" + HEADER
    row = f"| {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} | {float(fire):.1f} | {float(hook):.1f} | {setup} |\n"
    text = text.replace(END, row + END, 1)
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
    print(f"recorded in {path}: firing {fire} s, webhook {hook} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

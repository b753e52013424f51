#!/usr/bin/env python3
"""Runs every PromQL expression of the dashboard against a live Prometheus.

Input: the rules file check-dashboard.py writes (--rules-out). Fails when a query errors, or when
a query returns no series (every metric the dashboard uses is exported by the website with the guard).
Usage: query-dashboard.py RULES.json PROMETHEUS_HOST:PORT
"""
import json
import sys
import urllib.parse
import urllib.request



def main() -> int:
    rules = json.load(open(sys.argv[1], encoding="utf-8"))["groups"][0]["rules"]
    problems, with_data = 0, 0
    for rule in rules:
        expr = rule["expr"]
        url = f"http://{sys.argv[2]}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                result = json.load(response)
        except Exception as err:  # an HTTP 400 carries the PromQL error
            print(f"query failed: {expr}: {err}")
            problems += 1
            continue
        series = result.get("data", {}).get("result", [])
        if result.get("status") != "success":
            print(f"query failed: {expr}: {result.get('error')}")
            problems += 1
        elif series:
            with_data += 1
        else:
            print(f"no data: {expr}")
            problems += 1
    print(f"dashboard queries: {len(rules)} run, {with_data} with data, {problems} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

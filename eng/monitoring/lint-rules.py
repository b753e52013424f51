#!/usr/bin/env python3
"""House rules for Lifeguard's Prometheus rules that promtool does not check.

Every alert: severity page|ticket; annotations summary, description (with a number: a {{ $value }}
or a query), runbook and runbook_url pointing at an existing heading of deploy/RUNBOOK.md; a unit
test where it fires and one where it stays quiet. Every recording rule: a promql_expr_test.
Every metric name used: documented in deploy/README.md. Exit 1 with one line per problem.
Usage: lint-rules.py --rules DIR --tests DIR --readme FILE --runbook FILE
"""
import argparse
import glob
import os
import re
import sys

import yaml

METRIC = re.compile(r"\b(db_client_[a-z_]+|lifeguard_[a-z_]+|pool:[a-z_0-9]+:[a-z_0-9]+)\b")


def anchors(markdown: str) -> set[str]:
    """GitHub-style heading anchors: lower case, punctuation dropped, spaces to dashes."""
    found = set()
    for line in markdown.splitlines():
        match = re.match(r"#{1,6}\s+(.*)", line)
        if match:
            text = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower())
            found.add(text.replace(" ", "-"))
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    for name in ("--rules", "--tests", "--readme", "--runbook"):
        parser.add_argument(name, required=True)
    args = parser.parse_args()
    readme = open(args.readme, encoding="utf-8").read()
    runbook_anchors = anchors(open(args.runbook, encoding="utf-8").read())
    problems: list[str] = []

    alerts, records = {}, set()
    for path in sorted(glob.glob(os.path.join(args.rules, "*.yml"))):
        for group in yaml.safe_load(open(path, encoding="utf-8"))["groups"]:
            for rule in group["rules"]:
                for metric in set(METRIC.findall(rule["expr"])):
                    if metric not in readme:
                        problems.append(f"{rule.get('alert') or rule.get('record')}: metric {metric} not documented in {args.readme}")
                if "record" in rule:
                    records.add(rule["record"])
                    continue
                alerts[rule["alert"]] = rule
                name, labels, notes = rule["alert"], rule.get("labels", {}), rule.get("annotations", {})
                if labels.get("severity") not in ("page", "ticket"):
                    problems.append(f"{name}: label severity is {labels.get('severity')!r}, not page|ticket")
                for key in ("summary", "description", "runbook", "runbook_url"):
                    if not str(notes.get(key, "")).strip():
                        problems.append(f"{name}: annotation {key} missing")
                # absent() has no value to show: its description names what is missing instead
                if "$value" not in notes.get("description", "") and "query" not in notes.get("description", "") \
                        and not rule["expr"].lstrip().startswith("absent("):
                    problems.append(f"{name}: description does not show the measured value")
                url = notes.get("runbook_url", "")
                anchor = url.split("#", 1)[1] if "#" in url else ""
                if not url.startswith("deploy/RUNBOOK.md#") or anchor not in runbook_anchors:
                    problems.append(f"{name}: runbook_url {url!r} does not point at a heading of {args.runbook}")

    fires, quiet, tested_records = set(), set(), set()
    for path in sorted(glob.glob(os.path.join(args.tests, "*.yml"))):
        for test in yaml.safe_load(open(path, encoding="utf-8")).get("tests", []):
            for case in test.get("alert_rule_test", []) or []:
                (fires if case.get("exp_alerts") else quiet).add(case["alertname"])
            for case in test.get("promql_expr_test", []) or []:
                tested_records.update(r for r in records if r in case["expr"])
    for name in sorted(alerts):
        if name not in fires:
            problems.append(f"{name}: no unit test where it fires")
        if name not in quiet:
            problems.append(f"{name}: no unit test where it stays quiet")
    for name in sorted(records - tested_records):
        problems.append(f"{name}: recording rule without a promql_expr_test")

    for problem in problems:
        print(f"lint: {problem}")
    print(f"lint: {len(alerts)} alerts, {len(records)} recording rules, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

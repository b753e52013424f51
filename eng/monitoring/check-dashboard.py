#!/usr/bin/env python3
"""Structural check of a Grafana dashboard JSON for import into Grafana 10+.

Checks: valid JSON, schemaVersion >= 38, the ${DS_PROMETHEUS} input and __requires, unique panel
ids and a sane grid, every panel with the input's datasource and at least one PromQL target,
every metric the queries use documented in deploy/README.md. Writes every PromQL expression
(Grafana variables replaced by neutral values) as recording rules to --rules-out, so that
`promtool check rules` can check their syntax. Exit 1 with one line per problem.
Usage: check-dashboard.py DASHBOARD.json --readme deploy/README.md --rules-out FILE
"""
import argparse
import json
import re
import sys

DS_UID = "${DS_PROMETHEUS}"
METRIC = re.compile(r"\b(db_client_[a-z_]+|lifeguard_[a-z_]+|pool:[a-z_0-9]+:[a-z_0-9]+)\b")


def neutral(expr: str) -> str:
    """Replaces Grafana's variables with values PromQL accepts, keeping the expression's shape."""
    expr = re.sub(r"\$__(rate_interval|interval|range)", "1m", expr)
    return re.sub(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?", ".*", expr)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dashboard")
    parser.add_argument("--readme", required=True)
    parser.add_argument("--rules-out", required=True)
    args = parser.parse_args()
    problems: list[str] = []
    try:
        with open(args.dashboard, encoding="utf-8") as src:
            dash = json.load(src)
    except (OSError, ValueError) as err:
        print(f"dashboard: not valid JSON: {err}")
        return 1
    readme = open(args.readme, encoding="utf-8").read()

    if not isinstance(dash.get("schemaVersion"), int) or dash["schemaVersion"] < 38:
        problems.append(f"schemaVersion {dash.get('schemaVersion')!r} < 38 (Grafana 10)")
    for key in ("uid", "title"):
        if not dash.get(key):
            problems.append(f"missing {key}")
    if dash.get("id") is not None:
        problems.append("id must be null in an exported dashboard (Grafana assigns it on import)")
    inputs = [i for i in dash.get("__inputs", []) if i.get("name") == "DS_PROMETHEUS"]
    if not inputs or inputs[0].get("type") != "datasource" or inputs[0].get("pluginId") != "prometheus":
        problems.append("__inputs lacks the datasource input DS_PROMETHEUS (pluginId prometheus)")
    required = {(r.get("type"), r.get("id")) for r in dash.get("__requires", [])}
    for need in (("grafana", "grafana"), ("datasource", "prometheus")):
        if need not in required:
            problems.append(f"__requires lacks {need[0]} {need[1]}")

    exprs: list[tuple[str, str]] = []
    ids = set()
    panels = dash.get("panels") or []
    if not panels:
        problems.append("no panels")
    for panel in panels:
        name = f"panel {panel.get('id')} {panel.get('title')!r}"
        if panel.get("id") in ids:
            problems.append(f"{name}: duplicate id")
        ids.add(panel.get("id"))
        grid = panel.get("gridPos") or {}
        if not all(isinstance(grid.get(k), int) for k in ("x", "y", "w", "h")) or grid["x"] + grid["w"] > 24:
            problems.append(f"{name}: gridPos missing or wider than 24 columns")
        if panel.get("type") == "row":
            continue
        if ("panel", panel.get("type")) not in required:
            problems.append(f"{name}: panel type {panel.get('type')!r} not listed in __requires")
        if (panel.get("datasource") or {}).get("uid") != DS_UID:
            problems.append(f"{name}: datasource is not {DS_UID}")
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"{name}: no targets")
        refs = [t.get("refId") for t in targets]
        if len(set(refs)) != len(refs) or None in refs:
            problems.append(f"{name}: refIds missing or not unique")
        for target in targets:
            if (target.get("datasource") or {}).get("uid") != DS_UID:
                problems.append(f"{name} {target.get('refId')}: target datasource is not {DS_UID}")
            if not (target.get("expr") or "").strip():
                problems.append(f"{name} {target.get('refId')}: empty expr")
            else:
                exprs.append((f"{name} {target.get('refId')}", target["expr"]))
    for variable in dash.get("templating", {}).get("list", []):
        if (variable.get("datasource") or {}).get("uid") != DS_UID:
            problems.append(f"variable {variable.get('name')}: datasource is not {DS_UID}")
        query = variable.get("query")
        query = query.get("query") if isinstance(query, dict) else query
        # label_values(SELECTOR, label) is Grafana's; the selector inside is PromQL
        match = re.fullmatch(r"\s*label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*", query or "")
        exprs.append((f"variable {variable.get('name')}", match.group(1) if match else query or ""))
    for annotation in dash.get("annotations", {}).get("list", []):
        if annotation.get("expr"):
            exprs.append((f"annotation {annotation.get('name')}", annotation["expr"]))

    for where, expr in exprs:
        for metric in sorted(set(METRIC.findall(expr))):
            if metric not in readme:
                problems.append(f"{where}: metric {metric} is not documented in {args.readme}")
    rules = {"groups": [{"name": "dashboard-expressions", "rules": [
        {"record": f"dashboard:expr_{i}", "expr": neutral(expr)} for i, (_, expr) in enumerate(exprs)]}]}
    with open(args.rules_out, "w", encoding="utf-8") as out:
        json.dump(rules, out, indent=1)   # JSON is YAML: promtool reads it as a rules file

    for problem in problems:
        print(f"dashboard: {problem}")
    print(f"dashboard: {len([p for p in panels if p.get('type') != 'row'])} panels, {len(exprs)} PromQL expressions, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

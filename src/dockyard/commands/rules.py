"""``dockyard rules [--format text|json]``: every rule with its checklist items and level."""

from __future__ import annotations

import json
import sys
from dockyard.levels import rule_level
from dockyard.rules.base import all_rules


def configure(parser, words: list[str] = ()) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args) -> int:
    rules = all_rules()
    if args.format == "json":  # level: the strictest checklist level of the rule's items (None for DY rules)
        sys.stdout.write(json.dumps([{**r.to_dict(), "level": rule_level(r)} for r in rules], indent=2) + "\n")
        return 0
    width = max((len(r.name) for r in rules), default=10)
    for r in rules:
        fix = "fix" if r.fixable else "   "
        items = ",".join(r.standard)
        level = rule_level(r) or "-"
        sys.stdout.write(f"{r.code}  {r.name:<{width}}  {r.severity.label:<7}  {level:<3}  {fix}  {r.summary}  "
                         f"[{items}]\n")
    return 0

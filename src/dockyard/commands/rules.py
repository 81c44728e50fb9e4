"""``dockyard rules [--format text|json]``: every rule with its checklist items."""

from __future__ import annotations

import json
import sys


def configure(parser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args) -> int:
    from dockyard.rules.base import all_rules

    rules = all_rules()
    if args.format == "json":
        sys.stdout.write(json.dumps([r.to_dict() for r in rules], indent=2) + "\n")
        return 0
    width = max((len(r.name) for r in rules), default=10)
    for r in rules:
        fix = "fix" if r.fixable else "   "
        items = ",".join(r.standard)
        sys.stdout.write(f"{r.code}  {r.name:<{width}}  {r.severity.label:<7}  {fix}  {r.summary}  [{items}]\n")
    return 0

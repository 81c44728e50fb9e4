"""``dockyard rule CODE``: the rule's documentation, generated from its metadata."""

from __future__ import annotations

import sys

from dockyard.config import _closest
from dockyard.model import UsageError
from dockyard.rules.base import all_rules
from dockyard.rules.docs import render_rule_doc


def configure(parser, words: list[str] = ()) -> None:
    parser.add_argument("code", metavar="CODE", help="rule code (e.g. DF004) or name (e.g. base-image-tag)")


def run(args) -> int:
    rules = all_rules()
    wanted = args.code.strip()
    match = next((r for r in rules if r.code == wanted.upper() or r.name == wanted.lower()), None)
    if match is None:
        choices = [r.code for r in rules] + [r.name for r in rules]
        raise UsageError(f"unknown rule {wanted!r}{_closest(wanted, choices)}")
    sys.stdout.write(render_rule_doc(match))
    return 0

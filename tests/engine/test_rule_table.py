"""The table of rules (dockyard/rules/_table.py) the engine reads to import only the rule modules it needs."""

from __future__ import annotations

from dockyard.rules import RULES, TABLE_PATH, load_all, table_source
from dockyard.rules.base import all_rules, registered


def test_the_rule_table_is_generated_from_the_rule_modules():
    # regenerate with `python -m dockyard.rules.docs` after adding a rule or changing its scope
    with open(TABLE_PATH, encoding="utf-8") as fh:
        assert fh.read() == table_source()


def test_the_table_names_every_rule_its_module_and_its_scope():
    load_all()
    rules = all_rules()
    assert sorted(RULES) == [r.code for r in rules]
    for r in rules:
        module, scope = RULES[r.code]
        assert r.check.__module__ == f"dockyard.rules.{module}"
        assert r.scope == scope
        assert registered(r.code) is r

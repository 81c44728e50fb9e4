"""The table of rules (dockyard/rules/_table.py) the engine reads to import only the rule modules it needs."""

from __future__ import annotations

import pytest

from dockyard.engine import run_rules
from dockyard.project import Project
from dockyard.records import replace
from dockyard.rules import RULES, TABLE_PATH, load_all, table_source
from dockyard.rules.base import all_rules, registered
from dockyard.source import FileKind, classify
from tests.helpers import write_tree


def test_the_rule_table_is_generated_from_the_rule_modules():
    # regenerate with `python -m dockyard.rules.docs` after adding a rule or changing its scope
    with open(TABLE_PATH, encoding="utf-8") as fh:
        assert fh.read() == table_source()


def test_the_table_names_every_rule_its_module_and_its_scope():
    load_all()
    rules = all_rules()
    assert sorted(RULES) == [r.code for r in rules]
    for r in rules:
        module, scope, needs = RULES[r.code]
        assert r.check.__module__ == f"dockyard.rules.{module}"
        assert r.scope == scope
        assert r.needs == needs
        assert registered(r.code) is r


NEEDING = [r for r in (load_all() or all_rules()) if r.needs]


def test_some_project_rules_declare_the_kinds_of_file_they_need():
    assert {r.code for r in NEEDING} >= {"CO006", "EN002", "EN006", "PY001"}
    kinds = {value for name, value in vars(FileKind).items() if not name.startswith("_")}
    for r in NEEDING:
        assert r.needs and set(r.needs) <= kinds, (r.code, r.needs)


@pytest.mark.parametrize("rule", NEEDING, ids=lambda r: r.code)
def test_a_rule_finds_nothing_in_its_example_without_the_kinds_of_file_it_needs(rule, tmp_path):
    """The declaration is held to the rule itself: run (whatever it declares) on its own example, which triggers
    it, with every file of the kinds it needs taken away, it reports nothing."""
    files = rule.example_files("example")
    kept = {path: text for path, text in files.items()
            if classify(path.rsplit("/", 1)[-1], tuple(path.split("/")[:-1])) not in rule.needs}
    assert kept != files, f"{rule.code}: its example holds none of the kinds it needs"
    write_tree(tmp_path / "with", files)
    undeclared = replace(rule, needs=())
    assert any(f.code == rule.code for f in run_rules(Project.discover(tmp_path / "with"), [undeclared]).findings)
    write_tree(tmp_path / "without", kept or {"README.md": "nothing to check\n"})
    assert [f.code for f in run_rules(Project.discover(tmp_path / "without"), [undeclared]).findings
            if f.code == rule.code] == []

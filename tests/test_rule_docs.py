"""Every rule documents itself, and its documented examples behave as documented."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from dockyard.rules.base import all_rules
from dockyard.rules.docs import render_rule_doc
from dockyard.standard import checklist_items
from tests.helpers import run_files, write_tree

RULES = all_rules()
# DY002 reports a defect in dockyard itself; no input is meant to trigger it.
NOT_TRIGGERABLE = {"DY002"}


def test_codes_and_names_are_well_formed_and_unique():
    assert len({r.code for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)
    for r in RULES:
        assert re.fullmatch(r"(DF|DI|CO|EN|PY|CI|DY)\d{3}", r.code), r.code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r.name), r.name


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_has_documentation(rule):
    assert rule.summary and rule.why
    assert len(rule.why) >= 40, "the rationale should say why, not just restate the summary"
    if rule.code.startswith("DY"):
        return
    assert rule.standard, "a standard rule names the checklist items it enforces"
    assert rule.section
    doc = render_rule_doc(rule)
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert heading in doc


def _in_git(folder, files):
    """Examples are judged as a committed repository would be: in a git work tree with every file added."""
    write_tree(folder, files)
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q", str(folder)], check=True, env=env)
    subprocess.run(["git", "-C", str(folder), "add", "-A"], check=True, env=env)
    return folder


@pytest.mark.parametrize("rule", [r for r in RULES if r.code not in NOT_TRIGGERABLE], ids=lambda r: r.code)
def test_documented_example_triggers_and_fix_does_not(rule, tmp_path):
    bad = run_files(_in_git(tmp_path / "example", rule.example_files("example")), {}, select=rule.code)
    assert any(f.code == rule.code for f in bad), f"{rule.code}: its documented example does not trigger it"
    good = run_files(_in_git(tmp_path / "use_instead", rule.example_files("use_instead")), {}, select=rule.code)
    assert not [f for f in good if f.code == rule.code], f"{rule.code}: 'use instead' still triggers: {good}"


def test_rule_standard_ids_exist_in_checklist():
    ids = {i.id for i in checklist_items()}
    for r in RULES:
        for item in r.standard:
            assert item in ids, f"{r.code} names unknown checklist item {item}"


def test_every_checklist_item_is_covered_by_a_rule():
    items = [i.id for i in checklist_items()]
    assert len(items) == 92
    covered = {item for r in RULES for item in r.standard}
    assert [i for i in items if i not in covered] == []

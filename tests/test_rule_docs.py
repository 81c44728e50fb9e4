"""Every rule documents itself, and its documented examples behave as documented."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from dockyard.engine import run_rules
from dockyard.rules.base import all_rules
from dockyard.rules.docs import render_rule_doc
from dockyard.standard import checklist_items
from tests.helpers import run_files, triples, write_tree

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
    # the fixes its findings carry are what the rule declares (the fixer is run below, for rules that fix)
    carried = _safeties(f for f in bad if f.code == rule.code)
    assert carried in CARRIED[rule.fix], f"{rule.code} declares fix={rule.fix!r} but its example yields {carried}"
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


# -- codes and names written in the documentation ------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[1]
_NAME = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"
_CODE = r"(?:DF|DI|CO|EN|PY|CI|DY)\d{3}"
# `CODE (name)`, ``CODE `name` ``, a table row `| CODE | `name` |`, `` `name` (CODE) `` and `code="CODE", name="name"`
PAIRING = re.compile(
    rf"\b(?P<c1>{_CODE})\b(?:\s*\(`?(?P<n1>{_NAME})`?\)|\s*(?:\|\s*)?`(?P<n2>{_NAME})`)"
    rf"|`(?P<n3>{_NAME})`\s*\((?P<c2>{_CODE})\)"
    rf"|code=[\"'](?P<c3>{_CODE})[\"'],\s*name=[\"'](?P<n4>{_NAME})[\"']")


def _pairings(text: str) -> list[tuple[int, str, str]]:
    """(line, code, name) of every code written next to a rule name."""
    out = []
    for m in PAIRING.finditer(text):
        code = m["c1"] or m["c2"] or m["c3"]
        name = m["n1"] or m["n2"] or m["n3"] or m["n4"]
        out.append((text.count("\n", 0, m.start()) + 1, code, name))
    return out


def _documentation_files() -> list[Path]:
    """The repository's prose and the sources whose docstrings and metadata are the rules' documentation."""
    files = [*ROOT.glob("*.md"), *(ROOT / "docs").rglob("*.md"), *(ROOT / "bench").glob("*.md"),
             *(ROOT / "examples").rglob("*.md"), *(ROOT / "src" / "dockyard").rglob("*.md"),
             *(ROOT / "src" / "dockyard").rglob("*.py")]
    return sorted(files)


def test_pairings_are_recognised_in_every_written_form():
    text = ("DF004 (base-image-tag)\nDF004 `base-image-tag`\n| DF010 | `pip-cache-mount` |\n"
            "`workdir` (DF005)\n    code=\"DF010\", name=\"base-image-tag\",\nCO001 (not loadable)\n")
    assert _pairings(text) == [(1, "DF004", "base-image-tag"), (2, "DF004", "base-image-tag"),
                               (3, "DF010", "pip-cache-mount"), (4, "DF005", "workdir"),
                               (5, "DF010", "base-image-tag")]


def test_every_code_written_with_a_rule_name_in_the_docs_names_that_rule():
    names = {r.code: r.name for r in RULES}
    seen, wrong = 0, []
    for path in _documentation_files():
        for line, code, name in _pairings(path.read_text(encoding="utf-8")):
            seen += 1
            if code in names and names[code] != name:
                wrong.append(f"{path.relative_to(ROOT)}:{line}: {code} is `{names[code]}`, not `{name}`")
    assert wrong == []
    assert seen >= len(RULES)  # the README's rule table alone pairs every code with its name


def test_the_rule_writing_guide_and_the_registry_docstring_name_the_rule_of_their_example(tmp_path):
    import dockyard.rules.base as base

    guide = (ROOT / "docs" / "RULES-HOWTO.md").read_text(encoding="utf-8")
    code = re.search(r'code="(\w+)", name="([\w-]+)"', guide)
    assert names_of(code[1]) == code[2]
    example = re.search(r'example="((?:[^"\\]|\\.)*)"', guide)[1].encode().decode("unicode_escape")
    select = re.search(r'select="(\w+)"', guide)[1]
    documented = [(c, int(line), int(col)) for c, line, col in
                  re.findall(r'\("(\w+)", (\d+), (\d+)\)', guide[guide.index("triples(findings) =="):])]
    assert select == code[1] and {c for c, *_ in documented} == {code[1]}
    # the test the guide shows passes on its own example
    assert triples(run_files(tmp_path, {"Dockerfile": example}, select=select)) == documented
    doc_code = re.search(r'code="(\w+)", name="([\w-]+)"', base.__doc__)
    assert names_of(doc_code[1]) == doc_code[2]
    assert re.findall(r"dockyard rule (\w+)", base.__doc__) == [doc_code[1]]


def names_of(code: str) -> str | None:
    return next((r.name for r in RULES if r.code == code), None)


# -- declared fix safety ---------------------------------------------------------------------------------------
# A rule that decides each fix's safety per finding shows both: its example yields one, and adding these files to
# its example yields the other (a dependency on `uvicorn-worker`; a compose `command` for a shell-form ENTRYPOINT).
OTHER_SAFETY = {
    "DF055": {"Dockerfile": "FROM python:3.12-slim\nENTRYPOINT gunicorn -c gunicorn_config.py app.main:app\n",
              "compose.yaml": "services:\n  api:\n    build: .\n    command: [\"--workers\", \"2\"]\n"},
    "DF059": {"requirements.txt": "uvicorn-worker==0.3.0\n"},
    "PY007": {"requirements.txt": "uvicorn-worker==0.3.0\n"},
}


# the safeties a rule's example may carry, by what the rule declares
CARRIED = {None: (["none"],), "safe": (["safe"],), "unsafe": (["unsafe"],), "per-finding": (["safe"], ["unsafe"])}


def _safeties(findings) -> list[str]:
    return sorted({f.fix.applicability.value if f.fix is not None else "none" for f in findings})


def _fixes_of(rule, root) -> tuple[list[str], dict[bool, int]]:
    """The safety each finding of ``rule`` carries on the tree at ``root``, and how many fixes ``dockyard fix
    --diff`` applies of this rule's, without and with ``--unsafe-fixes``."""
    from dockyard.config import parse_config
    from dockyard.fix import WriteBack, fix_project
    from dockyard.project import Project

    only = parse_config({"select": [rule.code]}, "test", [r.code for r in RULES])
    carried = _safeties(f for f in run_rules(Project.discover(root, only)).findings if f.code == rule.code)
    applied = {unsafe: fix_project(Project.discover(root, only), WriteBack.DIFF, unsafe=unsafe).total
               for unsafe in (False, True)}
    return carried, applied


@pytest.mark.parametrize("rule", [r for r in RULES if r.fix is not None], ids=lambda r: r.code)
def test_declared_fix_safety_is_what_the_fixer_applies_on_the_example(rule, tmp_path):
    """``fix="safe"``: the example's findings carry safe fixes, which plain ``dockyard fix`` applies; ``"unsafe"``:
    only unsafe ones, which only ``--unsafe-fixes`` applies; ``"per-finding"``: one safety on the example and the
    other on the example with :data:`OTHER_SAFETY`'s files. (A rule declaring no fix yields none on its example:
    checked with the documented examples above.)"""
    carried, applied = _fixes_of(rule, _in_git(tmp_path / "example", rule.example_files("example")))
    if rule.fix == "safe":
        assert carried == ["safe"], f"{rule.code} declares safe fixes but its example yields {carried}"
        assert applied[False] > 0
    elif rule.fix == "unsafe":
        assert carried == ["unsafe"], f"{rule.code} declares unsafe fixes but its example yields {carried}"
        assert applied[False] == 0 and applied[True] > 0
    else:
        assert rule.fix == "per-finding", rule.fix
        other_tree = {**rule.example_files("example"), **OTHER_SAFETY[rule.code]}
        other, other_applied = _fixes_of(rule, _in_git(tmp_path / "other", other_tree))
        assert sorted([*carried, *other]) == ["safe", "unsafe"], f"{rule.code}: {carried} and {other}"
        by_safety = {carried[0]: applied, other[0]: other_applied}
        assert by_safety["safe"][False] > 0
        assert by_safety["unsafe"][False] == 0 and by_safety["unsafe"][True] > 0


def test_only_rules_that_decide_per_finding_have_a_case_of_the_other_safety():
    assert sorted(OTHER_SAFETY) == sorted(r.code for r in RULES if r.fix == "per-finding")


def test_a_rule_declares_one_of_the_known_fix_safeties():
    from dockyard.rules.base import rule

    with pytest.raises(RuntimeError, match="rule ZZ999: fix must be one of"):
        rule(code="ZZ999", name="z", scope="project", summary="z", why="z", standard=(), section="", example="",
             use_instead="", fix="sometimes")(lambda ctx: iter(()))

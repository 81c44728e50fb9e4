"""`--level required|recommended|all` (and `level = ...` in the configuration) selects rules by their checklist
level."""

from __future__ import annotations

import contextlib
import io
import json

from dockyard.cli import main
from dockyard.levels import checklist, codes_outside, items_level, parse_checklist, rule_level
from dockyard.rules.base import all_rules
from tests.helpers import chdir, write_tree

RULES = {r.code: r for r in all_rules()}


def _run(cwd, *args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", *args])
    return code, out.getvalue(), err.getvalue()


def _codes(cwd, *args) -> list[str]:
    code, out, err = _run(cwd, "--format", "json", *args)
    assert code in (0, 1), err
    return sorted({f["code"] for f in json.loads(out)["findings"]})


def test_a_rule_takes_the_strictest_level_of_its_items():
    assert (RULES["CI001"].standard, rule_level(RULES["CI001"])) == (("CI-BUILD-ARGS", "CI-PREPARE-WHEELS"), "REQ")
    assert {checklist()[i].level for i in RULES["CI001"].standard} == {"REQ", "REC"}
    assert rule_level(RULES["DF004"]) == "REQ"
    assert rule_level(RULES["DF005"]) == "REC"
    assert rule_level(RULES["DF017"]) == "BEY"
    assert rule_level(RULES["DY001"]) is None  # about the run itself: kept at every level
    assert items_level(("DF-FROM-CASING", "DF-BASE-DIGEST")) == "REC"


def test_the_checklist_is_parsed_by_section_and_level():
    text = ("## Dockerfile (DF)\n| ID | Level | Standard section | What must hold |\n|---|---|---|---|\n"
            "| DF-A | REC | Sec | a |\n\n## Build tooling and CI (CI)\n| CI-B | BEY | Sec | b |\n| not | a | row |\n")
    items = parse_checklist(text)
    assert [(i.id, i.level, i.section) for i in items.values()] == [
        ("DF-A", "REC", "Dockerfile"), ("CI-B", "BEY", "Build tooling and CI")]
    assert len(checklist()) == 92
    assert {i.level for i in checklist().values()} == {"REQ", "REC", "BEY"}


def test_levels_leave_out_the_rules_of_lower_levels():
    rules = list(RULES.values())
    required = set(codes_outside("required", rules))
    recommended = set(codes_outside("recommended", rules))
    assert codes_outside("all", rules) == []
    assert {"DF005", "DF017"} <= required and "DF004" not in required and "DY001" not in required
    assert "DF017" in recommended and "DF005" not in recommended
    assert recommended < required


DOCKERFILE = "from python AS Build\nRUN echo hi\n"  # DF004 (REQ), DF005 (REC), DF017 (BEY), DF002 (REQ)...


def test_level_selects_findings_on_the_command_line_and_in_config(tmp_path):
    write_tree(tmp_path, {"Dockerfile": DOCKERFILE})
    every = _codes(tmp_path, "Dockerfile")
    assert {"DF004", "DF005", "DF017"} <= set(every)
    for level, allowed in (("required", {"REQ", None}), ("recommended", {"REQ", "REC", None})):
        codes = _codes(tmp_path, "Dockerfile", "--level", level)
        assert codes == [c for c in every if rule_level(RULES[c]) in allowed]
    assert "DF005" in _codes(tmp_path, "Dockerfile", "--level", "recommended")
    assert "DF005" not in _codes(tmp_path, "Dockerfile", "--level", "required")
    (tmp_path / "dockyard.toml").write_text('level = "required"\n')
    assert _codes(tmp_path, "Dockerfile") == _codes(tmp_path, "Dockerfile", "--level", "required")
    assert _codes(tmp_path, "Dockerfile", "--level", "all") == every  # the command line wins
    (tmp_path / "dockyard.toml").write_text('level = "mandatory"\n')
    code, _, err = _run(tmp_path, "Dockerfile")
    assert code == 2 and "level must be one of required, recommended, all, not 'mandatory'" in err
    code, _, err = _run(tmp_path, "Dockerfile", "--level", "bogus")
    assert code == 2 and "invalid choice: 'bogus'" in err


def test_a_suppression_of_a_rule_the_level_leaves_out_is_not_unused(tmp_path):
    write_tree(tmp_path, {"Dockerfile": "# syntax=docker/dockerfile:1\n# dockyard: ignore[DF017]\nfrom python:3.12-slim AS Build\n"})
    assert "DY001" not in _codes(tmp_path, "Dockerfile", "--level", "required")
    assert "DY001" not in _codes(tmp_path, "Dockerfile")
    write_tree(tmp_path, {"Dockerfile": "# syntax=docker/dockerfile:1\n# dockyard: ignore[DF017]\nFROM python:3.12-slim AS build\n"})
    assert "DY001" in _codes(tmp_path, "Dockerfile")

"""The compose rules' cases, one YAML file per rule in ``cases/`` (as sqlfluff keeps its rule cases).

``cases/CO0NN.yml`` is a list of cases, each with a ``name``, the ``files`` of a small tree (path: text) and
``findings``: every finding of that rule on the tree, in report order, with its code, path, line, column and
message (``[]``: the tree passes). Adding a case is adding a few lines of YAML; a reader sees each rule's cases in
one file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.helpers import run_files

CASES = Path(__file__).parent / "cases"
CASE_KEYS = {"name", "files", "findings"}
FINDING_KEYS = ["code", "path", "line", "column", "message"]


def _case_files() -> list[Path]:
    return sorted(CASES.glob("*.yml"))


def _cases() -> list:
    params = []
    for path in _case_files():
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            params.append(pytest.param(path.stem, case, id=f"{path.stem}-{case.get('name')}"))
    return params


def _as_dict(finding) -> dict:
    return {"code": finding.code, "path": finding.path, "line": finding.position.line,
            "column": finding.position.column, "message": finding.message}


@pytest.mark.parametrize("code,case", _cases())
def test_case(tmp_path, code, case):
    found = run_files(tmp_path, case["files"], select=code)
    assert [_as_dict(f) for f in found] == case["findings"]


def test_case_files_are_well_formed():
    from dockyard.rules.base import get_rule

    for path in _case_files():
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))
        rule = get_rule(path.stem)
        assert rule is not None and rule.code.startswith("CO"), f"{path.name}: names no compose rule"
        assert isinstance(cases, list) and cases, f"{path.name}: a list of cases"
        names = [c.get("name") for c in cases]
        assert len(set(names)) == len(names), f"{path.name}: case names repeat"
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        assert first_line == f"# {rule.code} {rule.name}: {rule.summary}", f"{path.name}: its heading"
        for case in cases:
            where = f"{path.name}: {case.get('name')!r}"
            assert set(case) == CASE_KEYS, f"{where}: keys are {sorted(CASE_KEYS)}"
            assert case["files"] and all(isinstance(k, str) and isinstance(v, str) for k, v in case["files"].items())
            for finding in case["findings"]:
                assert list(finding) == FINDING_KEYS, f"{where}: a finding is {FINDING_KEYS}"
                assert finding["code"] == path.stem, f"{where}: a finding of another rule"

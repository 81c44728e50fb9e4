"""CO034: the obsolete top-level `version` key, and its safe fix (checked against the real `docker compose`)."""

from __future__ import annotations

import pytest

from tests.compose import _oracle
from tests.helpers import run_files, write_tree

SERVICES = "services:\n  app:\n    image: python:3.12-slim\n"


def apply_fixes(text, findings):
    edits = sorted((e for f in findings if f.fix for e in f.fix.edits), key=lambda e: e.start, reverse=True)
    for e in edits:
        text = text[: e.start] + e.replacement + text[e.end:]
    return text


def _check(tmp_path, text, name="compose.yaml"):
    found = run_files(tmp_path, {name: text}, select="CO034")
    return found, [(f.path, f.position.line, f.position.column, f.position.end_column) for f in found]


@pytest.mark.parametrize("text,line,fixed", [
    ('version: "3.8"\n' + SERVICES, 1, SERVICES),
    ("version: '3'\n\n" + SERVICES, 1, SERVICES),
    ("# shop stack\nversion: 3.9  # compose file format\n\n" + SERVICES, 2, "# shop stack\n\n" + SERVICES),
    ('version: "3.8"\r\n' + SERVICES.replace("\n", "\r\n"), 1, SERVICES.replace("\n", "\r\n")),
    (SERVICES + "version: '2.4'", 4, SERVICES),
])
def test_the_version_line_is_reported_and_deleted(tmp_path, text, line, fixed):
    found, where = _check(tmp_path, text)
    assert where == [("compose.yaml", line, 1, 8)]
    assert found[0].message == ("obsolete top-level `version`: compose ignores it and warns (`the attribute "
                                "`version` is obsolete`); remove it")
    assert found[0].fix is not None and found[0].fix.applicability.value == "safe"
    assert apply_fixes(text, found) == fixed


@pytest.mark.parametrize("text", [
    "version: &v '3.8'\nservices:\n  app:\n    image: python:3.12-slim\n    labels:\n      v: *v\n",
    "version: >-\n  3.8\n" + SERVICES,
    "version: !!str 3.8\n" + SERVICES,
    "{version: '3.8', services: {app: {image: 'python:3.12-slim'}}}\n",
])
def test_no_fix_where_deleting_the_line_is_not_safe(tmp_path, text):
    found, where = _check(tmp_path, text)
    assert [(p, line, col) for p, line, col, _end in where] == [("compose.yaml", 1, 2 if text[0] == "{" else 1)]
    assert found[0].fix is None


def test_files_without_version_and_nested_version_keys_pass(tmp_path):
    text = SERVICES + "    labels:\n      version: '3.8'\nx-meta:\n  version: 2\n"
    assert _check(tmp_path, text)[1] == []


def test_compose_warns_as_the_rule_says_and_accepts_the_fixed_file(tmp_path):
    text = "# shop stack\nversion: '3.8'\n\n" + SERVICES
    write_tree(tmp_path, {"compose.yaml": text})
    rc, before, err = _oracle.run_config(tmp_path)
    assert rc == 0
    assert "compose.yaml: the attribute `version` is obsolete, it will be ignored, please remove it to avoid " \
           "potential confusion" in err
    found = run_files(tmp_path, {}, select="CO034")
    write_tree(tmp_path, {"compose.yaml": apply_fixes(text, found)})
    rc, after, err = _oracle.run_config(tmp_path)
    assert (rc, err) == (0, "") and after == before

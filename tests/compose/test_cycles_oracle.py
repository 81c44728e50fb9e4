"""`include` and `extends` cycles: compose refuses them (`include cycle detected`, `Circular reference`); dockyard
reports one CO035 at the entry that closes the cycle, and `env render` exits 1 (compose's refusal) with one line
that names the cycle as compose words it. Each case is also run through the real `docker compose config`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from dockyard.compose.loader import load_project
from tests.compose import _oracle
from tests.helpers import write_tree

CASES = {
    # a includes b includes a: closed by b's include of compose.yaml
    "include": ({"compose.yaml": "include:\n  - base.yaml\nservices:\n  app:\n    image: alpine:3.20\n",
                 "base.yaml": "include:\n  - path: compose.yaml\nservices:\n  db:\n    image: postgres:17.2\n"},
                ("base.yaml", 2, 11), "include cycle detected: {d}compose.yaml include {d}base.yaml include "
                                      "{d}compose.yaml", "include cycle detected:"),
    # three files: a includes b includes c includes a
    "include-3": ({"compose.yaml": "include:\n  - one.yaml\nservices:\n  app:\n    image: alpine:3.20\n",
                   "one.yaml": "include:\n  - two.yaml\n",
                   "two.yaml": "include:\n  - compose.yaml\n"},
                  ("two.yaml", 2, 5), "include cycle detected: {d}compose.yaml include {d}one.yaml include "
                                      "{d}two.yaml include {d}compose.yaml", "include cycle detected:"),
    # service a extends b extends a, in one file: closed by b's extends
    "extends": ({"compose.yaml": "services:\n  a:\n    image: alpine:3.20\n    extends: b\n"
                                 "  b:\n    image: alpine:3.20\n    extends:\n      service: a\n"},
                ("compose.yaml", 7, 5), "Circular reference: a in {d}compose.yaml extends b in {d}compose.yaml "
                                        "extends a in {d}compose.yaml", "Circular reference:"),
    # across files: a (compose.yaml) extends b in other.yaml, which extends a in compose.yaml
    "extends-files": ({"compose.yaml": "services:\n  a:\n    image: alpine:3.20\n    extends:\n"
                                       "      file: other.yaml\n      service: b\n",
                       "other.yaml": "services:\n  b:\n    image: alpine:3.20\n    extends:\n"
                                     "      file: compose.yaml\n      service: a\n"},
                      ("other.yaml", 4, 5), "Circular reference: a in {d}compose.yaml extends b in {d}other.yaml "
                                            "extends a in {d}compose.yaml", "Circular reference:"),
}


def dockyard(cwd, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dockyard", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("name", sorted(CASES))
def test_compose_refuses_the_cycle(tmp_path, name):
    files, _, _, compose_words = CASES[name]
    write_tree(tmp_path, files)
    rc, _, err = _oracle.run_config(tmp_path, files=["compose.yaml"])
    assert rc != 0
    assert compose_words in err


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_loader_reports_one_cycle_problem(tmp_path, name):
    files, (path, line, column), message, _ = CASES[name]
    write_tree(tmp_path, files)
    project = load_project([tmp_path / "compose.yaml"], environ={})
    cycles = [p for p in project.problems if p.kind in ("include", "extends")]
    assert [(p.file.name, p.position.line, p.position.column, p.message) for p in cycles] == [
        (path, line, column, message.format(d=f"{tmp_path}/"))]
    assert not project.ok


def test_the_include_chain_names_the_files_as_compose_does(tmp_path):
    # compose prints the chain one file a line; dockyard joins the same words on one line
    files, _, message, _ = CASES["include-3"]
    write_tree(tmp_path, files)
    rc, _, err = _oracle.run_config(tmp_path, files=["compose.yaml"])
    assert rc != 0
    compose_lines = err[err.index("include cycle detected:"):].strip().splitlines()
    assert " ".join(line.strip() for line in compose_lines) == message.format(d=f"{tmp_path}/")


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_reports_one_co035_at_the_entry_that_closes_the_cycle(tmp_path, name):
    files, (path, line, column), message, _ = CASES[name]
    write_tree(tmp_path, files)
    proc = dockyard(tmp_path, "check", ".", "--select", "CO001,CO035", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    found = [(f["code"], f["path"], f["line"], f["column"], f["message"]) for f in json.loads(proc.stdout)["findings"]]
    assert found == [("CO035", path, line, column,
                      "compose refuses environment `default`: " + message.format(d=""))]


@pytest.mark.parametrize("name", sorted(CASES))
def test_env_render_exits_1_with_one_line(tmp_path, name):
    files, (path, _, _), message, _ = CASES[name]
    write_tree(tmp_path, files)
    proc = dockyard(tmp_path, "env", "render")
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == f"dockyard: {tmp_path}/{path}: {message.format(d=f'{tmp_path}/')}\n"

"""Interpolation is bounded as YAML alias expansion is: values that copy each other (``V2=${V1}${V1}``...) double
at each line and would take gigabytes by the thirtieth; past 4 MiB per file they are a parse finding instead.
The CLI cases run in a subprocess with a timeout and a memory limit, so a regression fails instead of swapping."""

from __future__ import annotations

import json
import resource
import subprocess
import sys

import pytest

from dockyard.parsers.dotenv import parse_env
from dockyard.parsers.interpolation import MAX_INTERPOLATED, Budget, InterpolationError, substitute
from tests.helpers import run_files, triples, write_tree

# V1 is 8 characters, V<n> is 8 * 2**(n-1): the budget (4 MiB) is overdrawn on line 20 (V20 is 4 MiB; the
# values before it together are 4 MiB - 8 characters)
DOUBLING = "V1=xxxxxxxx\n" + "".join(f"V{i}=${{V{i - 1}}}${{V{i - 1}}}\n" for i in range(2, 29))
BUDGET_MESSAGE = "interpolated values exceed 4 MiB in this file (values copying other values grow at each step)"
COMPOSE = "services:\n  app:\n    image: python:3.12-slim\n"


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1024 * 1024 * 1024, 1024 * 1024 * 1024))


def dockyard(cwd, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dockyard", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, preexec_fn=_limited, stdin=subprocess.DEVNULL)


def test_substitute_stops_at_the_budget():
    budget = Budget(100)
    assert substitute("${A}${A}", {"A": "x" * 40}.get, budget) == "x" * 80
    with pytest.raises(InterpolationError) as info:
        substitute("${A}", {"A": "x" * 40}.get, budget)
    assert info.value.kind == "budget"
    assert budget.exhausted
    with pytest.raises(InterpolationError):  # once spent, nothing more is expanded
        substitute("${B}", {"B": ""}.get, budget)
    assert substitute("no reference", {}.get, budget) == "no reference"


def test_nested_defaults_count_against_the_budget():
    budget = Budget(1000)
    with pytest.raises(InterpolationError) as info:
        substitute("${UNSET:-" + "${A}" * 100 + "}", {"A": "x" * 20}.get, budget)
    assert info.value.kind == "budget"
    # without a budget, the same template is expanded as compose expands it
    assert substitute("${UNSET:-" + "${A}" * 100 + "}", {"A": "x" * 20}.get) == "x" * 2000


def test_doubling_env_file_stops_on_the_line_that_overdraws_the_budget():
    env = parse_env(DOUBLING)
    assert [(e.kind, e.line, e.column, e.message) for e in env.errors] == [
        ("budget", 20, 5, f"line 20: {BUDGET_MESSAGE}")]
    assert [e.key for e in env.entries] == [f"V{i}" for i in range(1, 20)]
    assert sum(len(v) for v in env.as_dict().values()) < MAX_INTERPOLATED


def test_normal_env_file_is_unchanged():
    env = parse_env("A=1\nB=${A}-${A:-x}\nC=\"${B}${UNSET-d}\"\n")
    assert not env.errors and env.as_dict() == {"A": "1", "B": "1-1", "C": "1-1d"}


def test_check_reports_en001_at_the_line(tmp_path):
    found = run_files(tmp_path, {".env": DOUBLING}, "EN001")
    assert triples(found) == [("EN001", 20, 5)]
    assert found[0].message == f"{BUDGET_MESSAGE}; dockyard stops reading the file here"


def test_check_reports_co001_for_a_compose_file_copying_a_large_value(tmp_path):
    # 3 MB once in .env is fine; copied twice by the compose file it overdraws the compose file's budget
    environment = "".join(f"      A{i}: ${{BIG}}\n" for i in range(50))
    found = run_files(tmp_path, {".env": "BIG=" + "x" * 3_000_000 + "\n",
                                 "compose.yaml": COMPOSE + "    environment:\n" + environment}, ("CO001", "EN001"))
    assert triples(found) == [("CO001", 6, 7)]
    assert found[0].path == "compose.yaml"
    assert found[0].message == (f"services.app.environment.A1: {BUDGET_MESSAGE}; dockyard stops interpolating "
                                "the file here")


def test_check_and_render_of_a_doubling_env_file_finish_in_bounded_memory(tmp_path):
    write_tree(tmp_path, {".env": DOUBLING, "compose.yaml": COMPOSE + "    environment:\n      A: ${V28}\n"})
    proc = dockyard(tmp_path, "check", ".", "--select", "EN001,CO001", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert [(f["code"], f["path"], f["line"], f["column"]) for f in json.loads(proc.stdout)["findings"]] == [
        ("EN001", ".env", 20, 5)]
    proc = dockyard(tmp_path, "env", "render")
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (f"dockyard: error: {tmp_path}/.env: failed to read {tmp_path}/.env: line 20: "
                           f"{BUDGET_MESSAGE}\n")


def test_render_of_a_compose_file_past_its_budget_is_one_error_line(tmp_path):
    environment = "".join(f"      A{i}: ${{BIG}}${{BIG}}\n" for i in range(2000))
    write_tree(tmp_path, {".env": "BIG=" + "x" * 1_000_000 + "\n",
                          "compose.yaml": COMPOSE + "    environment:\n" + environment})
    proc = dockyard(tmp_path, "env", "render")
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (f"dockyard: error: {tmp_path}/compose.yaml: services.app.environment.A2: "
                           f"{BUDGET_MESSAGE}\n")

"""`--statistics` counts findings per rule and per checklist section; the text summary names the codes with the
most findings."""

from __future__ import annotations

import contextlib
import io

from dockyard.cli import main
from tests.helpers import chdir, write_tree


def _run(cwd, *args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", *args])
    return code, out.getvalue(), err.getvalue()


def test_statistics_count_per_rule_and_checklist_section(tmp_path):
    write_tree(tmp_path, {"Dockerfile": "FROM python\nFROM python\nfrom node AS web\n",
                          "compose.yaml": "services:\n  a:\n    image: redis\n"})
    code, out, _ = _run(tmp_path, "--statistics", "--select", "DF004,DF017,CO019")
    assert code == 1
    assert out.splitlines() == [
        "Findings by rule:",
        "  3  DF004  REQ  base-image-tag",
        "  1  CO019  REQ  compose-image-tag",
        "  1  DF017  BEY  from-as-casing [*]",
        "Findings by checklist section:",
        "  4  Dockerfile",
        "  1  Compose",
        "Found 5 findings (4 errors, 1 warning) in 2 files; 1 fixable with `dockyard fix`.",
        "Most findings: DF004 (3), CO019 (1), DF017 (1).",
    ]
    code, out, err = _run(tmp_path, "--statistics", "--format", "json")
    assert (code, out) == (2, "") and "--statistics prints text" in err


def test_statistics_of_a_clean_run_is_the_summary(tmp_path):
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.12-slim\n"})
    code, out, _ = _run(tmp_path, "--statistics", "--select", "DF004")
    assert (code, out) == (0, "All checks passed (1 files, 1 rules).\n")


def test_the_summary_names_the_codes_with_the_most_findings(tmp_path):
    write_tree(tmp_path, {"Dockerfile": "FROM python\nFROM python\nFROM node\nfrom a AS b\n"})
    code, out, _ = _run(tmp_path, "--select", "DF004,DF017")
    assert out.splitlines()[-2:] == ["Found 5 findings (4 errors, 1 warning) in 1 file; 1 fixable with `dockyard fix`.",
                                     "Most findings: DF004 (4), DF017 (1)."]
    # one finding per code: none stands out, no such line
    write_tree(tmp_path, {"Dockerfile": "FROM python\nfrom a:1 AS b\n"})
    code, out, _ = _run(tmp_path, "--select", "DF004,DF017")
    assert out.splitlines()[-1] == "Found 2 findings (1 error, 1 warning) in 1 file; 1 fixable with `dockyard fix`."

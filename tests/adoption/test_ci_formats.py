"""`--format gitlab` (GitLab Code Quality) and `--format junit` (JUnit XML), validated against their schemas:
GitLab's documented Code Quality format (tests/fixtures/schemas/gitlab-code-quality.schema.json, written for
these tests: GitLab publishes none) and Jenkins' junit-10.xsd (vendored), with a real XML schema validator."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import xmlschema

from dockyard.cli import main
from dockyard.engine import Result
from dockyard.model import Applicability, Edit, Finding, Fix, Position, Severity
from dockyard.report import render
from tests.helpers import chdir, write_tree

SCHEMAS = Path(__file__).resolve().parents[1] / "fixtures" / "schemas"
GITLAB_SCHEMA = json.loads((SCHEMAS / "gitlab-code-quality.schema.json").read_text(encoding="utf-8"))
JUNIT_XSD = xmlschema.XMLSchema10(str(SCHEMAS / "junit-10.xsd"))
SECRET = "Zq7vR2mK9xLp4Tw8"


def _result(tmp_path: Path) -> Result:
    r = Result(tmp_path)
    r.files = ["Dockerfile", "clean/Dockerfile", "compose.yaml"]
    r.rules_run = 3
    r.findings = [
        Finding("CI003", "build-args", Severity.ERROR, "no CI workflow", "./", Position(1, 1, 1, 1), ("CI-BUILD-ARGS",)),
        Finding("DF004", "base-image-tag", Severity.ERROR, "base image `python` has no tag", "Dockerfile",
                Position(1, 6, 1, 12), ("DF-BASE-TAG",)),
        Finding("DF004", "base-image-tag", Severity.ERROR, "base image `python` has no tag", "Dockerfile",
                Position(3, 6, 3, 12), ("DF-BASE-TAG",)),
        Finding("DF052", "sorted-packages", Severity.WARNING, "sort <b> & \"c\"\x01", "Dockerfile",
                Position(5, 1, 7, 4), ("DF-SORTED-PKGS",), Fix((Edit(0, 1, ""),), Applicability.SAFE)),
        Finding("DI005", "dockerignore-unused", Severity.INFO, "unused", "compose.yaml", Position(2, 3, 2, 3), ()),
    ]
    return r


# -- GitLab Code Quality --------------------------------------------------------------------------------------
def test_gitlab_report_is_valid_code_quality(tmp_path):
    issues = json.loads(render(_result(tmp_path), "gitlab"))
    jsonschema.Draft7Validator(GITLAB_SCHEMA).validate(issues)
    assert [(i["check_name"], i["severity"], i["location"]) for i in issues] == [
        ("CI003", "major", {"path": "./", "lines": {"begin": 1, "end": 1}}),
        ("DF004", "major", {"path": "Dockerfile", "lines": {"begin": 1, "end": 1}}),
        ("DF004", "major", {"path": "Dockerfile", "lines": {"begin": 3, "end": 3}}),
        ("DF052", "minor", {"path": "Dockerfile", "lines": {"begin": 5, "end": 7}}),
        ("DI005", "info", {"path": "compose.yaml", "lines": {"begin": 2, "end": 2}}),
    ]
    assert issues[1]["description"] == "DF004 base image `python` has no tag"
    # GitLab tells issues apart by fingerprint: identical findings in one file still get their own
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_the_schema_fixture_rejects_what_gitlab_rejects():
    bad = [{"description": "x", "check_name": "X", "fingerprint": "f", "severity": "error",
            "location": {"path": "a", "lines": {"begin": 1}}}]
    assert not jsonschema.Draft7Validator(GITLAB_SCHEMA).is_valid(bad)  # `error` is no GitLab severity
    bad[0]["severity"] = "major"
    del bad[0]["location"]["lines"]
    assert not jsonschema.Draft7Validator(GITLAB_SCHEMA).is_valid(bad)  # a location needs lines or positions


TREE = {
    "Dockerfile": "FROM python\nRUN echo one\n",
    "compose.yaml": f"services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: {SECRET}\n",
}


def _check(tmp_path, *args) -> str:
    import contextlib
    import io

    out = io.StringIO()
    with chdir(tmp_path), contextlib.redirect_stdout(out):
        main(["check", ".", *args])
    return out.getvalue()


def test_gitlab_fingerprints_survive_lines_moving_and_the_report_masks_secrets(tmp_path):
    write_tree(tmp_path, TREE)
    before = json.loads(_check(tmp_path, "--format", "gitlab"))
    jsonschema.Draft7Validator(GITLAB_SCHEMA).validate(before)
    assert SECRET not in json.dumps(before)
    assert any(i["check_name"] == "CO009" for i in before)
    write_tree(tmp_path, {"Dockerfile": "# syntax-less\n# comment\nFROM python\nRUN echo one\n"})
    after = json.loads(_check(tmp_path, "--format", "gitlab"))
    df004 = [(i["location"]["lines"]["begin"], i["fingerprint"]) for i in before if i["check_name"] == "DF004"]
    moved = [(i["location"]["lines"]["begin"], i["fingerprint"]) for i in after if i["check_name"] == "DF004"]
    assert [line for line, _ in df004] == [1] and [line for line, _ in moved] == [3]
    assert [fp for _, fp in df004] == [fp for _, fp in moved]



def test_gitlab_fingerprints_hash_the_flagged_line_as_baselines_do(tmp_path):
    # the same finding (code, path, message) on a line whose text changed is a new issue for GitLab
    write_tree(tmp_path, {"Dockerfile": "FROM python\n"})
    before = json.loads(_check(tmp_path, "--format", "gitlab"))
    write_tree(tmp_path, {"Dockerfile": "FROM  python\n"})
    after = json.loads(_check(tmp_path, "--format", "gitlab"))
    first = [(i["description"], i["fingerprint"]) for i in before if i["check_name"] == "DF004"]
    second = [(i["description"], i["fingerprint"]) for i in after if i["check_name"] == "DF004"]
    assert len(first) == len(second) == 1 and first[0][0] == second[0][0]
    assert first[0][1] != second[0][1]

# -- JUnit ---------------------------------------------------------------------------------------------------------
def test_junit_report_is_valid_against_jenkins_xsd(tmp_path):
    xml = render(_result(tmp_path), "junit")
    JUNIT_XSD.validate(xml)
    root = ET.fromstring(xml)
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("errors")) == ("testsuites", "6", "5", "0")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["./", "Dockerfile", "clean/Dockerfile", "compose.yaml"]
    assert [(s.get("tests"), s.get("failures")) for s in suites.values()] == [
        ("1", "1"), ("3", "3"), ("1", "0"), ("1", "1")]
    # a clean file is one passing test case
    (clean,) = suites["clean/Dockerfile"].findall("testcase")
    assert clean.attrib == {"classname": "clean/Dockerfile", "name": "dockyard check"} and len(clean) == 0
    # a finding is a failed test case named without its line (stable when lines move); duplicates are numbered
    cases = suites["Dockerfile"].findall("testcase")
    assert [c.get("name") for c in cases] == [
        "DF004 base-image-tag: base image `python` has no tag",
        "DF004 base-image-tag: base image `python` has no tag (2)",
        "DF052 sorted-packages: sort <b> & \"c\"\ufffd",  # a character XML cannot hold becomes U+FFFD
    ]
    failure = cases[1].find("failure")
    assert failure.get("type") == "DF004" and failure.get("message") == "base image `python` has no tag"
    assert failure.text.splitlines() == ["Dockerfile:3:6: DF004 base image `python` has no tag",
                                         "rule: base-image-tag (error)", "checklist: DF-BASE-TAG"]
    assert suites["./"].find("testcase/failure").text.splitlines()[0] == "./: CI003 no CI workflow"


def test_junit_report_of_a_real_run_is_valid_and_masks_secrets(tmp_path):
    write_tree(tmp_path, TREE)
    xml = _check(tmp_path, "--format", "junit")
    JUNIT_XSD.validate(xml)
    assert SECRET not in xml
    root = ET.fromstring(xml)
    names = [c.get("name") for c in root.iter("testcase")]
    assert any(n.startswith("CO009 compose-hardcoded-secret: ") for n in names)
    assert any(n.startswith("DF004 base-image-tag: ") for n in names)


def test_junit_report_with_no_findings_passes_every_file(tmp_path):
    r = _result(tmp_path)
    r.findings = []
    xml = render(r, "junit")
    JUNIT_XSD.validate(xml)
    root = ET.fromstring(xml)
    assert (root.get("tests"), root.get("failures")) == ("3", "0")
    assert render(r, "gitlab") == "[]\n"


def test_the_xsd_rejects_what_jenkins_rejects():
    assert not JUNIT_XSD.is_valid('<testsuites><testsuite name="a"><testcase name="x"/></testsuite></testsuites>')

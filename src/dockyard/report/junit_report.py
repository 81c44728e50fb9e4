"""JUnit XML, for CI systems that show test reports (GitLab's test report, Jenkins' JUnit plugin).

One ``<testsuite>`` per checked file (named by its path), with one failed ``<testcase>`` per finding, or one
passing test case when the file has none: the CI shows each file as a suite, counts clean files as passed, and
lists every finding as its own failure. A test case's name is the finding's code, rule and message, without its
line (the line and column are in the failure's text), so that CI systems that compare test cases between
pipelines (GitLab's merge request widget) do not report a finding as fixed and new again when lines move;
identical findings in one file are numbered. Valid against Jenkins' ``junit-10.xsd`` (the test suite checks it).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

from dockyard.model import is_directory_path
from dockyard.regex import lazy_compile

PASSED = "dockyard check"  # the name of the passing test case of a file without findings
# characters XML 1.0 cannot hold, even escaped
_NOT_XML = lazy_compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def render(result, *, color: bool = False) -> str:
    by_path: dict[str, list] = {path: [] for path in result.files}
    for f in result.findings:
        by_path.setdefault(f.path, []).append(f)
    root = ET.Element("testsuites", name="dockyard", tests="0", failures="0", errors="0")
    tests = failures = 0
    for path in sorted(by_path):
        findings = by_path[path]
        suite = ET.SubElement(root, "testsuite", name=_xml(path), tests=str(max(len(findings), 1)),
                              failures=str(len(findings)), errors="0", skipped="0")
        names: Counter = Counter()
        for f in findings:
            name = f"{f.code} {f.rule}: {f.message}"
            names[name] += 1
            if names[name] > 1:
                name = f"{name} ({names[name]})"
            case = ET.SubElement(suite, "testcase", classname=_xml(path), name=_xml(name))
            p = f.position
            where = path if is_directory_path(path) else f"{path}:{p.line}:{p.column}"
            detail = [f"{where}: {f.code} {f.message}", f"rule: {f.rule} ({f.severity.label})"]
            if f.standard:
                detail.append(f"checklist: {', '.join(f.standard)}")
            failure = ET.SubElement(case, "failure", type=f.code, message=_xml(f.message))
            failure.text = _xml("\n".join(detail))
        if not findings:
            ET.SubElement(suite, "testcase", classname=_xml(path), name=PASSED)
        tests += max(len(findings), 1)
        failures += len(findings)
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"

"""GitLab Code Quality report: a JSON array of issues (the subset of the Code Climate spec GitLab reads).

Each issue has ``description``, ``check_name`` (the rule code), ``fingerprint``, ``severity`` (error: major,
warning: minor, info: info) and ``location`` (``path``, ``lines.begin``/``lines.end``). GitLab compares the
fingerprints of a merge request's report with its target branch's to show new and fixed issues, so a fingerprint
is built like a baseline's (code, path, the flagged text; see :mod:`dockyard.baseline`), never from the line
number: lines moving do not show a finding as fixed and new again. Identical findings in one file are told
apart by their order.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dockyard.baseline import fingerprint

SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def render(result, *, color: bool = False) -> str:
    seen: Counter = Counter()
    issues = []
    for f in result.findings:
        p = f.position
        flagged = f.fingerprint or fingerprint(f, None)
        seen[(f.path, f.code, flagged)] += 1
        digest = hashlib.sha256(
            f"{f.path}\0{f.code}\0{flagged}\0{seen[(f.path, f.code, flagged)]}".encode("utf-8", "surrogatepass"))
        issues.append({
            "description": f"{f.code} {f.message}",
            "check_name": f.code,
            "fingerprint": digest.hexdigest()[:32],
            "severity": SEVERITY[f.severity.label],
            "location": {"path": f.path, "lines": {"begin": p.line, "end": max(p.end_line, p.line)}},
        })
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"

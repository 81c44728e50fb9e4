"""SARIF 2.1.0: one run, the rules that ran (:attr:`dockyard.engine.Result.rules`) as ``tool.driver.rules``."""

from __future__ import annotations

import json
import os

from dockyard import __version__
from dockyard.model import is_directory_path

LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def artifact_uri(path: str) -> str:
    """A relative POSIX path as a URI reference (RFC 3986): the file name's bytes, percent-encoded outside the
    unreserved characters and ``/`` (a space is ``%20``, a byte that is not UTF-8 such as 0xFF is ``%FF``)."""
    from urllib.parse import quote

    return quote(os.fsencode(path), safe="/")


def render(result, *, color: bool = False) -> str:
    rules = result.rules
    index = {r.code: i for i, r in enumerate(rules)}
    driver_rules = [
        {
            "id": r.code,
            "name": r.name,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": r.why},
            "help": {"text": f"{r.summary}\n\n{r.why}"},
            "defaultConfiguration": {"level": LEVEL[r.severity.label]},
            "properties": {"standard": list(r.standard), "family": r.family},
        }
        for r in rules
    ]
    results = []
    for f in result.findings:
        p = f.position
        region = {"startLine": p.line, "startColumn": p.column}
        if p.end_line >= p.line:
            region["endLine"] = p.end_line
            region["endColumn"] = max(p.end_column, 1)
        location = {"artifactLocation": {"uri": artifact_uri(f.path), "uriBaseId": "SRCROOT"}, "region": region}
        if is_directory_path(f.path):  # a folder has no region
            del location["region"]
        item = {
            "ruleId": f.code,
            "level": LEVEL[f.severity.label],
            "message": {"text": f.message},
            "locations": [{"physicalLocation": location}],
            "properties": {"standard": list(f.standard), "fixable": f.fixable},
        }
        if f.code in index:
            item["ruleIndex"] = index[f.code]
        results.append(item)
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dockyard",
                        "version": __version__,
                        "rules": driver_rules,
                    }
                },
                "originalUriBaseIds": {"SRCROOT": {"uri": result.root.as_uri() + "/"}},
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

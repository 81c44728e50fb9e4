"""``{"version", "findings", "summary"}`` as DESIGN.md specifies."""

from __future__ import annotations

import json

from dockyard import __version__


def render(result, *, color: bool = False) -> str:
    doc = {
        "version": __version__,
        "findings": [f.to_dict() for f in result.findings],
        "summary": result.summary(),
    }
    if result.scope is not None:
        doc["scope"] = [e.to_dict() for e in result.scope]
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

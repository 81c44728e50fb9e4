"""Which packages a project's dependency files declare: requirement lines, ``pyproject.toml`` dependency tables
(PEP 621, dependency groups, poetry, pdm, uv), a ``Pipfile``, a lock file's entries. Read as data (TOML 1.1,
line patterns), never executed. Used to tell a FastAPI project from a Django or Flask one (:mod:`dockyard.roles`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from dockyard.regex import lazy_compile
from dockyard.parsers.tomlfile import TOMLError, parse_toml
from dockyard.source import PYTHON_LOCK_NAMES

FASTAPI = frozenset({"fastapi", "fastapi-slim"})
WSGI_FRAMEWORKS = frozenset({"django", "flask"})
_REQ_NAME = lazy_compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_LOCKED_NAME = lazy_compile(r'(?m)^name = "([^"]+)"')


def _norm_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


normalized_name = _norm_name  # a package name as PyPI compares it (PEP 503): `Uvicorn_Worker` is `uvicorn-worker`


def declared(text: str, filename: str) -> frozenset[str]:
    """Package names a dependency file declares: a lock file's ``name = "..."`` entries, ``pyproject.toml``
    dependency tables (PEP 621, dependency groups, poetry, pdm, uv) or a ``Pipfile``, else requirement lines.
    Names in descriptions or keywords are not dependencies."""
    if filename in PYTHON_LOCK_NAMES:
        return frozenset(_norm_name(m) for m in _LOCKED_NAME.findall(text))
    if filename in ("pyproject.toml", "Pipfile"):
        try:
            doc = parse_toml(text)
        except (TOMLError, ValueError):
            return frozenset()
        return frozenset(_norm_name(n) for n in _toml_dependencies(doc))
    names = set()
    for line in text.splitlines():
        m = _REQ_NAME.match(line)
        if m and not line.lstrip().startswith(("-", "#")):
            names.add(_norm_name(m.group(1)))
    return frozenset(names)


def _toml_dependencies(doc: dict) -> Iterable[str]:
    def specs(value) -> Iterable[str]:
        if isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    m = _REQ_NAME.match(item)
                    if m:
                        yield m.group(1)
        elif isinstance(value, dict):
            for v in value.values():
                yield from specs(v)

    project = doc.get("project") if isinstance(doc.get("project"), dict) else {}
    yield from specs(project.get("dependencies"))
    yield from specs(project.get("optional-dependencies"))
    yield from specs(doc.get("dependency-groups"))
    tool = doc.get("tool") if isinstance(doc.get("tool"), dict) else {}
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    for table in (poetry.get("dependencies"), poetry.get("dev-dependencies"),
                  *[g.get("dependencies") for g in (poetry.get("group") or {}).values() if isinstance(g, dict)]):
        if isinstance(table, dict):
            yield from (str(k) for k in table)
    pdm = tool.get("pdm") if isinstance(tool.get("pdm"), dict) else {}
    yield from specs(pdm.get("dev-dependencies"))
    uv = tool.get("uv") if isinstance(tool.get("uv"), dict) else {}
    yield from specs(uv.get("dev-dependencies"))
    for section in ("packages", "dev-packages"):  # Pipfile
        if isinstance(doc.get(section), dict):
            yield from (str(k) for k in doc[section])

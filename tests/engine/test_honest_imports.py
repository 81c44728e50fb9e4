"""Own-module imports sit at the top of a module. The few kept inside a function say why on their line: an import
cycle they break, or a command whose start they keep cheap (hoisting them would add modules to it, which
tests/engine/test_startup_imports.py measures)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "dockyard"


def _function_imports():
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for fn in ast.walk(ast.parse(text)):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(fn):
                    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                            and node.module.split(".")[0] == "dockyard":
                        yield path.relative_to(SRC.parent), node, lines[node.end_lineno - 1]
                    elif isinstance(node, ast.Import) and any(a.name.split(".")[0] == "dockyard" for a in node.names):
                        yield path.relative_to(SRC.parent), node, lines[node.end_lineno - 1]


def test_every_own_import_inside_a_function_says_why_it_is_there():
    unexplained = [f"{path}:{node.lineno}" for path, node, line in _function_imports() if "# lazy: " not in line]
    assert unexplained == []


def test_lazy_own_imports_are_the_exception():
    lazy = list(_function_imports())
    top = sum(1 for path in SRC.rglob("*.py") for node in ast.parse(path.read_text(encoding="utf-8")).body
              if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("dockyard"))
    assert len(lazy) < top / 8, (len(lazy), top)


MAX_LINES = 800


def test_no_module_is_longer_than_eight_hundred_lines():
    long = {str(p.relative_to(SRC.parent)): n for p in SRC.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}

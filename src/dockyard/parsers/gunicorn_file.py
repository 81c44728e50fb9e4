"""gunicorn settings from a config file, read with ``ast``: the file is never imported or run."""

from __future__ import annotations

import ast
import re

from dockyard.model import Position
from dockyard.parsers.gunicorn import GunicornConfig, Setting


def _literal(node: ast.AST) -> object:
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _env_default(node: ast.AST) -> object:
    """``os.environ.get("X", "default")`` / ``os.getenv("X", default)`` wrapped in int()/str(): the default."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("int", "str", "float", "bool") and node.args:
        node = node.args[0]
    if isinstance(node, ast.Call) and len(node.args) >= 2:
        return _literal(node.args[1])
    return None


def _module_assignments(body: list[ast.stmt]) -> dict[str, list[ast.expr]]:
    """Every expression assigned to each module-level name, also inside top-level ``if``/``try``/``with``."""
    out: dict[str, list[ast.expr]] = {}
    stack = list(body)
    while stack:
        stmt = stack.pop(0)
        if isinstance(stmt, ast.Assign):
            for t in stmt.targets:
                if isinstance(t, ast.Name):
                    out.setdefault(t.id, []).append(stmt.value)
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) and stmt.value is not None and isinstance(stmt.target, ast.Name):
            out.setdefault(stmt.target.id, []).append(stmt.value)
        elif isinstance(stmt, (ast.If, ast.Try, ast.With)):
            stack.extend(stmt.body)
            stack.extend(getattr(stmt, "orelse", []))
            stack.extend(getattr(stmt, "finalbody", []))
            for handler in getattr(stmt, "handlers", []):
                stack.extend(handler.body)
    return out


def _referenced(node: ast.AST, assigned: dict[str, list[ast.expr]]) -> tuple[ast.expr, ...]:
    """The expressions ``node`` reads through module-level names, transitively (each once)."""
    found: list[ast.expr] = []
    seen: set[str] = set()
    todo = [node]
    while todo:
        for sub in ast.walk(todo.pop()):
            if isinstance(sub, ast.Name) and sub.id in assigned and sub.id not in seen:
                seen.add(sub.id)
                found.extend(assigned[sub.id])
                todo.extend(assigned[sub.id])
    return tuple(found)


def _resolved_literal(node: ast.AST, assigned: dict[str, list[ast.expr]]) -> object:
    """The literal (or environment default) a value has, following names bound exactly once."""
    seen: set[str] = set()
    while True:
        lit = _literal(node)
        if lit is None:
            lit = _env_default(node)
        if lit is not None or not isinstance(node, ast.Name) or node.id in seen or len(assigned.get(node.id, ())) != 1:
            return lit
        seen.add(node.id)
        node = assigned[node.id][0]


def _source_lines(text: str) -> list[str]:
    """The source split as the Python parser does (``\\r\\n``, ``\\r``, ``\\n`` only), ends kept."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+", text)


def _source_segment(lines: list[str], node: ast.expr) -> str | None:
    """``ast.get_source_segment(text, node)`` over lines split once by :func:`_source_lines`.

    ``ast.get_source_segment`` splits the whole source again on every call, a character at a time.
    """
    if node.end_lineno is None or node.end_col_offset is None:
        return None
    lineno, end_lineno = node.lineno - 1, node.end_lineno - 1
    if end_lineno == lineno:
        return lines[lineno].encode()[node.col_offset:node.end_col_offset].decode()
    first = lines[lineno].encode()[node.col_offset:].decode()
    last = lines[end_lineno].encode()[:node.end_col_offset].decode()
    return "".join([first, *lines[lineno + 1:end_lineno], last])


def parse_config_file(text: str, path: str) -> GunicornConfig | None:
    try:
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError):
        return None
    cfg = GunicornConfig("file", path, module_source=text)
    lines: list[str] | None = None
    assigned = _module_assignments(tree.body)
    for stmt in tree.body:
        targets: list[ast.expr] = []
        value = None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        for t in targets:
            if isinstance(t, ast.Name) and value is not None:
                lit = _resolved_literal(value, assigned)
                if lines is None:
                    lines = _source_lines(text)
                src = _source_segment(lines, value) or ""
                cfg.settings[t.id] = Setting(t.id, src, lit, value.lineno, value.col_offset + 1,
                                             value.end_lineno or value.lineno, (value.end_col_offset or 0) + 1, value,
                                             _referenced(value, assigned), isinstance(value, ast.Constant))
    return cfg


def reads_env(node: ast.AST | None) -> bool:
    """The expression reads the environment (``os.environ``, ``os.getenv``)."""
    if node is None:
        return False
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr in ("environ", "getenv"):
            return True
        if isinstance(sub, ast.Name) and sub.id in ("getenv", "environ"):
            return True
    return False


# functions that count CPUs: multiprocessing.cpu_count(), os.cpu_count(), os.process_cpu_count(),
# len(os.sched_getaffinity(0))
_CPU_FUNCTIONS = frozenset({"cpu_count", "process_cpu_count", "sched_getaffinity"})
_BUILTINS = frozenset({"int", "len", "max", "min", "round", "abs", "float", "str", "sum", "bool"})


def _counts_cpus(node: ast.AST | None) -> bool:
    """The expression reads the CPU count, or calls a helper of the config file that computes one (the
    helper's CPU source is PY004's question)."""
    if node is None:
        return False
    for sub in ast.walk(node):
        if not isinstance(sub, ast.Call):
            continue
        func = sub.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if name in _CPU_FUNCTIONS:
            return True
        if isinstance(func, ast.Name) and name not in _BUILTINS:
            return True
    return False


def _is_number(node: ast.AST, value: int) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int and node.value == value


def follows_formula(node: ast.AST | None, refs: tuple[ast.AST, ...] = ()) -> bool:
    """``2 * CPUs + 1`` in any spelling (``(cpu_count() * 2) + 1``, ``1 + 2 * n`` with ``n = os.cpu_count()``),
    or a helper function of the config file that computes the count."""
    if node is None:
        return False
    through_names = any(_counts_cpus(r) for r in refs)
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id not in _BUILTINS \
                and sub.func.id not in _CPU_FUNCTIONS:
            return True  # a helper function computes it: judged by the CPU-quota rule
        if not (isinstance(sub, ast.BinOp) and isinstance(sub.op, ast.Add)):
            continue
        for product, one in ((sub.left, sub.right), (sub.right, sub.left)):
            if not (_is_number(one, 1) and isinstance(product, ast.BinOp) and isinstance(product.op, ast.Mult)):
                continue
            for two, cpus in ((product.left, product.right), (product.right, product.left)):
                if _is_number(two, 2) and (_counts_cpus(cpus) or (through_names and any(
                        isinstance(n, ast.Name) for n in ast.walk(cpus)))):
                    return True
    return False


def first_call(text: str, name: str) -> Position | None:
    """Where the module first calls a function or method named ``name``; None when it does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)) and \
                (getattr(node.func, "attr", None) or getattr(node.func, "id", None)) == name:
            return Position(node.lineno, node.col_offset + 1, node.end_lineno or node.lineno,
                            (node.end_col_offset or 0) + 1)
    return None

"""gunicorn settings, wherever they live: a config file read with ``ast`` (never imported), or command flags.

A :class:`GunicornConfig` maps setting names (gunicorn's own: ``bind``, ``workers``, ``worker_class``...)
to :class:`Setting` records that keep the expression's source text and position, so rules can judge how a
value is computed (a literal, an environment override, a CPU formula) and point at it.
"""

from __future__ import annotations

import ast
import re

from dockyard.records import field, record

# command-line flag -> setting name (gunicorn's documented flags)
FLAGS = {
    "-b": "bind", "--bind": "bind",
    "-w": "workers", "--workers": "workers",
    "-k": "worker_class", "--worker-class": "worker_class",
    "-t": "timeout", "--timeout": "timeout",
    "--keep-alive": "keepalive",
    "--max-requests": "max_requests",
    "--max-requests-jitter": "max_requests_jitter",
    "--access-logfile": "accesslog",
    "--error-logfile": "errorlog", "--log-file": "errorlog",
    "--preload": "preload_app",
    "--worker-connections": "worker_connections",
    "-c": "config", "--config": "config",
    "--graceful-timeout": "graceful_timeout",
    "--threads": "threads",
}
BOOLEAN_FLAGS = {"--preload"}


@record(frozen=True, slots=True)
class Setting:
    name: str
    source: str  # the expression as written (or the flag value)
    value: object  # the literal value when it is one, else None
    line: int
    column: int
    end_line: int
    end_column: int
    node: ast.AST | None = None  # the expression, for config files
    refs: tuple[ast.AST, ...] = ()  # expressions it reads through module-level names (``workers = count``)


@record
class GunicornConfig:
    origin: str  # "file" | "command" | "env"
    path: str  # file the settings were read from (config file, Dockerfile, compose file, env file)
    settings: dict[str, Setting] = field(default_factory=dict)
    module_source: str = ""  # the whole config file text, for whole-file questions
    app: str | None = None  # the WSGI/ASGI app argument of a command

    def get(self, name: str) -> Setting | None:
        return self.settings.get(name)

    @property
    def worker_class(self) -> str:
        s = self.settings.get("worker_class")
        if s is None:
            return "sync"
        return s.value if isinstance(s.value, str) else s.source


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
                                             _referenced(value, assigned))
    return cfg


def parse_command(argv: list[str], path: str, line: int, column: int, end_line: int, end_column: int,
                  origin: str = "command") -> GunicornConfig | None:
    """Settings from a gunicorn command line (``argv[0]`` is gunicorn, possibly after ``python -m``)."""
    if "gunicorn" not in " ".join(argv[:3]):
        return None
    cfg = GunicornConfig(origin, path)
    i = 0
    while i < len(argv):
        arg = argv[i]
        name = value = None
        if arg.startswith("--") and "=" in arg:
            flag, value = arg.split("=", 1)
            name = FLAGS.get(flag)
        elif arg in BOOLEAN_FLAGS:
            name, value = FLAGS[arg], "true"
        elif arg in FLAGS and i + 1 < len(argv):
            name, value = FLAGS[arg], argv[i + 1]
            i += 1
        elif arg.startswith("-") and not arg.startswith("--") and len(arg) > 2 and arg[:2] in FLAGS:
            name, value = FLAGS[arg[:2]], arg[2:]
        elif not arg.startswith("-") and "gunicorn" not in arg and arg not in ("python", "python3", "-m") and ":" in arg:
            cfg.app = arg
        if name is not None and value is not None:
            lit: object = value
            if value.isdigit():
                lit = int(value)
            cfg.settings[name] = Setting(name, value, lit, line, column, end_line, end_column)
        i += 1
    return cfg


def parse_cmd_args_env(value: str, path: str, line: int, column: int, end_line: int, end_column: int) -> GunicornConfig:
    """``GUNICORN_CMD_ARGS="--workers 3 --bind 0.0.0.0:8000"``."""
    import shlex

    try:
        argv = shlex.split(value)
    except ValueError:
        argv = value.split()
    cfg = parse_command(["gunicorn", *argv], path, line, column, end_line, end_column, origin="env")
    assert cfg is not None
    return cfg

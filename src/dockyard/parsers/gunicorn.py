"""gunicorn settings, wherever they live: a config file read with ``ast`` (never imported; see
:mod:`dockyard.parsers.gunicorn_file`), or command flags.

A :class:`GunicornConfig` maps setting names (gunicorn's own: ``bind``, ``workers``, ``worker_class``...)
to :class:`Setting` records that keep the expression's source text and position, so rules can judge how a
value is computed (a literal, an environment override, a CPU formula) and point at it.
"""

from __future__ import annotations

from dockyard import TYPE_CHECKING
from dockyard.records import field, record

if TYPE_CHECKING:  # pragma: no cover
    import ast

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
    literal: bool = False  # the expression is a constant written in place (a fix may rewrite it there)


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

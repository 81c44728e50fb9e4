"""Render the project template that ``dockyard init`` writes.

The renderer is deliberately tiny (no template engine dependency):

* ``@@name@@`` is replaced by the value of ``name`` from the context;
* a line whose stripped text is ``#%if EXPR``, ``#%elif EXPR``, ``#%else`` or ``#%endif`` opens, switches or
  closes a block; ``EXPR`` is a boolean expression over context flags (``and``, ``or``, ``not``, parentheses).

Directives are whole lines, so they never collide with the ``${VAR}``, ``{{ }}`` and ``$$`` syntaxes that
Dockerfiles, compose files and GitHub workflows use. Template files end in ``.tmpl`` (so the packaged
sources are never mistaken for importable modules) and a path component starting with ``dot-`` becomes a
dotfile (``dot-gitignore`` -> ``.gitignore``), which keeps them visible to packaging globs.
"""

from __future__ import annotations

import ast
from importlib import resources
from pathlib import PurePosixPath

from dockyard import __version__
from dockyard.records import field, record
from dockyard.regex import lazy_compile

TEMPLATE_VERSION = 1  # bump when the generated layout changes in a way ``--update`` should know about

PYTHON_IMAGES: dict[str, str] = {
    # Official ``python:X.Y-slim`` manifest-list digests (multi-arch index). Refresh with
    # ``docker buildx imagetools inspect python:X.Y-slim`` when bumping.
    "3.11": "python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7",
    "3.12": "python:3.12-slim@sha256:78387bc3881b8273120a12ebe6c1ab22b018ccc2c9adf565ae1ac9b536e184ea",
}

_VAR = lazy_compile(r"@@([a-z_][a-z0-9_]*)@@")
_DIRECTIVE = lazy_compile(r"^\s*#%(if|elif|else|endif)\b\s*(.*?)\s*$")
_NAME_RE = lazy_compile(r"^[a-z][a-z0-9-]{0,62}$")


class TemplateError(Exception):
    pass


@record(frozen=True)
class Answers:
    """What the user chose. Everything the template varies on derives from these."""

    name: str = "app"
    python: str = "3.12"
    db: str = "postgres"
    cache: str = "redis"
    worker: str = "none"
    port: int = 8000

    def validate(self) -> list[str]:
        errors = []
        if not _NAME_RE.match(self.name):
            errors.append(f"--name {self.name!r}: use lowercase letters, digits and '-', starting with a letter")
        if self.python not in PYTHON_IMAGES:
            errors.append(f"--python {self.python!r}: supported versions are {', '.join(PYTHON_IMAGES)}")
        if self.db not in ("postgres", "none"):
            errors.append(f"--db {self.db!r}: expected postgres or none")
        if self.cache not in ("redis", "none"):
            errors.append(f"--cache {self.cache!r}: expected redis or none")
        if self.worker not in ("celery", "none"):
            errors.append(f"--worker {self.worker!r}: expected celery or none")
        if not (1 <= int(self.port) <= 65535):
            errors.append(f"--port {self.port}: expected 1-65535")
        return errors

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "python": self.python,
            "db": self.db,
            "cache": self.cache,
            "worker": self.worker,
            "port": int(self.port),
        }

    @property
    def lock_key(self) -> str:
        return lock_key(self.db == "postgres", self.needs_redis, self.worker == "celery")

    @property
    def needs_redis(self) -> bool:
        # Celery uses Redis as its broker and result backend, so ``--worker celery --cache none`` still
        # runs a Redis service; the application itself only gets a Redis client with ``--cache redis``.
        return self.cache == "redis" or self.worker == "celery"


def lock_key(postgres: bool, redis: bool, celery: bool) -> str:
    return "-".join(("pg" if postgres else "nodb", "redis" if redis else "noredis", "celery" if celery else "nocelery"))


def context_for(answers: Answers) -> dict:
    pg = answers.db == "postgres"
    cache = answers.cache == "redis"
    celery = answers.worker == "celery"
    redis = answers.needs_redis
    image = PYTHON_IMAGES[answers.python]
    return {
        # flags
        "postgres": pg,
        "cache": cache,
        "redis": redis,
        "celery": celery,
        "backends": pg or cache,
        # values
        "name": answers.name,
        "name_underscore": answers.name.replace("-", "_"),
        "title": answers.name.replace("-", " ").title(),
        "python": answers.python,
        "python_image": image,
        "port": str(int(answers.port)),
        "readiness_list": ", ".join(
            [*(["PostgreSQL `SELECT 1`"] if pg else []), *(["Redis `PING`"] if cache else [])]
        ) or "no backing services in this configuration",
        "dockyard_version": __version__,
        "template_version": str(TEMPLATE_VERSION),
    }


def render_text(text: str, context: dict, where: str = "<template>") -> str:
    out: list[str] = []
    # stack of (parent_active, this_branch_active, any_branch_taken)
    stack: list[tuple[bool, bool, bool]] = []
    active = True
    for lineno, line in enumerate(text.splitlines(keepends=True), 1):
        m = _DIRECTIVE.match(line)
        if m:
            kind, expr = m.group(1), m.group(2)
            if kind == "if":
                value = _evaluate(expr, context, where, lineno)
                stack.append((active, active and value, value))
                active = active and value
            elif kind in ("elif", "else"):
                if not stack:
                    raise TemplateError(f"{where}:{lineno}: #%{kind} without #%if")
                parent, _, taken = stack[-1]
                value = True if kind == "else" else _evaluate(expr, context, where, lineno)
                branch = (not taken) and value
                stack[-1] = (parent, parent and branch, taken or branch)
                active = parent and branch
            else:
                if not stack:
                    raise TemplateError(f"{where}:{lineno}: #%endif without #%if")
                parent, _, _ = stack.pop()
                active = parent
            continue
        if active:
            out.append(_VAR.sub(lambda mm: _value(mm.group(1), context, where, lineno), line))
    if stack:
        raise TemplateError(f"{where}: unclosed #%if")
    return "".join(out)


def _value(name: str, context: dict, where: str, lineno: int) -> str:
    if name not in context:
        raise TemplateError(f"{where}:{lineno}: unknown variable @@{name}@@")
    return str(context[name])


def _evaluate(expr: str, context: dict, where: str, lineno: int) -> bool:
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as exc:
        raise TemplateError(f"{where}:{lineno}: bad condition {expr!r}") from exc

    def ev(node: ast.AST) -> bool:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.BoolOp):
            values = [ev(v) for v in node.values]
            return all(values) if isinstance(node.op, ast.And) else any(values)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return not ev(node.operand)
        if isinstance(node, ast.Name):
            if node.id not in context:
                raise TemplateError(f"{where}:{lineno}: unknown flag {node.id!r}")
            return bool(context[node.id])
        raise TemplateError(f"{where}:{lineno}: unsupported condition {expr!r}")

    return ev(tree)


# Files that exist only for some answers: template path -> flag expression.
CONDITIONAL_FILES: dict[str, str] = {
    "app/db.py.tmpl": "postgres",
    "app/cache.py.tmpl": "cache",
    "app/worker.py.tmpl": "celery",
    "tests/test_worker.py.tmpl": "celery",
}


def output_path(template_path: str) -> str:
    parts = []
    for part in PurePosixPath(template_path).parts:
        if part.startswith("dot-"):
            part = "." + part[4:]
        parts.append(part)
    path = "/".join(parts)
    return path[: -len(".tmpl")] if path.endswith(".tmpl") else path


def _walk(node, prefix: str = ""):
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        rel = f"{prefix}{child.name}"
        if child.is_dir():
            if child.name == "__pycache__":
                continue
            yield from _walk(child, rel + "/")
        else:
            yield rel, child


@record
class Rendered:
    files: dict[str, str] = field(default_factory=dict)  # relative POSIX path -> text

    def __iter__(self):
        return iter(sorted(self.files.items()))


def render(answers: Answers) -> Rendered:
    """Render every file for ``answers`` (pure: reads package data, writes nothing)."""
    errors = answers.validate()
    if errors:
        raise TemplateError("; ".join(errors))
    context = context_for(answers)
    root = resources.files("dockyard.scaffold") / "template"
    result = Rendered()
    for rel, node in _walk(root):
        if not rel.endswith(".tmpl"):
            continue
        cond = CONDITIONAL_FILES.get(rel)
        if cond and not _evaluate(cond, context, rel, 0):
            continue
        text = node.read_text(encoding="utf-8")
        result.files[output_path(rel)] = render_text(text, context, rel)
    locks = resources.files("dockyard.scaffold") / "locks" / answers.lock_key
    for name in ("requirements.lock.txt", "requirements-dev.lock.txt"):
        result.files[name] = (locks / name).read_text(encoding="utf-8")
    return result

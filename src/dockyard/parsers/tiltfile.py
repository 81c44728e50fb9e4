"""The image builds a Tiltfile declares with ``docker_build``, read statically: the file is never run.

A Tiltfile is Starlark, whose syntax Python's ``ast`` reads. Tilt's ``docker_build(ref, context, build_args={},
dockerfile='Dockerfile', dockerfile_contents='', ..., ignore=[], only=[], ...)`` builds ``context`` (relative to the
Tiltfile's folder) with the Dockerfile ``dockerfile`` (relative to the Tiltfile's folder too, not to the context;
``<context>/Dockerfile`` by default). Only calls whose context and Dockerfile are string literals are read (a
variable, a ``%`` format or a loop over names says nothing certain), and not calls inside a ``def`` (they run only
when something calls the function, with arguments of its own). A build from ``dockerfile_contents`` has no
Dockerfile in the tree and is left out. A file that does not parse declares nothing.
"""

from __future__ import annotations

import ast
import re

from dockyard.model import Position
from dockyard.records import record

# docker_build's parameters in Tilt's order, for positional arguments
_PARAMETERS = ("ref", "context", "build_args", "dockerfile", "dockerfile_contents")


@record(frozen=True, slots=True)
class TiltBuild:
    """One ``docker_build`` call: paths as written (relative to the Tiltfile's folder)."""

    ref: str | None  # the image reference, when a literal
    context: str
    dockerfile: str  # as written, or ``<context>/Dockerfile`` when the call names none
    position: Position  # of the context argument
    filtered: bool = False  # `only=` or `ignore=` narrows what the context sends, as an ignore file would


def parse_tiltfile(text: str) -> list[TiltBuild]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    lines = re.split(r"\r\n|\r|\n", text)  # the line ends Python's tokenizer counts, no others
    out: list[TiltBuild] = []
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "docker_build":
            build = _build(node, lines)
            if build is not None:
                out.append(build)
        todo.extend(reversed(list(ast.iter_child_nodes(node))))
    return sorted(out, key=lambda b: (b.position.line, b.position.column))


def _build(call: ast.Call, lines: list[str]) -> TiltBuild | None:
    args: dict[str, ast.expr] = {}
    for name, value in zip(_PARAMETERS, call.args):
        if isinstance(value, ast.Starred):
            return None  # `*args`: which parameter gets what is unknown
        args[name] = value
    for kw in call.keywords:
        if kw.arg is None:
            return None  # `**kwargs`
        args[kw.arg] = kw.value
    if "dockerfile_contents" in args:
        return None
    context = _literal(args.get("context"))
    if context is None:
        return None
    dockerfile = _literal(args["dockerfile"]) if "dockerfile" in args else f"{context.rstrip('/') or '.'}/Dockerfile"
    if dockerfile is None:
        return None
    node = args["context"]
    return TiltBuild(_literal(args.get("ref")), context, dockerfile, _position(node, lines),
                     filtered="only" in args or "ignore" in args)


def _literal(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        return node.value
    return None


def _position(node: ast.expr, lines: list[str]) -> Position:
    """The node's span, in characters (``ast`` counts columns in UTF-8 bytes)."""

    def column(line: int, offset: int | None) -> int:
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        return len(text.encode("utf-8")[:offset or 0].decode("utf-8", "replace")) + 1

    end_line = node.end_lineno or node.lineno
    return Position(node.lineno, column(node.lineno, node.col_offset), end_line, column(end_line, node.end_col_offset))

"""Interpolation of a compose document as compose-go's loader does it: ``${...}`` substituted in every value (never
in keys) with :func:`dockyard.parsers.interpolation.substitute`, then the value of a typed field cast
(:mod:`dockyard.compose.gotypes`). A value that fails is a :class:`LoadProblem` located where it was written; with
tracking, the references that did not resolve are :class:`InterpolationIssue` records located at the reference.
Ported from compose-go v2.9.1's ``loader`` package (Apache License 2.0; see THIRD_PARTY_NOTICES.md).
"""

from __future__ import annotations

from pathlib import Path

from dockyard import TYPE_CHECKING
from dockyard.compose.gotypes import cast_for
from dockyard.compose.load_context import LoadContext
from dockyard.compose.model import InterpolationIssue, LoadProblem, locate
from dockyard.model import Position
from dockyard.parsers.interpolation import Budget, InterpolationError, scan, substitute
from dockyard.parsers.yamlpos import YMap, YSeq

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any


def dotted(path: tuple) -> str:
    """A model path as compose-go's interpolation names it: list items are ``[]`` (``services.web.labels.[]``)."""
    return ".".join("[]" if type(x) is int else str(x) for x in path)


def interpolate(node: Any, path: tuple, ctx: LoadContext, file: Path, vpos: Position | None = None,
                record: bool = True, budget: Any = None) -> Any:
    """Substitute ``${...}`` in every value (never keys), in place for positioned containers. ``vpos`` is
    the position of ``node`` in ``file``; with tracking, unresolved references are recorded as issues.
    ``budget``: what the file's interpolation may still produce (a new one for a document's root): past it,
    one ``budget`` problem at the value that overdrew it, and the rest of the file is left as written."""
    if budget is None:
        budget = Budget()

    if isinstance(node, str):
        if "$" not in node:
            cast = cast_for(path)
            if cast is None:
                return node
            try:  # compose casts every string at a typed path (`cpus: "0.5"`, `!!str true`), interpolated or not
                return cast(node)
            except InterpolationError as e:
                origin = ctx.origins.get(path)
                ctx.problems.append(LoadProblem(e.compose_message(dotted(path)), file,
                                                origin[1] if origin else Position(), kind="interpolation"))
                return node
        if budget.exhausted:
            return node  # the file's interpolation stopped at the value that overdrew the budget
        if ctx.track and record:
            _unset_references(node, ctx, file, vpos)
        try:
            value = substitute(node, ctx.environment.get, budget)
            cast = cast_for(path)
            return value if cast is None else cast(value)
        except InterpolationError as e:
            origin = ctx.origins.get(path)
            where = dotted(path)
            ctx.problems.append(LoadProblem(e.compose_message(where), file, origin[1] if origin else Position(),
                                            kind="budget" if e.kind == "budget" else "interpolation",
                                            redacted=e.safe_message(where)))
            if e.kind == "budget":
                return node
            if e.kind == "cast":
                return value  # well-formed and resolved; only its type is wrong
            if ctx.track and record:
                _failed_reference(node, e, ctx, file, vpos)
            return node
    if isinstance(node, YMap):
        for k in list(node.keys()):
            dict.__setitem__(node, k, interpolate(node[k], path + (k,), ctx, file,
                                                  node.value_pos(k) or vpos, record, budget))
        return node
    if isinstance(node, YSeq):
        for i in range(len(node)):
            node[i] = interpolate(node[i], path + (i,), ctx, file, node.item_pos(i) or vpos, record, budget)
        return node
    if isinstance(node, dict):
        return {k: interpolate(v, path + (k,), ctx, file, vpos, record, budget) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate(v, path + (i,), ctx, file, vpos, record, budget) for i, v in enumerate(node)]
    return node


def _locate(ctx: LoadContext, file: Path, vpos: Position | None, text: str, start: int, end: int) -> Position:
    vpos = vpos or Position()
    sf = ctx.texts.get(file)
    return locate(sf, vpos, text, start, end) if sf is not None else vpos


def _unset_references(text: str, ctx: LoadContext, file: Path, vpos: Position | None) -> None:
    for ref in scan(text).refs:
        if ref.operator == "" and ref.depth == 0 and ref.name not in ctx.environment:
            ctx.issues.append(InterpolationIssue(
                "unset", ref.name, f"The {ref.name!r} variable is not set. Defaulting to a blank string.",
                ctx.label(file), _locate(ctx, file, vpos, text, ref.start, ref.end)))


def _failed_reference(text: str, err: Any, ctx: LoadContext, file: Path, vpos: Position | None) -> None:
    sc = scan(text)
    where = vpos or Position()
    if err.kind == "required":
        ref = next((r for r in sc.refs if r.name == err.variable and r.required), None)
        if ref is not None:
            where = _locate(ctx, file, vpos, text, ref.start, ref.end)
        ctx.issues.append(InterpolationIssue("required", err.variable, err.message, ctx.label(file), where))
    else:
        if sc.errors:
            where = _locate(ctx, file, vpos, text, sc.errors[0].start, sc.errors[0].end)
        ctx.issues.append(InterpolationIssue("invalid", None, err.message, ctx.label(file), where))

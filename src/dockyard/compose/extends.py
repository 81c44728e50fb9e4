"""``extends``: a service built on another one, of the same document or of another file, as compose-go's loader
resolves it (``loader/extends.go``, v2.9.1; Apache License 2.0; see THIRD_PARTY_NOTICES.md): the base service is
read and interpolated in its own file, extended in turn, both are put in canonical form, and the service merges
onto its base as an override file would. A chain that loops is compose's ``Circular reference``.
"""

from __future__ import annotations

from pathlib import Path

from dockyard import TYPE_CHECKING
from dockyard.compose.canonical import canonical_service
from dockyard.compose.interpolate import interpolate
from dockyard.compose.load_context import LoadContext, read_yaml, record_origins
from dockyard.compose.merge import merge_models, merge_service
from dockyard.compose.model import LoadProblem
from dockyard.compose.tracking import shape_service, track
from dockyard.model import Position
from dockyard.parsers.yamlpos import YMap, to_plain

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any


def _without_extends(tsvc: Any) -> Any:
    if isinstance(tsvc, dict) and "extends" in tsvc:
        tsvc.pop("extends")
        getattr(tsvc, "prov", {}).pop("extends", None)
    return tsvc


def resolve_extends(svc: dict, sname: str, file: Path, ctx: LoadContext, base_dir: Path, depth: int,
                    tsvc: Any = None, document: int | None = None, chain: tuple = ()) -> tuple[dict, Any]:
    """Service ``sname`` of ``file`` (``svc``, ``tsvc`` its tracked tree) merged onto the service it extends;
    what goes wrong is a problem, and the service is kept without its ``extends``. ``document``: which document
    of ``file`` the service is in (an extends without ``file:`` names a service of that document, as compose
    loads each document on its own); None for the whole file. ``chain``: the ``(file, service)`` pairs whose
    ``extends`` led here (a cycle is reported once)."""
    try:
        return _resolve_extends_inner(svc, sname, file, ctx, base_dir, depth, tsvc, document, chain)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as e:
        ctx.problems.append(LoadProblem(f"services.{sname}: invalid extends ({e})", file, kind="extends"))
        svc.pop("extends", None)
        return svc, _without_extends(tsvc)


def _resolve_extends_inner(svc: dict, sname: str, file: Path, ctx: LoadContext, base_dir: Path, depth: int,
                           tsvc: Any = None, document: int | None = None, chain: tuple = ()) -> tuple[dict, Any]:
    where = svc.key_pos("extends") if isinstance(svc, YMap) else None
    chain = chain + ((file.resolve(), sname),)
    ext = svc.pop("extends")
    tsvc = _without_extends(tsvc)
    if depth > 20:
        ctx.problems.append(LoadProblem(f"extends chain too deep for service {sname}", file, kind="extends"))
        return svc, tsvc
    if isinstance(ext, str):
        ext = {"service": ext}
    target = ext.get("service")
    if target is None:  # `extends.<name>.service is required`: the document check reports it
        return svc, tsvc
    ext_file = Path(ext["file"]) if ext.get("file") else None
    if ext_file is not None:
        ext_path = (file.parent / ext_file).resolve() if not ext_file.is_absolute() else ext_file
        root = read_yaml(ext_path, ctx)
        if root is None:
            return svc, tsvc
        record_origins(root, ("__extends__", str(ext_path)), ext_path, ctx.origins)
        raw_root = to_plain(root) if tsvc is not None else None
        interpolate(root, (), ctx, ext_path, record=False)
        src_file, src_dir = ext_path, ext_path.parent
    else:
        root = None
        src_file, src_dir = file, base_dir
    services = (root if root is not None else {}).get("services") or {}
    if root is None:
        # same-file extends: the file's services as written (a copy of its parse), interpolated again
        r2 = read_yaml(file, ctx, document)
        if r2 is None:
            return svc, tsvc
        raw_root = to_plain(r2) if tsvc is not None else None
        interpolate(r2, (), ctx, file, record=False)
        services = r2.get("services") or {}
    base = services.get(target)
    if not isinstance(base, dict):
        origin = ctx.origins.get(("services", sname, "extends"))
        ctx.problems.append(LoadProblem(f'cannot extend service "{sname}" in {ctx.label(src_file)}: service '
                                        f'"{target}" not found', file, origin[1] if origin else Position(),
                                        kind="extends"))
        return svc, tsvc
    tbase = None
    if tsvc is not None:
        raw_base = ((raw_root or {}).get("services") or {}).get(target)
        tbase = track(base, raw_base, ctx.label(src_file), Position())
        shape_service(tbase)
    if (src_file.resolve(), target) in chain:  # compose: `Circular reference:`, one service a line
        start = chain.index((src_file.resolve(), target))
        loop = chain[start:] + ((src_file.resolve(), target),)
        message = "Circular reference: " + " extends ".join(f"{s} in {ctx.label(f)}" for f, s in loop)
        ctx.cycle(frozenset(loop), message, file, where or (ctx.origins.get(("services", sname, "extends"),
                                                                           (None, None))[1]), "extends")
        return svc, tsvc
    if "extends" in base:
        base, tbase = resolve_extends(base, target, src_file, ctx, src_dir, depth + 1, tbase,
                                       document=document if ext_file is None else None, chain=chain)
    if tsvc is not None and tbase is not None:
        tsvc = merge_service(tbase, tsvc, sname)
    import copy

    base = copy.deepcopy(base)
    canonical_service(base, src_dir)
    canonical_service(svc, ctx.working_dir)
    wrapped = {"services": {sname: base}}
    merge_models(wrapped, {"services": {sname: svc}})
    return wrapped["services"][sname], tsvc

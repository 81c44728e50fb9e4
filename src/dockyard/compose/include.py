"""``include``: other compose projects brought into a file, as compose-go's loader includes them
(``loader/include.go``, v2.9.1; Apache License 2.0; see THIRD_PARTY_NOTICES.md): each included project is loaded
on its own (its project directory, its env files, the including project's variables winning), then its resources
are added to the including file's where that file does not define them. A chain of includes that loops is
compose's ``include cycle detected``.

``FileLoader``: ``load_file(path, ctx, base_dir, depth) -> (model | None, tracked tree | None)``, the loader's
load of one file (the loader calls :func:`apply_includes` as it loads a file, and gives its own).
"""

from __future__ import annotations

from pathlib import Path

from dockyard import TYPE_CHECKING
from dockyard.compose.load_context import LoadContext, exists, read_env_files
from dockyard.compose.merge import merge_models
from dockyard.compose.model import LoadProblem
from dockyard.compose.tracking import include_sections
from dockyard.parsers.yamlpos import YMap, YSeq

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any, Callable

    FileLoader = Callable[[Path, LoadContext, Path, int], "tuple[dict | None, Any]"]


def apply_includes(root: dict, includes: Any, file: Path, ctx: LoadContext, depth: int, tracked: Any,
                   load_file: FileLoader) -> None:
    """Bring the projects ``file`` includes into its document ``root`` (and its tracked tree, with tracking):
    each loaded with ``load_file`` in its own project directory and environment; a service defined on both
    sides, and an include that loops, are problems."""
    if not isinstance(includes, list):
        includes = [includes]
    for i, inc in enumerate(includes):
        where = includes.item_pos(i) if isinstance(includes, YSeq) else None
        if isinstance(inc, str):
            inc = {"path": [inc]}
        paths = inc.get("path")
        if isinstance(paths, str):
            where = inc.value_pos("path") if isinstance(inc, YMap) else where
            paths = [paths]
        inc_files = [(file.parent / x).resolve() for x in paths or []]
        looping = [j for j, f in enumerate(inc_files) if f in ctx.including]
        if looping:  # compose: `include cycle detected:` and the chain, one file a line
            j = looping[0]
            if isinstance(paths, YSeq):
                where = paths.item_pos(j) or where
            chain = ctx.including[ctx.including.index(inc_files[j]):] + [inc_files[j]]
            ctx.cycle(frozenset(chain), "include cycle detected: " + " include ".join(ctx.label(f) for f in chain),
                      file, where, "include")
            continue
        if not inc_files:
            continue
        pdir = inc.get("project_directory")
        inc_dir = (file.parent / pdir).resolve() if pdir else inc_files[0].parent
        env_files = inc.get("env_file")
        if isinstance(env_files, str):
            env_files = [env_files]
        env_paths = [(file.parent / e).resolve() for e in env_files] if env_files else (
            [inc_dir / ".env"] if exists(inc_dir / ".env", ctx.reader) else [])
        # the included project's variables: the parent's environment wins over its env files
        env = read_env_files(env_paths, ctx.environment, ctx.problems, ctx.reader)
        env.update(ctx.environment)
        sub = ctx.sub(env, inc_dir)
        model: dict = {}
        tmodel: dict = {}
        for f in inc_files:
            m, t = load_file(f, sub, inc_dir, depth + 1)
            if m is not None:
                merge_models(model, m)
            if t is not None:
                merge_models(tmodel, t)
        if tracked is not None:
            include_sections(tracked, tmodel)
        for section in ("services", "networks", "volumes", "secrets", "configs"):
            src = model.get(section) or {}
            if not src:
                continue
            dst = root.setdefault(section, {})
            if dst is None:
                dst = root[section] = {}
            for k, v in src.items():
                if k in dst and section == "services":
                    ctx.problems.append(LoadProblem(
                        f"services.{k} conflicts with imported resource", file, kind="include"))
                    continue
                dst.setdefault(k, v)

"""Load a compose project as ``docker compose config`` does: environment, interpolation, include, extends,
multi-file merge, normalisation. Problems are collected as values (:class:`LoadProblem`), never raised.
Its steps and tables are ported from compose-go v2.9.1's ``loader`` package (Apache License 2.0; see
THIRD_PARTY_NOTICES.md).

``load_project(files, env_files=None, project_dir=None, environ=None, profiles=None, reader=None,
track=False, label=None, parse=None) -> ComposeProject``

* ``reader(path) -> bytes | str`` reads every file the load needs (compose files, ``extends``/``include``
  targets, env files); it raises ``OSError`` for a file it cannot or will not give (e.g. one outside the
  checked tree). The default reads the disk.
* ``parse(path, data) -> YamlDocument`` parses a compose file the reader gave (default
  :func:`dockyard.parsers.yamlpos.load_yaml`); each file is parsed once per load. It may return a tree the caller
  shares (a project's rules read the same parse): the load changes only its own copy.
* ``track=True`` also keeps, beside the normalised model, the merged model before normalisation with the
  Origin of every entry (``ComposeProject.raw_model``) and the ``${...}`` that did not resolve
  (``ComposeProject.issues``); ``label(path)`` names files in those records (default ``str(path)``).
* ``env_files=[]`` means no env file at all (``None``: the project directory's ``.env`` when present).

The steps live beside this module: :mod:`~dockyard.compose.load_context` (what a load reads and records),
:mod:`~dockyard.compose.interpolate` and :mod:`~dockyard.compose.gotypes` (interpolation and Go type casts),
:mod:`~dockyard.compose.extends`, :mod:`~dockyard.compose.include`, :mod:`~dockyard.compose.canonical` (each
file's services in canonical form), :mod:`~dockyard.compose.tracking` (the tracked layer),
:mod:`~dockyard.compose.merge`, :mod:`~dockyard.compose.validate` and :mod:`~dockyard.compose.decoding` (what
compose refuses), :mod:`~dockyard.compose.finalize` and :mod:`~dockyard.compose.normalize` (the merged model as
compose prints it).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from dockyard import TYPE_CHECKING
from dockyard.compose import decoding, normalize, validate
from dockyard.compose.canonical import canonical_service
from dockyard.compose.extends import resolve_extends
from dockyard.compose.finalize import finalize
from dockyard.compose.include import apply_includes
from dockyard.compose.interpolate import interpolate
from dockyard.compose.load_context import (LoadContext, exists, read_disk, read_documents, read_env_files,
                                           record_names, record_origins, refuse)
from dockyard.compose.merge import TrackedMap, merge_models
from dockyard.compose.model import ComposeProject, LoadProblem
from dockyard.compose.tracking import tracked_tree
from dockyard.model import Position
from dockyard.parsers.yamlpos import to_plain

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any, Callable, Mapping

    from dockyard.compose.load_context import Parser, Reader

_NAME_BAD = re.compile(r"[^a-z0-9_-]")


def normalize_project_name(name: str) -> str:
    name = _NAME_BAD.sub("", name.lower())
    return name.lstrip("_-")


def command_environment(environ: dict[str, str], cwd: str | Path) -> dict[str, str]:
    """The shell environment `docker compose` interpolates from: ``environ``, with ``PWD`` set to the working
    directory when the shell does not set it (docker/compose v2.40.3, cmd/compose/compose.go, Apache-2.0:
    ``toProjectOptions``). A shell always sets it; a process started with a clean environment does not."""
    out = dict(environ)
    out.setdefault("PWD", str(cwd))
    return out


def load_project(files: list[str | Path], env_files: list[str | Path] | None = None,
                 project_dir: str | Path | None = None, environ: Mapping[str, str] | None = None,
                 profiles: list[str] | None = None, reader: Reader | None = None, track: bool = False,
                 label: Callable[[Path], str] | None = None, parse: Parser | None = None) -> ComposeProject:
    """The project ``files`` make (see the module's docstring)."""
    reader = reader or read_disk
    environ = dict(os.environ if environ is None else environ)
    paths = [Path(f).absolute() for f in files]
    working_dir = Path(project_dir).absolute() if project_dir else (paths[0].parent if paths else Path.cwd())
    problems: list[LoadProblem] = []
    if env_files is not None:
        ef = [Path(e).absolute() for e in env_files]
    else:
        default = working_dir / ".env"
        ef = [default] if exists(default, reader) else []
    file_env = read_env_files(ef, environ, problems, reader)
    environment = dict(file_env)
    environment.update(environ)  # the shell wins over env files
    origins: dict = {}
    ctx = LoadContext(environment, problems, origins, working_dir, reader, track, label or str, parse)

    merged: dict = {}
    raw_model = TrackedMap() if track else None
    for p in paths:
        model, tracked = _load_file(p, ctx, working_dir)
        if model is None:
            continue
        merge_models(merged, model)
        if tracked is not None:
            merge_models(raw_model, tracked)
        if not any(problem.severity == "error" for problem in problems):  # compose validates what it merged so far
            refuse(decoding.merged_unicity_refusal(merged), ctx, p)

    if profiles is None:
        cp = environment.get("COMPOSE_PROFILES", "")
        profiles = [x for x in cp.split(",") if x] if cp else []
    # COMPOSE_PROJECT_NAME (shell or .env) wins over the file's `name:`, as in docker compose
    name = environment.get("COMPOSE_PROJECT_NAME") or merged.get("name") or working_dir.name
    name = normalize_project_name(str(name))
    valid = not any(p.severity == "error" for p in problems)
    if valid:  # compose stops at its first error: the project is checked once every file loaded
        valid = _check_model(merged, ctx, paths)
    disabled, defined = _disabled_services(merged, profiles), validate.defined_resources(merged)
    # compose decodes the model into its types (durations, sizes, extra hosts) before it normalises it
    services = merged.get("services")
    decoded = decoding.decode_refusal(services) if valid and isinstance(services, dict) else None
    try:
        finalize(merged, name, working_dir, environment, profiles, problems, reader, origins)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as e:
        problems.append(LoadProblem(f"invalid project: {e}", paths[0] if paths else None, kind="load"))
    if valid and not any(p.severity == "error" for p in problems):
        refuse(decoded or validate.project_refusal(merged, disabled, defined), ctx, paths[0] if paths else None)
    issues = []
    if track:
        seen = set()
        for i in ctx.issues:
            k = (i.kind, i.variable, i.path, i.position)
            if k not in seen:
                seen.add(k)
                issues.append(i)
    return ComposeProject(name, working_dir, tuple(paths), tuple(ef), environment, merged, problems, origins,
                          tuple(profiles), raw_model, issues)


def _check_document(root: dict, p: Path, ctx: LoadContext) -> None:
    """What compose checks of each file once interpolated: the Compose Specification schema, then the short
    syntaxes it parses (volumes, ports, SSH keys)."""
    # in compose's order: keys as strings, `extends`, the merge's unicity, the schema, then the short syntaxes
    for check in (validate.key_refusal, validate.extends_refusal, decoding.unicity_refusal, validate.schema_refusal,
                  decoding.document_spec_refusal):
        if not refuse(check(root), ctx, p):
            return


def _check_model(merged: dict, ctx: LoadContext, paths: list[Path]) -> bool:
    """What compose checks of the merged model before normalising it: not empty, then ``validation.Validate``."""
    if not any(k != "version" for k in merged):  # compose drops `version` before this check
        ctx.problems.append(LoadProblem("empty compose file", paths[0] if paths else None, kind="load"))
        return False
    return refuse(validate.model_refusal(merged), ctx, paths[0] if paths else None)


def _disabled_services(model: dict, profiles: list[str]) -> dict[str, list]:
    """The services that ``profiles`` leave out (name -> their profiles), as ``finalize`` drops them."""
    services = model.get("services")
    active = set(profiles)
    out: dict[str, list] = {}
    for sname, svc in (services.items() if isinstance(services, dict) else ()):
        sp = svc.get("profiles") if isinstance(svc, dict) else None
        if isinstance(sp, list) and sp and "*" not in active and not (set(sp) & active):
            out[str(sname)] = [str(x) for x in sp]
    return out


def _load_file(p: Path, ctx: LoadContext, base_dir: Path, depth: int = 0) -> tuple[dict | None, Any]:
    """The file's canonical model, and with tracking its tracked (pre-normalisation) tree. Each document is
    loaded as compose loads a file (interpolation, ``extends`` within the document, ``include``), then merged
    into the ones before it as an override file is."""
    if depth > 20:
        ctx.problems.append(LoadProblem(f"include cycle or chain too deep at {p}", p, kind="include"))
        return None, None
    documents = read_documents(p, ctx)
    if documents is None:
        return None, None
    ctx.including.append(p.resolve())
    try:
        if len(documents) == 1:
            return _load_document(documents[0], p, ctx, base_dir, depth, None)
        model: dict = {}
        tracked = TrackedMap() if ctx.track else None
        for index, root in enumerate(documents):
            m, t = _load_document(root, p, ctx, base_dir, depth, index)
            merge_models(model, m)
            if tracked is not None and t is not None:
                merge_models(tracked, t)
        return model, tracked
    finally:
        ctx.including.pop()


def _load_document(root: Any, p: Path, ctx: LoadContext, base_dir: Path, depth: int,
                   document: int | None) -> tuple[dict, Any]:
    record_origins(root, (), p, ctx.origins)
    record_names(root, p, ctx)
    raw = to_plain(root) if ctx.track else None
    before = len(ctx.problems)
    interpolate(root, (), ctx, p)
    if len(ctx.problems) == before:
        _check_document(root, p, ctx)
    refused = len(ctx.problems) > before  # compose stops at its first error: no more from this document
    tracked = tracked_tree(root, raw, p, ctx) if ctx.track else None
    includes = root.pop("include", None)
    normalize.document(root, base_dir)
    services = root.get("services") or {}
    if isinstance(services, dict):
        for sname in list(services):
            svc = services[sname]
            if svc is None:
                svc = services[sname] = {}
            if isinstance(svc, dict) and "extends" in svc:
                tsvc = tracked["services"][sname] if tracked is not None else None
                services[sname], tsvc = resolve_extends(svc, sname, p, ctx, base_dir, depth, tsvc,
                                                        document=document)
                if tracked is not None:
                    tracked["services"][sname] = tsvc
        for sname, svc in services.items():
            if isinstance(svc, dict):
                normalize.keyed_list_origins(svc, ("services", sname), ctx.origins)
                try:
                    canonical_service(svc, base_dir)
                except (ValueError, TypeError, AttributeError, KeyError, IndexError) as e:
                    origin = ctx.origins.get(("services", sname))
                    if not refused:
                        ctx.problems.append(LoadProblem(f"services.{sname}: invalid value ({e})", p,
                                                        origin[1] if origin else Position(), kind="load"))
    if includes:
        try:
            apply_includes(root, includes, p, ctx, depth, tracked, _load_file)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as e:
            ctx.problems.append(LoadProblem(f"invalid include ({e})", p, kind="include"))
    return root, tracked

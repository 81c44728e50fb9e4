"""Load a compose project as ``docker compose config`` does: environment, interpolation, include, extends,
multi-file merge, normalisation. Problems are collected as values (:class:`LoadProblem`), never raised.
Its steps and tables are ported from compose-go v2.9.1's ``loader`` package (Apache License 2.0; see
THIRD_PARTY_NOTICES.md).

``load_project(files, env_files=None, project_dir=None, environ=None, profiles=None, reader=None,
track=False, label=None) -> ComposeProject``

* ``reader(path) -> bytes | str`` reads every file the load needs (compose files, ``extends``/``include``
  targets, env files); it raises ``OSError`` for a file it cannot or will not give (e.g. one outside the
  checked tree). The default reads the disk.
* ``track=True`` also keeps, beside the normalised model, the merged model before normalisation with the
  Origin of every entry (``ComposeProject.raw_model``) and the ``${...}`` that did not resolve
  (``ComposeProject.issues``); ``label(path)`` names files in those records (default ``str(path)``).
* ``env_files=[]`` means no env file at all (``None``: the project directory's ``.env`` when present).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Callable, Mapping

from dockyard.compose.model import ComposeProject, InterpolationIssue, LoadProblem, Origin
from dockyard.fsutil import NotRegularFile
from dockyard.model import Position

_NAME_BAD = re.compile(r"[^a-z0-9_-]")
_SERVICE_LISTS_TO_MAP = ("labels", "annotations")


def normalize_project_name(name: str) -> str:
    name = _NAME_BAD.sub("", name.lower())
    return name.lstrip("_-")


Reader = Callable[[Path], "bytes | str"]


def _disk(p: Path) -> bytes:
    from dockyard.fsutil import read_regular

    return read_regular(p)  # a pipe, a socket or a device named as an input is never opened


def _parse_env_data(data: bytes | str, lookup: Any) -> Any:
    from dockyard.parsers.dotenv import parse_env, parse_env_bytes

    return parse_env(data, lookup) if isinstance(data, str) else parse_env_bytes(data, lookup)


def _exists(p: Path, reader: Reader) -> bool:
    if reader is _disk:  # a pipe or a socket exists too: reading it then says what it is, without opening it
        return os.path.exists(p) and not os.path.isdir(p)
    try:
        reader(p)
    except OSError:
        return False
    return True


def read_env_files(paths: list[Path], environ: Mapping[str, str],
                   problems: list[LoadProblem] | None = None, reader: Reader | None = None) -> dict[str, str]:
    """Values of ``--env-file`` files (later files win); each file's expansions see the shell first,
    then earlier files (compose-go's GetEnvFromFile)."""
    reader = reader or _disk
    env: dict[str, str] = {}
    for p in paths:
        try:
            data = reader(Path(p))
        except OSError as e:
            if problems is not None:
                problems.append(LoadProblem(f"couldn't read env file {p}: {e.strerror}", Path(p), kind="env-file"))
            continue

        def lookup(k: str) -> str | None:
            v = environ.get(k)
            return v if v is not None else env.get(k)

        parsed = _parse_env_data(data, lookup)
        for err in parsed.errors:
            if problems is not None:
                problems.append(LoadProblem(f"failed to read {p}: {err.message}", Path(p),
                                            Position(err.line, err.column),
                                            kind="budget" if err.kind == "budget" else "env-file",
                                            redacted=f"failed to read {p}: {err.safe_message}"))
        env.update(parsed.as_dict())
    return env


class _Ctx:
    def __init__(self, environment: dict[str, str], problems: list[LoadProblem],
                 origins: dict, working_dir: Path, reader: Reader = _disk, track: bool = False,
                 label: Callable[[Path], str] = str, issues: list | None = None,
                 texts: dict | None = None) -> None:
        self.environment = environment
        self.problems = problems
        self.origins = origins
        self.working_dir = working_dir
        self.seen_files: set[Path] = set()
        self.reader = reader
        self.track = track
        self.label = label
        self.issues: list[InterpolationIssue] = [] if issues is None else issues
        self.texts: dict[Path, Any] = {} if texts is None else texts  # SourceFile per path (positions)
        # (services, name, key, named) -> (file, Position) of the list item naming a service or network
        self.names: dict[tuple, tuple[Path, Position]] = {}
        self.including: list[Path] = []  # the files being loaded, each included by the one before (resolved)
        self.cycles: set[frozenset] = set()  # include/extends cycles reported (one problem per cycle)

    def sub(self, environment: dict[str, str], working_dir: Path) -> "_Ctx":
        ctx = _Ctx(environment, self.problems, self.origins, working_dir, self.reader, self.track,
                   self.label, self.issues, self.texts)
        ctx.including, ctx.cycles = self.including, self.cycles
        return ctx

    def cycle(self, members: frozenset, message: str, file: Path, position: Position | None, kind: str) -> None:
        """Record an include or extends cycle once, however many of its members the load starts from: compose
        refuses the project (``include cycle detected``, ``Circular reference``)."""
        if members not in self.cycles:
            self.cycles.add(members)
            self.problems.append(LoadProblem(message, file, position or Position(), kind=kind))


def load_project(files: list[str | Path], env_files: list[str | Path] | None = None,
                 project_dir: str | Path | None = None, environ: Mapping[str, str] | None = None,
                 profiles: list[str] | None = None, reader: Reader | None = None, track: bool = False,
                 label: Callable[[Path], str] | None = None) -> ComposeProject:
    reader = reader or _disk
    environ = dict(os.environ if environ is None else environ)
    paths = [Path(f).absolute() for f in files]
    working_dir = Path(project_dir).absolute() if project_dir else (paths[0].parent if paths else Path.cwd())
    problems: list[LoadProblem] = []
    if env_files is not None:
        ef = [Path(e).absolute() for e in env_files]
    else:
        default = working_dir / ".env"
        ef = [default] if _exists(default, reader) else []
    file_env = read_env_files(ef, environ, problems, reader)
    environment = dict(file_env)
    environment.update(environ)  # the shell wins over env files
    origins: dict = {}
    ctx = _Ctx(environment, problems, origins, working_dir, reader, track, label or str)

    merged: dict = {}
    from dockyard.compose.merge import TrackedMap, merge_models

    raw_model = TrackedMap() if track else None
    for p in paths:
        model, tracked = _load_file(p, ctx, working_dir)
        if model is None:
            continue
        merge_models(merged, model)
        if tracked is not None:
            merge_models(raw_model, tracked)

    if profiles is None:
        cp = environment.get("COMPOSE_PROFILES", "")
        profiles = [x for x in cp.split(",") if x] if cp else []
    # COMPOSE_PROJECT_NAME (shell or .env) wins over the file's `name:`, as in docker compose
    name = environment.get("COMPOSE_PROJECT_NAME") or merged.get("name") or working_dir.name
    name = normalize_project_name(str(name))
    valid = not any(p.severity == "error" for p in problems)
    if valid:  # compose stops at its first error: the project is checked once every file loaded
        valid = _check_model(merged, ctx, paths)
    from dockyard.compose.validate import decode_refusal, defined_resources, project_refusal

    disabled, defined = _disabled_services(merged, profiles), defined_resources(merged)
    # compose decodes the model into its types (durations, sizes, extra hosts) before it normalises it
    services = merged.get("services")
    decoded = decode_refusal(services) if valid and isinstance(services, dict) else None
    try:
        _finalize(merged, name, working_dir, environment, profiles, problems, reader, origins)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as e:
        problems.append(LoadProblem(f"invalid project: {e}", paths[0] if paths else None, kind="load"))
    if valid and not any(p.severity == "error" for p in problems):
        _refuse(decoded or project_refusal(merged, disabled, defined), ctx, paths[0] if paths else None)
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


# --------------------------------------------------------------------------- per file


def _refuse(refusal: Any, ctx: _Ctx, file: Path | None) -> bool:
    """Record a :class:`dockyard.compose.validate.Refusal` as a problem located at what it names (the nearest
    recorded ancestor); True when there was none."""
    if refusal is None:
        return True
    target = tuple(refusal.path) + ((refusal.key,) if refusal.key is not None else ())
    origin = ctx.names.get(target)  # a service named in a list (`depends_on: [db]`): the item that names it
    while origin is None and target and target not in ctx.origins:
        target = target[:-1]
    origin = origin or ctx.origins.get(target)
    ctx.problems.append(LoadProblem(refusal.message, origin[0] if origin else file,
                                    origin[1] if origin else Position.whole_file(), kind=refusal.kind))
    return False


_NAMING_LISTS = ("depends_on", "links", "volumes_from", "networks", "models")


def _record_names(root: Any, file: Path, ctx: _Ctx) -> None:
    """Where each service's list form names another service or a network (``links: [db:database]`` names
    ``db``), for a refusal about that name to point at it."""
    from dockyard.parsers.yamlpos import YMap, YSeq

    services = root.get("services") if isinstance(root, YMap) else None
    for sname, svc in services.items() if isinstance(services, YMap) else ():
        for key in _NAMING_LISTS:
            items = svc.get(key) if isinstance(svc, YMap) else None
            for i, item in enumerate(items) if isinstance(items, YSeq) else ():
                pos = items.item_pos(i)
                if isinstance(item, str) and pos is not None:
                    ctx.names[("services", sname, key, item.partition(":")[0])] = (file, pos)


def _check_document(root: dict, p: Path, ctx: _Ctx) -> None:
    """What compose checks of each file once interpolated: the Compose Specification schema, then the short
    syntaxes it parses (volumes, ports, SSH keys)."""
    from dockyard.compose import validate

    # in compose's order: keys as strings, `extends`, the merge's unicity, the schema, then the short syntaxes
    for check in (validate.key_refusal, validate.extends_refusal, validate.unicity_refusal, validate.schema_refusal,
                  validate.document_spec_refusal):
        if not _refuse(check(root), ctx, p):
            return


def _check_model(merged: dict, ctx: _Ctx, paths: list[Path]) -> bool:
    """What compose checks of the merged model before normalising it: not empty, then ``validation.Validate``."""
    from dockyard.compose.validate import model_refusal

    if not any(k != "version" for k in merged):  # compose drops `version` before this check
        ctx.problems.append(LoadProblem("empty compose file", paths[0] if paths else None, kind="load"))
        return False
    return _refuse(model_refusal(merged), ctx, paths[0] if paths else None)


def _disabled_services(model: dict, profiles: list[str]) -> dict[str, list]:
    """The services that ``profiles`` leave out (name -> their profiles), as ``_finalize`` drops them."""
    services = model.get("services")
    active = set(profiles)
    out: dict[str, list] = {}
    for sname, svc in (services.items() if isinstance(services, dict) else ()):
        sp = svc.get("profiles") if isinstance(svc, dict) else None
        if isinstance(sp, list) and sp and "*" not in active and not (set(sp) & active):
            out[str(sname)] = [str(x) for x in sp]
    return out


def _record_origins(node: Any, path: tuple, file: Path, origins: dict) -> None:
    from dockyard.parsers.yamlpos import YMap, YSeq

    stack = [(node, path)]
    while stack:
        n, p = stack.pop()
        if isinstance(n, YMap):
            for k, v in n.items():
                kp = n.key_pos(k)
                vp = n.value_pos(k)
                if kp is not None and vp is not None:
                    origins[p + (k,)] = (file, Position(kp.line, kp.column, vp.end_line, vp.end_column))
                stack.append((v, p + (k,)))
        elif isinstance(n, YSeq):
            for i, v in enumerate(n):
                ip = n.item_pos(i)
                if ip is not None:
                    origins[p + (i,)] = (file, ip)
                stack.append((v, p + (i,)))


def _dotted(path: tuple) -> str:
    """A model path as compose-go's interpolation names it: list items are ``[]`` (``services.web.labels.[]``)."""
    return ".".join("[]" if type(x) is int else str(x) for x in path)


def _interpolate(node: Any, path: tuple, ctx: _Ctx, file: Path, vpos: Position | None = None,
                 record: bool = True, budget: Any = None) -> Any:
    """Substitute ``${...}`` in every value (never keys), in place for positioned containers. ``vpos`` is
    the position of ``node`` in ``file``; with tracking, unresolved references are recorded as issues.
    ``budget``: what the file's interpolation may still produce (a new one for a document's root): past it,
    one ``budget`` problem at the value that overdrew it, and the rest of the file is left as written."""
    from dockyard.parsers.interpolation import Budget, InterpolationError, substitute
    from dockyard.parsers.yamlpos import YMap, YSeq

    if budget is None:
        budget = Budget()

    if isinstance(node, str):
        if "$" not in node:
            cast = _cast_for(path)
            if cast is None:
                return node
            try:  # compose casts every string at a typed path (`cpus: "0.5"`, `!!str true`), interpolated or not
                return cast(node)
            except InterpolationError as e:
                origin = ctx.origins.get(path)
                ctx.problems.append(LoadProblem(e.compose_message(_dotted(path)), file,
                                                origin[1] if origin else Position(), kind="interpolation"))
                return node
        if budget.exhausted:
            return node  # the file's interpolation stopped at the value that overdrew the budget
        if ctx.track and record:
            _unset_references(node, ctx, file, vpos)
        try:
            value = substitute(node, ctx.environment.get, budget)
            cast = _cast_for(path)
            return value if cast is None else cast(value)
        except InterpolationError as e:
            origin = ctx.origins.get(path)
            dotted = _dotted(path)
            ctx.problems.append(LoadProblem(e.compose_message(dotted), file, origin[1] if origin else Position(),
                                            kind="budget" if e.kind == "budget" else "interpolation",
                                            redacted=e.safe_message(dotted)))
            if e.kind == "budget":
                return node
            if e.kind == "cast":
                return value  # well-formed and resolved; only its type is wrong
            if ctx.track and record:
                _failed_reference(node, e, ctx, file, vpos)
            return node
    if isinstance(node, YMap):
        for k in list(node.keys()):
            dict.__setitem__(node, k, _interpolate(node[k], path + (k,), ctx, file,
                                                   node.value_pos(k) or vpos, record, budget))
        return node
    if isinstance(node, YSeq):
        for i in range(len(node)):
            node[i] = _interpolate(node[i], path + (i,), ctx, file, node.item_pos(i) or vpos, record, budget)
        return node
    if isinstance(node, dict):
        return {k: _interpolate(v, path + (k,), ctx, file, vpos, record, budget) for k, v in node.items()}
    if isinstance(node, list):
        return [_interpolate(v, path + (i,), ctx, file, vpos, record, budget) for i, v in enumerate(node)]
    return node


def _go_int(name: str, bits: int) -> Callable[[str], int]:
    def cast(value: str) -> int:
        if re.fullmatch(r"[+-]?[0-9]+", value) is None:
            raise _cast_error(f'strconv.{name}: parsing "{value}": invalid syntax')
        n = int(value)
        if not -(1 << (bits - 1)) <= n < (1 << (bits - 1)):
            raise _cast_error(f'strconv.{name}: parsing "{value}": value out of range')
        return n
    return cast


def _go_float(value: str) -> float:
    if re.fullmatch(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", value) is None:
        raise _cast_error(f'strconv.ParseFloat: parsing "{value}": invalid syntax')
    return float(value)


def _go_bool(value: str) -> bool:
    low = value.lower()
    if low in ("y", "yes", "true", "on"):
        return True
    if low in ("n", "no", "false", "off"):
        return False
    raise _cast_error(f"invalid boolean: {value}")


def _cast_error(message: str) -> Exception:
    from dockyard.parsers.interpolation import InterpolationError

    return InterpolationError(f"failed to cast to expected type: {message}", kind="cast")


# compose-go's interpolateTypeCastMapping: after interpolation, these values take the schema's type
# ("*" any key, "[]" any list index). Byte sizes and durations are normalised later by _finalize.
_TO_INT, _TO_INT64 = _go_int("Atoi", 64), _go_int("ParseInt", 64)
_CASTS: tuple[tuple[tuple[str, ...], Callable[[str], Any]], ...] = tuple(
    [(("services", "*") + tuple(k.split(".")), c) for k, c in (
        ("cpu_count", _TO_INT64), ("cpu_percent", _go_float), ("cpu_period", _TO_INT64), ("cpu_quota", _TO_INT64),
        ("cpu_rt_period", _TO_INT64), ("cpu_rt_runtime", _TO_INT64), ("cpus", _go_float), ("cpu_shares", _TO_INT64),
        ("init", _go_bool), ("deploy.replicas", _TO_INT), ("deploy.update_config.parallelism", _TO_INT),
        ("deploy.update_config.max_failure_ratio", _go_float), ("deploy.rollback_config.parallelism", _TO_INT),
        ("deploy.rollback_config.max_failure_ratio", _go_float), ("deploy.restart_policy.max_attempts", _TO_INT),
        ("deploy.placement.max_replicas_per_node", _TO_INT), ("healthcheck.retries", _TO_INT),
        ("healthcheck.disable", _go_bool), ("oom_kill_disable", _go_bool), ("oom_score_adj", _TO_INT64),
        ("pids_limit", _TO_INT64), ("privileged", _go_bool), ("read_only", _go_bool), ("scale", _TO_INT),
        ("stdin_open", _go_bool), ("tty", _go_bool), ("ulimits.*", _TO_INT), ("ulimits.*.hard", _TO_INT),
        ("ulimits.*.soft", _TO_INT), ("volumes.[].read_only", _go_bool), ("volumes.[].volume.nocopy", _go_bool),
    )]
    + [((kind, "*", key), _go_bool) for kind, key in (
        ("networks", "external"), ("networks", "internal"), ("networks", "attachable"), ("networks", "enable_ipv6"),
        ("volumes", "external"), ("secrets", "external"), ("configs", "external"),
    )]
)


_CASTS_BY_LENGTH: dict[int, list] = {}
for _pattern, _cast in _CASTS:
    _CASTS_BY_LENGTH.setdefault(len(_pattern), []).append((_pattern, _cast))


def _cast_for(path: tuple) -> Callable[[str], Any] | None:
    for pattern, cast in _CASTS_BY_LENGTH.get(len(path), ()):
        if len(pattern) == len(path) and all(
                p == "*" and not isinstance(x, int) or p == "[]" and isinstance(x, int) or p == x
                for p, x in zip(pattern, path)):
            return cast
    return None


def _locate(ctx: _Ctx, file: Path, vpos: Position | None, text: str, start: int, end: int) -> Position:
    from dockyard.compose.model import locate

    vpos = vpos or Position()
    sf = ctx.texts.get(file)
    return locate(sf, vpos, text, start, end) if sf is not None else vpos


def _unset_references(text: str, ctx: _Ctx, file: Path, vpos: Position | None) -> None:
    from dockyard.parsers.interpolation import scan

    for ref in scan(text).refs:
        if ref.operator == "" and ref.depth == 0 and ref.name not in ctx.environment:
            ctx.issues.append(InterpolationIssue(
                "unset", ref.name, f"The {ref.name!r} variable is not set. Defaulting to a blank string.",
                ctx.label(file), _locate(ctx, file, vpos, text, ref.start, ref.end)))


def _failed_reference(text: str, err: Any, ctx: _Ctx, file: Path, vpos: Position | None) -> None:
    from dockyard.parsers.interpolation import scan

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


# --------------------------------------------------------------------------- the tracked (raw) layer


def _track(node: Any, raw: Any, file: str, pos: Position) -> Any:
    """An interpolated positioned tree as TrackedMap/TrackedSeq whose entries carry their Origin (``raw``
    is the same tree before interpolation)."""
    from dockyard.compose.merge import TrackedMap, TrackedSeq
    from dockyard.parsers.yamlpos import YMap, YSeq

    if isinstance(node, dict):
        out = TrackedMap()
        tags = getattr(node, "tags", None)
        if tags:
            out.tags = dict(tags)
        for k, v in node.items():
            kp = (node.key_pos(k) if isinstance(node, YMap) else None) or pos
            vp = (node.value_pos(k) if isinstance(node, YMap) else None) or kp
            r = raw.get(k) if isinstance(raw, dict) else None
            out[k] = _track(v, r, file, kp)
            o = Origin(file, kp, vp, r)
            out.prov[k] = (o, o)
        return out
    if isinstance(node, list):
        seq = TrackedSeq()
        for i, v in enumerate(node):
            ip = (node.item_pos(i) if isinstance(node, YSeq) else None) or pos
            r = raw[i] if isinstance(raw, list) and i < len(raw) else None
            seq.append(_track(v, r, file, ip))
            o = Origin(file, ip, ip, r)
            seq.prov.append((o, o))
        return seq
    return node


def _kv_map(seq: Any, sep: str = "=") -> Any:
    """``["A=1", "B"]`` -> ``{"A": "1", "B": None}``, each entry keeping its item's origin."""
    from dockyard.compose.merge import TrackedMap, TrackedSeq

    if not isinstance(seq, TrackedSeq):
        return seq
    out = TrackedMap()
    for item, prov in zip(seq, seq.prov):
        if isinstance(item, str):
            k, s, v = item.partition(sep)
            k = k.strip()
            out[k] = v if s else None
            out.prov[k] = prov
        elif isinstance(item, TrackedMap):  # odd input: keep it visible
            out.update(item)
            out.prov.update(item.prov)
    return out


def _name_map(seq: Any, condition: bool) -> Any:
    """``["a", "b"]`` -> ``{"a": ..., "b": ...}`` (depends_on with its default condition, networks)."""
    from dockyard.compose.merge import TrackedMap, TrackedSeq

    if not isinstance(seq, TrackedSeq):
        return seq
    out = TrackedMap()
    for item, prov in zip(seq, seq.prov):
        if isinstance(item, str):
            value = None
            if condition:
                value = TrackedMap({"condition": "service_started"})
                value.prov["condition"] = prov
            out[item] = value
            out.prov[item] = prov
    return out


def _shape_service(svc: Any) -> None:
    """Compose's shapes without changing values: list forms of ``environment``/``labels``/``annotations``/
    ``build.args`` as mappings, ``depends_on``/``networks`` as mappings, ``env_file`` a list, ``build`` a
    mapping."""
    from dockyard.compose.merge import TrackedMap, TrackedSeq

    if not isinstance(svc, TrackedMap):
        return
    for key in ("environment", "labels", "annotations"):
        if key in svc:
            svc[key] = _kv_map(svc[key])
    if "depends_on" in svc:
        svc["depends_on"] = _name_map(svc["depends_on"], True)
    if "networks" in svc:
        svc["networks"] = _name_map(svc["networks"], False)
    if isinstance(svc.get("env_file"), str):
        seq = TrackedSeq([svc["env_file"]])
        seq.prov.append(svc.prov["env_file"])
        svc["env_file"] = seq
    build = svc.get("build")
    if isinstance(build, str):
        m = TrackedMap({"context": build})
        m.prov["context"] = svc.prov["build"]
        svc["build"] = m
    elif isinstance(build, TrackedMap) and "args" in build:
        build["args"] = _kv_map(build["args"])


def _tracked_tree(root: Any, raw: Any, file: Path, ctx: _Ctx) -> Any:
    tracked = _track(root, raw, ctx.label(file), Position())
    tracked.pop("include", None)
    services = tracked.get("services")
    if isinstance(services, dict):
        for svc in services.values():
            _shape_service(svc)
    return tracked


def _read_documents(p: Path, ctx: _Ctx) -> list | None:
    """The documents of a compose file, each a mapping, in order: compose reads every document of a file and
    merges them as if they were files given one after the other. None when the file cannot be read or parsed, or
    a document is not a mapping (compose's "Top-level object must be a mapping", an empty ``---`` document too);
    the problems are recorded. A file with no document at all reads as an empty mapping."""
    from dockyard.parsers.yamlpos import YMap, load_yaml, load_yaml_bytes

    try:
        data = ctx.reader(p)
    except OSError as e:
        reason = e.strerror or "no such file or directory"  # as Go words it: `no such file or directory`
        ctx.problems.append(LoadProblem(f"open {p}: {reason[:1].lower()}{reason[1:]}", p, kind="load"))
        return None
    doc = load_yaml(data) if isinstance(data, str) else load_yaml_bytes(data)
    if ctx.track and p not in ctx.texts:
        from dockyard.source import SourceFile

        text = data if isinstance(data, str) else _decoded(data)
        ctx.texts[p] = SourceFile.from_text(str(p), text, "compose")
    for err in doc.errors:
        ctx.problems.append(LoadProblem(err.message, p, err.position, kind="yaml"))
    if not doc.ok:
        return None
    if not doc.documents:
        return [YMap()]
    for root, pos in zip(doc.documents, doc.positions):
        if not isinstance(root, dict):
            ctx.problems.append(LoadProblem("Top-level object must be a mapping", p, pos, kind="yaml"))
            return None
    return list(doc.documents)


def _decoded(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    return data.decode("utf-8-sig", "replace")


def _read_yaml(p: Path, ctx: _Ctx, document: int | None = None) -> Any:
    """One document of a compose file (``document``), or the whole file: its documents merged in order."""
    documents = _read_documents(p, ctx)
    if documents is None:
        return None
    if document is not None and document < len(documents):
        return documents[document]
    root = documents[0]
    for extra in documents[1:]:
        from dockyard.compose.merge import merge_models

        merge_models(root, extra)
    return root


def _load_file(p: Path, ctx: _Ctx, base_dir: Path, depth: int = 0) -> tuple[dict | None, Any]:
    """The file's canonical model, and with tracking its tracked (pre-normalisation) tree. Each document is
    loaded as compose loads a file (interpolation, ``extends`` within the document, ``include``), then merged
    into the ones before it as an override file is."""
    if depth > 20:
        ctx.problems.append(LoadProblem(f"include cycle or chain too deep at {p}", p, kind="include"))
        return None, None
    documents = _read_documents(p, ctx)
    if documents is None:
        return None, None
    ctx.including.append(p.resolve())
    try:
        if len(documents) == 1:
            return _load_document(documents[0], p, ctx, base_dir, depth, None)
        from dockyard.compose.merge import TrackedMap, merge_models

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


def _load_document(root: Any, p: Path, ctx: _Ctx, base_dir: Path, depth: int,
                   document: int | None) -> tuple[dict, Any]:
    _record_origins(root, (), p, ctx.origins)
    _record_names(root, p, ctx)
    if ctx.track:
        from dockyard.parsers.yamlpos import to_plain

        raw = to_plain(root)
    before = len(ctx.problems)
    _interpolate(root, (), ctx, p)
    if len(ctx.problems) == before:
        _check_document(root, p, ctx)
    refused = len(ctx.problems) > before  # compose stops at its first error: no more from this document
    tracked = _tracked_tree(root, raw, p, ctx) if ctx.track else None
    includes = root.pop("include", None)
    from dockyard.compose import normalize

    normalize.document(root, base_dir)
    services = root.get("services") or {}
    if isinstance(services, dict):
        for sname in list(services):
            svc = services[sname]
            if svc is None:
                svc = services[sname] = {}
            if isinstance(svc, dict) and "extends" in svc:
                tsvc = tracked["services"][sname] if tracked is not None else None
                services[sname], tsvc = _resolve_extends(svc, sname, p, ctx, base_dir, depth, tsvc,
                                                         document=document)
                if tracked is not None:
                    tracked["services"][sname] = tsvc
        for sname, svc in services.items():
            if isinstance(svc, dict):
                normalize.keyed_list_origins(svc, ("services", sname), ctx.origins)
                try:
                    _canonical_service(svc, base_dir, ctx)
                except (ValueError, TypeError, AttributeError, KeyError, IndexError) as e:
                    origin = ctx.origins.get(("services", sname))
                    if not refused:
                        ctx.problems.append(LoadProblem(f"services.{sname}: invalid value ({e})", p,
                                                        origin[1] if origin else Position(), kind="load"))
    if includes:
        try:
            _apply_includes(root, includes, p, ctx, depth, tracked)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as e:
            ctx.problems.append(LoadProblem(f"invalid include ({e})", p, kind="include"))
    return root, tracked


def _without_extends(tsvc: Any) -> Any:
    if isinstance(tsvc, dict) and "extends" in tsvc:
        tsvc.pop("extends")
        getattr(tsvc, "prov", {}).pop("extends", None)
    return tsvc


def _resolve_extends(svc: dict, sname: str, file: Path, ctx: _Ctx, base_dir: Path, depth: int,
                     tsvc: Any = None, document: int | None = None, chain: tuple = ()) -> tuple[dict, Any]:
    """``document``: which document of ``file`` the service is in (an extends without ``file:`` names a
    service of that document, as compose loads each document on its own); None for the whole file.
    ``chain``: the ``(file, service)`` pairs whose ``extends`` led here (a cycle is reported once)."""
    try:
        return _resolve_extends_inner(svc, sname, file, ctx, base_dir, depth, tsvc, document, chain)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as e:
        ctx.problems.append(LoadProblem(f"services.{sname}: invalid extends ({e})", file, kind="extends"))
        svc.pop("extends", None)
        return svc, _without_extends(tsvc)


def _resolve_extends_inner(svc: dict, sname: str, file: Path, ctx: _Ctx, base_dir: Path, depth: int,
                           tsvc: Any = None, document: int | None = None, chain: tuple = ()) -> tuple[dict, Any]:
    from dockyard.compose.merge import merge_models, merge_service
    from dockyard.parsers.yamlpos import YMap, to_plain

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
    if target is None:  # `extends.<name>.service is required`: _check_document reports it
        return svc, tsvc
    ext_file = Path(ext["file"]) if ext.get("file") else None
    if ext_file is not None:
        ext_path = (file.parent / ext_file).resolve() if not ext_file.is_absolute() else ext_file
        root = _read_yaml(ext_path, ctx)
        if root is None:
            return svc, tsvc
        _record_origins(root, ("__extends__", str(ext_path)), ext_path, ctx.origins)
        raw_root = to_plain(root) if tsvc is not None else None
        _interpolate(root, (), ctx, ext_path, record=False)
        src_file, src_dir = ext_path, ext_path.parent
    else:
        root = None
        src_file, src_dir = file, base_dir
    services = (root if root is not None else {}).get("services") or {}
    if root is None:
        # same-file extends: re-read the file's services (already interpolated copy)
        r2 = _read_yaml(file, ctx, document)
        if r2 is None:
            return svc, tsvc
        raw_root = to_plain(r2) if tsvc is not None else None
        _interpolate(r2, (), ctx, file, record=False)
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
        tbase = _track(base, raw_base, ctx.label(src_file), Position())
        _shape_service(tbase)
    if (src_file.resolve(), target) in chain:  # compose: `Circular reference:`, one service a line
        start = chain.index((src_file.resolve(), target))
        loop = chain[start:] + ((src_file.resolve(), target),)
        message = "Circular reference: " + " extends ".join(f"{s} in {ctx.label(f)}" for f, s in loop)
        ctx.cycle(frozenset(loop), message, file, where or (ctx.origins.get(("services", sname, "extends"),
                                                                           (None, None))[1]), "extends")
        return svc, tsvc
    if "extends" in base:
        base, tbase = _resolve_extends(base, target, src_file, ctx, src_dir, depth + 1, tbase,
                                       document=document if ext_file is None else None, chain=chain)
    if tsvc is not None and tbase is not None:
        tsvc = merge_service(tbase, tsvc, sname)
    import copy

    base = copy.deepcopy(base)
    _canonical_service(base, src_dir, ctx)
    _canonical_service(svc, ctx.working_dir, ctx)
    wrapped = {"services": {sname: base}}
    merge_models(wrapped, {"services": {sname: svc}})
    return wrapped["services"][sname], tsvc


def _apply_includes(root: dict, includes: Any, file: Path, ctx: _Ctx, depth: int, tracked: Any = None) -> None:
    from dockyard.compose.merge import merge_models

    from dockyard.parsers.yamlpos import YMap, YSeq

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
            [inc_dir / ".env"] if _exists(inc_dir / ".env", ctx.reader) else [])
        # the included project's variables: the parent's environment wins over its env files
        env = read_env_files(env_paths, ctx.environment, ctx.problems, ctx.reader)
        env.update(ctx.environment)
        sub = ctx.sub(env, inc_dir)
        model: dict = {}
        tmodel: dict = {}
        for f in inc_files:
            m, t = _load_file(f, sub, inc_dir, depth + 1)
            if m is not None:
                merge_models(model, m)
            if t is not None:
                merge_models(tmodel, t)
        if tracked is not None:
            _include_sections(tracked, tmodel)
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


def _include_sections(tracked: Any, tmodel: dict) -> None:
    from dockyard.compose.merge import TrackedMap

    for section in ("services", "networks", "volumes", "secrets", "configs"):
        src = tmodel.get(section)
        if not isinstance(src, dict) or not src:
            continue
        dst = tracked.get(section)
        if not isinstance(dst, TrackedMap):
            dst = tracked[section] = TrackedMap()
            if section in getattr(tmodel, "prov", {}):
                tracked.prov[section] = tmodel.prov[section]
        for k, v in src.items():
            if k not in dst:
                dst[k] = v
                if k in getattr(src, "prov", {}):
                    dst.prov[k] = src.prov[k]


# --------------------------------------------------------------------------- canonical forms


def _abs(path: str, base: Path) -> str:
    if path.startswith("~"):
        path = os.path.expanduser(path)
    p = Path(path)
    if not p.is_absolute():
        p = base / p
    return os.path.normpath(str(p))


def _is_url_context(ctx: str) -> bool:
    return "://" in ctx or ctx.startswith("git@") or ctx.startswith("github.com/")


def _list_to_map(value: Any, sep: str = "=", missing: Any = "") -> dict:
    if isinstance(value, dict):  # a null value is what an item without `=` is (`""` for labels)
        return {str(k): missing if v is None else _scalar_str(v) for k, v in value.items()}
    out: dict = {}
    for item in value or []:
        s = str(item)
        if sep in s:
            k, _, v = s.partition(sep)
            out[k] = v
        else:
            out[s] = missing
    return out


def _scalar_str(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return go_float(v)
    return str(v)


def go_float(v: float) -> str:
    """A float as compose writes it into a string (Go's ``strconv.FormatFloat(v, 'g', -1, 64)``): the shortest
    digits, in exponent form below 1e-4 and from 1e6 (``1e+06``, ``1.5e-05``), ``+Inf``, ``-Inf``, ``NaN``."""
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "+Inf" if v > 0 else "-Inf"
    if v == 0:
        return "-0" if str(v).startswith("-") else "0"
    from decimal import Decimal

    sign, digits, exponent = Decimal(repr(v)).normalize().as_tuple()
    text = "".join(map(str, digits))
    point = len(text) + exponent  # where the decimal point falls in the digits
    minus = "-" if sign else ""
    if point - 1 < -4 or point - 1 >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{minus}{mantissa}e{'-' if point - 1 < 0 else '+'}{abs(point - 1):02d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{text}"
    if point >= len(text):
        return minus + text + "0" * (point - len(text))
    return f"{minus}{text[:point]}.{text[point:]}"


def _canonical_service(svc: dict, base: Path, ctx: _Ctx) -> None:
    from dockyard.compose import normalize

    if isinstance(svc.get("environment"), list):
        env: dict = {}
        for item in svc["environment"]:
            s = str(item)
            if "=" in s:
                k, _, v = s.partition("=")
                env[k] = v
            else:
                env[s] = None
        svc["environment"] = env
    elif isinstance(svc.get("environment"), dict):
        svc["environment"] = {str(k): _scalar_str(v) for k, v in svc["environment"].items()}
    for key in _SERVICE_LISTS_TO_MAP:
        if key in svc and svc[key] is not None:
            svc[key] = _list_to_map(svc[key])
    if "ports" in svc and isinstance(svc["ports"], list):
        ports: list = []
        for p in svc["ports"]:
            ports.extend(_parse_port(p))
        svc["ports"] = ports
    if "depends_on" in svc:
        svc["depends_on"] = _depends_on(svc["depends_on"])
    if isinstance(svc.get("networks"), list):
        svc["networks"] = {str(n): None for n in svc["networks"]}
    build = svc.get("build")
    if isinstance(build, str):
        svc["build"] = build = {"context": build}
    if isinstance(build, dict):
        c = str(build.get("context", "."))
        build["context"] = c if _is_url_context(c) else _abs(c, base)
        if "args" in build:
            build["args"] = _list_to_map(build["args"], missing=None)
        if "labels" in build:
            build["labels"] = _list_to_map(build["labels"])
    if "env_file" in svc:
        ef = svc["env_file"]
        items = [ef] if isinstance(ef, (str, dict)) else list(ef or [])
        norm = []
        for it in items:
            if isinstance(it, str):
                norm.append({"path": _abs(it, base), "required": True})
            elif isinstance(it, dict):
                d = dict(it)
                d["path"] = _abs(str(d.get("path", "")), base)
                d.setdefault("required", True)
                norm.append(d)
        svc["env_file"] = norm
    hc = svc.get("healthcheck")
    if isinstance(hc, dict) and isinstance(hc.get("test"), str):
        hc["test"] = ["CMD-SHELL", hc["test"]]
    for key in ("secrets", "configs"):
        if isinstance(svc.get(key), list):
            svc[key] = [{"source": s} if isinstance(s, str) else s for s in svc[key]]
    develop = svc.get("develop")
    if isinstance(develop, dict) and isinstance(develop.get("watch"), list):
        for watch in develop["watch"]:
            if isinstance(watch, dict):
                if "path" in watch:
                    watch["path"] = _abs(str(watch["path"]), base)
                watch.setdefault("exec", {"command": None})
    normalize.service(svc, base)


def _depends_on(value: Any) -> dict:
    out: dict = {}
    if isinstance(value, list):
        for name in value:
            out[str(name)] = {"condition": "service_started", "required": True}
        return out
    for name, spec in (value or {}).items():
        spec = dict(spec or {})
        spec.setdefault("condition", "service_started")
        spec.setdefault("required", True)
        out[str(name)] = spec
    return out


def _port_range(text: str) -> list[int] | None:
    if not text:
        return None
    if "-" in text:
        a, _, b = text.partition("-")
        return list(range(int(a), int(b) + 1))
    return [int(text)]


def _parse_port(p: Any) -> list[dict]:
    if isinstance(p, dict):
        d = dict(p)
        d.setdefault("mode", "ingress")
        d.setdefault("protocol", "tcp")
        if "target" in d:
            d["target"] = int(d["target"])
        if d.get("published") is not None:
            d["published"] = str(d["published"])
        return [d]
    s = str(p)
    proto = "tcp"
    if "/" in s:
        s, _, proto = s.rpartition("/")
    host_ip = None
    if s.startswith("["):
        end = s.index("]")
        host_ip, s = s[1:end], s[end + 2:]
    parts = s.split(":")
    if len(parts) == 3:
        host_ip, published, target = parts
    elif len(parts) == 2:
        published, target = parts
    else:
        published, target = "", parts[0]
    targets = _port_range(target) or []
    pubs = _port_range(published) if published else None
    out = []
    for i, t in enumerate(targets):
        d: dict = {"mode": "ingress"}
        if host_ip:
            d["host_ip"] = host_ip
        d["target"] = t
        if pubs is not None:
            if len(pubs) == len(targets):
                d["published"] = str(pubs[i])
            elif len(targets) == 1:
                d["published"] = published
            else:
                d["published"] = str(pubs[i]) if i < len(pubs) else published
        d["protocol"] = proto
        out.append(d)
    return out


# --------------------------------------------------------------------------- finalisation

_UNITS = {"b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3,
          "t": 1024**4, "tb": 1024**4}
_DUR = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_DURATION = re.compile(r"(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+")  # Go's time.ParseDuration
_DUR_NS = {"ns": 1, "us": 10**3, "µs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


def _bytes(v: Any) -> Any:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(int(v))
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(v))
    if not m or m.group(2).lower() not in _UNITS and m.group(2):
        return v
    return str(int(float(m.group(1)) * _UNITS.get(m.group(2).lower(), 1)))


def go_duration(text: Any) -> Any:
    """Reformat a duration the way Go's time.Duration prints it (``90s`` -> ``1m30s``)."""
    if not isinstance(text, str):
        return text
    s = text.strip()
    if not s or not _DURATION.fullmatch(s):
        return text
    total = 0.0
    for num, unit in _DUR.findall(s):
        total += float(num) * _DUR_NS[unit]
    ns = int(round(total))
    if ns == 0:
        return "0s"
    if ns < 10**9:
        for unit, size in (("ms", 10**6), ("µs", 10**3), ("ns", 1)):
            if ns >= size:
                v = ns / size
                return (f"{v:.9f}".rstrip("0").rstrip(".")) + unit
    h, rem = divmod(ns, 3600 * 10**9)
    m, rem = divmod(rem, 60 * 10**9)
    secs = rem / 10**9
    sec_txt = f"{secs:.9f}".rstrip("0").rstrip(".") + "s"
    out = ""
    if h:
        out += f"{h}h"
    if h or m:
        out += f"{m}m"
    return out + sec_txt


def _finalize(model: dict, name: str, working_dir: Path, environment: dict, profiles: list[str],
              problems: list[LoadProblem], reader: Reader = _disk, origins: dict | None = None) -> None:
    import shlex

    from dockyard.compose import normalize

    model["name"] = name
    model.pop("version", None)  # obsolete; compose warns and leaves it out
    services = model.get("services") or {}
    active = set(profiles)
    for sname in list(services):
        svc = services[sname]
        if not isinstance(svc, dict):
            continue
        sp = svc.get("profiles")
        if sp and "*" not in active and not (set(sp) & active):
            del services[sname]
    default_net_needed = False
    for sname, svc in services.items():
        if not isinstance(svc, dict):
            continue
        # env_file values, overridden by environment
        env_from_files: dict = {}
        for ef in svc.pop("env_file", None) or []:
            path = Path(ef["path"])
            try:
                data = reader(path)
            except NotRegularFile as exc:
                problems.append(LoadProblem(f"env file {path}: {exc.strerror}", path, kind="env-file"))
                continue
            except OSError:
                if ef.get("required", True):
                    problems.append(LoadProblem(f"env file {path} not found: stat {path}: no such file or "
                                                f"directory", path, kind="env-file"))
                continue
            if ef.get("format") not in (None, "", ".env"):  # docker compose registers one more: `raw`
                try:
                    env_from_files.update(normalize.raw_env_file(data, environment.get, ef["format"]))
                except ValueError as e:
                    problems.append(LoadProblem(f"failed to parse env_file {path}: {e}", path, kind="env-file"))
                continue
            parsed = _parse_env_data(data, environment.get)
            for err in parsed.errors:
                problems.append(LoadProblem(f"failed to read {path}: {err.message}", path,
                                            Position(err.line, err.column),
                                            kind="budget" if err.kind == "budget" else "env-file",
                                            redacted=f"failed to read {path}: {err.safe_message}"))
            env_from_files.update(parsed.as_dict())
        env = svc.get("environment")
        if env_from_files or env is not None:
            merged_env = dict(env_from_files)
            for k, v in (env or {}).items():
                if v is None:
                    v = environment.get(k)
                    if v is None and k in env_from_files:
                        continue
                merged_env[k] = v
            svc["environment"] = merged_env
        for key in ("command", "entrypoint"):
            v = svc.get(key)
            if isinstance(v, str):
                try:
                    svc[key] = shlex.split(v)
                except ValueError:
                    svc[key] = v.split()
            elif key not in svc:
                svc[key] = None
        if "networks" not in svc and "network_mode" not in svc and "provider" not in svc:
            svc["networks"] = {"default": None}
        if isinstance(svc.get("networks"), dict) and "default" in svc["networks"]:
            default_net_needed = True
        hc = svc.get("healthcheck")
        if isinstance(hc, dict):
            for k in ("interval", "timeout", "start_period", "start_interval"):
                if k in hc:
                    hc[k] = go_duration(hc[k])
        for k in ("stop_grace_period",):
            if k in svc:
                svc[k] = go_duration(svc[k])
        deploy = svc.get("deploy")
        if isinstance(deploy, dict):
            res = deploy.get("resources")
            if isinstance(res, dict):
                for part in ("limits", "reservations"):
                    r = res.get(part)
                    if isinstance(r, dict):
                        if "cpus" in r:
                            try:
                                r["cpus"] = float(r["cpus"])
                            except (TypeError, ValueError):
                                pass
                        if "memory" in r:
                            r["memory"] = _bytes(r["memory"])
            deploy.setdefault("placement", {})
            deploy.setdefault("resources", {})
        for key in ("mem_limit", "mem_reservation", "memswap_limit", "shm_size"):
            if key in svc:
                svc[key] = _bytes(svc[key])
        # boolean flags compose omits when false (`omitempty` in compose-go's types)
        _drop_false(svc, ("privileged", "read_only", "tty", "stdin_open", "oom_kill_disable"))
        if isinstance(hc, dict):
            _drop_false(hc, ("disable",))
        for vol in svc.get("volumes") or []:
            if isinstance(vol, dict):
                _drop_false(vol, ("read_only",))
                if isinstance(vol.get("volume"), dict):
                    _drop_false(vol["volume"], ("nocopy",))
    normalize.finalize(model, environment, origins, reader)
    nets = model.get("networks")
    if default_net_needed:
        nets = model.setdefault("networks", {}) if nets is not None else model.setdefault("networks", {})
        if nets is None:
            nets = model["networks"] = {}
        nets.setdefault("default", None)
    _prune_unused(model)
    for kind in ("networks", "volumes"):
        section = model.get(kind)
        if not isinstance(section, dict):
            continue
        for key in list(section):
            spec = section[key]
            spec = dict(spec) if isinstance(spec, dict) else {}
            _drop_false(spec, ("external", "internal", "attachable"))
            if spec.get("external"):
                spec.setdefault("name", key)
            else:
                spec.setdefault("name", f"{name}_{key}")
            if kind == "networks":
                spec.setdefault("ipam", {})
            section[key] = spec
    for kind in ("secrets", "configs"):
        section = model.get(kind)
        if isinstance(section, dict):
            for key, spec in section.items():
                if isinstance(spec, dict):
                    if "file" in spec:
                        spec["file"] = _abs(str(spec["file"]), working_dir)
                    _drop_false(spec, ("external",))
                    spec.setdefault("name", key if spec.get("external") else f"{name}_{key}")
    for svc in (model.get("services") or {}).values():  # a service's secret is mounted at /run/secrets/<name>
        for item in (svc.get("secrets") or ()) if isinstance(svc, dict) else ():
            if isinstance(item, dict) and isinstance(item.get("source"), str) and "target" not in item:
                item["target"] = f"/run/secrets/{item['source']}"


def _drop_false(mapping: dict, keys: tuple[str, ...]) -> None:
    for key in keys:
        if mapping.get(key) is False:
            del mapping[key]


def _prune_unused(model: dict) -> None:
    """compose-go's WithoutUnnecessaryResources: drop networks/volumes/secrets/configs no enabled service
    uses."""
    used: dict[str, set] = {"networks": set(), "volumes": set(), "secrets": set(), "configs": set()}
    for svc in (model.get("services") or {}).values():
        if not isinstance(svc, dict):
            continue
        used["networks"].update((svc.get("networks") or {}).keys())
        for v in svc.get("volumes") or []:
            if isinstance(v, dict) and v.get("type") == "volume" and v.get("source"):
                used["volumes"].add(v["source"])
        build = svc.get("build") if isinstance(svc.get("build"), dict) else {}
        for kind, items in (("secrets", svc.get("secrets")), ("configs", svc.get("configs")),
                            ("secrets", build.get("secrets"))):
            for s in items or []:
                if isinstance(s, dict) and s.get("source"):
                    used[kind].add(s["source"])
    for kind, names in used.items():
        section = model.get(kind)
        if isinstance(section, dict):
            for key in list(section):
                if key not in names:
                    del section[key]
            if not section:
                del model[kind]

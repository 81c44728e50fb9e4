"""One merged, interpolated view per environment, for the environment-scoped rules.

``environment_contexts(project)`` yields one :class:`dockyard.rules.base.Context` per discovered environment,
with ``ctx.environment`` an :class:`EnvironmentView`. The views are computed once per run (``project.memo``).

An environment is a name with its compose files (a base file plus that environment's override, in order) and
its env file (``.env.<name>``, falling back to ``.env.<name>.example``). They come from the project config
(``[environments]``) when it names any, otherwise from the file-name conventions::

    docker-compose.base.yml + docker-compose.<env>.yml      compose.yaml + compose.<env>.yaml

When neither convention matches, a lone ``compose.yaml`` / ``docker-compose.yml`` (with compose's
``docker-compose.override.yml`` if present) is checked as one environment called ``default``, so that a
project with a single compose file still has its services checked.

What the view models: compose interpolates each file (values only, never keys) with the *interpolation
environment*, then merges the files in order (mappings deep-merge; ``command``/``entrypoint``/
``healthcheck.test`` replace; ``environment``/``labels``/``build.args``/``depends_on``/``networks`` merge by key;
service ``volumes`` merge by target; ``env_file`` and other lists append without duplicates; ``logging``
options merge only when the driver is unchanged; ``!reset`` removes, ``!override`` replaces). The
interpolation environment is the environment's env file, as ``docker compose --env-file .env.<name>`` reads
it (the project ``.env`` when the environment has no env file); the shell environment is never consulted, so
results do not depend on the machine running the check.

If ``dockyard.compose.environments`` / ``dockyard.compose.merge`` provide discovery and merging, this module
is where they are adapted; until then the small implementation below is used.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any, Iterator

from dockyard.model import Position
from dockyard.source import FileKind, SourceFile

DEVELOPMENT_NAMES = frozenset({"dev", "development", "local", "develop"})
PRODUCTION_NAMES = frozenset({"prod", "production", "live"})
_EXTS = (".yml", ".yaml")
_MAX_EXTENDS = 10


# -- records ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Origin:
    """Where a value of the merged model was written.

    ``path``: the compose file (relative POSIX path); ``key``: the position of the mapping key (for a list
    item, of the item); ``value``: the position of the value; ``raw``: the value as written, before
    interpolation (plain ``dict``/``list``/scalars), e.g. ``"${API_PORT:-8000}:8000"``.
    """

    path: str
    key: Position
    value: Position
    raw: Any = None


@dataclass(frozen=True, slots=True)
class InterpolationIssue:
    """A ``${...}`` compose would not resolve for this environment.

    ``kind``: ``"required"`` (a ``?``/``:?`` variable is missing; compose refuses to start), ``"unset"``
    (a variable with neither value nor default; compose substitutes an empty string with a warning) or
    ``"invalid"`` (a malformed template). ``variable`` is the name (None for ``invalid``); ``message`` is
    compose's own text (no secret values); ``path``/``position`` locate the ``${...}`` in the compose file.
    """

    kind: str
    variable: str | None
    message: str
    path: str
    position: Position


@dataclass
class EnvironmentView:
    """One environment as compose would run it.

    * ``name``: ``dev``, ``prod``, ... (``default`` for a single-file project).
    * ``compose_files``: the compose :class:`SourceFile` list, in ``-f`` order (base first).
    * ``documents``: the parsed YAML document of each compose file (same order; ``None`` if unreadable).
    * ``usable``: every compose file was read and parsed into a mapping (else ``model`` is partial).
    * ``env_file``: the environment's env file (:class:`SourceFile`) or ``None``;
      ``env_file_is_template``: it is the ``.example`` fallback rather than the real file.
    * ``env``: that file parsed (:class:`dockyard.parsers.dotenv.EnvFile`) or ``None``.
    * ``variables``: the interpolation environment (name -> value) compose uses for ``${...}``.
    * ``model``: the merged, interpolated compose model as plain ``dict``/``list``/scalars; list forms of
      ``environment``/``labels``/``build.args`` are mappings, ``depends_on`` and service ``networks`` are
      mappings, ``env_file`` is a list.
    * ``issues``: :class:`InterpolationIssue` records (missing required variables, unset variables,
      malformed templates), each located in its compose file.
    * ``origin(path)``: ``(file, Position)`` of the key (or list item) that set the value at ``path``, a
      tuple such as ``("services", "app", "ports", 0)``; the nearest defined ancestor when ``path`` itself
      is absent; ``None`` when nothing is known. The *last* file that set it (the override, if any).
    * ``first_origin(path)``: same, for the first file that defined it (usually the base file).
    * ``value_origin(path)``: ``(file, Position)`` of the value itself.
    * ``raw(path)``: the value as written (before interpolation), from the file that set it.
    """

    name: str
    compose_files: list[SourceFile]
    documents: list[Any]
    env_file: SourceFile | None
    env_file_is_template: bool
    env: Any
    variables: dict[str, str]
    model: dict
    issues: list[InterpolationIssue] = field(default_factory=list)
    usable: bool = True
    _origins: dict[tuple, Origin] = field(default_factory=dict, repr=False)
    _first: dict[tuple, Origin] = field(default_factory=dict, repr=False)

    # -- naming --------------------------------------------------------------------------------------
    @property
    def is_development(self) -> bool:
        return self.name.lower() in DEVELOPMENT_NAMES

    @property
    def is_production(self) -> bool:
        return self.name.lower() in PRODUCTION_NAMES

    @property
    def services(self) -> dict[str, dict]:
        s = self.model.get("services") if isinstance(self.model, dict) else None
        return {k: v for k, v in s.items() if isinstance(v, dict)} if isinstance(s, dict) else {}

    def top(self, section: str) -> dict:
        v = self.model.get(section) if isinstance(self.model, dict) else None
        return v if isinstance(v, dict) else {}

    # -- provenance ----------------------------------------------------------------------------------
    def _find(self, table: dict[tuple, Origin], path: tuple) -> Origin | None:
        path = tuple(path)
        while path:
            o = table.get(path)
            if o is not None:
                return o
            path = path[:-1]
        return None

    def origin_record(self, path: tuple, first: bool = False) -> Origin | None:
        return self._find(self._first if first else self._origins, path)

    def origin(self, path: tuple) -> tuple[str, Position] | None:
        o = self._find(self._origins, path)
        return (o.path, o.key) if o else None

    def first_origin(self, path: tuple) -> tuple[str, Position] | None:
        o = self._find(self._first, path)
        return (o.path, o.key) if o else None

    def value_origin(self, path: tuple) -> tuple[str, Position] | None:
        o = self._find(self._origins, path)
        return (o.path, o.value) if o else None

    def raw(self, path: tuple) -> Any:
        o = self._origins.get(tuple(path))
        return o.raw if o else None

    def defined_in(self, path: tuple) -> str | None:
        """The file that set exactly ``path`` (no ancestor fallback), or None."""
        o = self._origins.get(tuple(path))
        return o.path if o else None


# -- discovery --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EnvironmentSpec:
    name: str
    compose: tuple[str, ...]
    env_file: str | None
    env_file_is_template: bool


def _env_file_for(project, folder: str, name: str) -> tuple[str | None, bool]:
    for cand, template in ((f".env.{name}", False), (f".env.{name}.example", True)):
        rel = posixpath.join(folder, cand) if folder else cand
        if project.file(rel) is not None:
            return rel, template
    return None, False


def discover_environments(project) -> list[EnvironmentSpec]:
    """The environments of a project: from config when it names any, else by file-name convention."""
    configured = getattr(project.config, "environments", None) or {}
    if configured:
        out = []
        for name, spec in configured.items():
            compose = tuple(spec.get("compose") or ())
            env_file = spec.get("env_file")
            template = bool(env_file and env_file.endswith(".example"))
            if env_file is None:
                env_file, template = _env_file_for(project, "", name)
            elif project.file(env_file) is None and project.file(env_file + ".example") is not None:
                env_file, template = env_file + ".example", True
            out.append(EnvironmentSpec(name, compose, env_file, template))
        return out
    by_dir: dict[str, list[str]] = {}
    for sf in project.files_of(FileKind.COMPOSE):
        folder, _, base = sf.path.rpartition("/")
        by_dir.setdefault(folder, []).append(base)
    out: list[EnvironmentSpec] = []
    for folder in sorted(by_dir, key=lambda d: (d.count("/") if d else -1, d)):
        names = set(by_dir[folder])
        prefix = f"{folder}/" if folder else ""
        label = f"{folder}/" if folder else ""
        found = False
        for base_stem, over_stem in (("docker-compose.base", "docker-compose"), ("compose", "compose"),
                                     ("docker-compose", "docker-compose")):
            base = next((base_stem + e for e in _EXTS if base_stem + e in names), None)
            if base is None:
                continue
            envs = []
            for n in sorted(names):
                for e in _EXTS:
                    if n.startswith(over_stem + ".") and n.endswith(e):
                        env = n[len(over_stem) + 1: -len(e)]
                        if env and "." not in env and env not in ("base", "override"):
                            envs.append((env, n))
            if not envs:
                continue
            for env, over in envs:
                env_file, template = _env_file_for(project, folder, env)
                if env_file is None and folder:
                    env_file, template = _env_file_for(project, "", env)
                out.append(EnvironmentSpec(label + env, (prefix + base, prefix + over), env_file, template))
            found = True
            break
        if found:
            continue
        single = next((s + e for s in ("compose", "docker-compose") for e in _EXTS if s + e in names), None)
        if single is None:
            single = next((s + e for s in ("docker-compose.base",) for e in _EXTS if s + e in names), None)
        if single is None:
            continue
        files = [prefix + single]
        for e in _EXTS:
            for s in ("compose.override", "docker-compose.override"):
                if s + e in names:
                    files.append(prefix + s + e)
        dot_env = prefix + ".env"
        env_file = dot_env if project.file(dot_env) is not None else None
        out.append(EnvironmentSpec(label + "default", tuple(files), env_file, False))
    return out


# -- annotated trees ---------------------------------------------------------------------------------------
class _Node:
    """A value with where it came from; mappings hold ``{key: _Node}``, sequences ``[_Node]``."""

    __slots__ = ("value", "origin", "first")

    def __init__(self, value: Any, origin: Origin, first: Origin | None = None) -> None:
        self.value = value
        self.origin = origin
        self.first = first or origin


class _Interpolator:
    def __init__(self, sf: SourceFile, variables: dict[str, str], issues: list[InterpolationIssue]) -> None:
        self.sf = sf
        self.variables = variables
        self.issues = issues

    def lookup(self, name: str) -> str | None:
        return self.variables.get(name)

    def string(self, text: str, vpos: Position) -> str:
        if "$" not in text:
            return text
        from dockyard.parsers.interpolation import InterpolationError, scan, substitute

        sc = scan(text)
        for ref in sc.refs:
            if ref.operator == "" and ref.name not in self.variables and ref.depth == 0:
                self.issues.append(InterpolationIssue(
                    "unset", ref.name, f"The {ref.name!r} variable is not set. Defaulting to a blank string.",
                    self.sf.path, locate(self.sf, vpos, text, ref.start, ref.end)))
        try:
            return substitute(text, self.lookup)
        except InterpolationError as err:
            if err.kind == "required":
                where = vpos
                for ref in sc.refs:
                    if ref.name == err.variable and ref.required:
                        where = locate(self.sf, vpos, text, ref.start, ref.end)
                        break
                self.issues.append(InterpolationIssue("required", err.variable, err.message, self.sf.path, where))
            else:
                where = vpos
                if sc.errors:
                    e = sc.errors[0]
                    where = locate(self.sf, vpos, text, e.start, e.end)
                self.issues.append(InterpolationIssue("invalid", None, err.message, self.sf.path, where))
            return text
        except Exception:  # never let odd input stop the view
            return text

    def build(self, value: Any, origin: Origin, interpolate: bool = True) -> _Node:
        from dockyard.parsers.yamlpos import YMap, YSeq, to_plain

        if isinstance(value, YMap):
            out: dict[Any, _Node] = {}
            for k, v in value.items():
                kp = value.key_pos(k) or origin.key
                vp = value.value_pos(k) or kp
                child = Origin(self.sf.path, kp, vp, to_plain(v))
                node = self.build(v, child, interpolate)
                tag = value.tag(k)
                if tag:
                    node = _Tagged(node.value, node.origin, tag=tag)
                out[k] = node
            return _Node(out, origin)
        if isinstance(value, (YSeq, list)):
            items = []
            for i, v in enumerate(value):
                ip = (value.item_pos(i) if isinstance(value, YSeq) else None) or origin.value
                items.append(self.build(v, Origin(self.sf.path, ip, ip, to_plain(v)), interpolate))
            return _Node(items, origin)
        if isinstance(value, str) and interpolate:
            return _Node(self.string(value, origin.value), origin)
        return _Node(value, origin)


class _Tagged(_Node):
    __slots__ = ("tag",)

    def __init__(self, value: Any, origin: Origin, tag: str) -> None:
        super().__init__(value, origin)
        self.tag = tag


def locate(sf: SourceFile, vpos: Position, template: str, start: int, end: int) -> Position:
    """The position of ``template[start:end]`` inside the scalar written at ``vpos`` in ``sf``.

    Finds the same text in the scalar's source (so quotes, folding and block scalars are handled); falls
    back to ``vpos`` when the text cannot be found (escapes inside double quotes).
    """
    text = sf.text or ""
    if vpos.line < 1:
        return vpos
    a = sf.offset(vpos.line, vpos.column)
    b = sf.offset(vpos.end_line, vpos.end_column) if vpos.end_line >= vpos.line else len(text)
    raw = text[a:max(b, a)]
    needle = template[start:end]
    if not needle:
        return vpos
    nth = template.count(needle, 0, start) if needle else 0
    i = -1
    for _ in range(nth + 1):
        i = raw.find(needle, i + 1)
        if i < 0:
            return vpos
    return sf.span(a + i, a + i + len(needle))


# -- normalisation and merging ---------------------------------------------------------------------------
_KEYED_LISTS = {"environment", "labels", "annotations", "args", "extra_hosts_map"}
_REPLACE = {"command", "entrypoint", "test"}


def _kv_map(node: _Node, sep: str = "=") -> _Node:
    """``["A=1", "B"]`` -> ``{"A": "1", "B": None}`` keeping each item's origin."""
    if not isinstance(node.value, list):
        return node
    out: dict[Any, _Node] = {}
    for item in node.value:
        if isinstance(item.value, str):
            k, s, v = item.value.partition(sep)
            out[k.strip() if sep == "=" else k] = _Node(v if s else None, item.origin)
        elif isinstance(item.value, dict):  # odd input: keep it visible
            for k, v in item.value.items():
                out[k] = v
    return _Node(out, node.origin, node.first)


def _name_map(node: _Node, default: Any) -> _Node:
    """``["a", "b"]`` -> ``{"a": default, "b": default}`` (depends_on, networks)."""
    if not isinstance(node.value, list):
        return node
    out: dict[Any, _Node] = {}
    for item in node.value:
        if isinstance(item.value, str):
            value = {k: _Node(v, item.origin) for k, v in default.items()} if isinstance(default, dict) else default
            out[item.value] = _Node(value, item.origin)
    return _Node(out, node.origin, node.first)


def _volume_target(value: Any) -> Any:
    if isinstance(value, dict):
        t = value.get("target")
        return t.value if isinstance(t, _Node) else t
    if isinstance(value, str):
        parts = split_volume(value)
        return parts[1] if parts[1] else parts[0]
    return repr(value)


def split_volume(spec: str) -> tuple[str | None, str, str]:
    """A short volume spec as ``(source or None, target, mode)``; handles Windows drive letters."""
    parts = spec.split(":")
    if len(parts) >= 2 and len(parts[0]) == 1 and parts[0].isalpha() and parts[1].startswith(("\\", "/")):
        parts = [parts[0] + ":" + parts[1]] + parts[2:]
    if len(parts) == 1:
        return None, parts[0], ""
    if len(parts) == 2:
        return parts[0], parts[1], ""
    return parts[0], parts[1], ":".join(parts[2:])


def _normalise_service(svc: _Node) -> _Node:
    if not isinstance(svc.value, dict):
        return svc
    v = svc.value
    for key in ("environment", "labels", "annotations"):
        if key in v:
            v[key] = _kv_map(v[key])
    if "depends_on" in v:
        v["depends_on"] = _name_map(v["depends_on"], {"condition": "service_started"})
    if "networks" in v:
        v["networks"] = _name_map(v["networks"], None)
    if "env_file" in v and isinstance(v["env_file"].value, str):
        n = v["env_file"]
        v["env_file"] = _Node([_Node(n.value, n.origin)], n.origin, n.first)
    b = v.get("build")
    if b is not None and isinstance(b.value, str):
        v["build"] = _Node({"context": _Node(b.value, b.origin)}, b.origin, b.first)
    elif b is not None and isinstance(b.value, dict) and "args" in b.value:
        b.value["args"] = _kv_map(b.value["args"])
    return svc


def _merge(base: _Node | None, over: _Node, key: Any = None) -> _Node:
    if base is None:
        return over
    if isinstance(over, _Tagged):
        if over.tag == "!override":
            return _Node(over.value, over.origin)
    if key in _REPLACE or not isinstance(over.value, (dict, list)) or type(base.value) is not type(over.value):
        return _Node(over.value, over.origin, base.first)
    if isinstance(over.value, dict):
        if key == "logging":
            bd, od = base.value.get("driver"), over.value.get("driver")
            if bd is not None and od is not None and bd.value != od.value:
                return _Node(over.value, over.origin, base.first)
        merged = dict(base.value)
        for k, v in over.value.items():
            if isinstance(v, _Tagged) and v.tag == "!reset":
                merged.pop(k, None)
                continue
            merged[k] = _merge(merged.get(k), v, k)
        return _Node(merged, over.origin, base.first)
    # sequences
    if key == "volumes":
        by_target = {(_volume_target(n.value)): n for n in base.value}
        for n in over.value:
            by_target[_volume_target(n.value)] = n
        return _Node(list(by_target.values()), over.origin, base.first)
    items = list(base.value)
    seen = [plain(n) for n in items]
    for n in over.value:
        p = plain(n)
        if key == "ports" or p not in seen:
            if key == "ports" and p in seen:
                continue
            items.append(n)
            seen.append(p)
    return _Node(items, over.origin, base.first)


def plain(node: Any) -> Any:
    if isinstance(node, _Node):
        node = node.value
    if isinstance(node, dict):
        return {k: plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node


def _flatten(node: _Node, path: tuple, origins: dict, firsts: dict) -> Any:
    origins[path] = node.origin
    firsts[path] = node.first
    if isinstance(node.value, dict):
        return {k: _flatten(v, path + (k,), origins, firsts) for k, v in node.value.items()}
    if isinstance(node.value, list):
        return [_flatten(v, path + (i,), origins, firsts) for i, v in enumerate(node.value)]
    return node.value


# -- building a view ---------------------------------------------------------------------------------------
def _load(project, rel: str):
    from dockyard.parsers.yamlpos import load_yaml

    sf = project.file(rel)
    if sf is None or sf.text is None:
        return sf, None
    return sf, project.parsed(sf, load_yaml)


def _file_tree(project, sf: SourceFile, doc, variables, issues) -> _Node | None:
    if doc is None or not isinstance(doc.root, dict):
        return None
    root = Origin(sf.path, doc.root_pos, doc.root_pos, None)
    tree = _Interpolator(sf, variables, issues).build(doc.root, root)
    services = tree.value.get("services")
    if services is not None and isinstance(services.value, dict):
        for name, svc in services.value.items():
            _normalise_service(svc)
    return tree


def _resolve_extends(project, tree: _Node, sf: SourceFile, variables, issues, trees_by_path, depth=0) -> None:
    services = tree.value.get("services")
    if services is None or not isinstance(services.value, dict):
        return
    for name, svc in list(services.value.items()):
        services.value[name] = _extended(project, svc, tree, sf, variables, issues, trees_by_path, depth)


def _extended(project, svc: _Node, tree: _Node, sf: SourceFile, variables, issues, trees_by_path, depth):
    if depth > _MAX_EXTENDS or not isinstance(svc.value, dict) or "extends" not in svc.value:
        return svc
    ext = svc.value["extends"].value
    if isinstance(ext, str):
        target, file_rel = ext, None
    elif isinstance(ext, dict) and isinstance(ext.get("service"), _Node):
        target = ext["service"].value
        file_rel = ext["file"].value if isinstance(ext.get("file"), _Node) else None
    else:
        return svc
    src_tree, src_sf = tree, sf
    if file_rel:
        folder = posixpath.dirname(sf.path)
        rel = posixpath.normpath(posixpath.join(folder, file_rel))
        if rel not in trees_by_path:
            other, doc = _load(project, rel)
            trees_by_path[rel] = (other, _file_tree(project, other, doc, variables, [])) if other else (None, None)
        src_sf, src_tree = trees_by_path[rel]
        if src_tree is None:
            return svc
    base_services = src_tree.value.get("services")
    if base_services is None or not isinstance(base_services.value, dict):
        return svc
    base = base_services.value.get(target)
    if base is None or base is svc:
        return svc
    base = _extended(project, _copy(base), src_tree, src_sf, variables, issues, trees_by_path, depth + 1)
    own = _Node({k: v for k, v in svc.value.items() if k != "extends"}, svc.origin)
    merged = _merge(base, own)
    merged.value.pop("extends", None)
    return _Node(merged.value, svc.origin, svc.first)


def _copy(node: _Node) -> _Node:
    if isinstance(node.value, dict):
        return _Node({k: _copy(v) for k, v in node.value.items()}, node.origin, node.first)
    if isinstance(node.value, list):
        return _Node([_copy(v) for v in node.value], node.origin, node.first)
    return _Node(node.value, node.origin, node.first)


def build_view(project, spec: EnvironmentSpec) -> EnvironmentView:
    from dockyard.parsers.dotenv import parse_env

    env_sf = project.file(spec.env_file) if spec.env_file else None
    env = project.parsed(env_sf, parse_env) if env_sf is not None and env_sf.text is not None else None
    variables = env.as_dict() if env is not None else {}
    files: list[SourceFile] = []
    docs: list[Any] = []
    issues: list[InterpolationIssue] = []
    usable = True
    merged: _Node | None = None
    trees_by_path: dict[str, tuple] = {}
    for rel in spec.compose:
        sf, doc = _load(project, rel)
        if sf is None:
            usable = False
            continue
        files.append(sf)
        docs.append(doc)
        if doc is None or doc.errors or not isinstance(doc.root, dict):
            usable = False
            continue
        tree = _file_tree(project, sf, doc, variables, issues)
        trees_by_path[sf.path] = (sf, tree)
        _resolve_extends(project, tree, sf, variables, issues, trees_by_path)
        merged = tree if merged is None else _merge(merged, tree)
    origins: dict[tuple, Origin] = {}
    firsts: dict[tuple, Origin] = {}
    model = _flatten(merged, (), origins, firsts) if merged is not None else {}
    seen = set()
    unique = []
    for i in issues:
        k = (i.kind, i.variable, i.path, i.position)
        if k not in seen:
            seen.add(k)
            unique.append(i)
    return EnvironmentView(spec.name, files, docs, env_sf, spec.env_file_is_template, env, variables,
                           model if isinstance(model, dict) else {}, unique, usable, origins, firsts)


def environment_views(project) -> list[EnvironmentView]:
    """Every environment's view, computed once per run."""

    def compute() -> list[EnvironmentView]:
        return [build_view(project, spec) for spec in discover_environments(project)]

    return project.memo("compose.environment_views", compute)


def environment_contexts(project) -> Iterator[Any]:
    from dockyard.rules.base import Context

    for view in environment_views(project):
        yield Context(project, environment=view)

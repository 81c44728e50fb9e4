"""One merged, interpolated view per environment, for the environment-scoped rules.

``environment_views(project)`` is one :class:`EnvironmentView` per discovered environment, computed once per run
(``project.memo``); the engine hands each to the environment-scoped rules as ``ctx.environment``.

Nothing here discovers, merges or interpolates on its own: environments come from
:func:`dockyard.compose.environments.discover_environments` (over the project's discovered files), and each
view is :func:`dockyard.compose.loader.load_project` with ``track=True`` (the merged model before
normalisation, with provenance, and the unresolved ``${...}``), reading files through the project's
SourceFiles only (a file outside the checked tree, or a link leaving it, is not read), and their YAML as the
rules read it: each compose file is parsed once per run, however many environments load it.

The interpolation environment is the environment's env file, as ``docker compose --env-file .env.<name>``
reads it, or, when the environment has no ``.env.<name>``, the folder's ``.env`` as compose reads it without
``--env-file`` (always so for the ``default`` environment); the shell environment is never consulted, so
results do not depend on the machine running the check.
"""

from __future__ import annotations

import posixpath
from functools import cached_property
from pathlib import Path

from dockyard import TYPE_CHECKING
from dockyard.compose import relative
from dockyard.compose.environments import discover_environments, is_development, is_production, is_test
from dockyard.compose.model import InterpolationIssue, Origin
from dockyard.model import Position
from dockyard.parsers.yamlpos import load_yaml, yaml_text
from dockyard.records import field, record, replace
from dockyard.regex import lazy_compile
from dockyard.source import FileKind, SourceFile

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any


@record
class EnvironmentView:
    """One environment as compose would run it.

    * ``name``: ``dev``, ``prod``, ... (``default`` for compose's default: the lone file, or base + override).
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
    * ``origin_record(path, first=True)``: the :class:`Origin` in the first file that defined it (usually the
      base file); without ``first``, in the last one.
    * ``raw(path)``: the value as written (before interpolation), from the file that set it.
    * ``load_problems``: what stopped the load that no rule sees in a file of its own: ``(path, position,
      message)`` for interpolation past its budget (CO001 reports it where it is, an included file or an
      extended one too).
    * ``refusals``: what compose refuses in the merged project, include and extends cycles among them (CO035).
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
    load_problems: list[tuple[str, Position, str]] = field(default_factory=list)
    _origins: dict[tuple, Origin] = field(default_factory=dict, repr=False)
    _first: dict[tuple, Origin] = field(default_factory=dict, repr=False)
    # what compose refuses in the merged project (no file on its own shows it): LoadProblem records, each
    # located in the file that wrote what it names (``file`` relative to the project root)
    refusals: list = field(default_factory=list)

    # -- naming --------------------------------------------------------------------------------------
    @property
    def is_development(self) -> bool:
        return is_development(self.name, [sf.path for sf in self.compose_files])

    @property
    def is_production(self) -> bool:
        return is_production(self.name)

    @property
    def is_test(self) -> bool:
        return is_test(self.name)

    @property
    def own_env_file(self) -> str:
        """The name of this environment's own env file: `.env.<name>` (`.env` for compose's default)."""
        short = posixpath.basename(self.name)
        return ".env" if short == "default" else f".env.{short}"

    @property
    def env_file_is_shared(self) -> bool:
        """Whether the env file is not this environment's own but the project's `.env`, read as compose reads it
        without `--env-file` (a named environment with no `.env.<name>` of its own)."""
        if self.env_file is None:
            return False
        name = posixpath.basename(self.env_file.path)
        return name not in (self.own_env_file, self.own_env_file + ".example")

    # -- indexes, computed once per view (rules ask per service: a scan per question is quadratic) --------------
    @cached_property
    def services(self) -> dict[str, dict]:
        s = self.model.get("services") if isinstance(self.model, dict) else None
        return {k: v for k, v in s.items() if isinstance(v, dict)} if isinstance(s, dict) else {}

    @cached_property
    def built_images(self) -> frozenset[str]:
        """The ``image`` names of services compose builds (a service running one is an application too)."""
        return frozenset(s["image"] for s in self.services.values()
                         if s.get("build") is not None and isinstance(s.get("image"), str))

    @cached_property
    def waited_for_completion(self) -> frozenset[str]:
        """Services another waits for with ``condition: service_completed_successfully`` (one-off jobs)."""
        from dockyard.programs import waited_for_completion  # lazy: `env render` runs without it

        return waited_for_completion(self.services)

    @cached_property
    def active_profiles(self) -> frozenset[str]:
        """The profiles the environment's `COMPOSE_PROFILES` turns on (comma-separated, as compose reads it)."""
        value = self.variables.get("COMPOSE_PROFILES", "")
        return frozenset(p.strip() for p in value.split(",") if p.strip())

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

    def raw(self, path: tuple) -> Any:
        o = self._origins.get(tuple(path))
        return o.raw if o else None

    def defined_in(self, path: tuple) -> str | None:
        """The file that set exactly ``path`` (no ancestor fallback), or None."""
        o = self._origins.get(tuple(path))
        return o.path if o else None


# -- building a view ---------------------------------------------------------------------------------------
def project_environments(project) -> list:
    """The project's environments (:class:`dockyard.compose.environments.Environment`), from config when it
    names any, else by file-name convention over the discovered files; computed once per run."""
    def compute() -> list:
        configured = getattr(project.config, "environments", None) or {}
        found = discover_environments(project.root, configured or None, [sf.path for sf in project.files])
        return found if configured else [_run_alone(project, env) for env in found]

    return project.memo("compose.environments", compute)


def _run_alone(project, env):
    """An environment whose override the project runs on its own: a task runner or a workflow calls
    ``docker compose -f docker-compose.dev.yml ...`` without the base file, and nothing calls the two together
    (a file that starts a database and a mail catcher for an application run on the host). Without such a call,
    the file names decide, as compose's conventions do."""
    if len(env.compose_files) != 2:
        return env
    base, override = (relative(project, Path(p)) for p in env.compose_files)
    calls = compose_calls(project)
    if base is None or override is None or frozenset({override}) not in calls or \
            any(base in files and override in files for files in calls):
        return env
    return replace(env, compose_files=env.compose_files[1:])


# a `docker compose` / `docker-compose` call of a script, and each compose file it names (also read by
# dockyard.compose.deployed)
COMPOSE_CALL = lazy_compile(r"\bdocker[ -]compose\b([^\n;&|]*)")
FILE_OPTION = lazy_compile(r"(?:^|\s)(?:-f|--file)(?:\s+|=)([^\s]+)")
_TASKFILES = ("Taskfile.yml", "taskfile.yml", "Taskfile.yaml", "taskfile.yaml")


def compose_calls(project) -> set[frozenset[str]]:
    """The compose files each ``docker compose -f A -f B ...`` call of the project's Makefiles, Taskfiles and CI
    workflows names, as paths of the tree (a Taskfile task's ``dir:`` and a Makefile's folder are where its paths
    start; a workflow's, the root). A path that names no compose file of the tree is matched by its file name when
    one compose file alone has it; a call naming a path neither finds (a variable, a template) is left out."""

    def compute() -> set[frozenset[str]]:
        compose = {sf.path for sf in project.files_of(FileKind.COMPOSE)}
        by_name: dict[str, list[str]] = {}
        for path in compose:
            by_name.setdefault(posixpath.basename(path), []).append(path)
        out: set[frozenset[str]] = set()
        for folder, text in _command_texts(project):
            for call in COMPOSE_CALL.finditer(text):
                files = []
                for value in FILE_OPTION.findall(call.group(1)):
                    value = value.strip("\"'")
                    path = posixpath.normpath(posixpath.join(folder, value))
                    if path not in compose:
                        same = by_name.get(posixpath.basename(value), [])
                        path = same[0] if len(same) == 1 else None
                    if path is None:
                        break
                    files.append(path)
                else:
                    if files:
                        out.add(frozenset(files))
        return out

    return project.memo("compose.calls", compute)


def _command_texts(project) -> list[tuple[str, str]]:
    """(folder the commands run in, their text) of the Makefiles, the Taskfiles' tasks and the CI workflows."""
    out = []
    for sf in project.files_of(FileKind.MAKEFILE):
        if sf.text is not None:
            out.append((posixpath.dirname(sf.path), sf.text))
    for sf in project.files_of(FileKind.WORKFLOW) + project.files_of(FileKind.GITLAB_CI):
        if sf.text is not None and "compose" in sf.text:
            out.append(("", sf.text))
    folders = {""} | {posixpath.dirname(sf.path) for sf in project.files_of(FileKind.COMPOSE)}
    for folder in sorted(folders):
        for name in _TASKFILES:
            sf = project.include(posixpath.join(folder, name) if folder else name)
            if sf is None or sf.text is None or "compose" not in sf.text:
                continue
            tasks = getattr(project.parsed(sf, load_yaml), "root", None)
            tasks = tasks.get("tasks") if isinstance(tasks, dict) else None
            for task in tasks.values() if isinstance(tasks, dict) else ():
                if not isinstance(task, dict) or not isinstance(task.get("cmds"), list):
                    continue
                where = posixpath.normpath(posixpath.join(folder, str(task.get("dir") or ".")))
                where = "" if where == "." else where
                out += [(where, cmd) for cmd in task["cmds"] if isinstance(cmd, str)]
            break
    return out


# the loader's problems no rule of a single file reports: the merged project's consistency, its validation, the
# short syntaxes compose parses, `extends` and `include`
REFUSAL_KINDS = frozenset(("consistency", "validation", "spec", "extends", "include", "merged-schema"))


def _tree_file(project, path: Path) -> SourceFile | None:
    rel = relative(project, Path(path))
    if rel is None or rel.startswith("../"):
        return None
    return project.file(rel) or project.include(rel)


def source_reader(project):
    """``reader`` for :func:`load_project`: the text of a project file, never a file outside the tree."""

    def read(path: Path) -> str:
        sf = _tree_file(project, path)
        if sf is None or sf.text is None:
            raise FileNotFoundError(2, "no such file or directory in the checked tree", str(path))
        return sf.text

    return read


def source_parser(project):
    """``parse`` for :func:`load_project`: the YAML of a project file as the rules have it, parsed once per run (the
    load copies what it changes), when the data read is that file's text; else the data parsed on its own."""
    def parse(path: Path, data: bytes | str) -> Any:
        text = data if isinstance(data, str) else yaml_text(data)
        if not isinstance(text, str):
            return text  # data that does not decode: the document of its error
        sf = _tree_file(project, path)
        return project.parsed(sf, load_yaml) if sf is not None and sf.text == text else load_yaml(text)

    return parse


def _flatten(node: Any, path: tuple, last: dict, first: dict) -> Any:
    if isinstance(node, dict):
        prov = getattr(node, "prov", None) or {}
        out = {}
        for k, v in node.items():
            p = path + (k,)
            pr = prov.get(k)
            if pr is not None:
                last[p], first[p] = pr
            out[k] = _flatten(v, p, last, first)
        return out
    if isinstance(node, list):
        prov = getattr(node, "prov", None) or []
        items = []
        for i, v in enumerate(node):
            p = path + (i,)
            if i < len(prov):
                last[p], first[p] = prov[i]
            items.append(_flatten(v, p, last, first))
        return items
    return node


# Load problems kept in a view (see ``EnvironmentView.load_problems``)
VIEW_PROBLEMS = frozenset({"budget"})


def build_view(project, env) -> EnvironmentView:
    from dockyard.compose.loader import load_project  # lazy: a check of a lone Dockerfile runs without it
    from dockyard.parsers.dotenv import parse_env  # lazy: a check of a lone Dockerfile runs without it
    env_rel = relative(project, env.env_file)
    env_sf = project.file(env_rel) if env_rel else None
    parsed_env = project.parsed(env_sf, parse_env) if env_sf is not None and env_sf.text is not None else None
    files: list[SourceFile] = []
    docs: list[Any] = []
    usable = True
    loadable: list[Path] = []
    for path in env.compose_files:
        rel = relative(project, path)
        sf = project.file(rel) if rel else None
        if sf is None:
            usable = False
            continue
        doc = project.parsed(sf, load_yaml) if sf.text is not None else None
        files.append(sf)
        docs.append(doc)
        if doc is None or doc.errors or not isinstance(doc.root, dict):
            usable = False
            continue
        loadable.append(project.root / sf.path)
    model: dict = {}
    issues: list = []
    last: dict = {}
    first: dict = {}
    variables: dict[str, str] = {}
    refusals: list = []
    load_problems: list[tuple[str, Position, str]] = []
    if loadable:
        lp = load_project(loadable, [project.root / env_sf.path] if parsed_env is not None else [],
                          environ={}, profiles=[], reader=source_reader(project), parse=source_parser(project),
                          track=True, label=lambda p: relative(project, Path(p)) or str(p))
        variables = dict(lp.environment)
        flat = _flatten(lp.raw_model, (), last, first)
        model = flat if isinstance(flat, dict) else {}
        issues = list(lp.issues)
        refusals = [replace(pr, file=relative(project, pr.file) if pr.file else None)
                    for pr in lp.problems if pr.kind in REFUSAL_KINDS]
        for problem in lp.problems:
            rel = relative(project, problem.file)
            judged = project.file(rel) if rel is not None else None
            if judged is not None and judged.kind == FileKind.ENV:
                continue  # an env file's own problems are EN001's
            if problem.kind in VIEW_PROBLEMS and rel is not None:
                message = problem.safe_message
                if problem.kind == "budget":
                    message += "; dockyard stops interpolating the file here"
                load_problems.append((rel, problem.position, message))
    elif parsed_env is not None:
        variables = parsed_env.as_dict()
    return EnvironmentView(env.name, files, docs, env_sf, env.env_file_is_template, parsed_env, variables,
                           model, issues, usable, load_problems, last, first, refusals)


def environment_views(project) -> list[EnvironmentView]:
    """Every environment's view, computed once per run."""

    def compute() -> list[EnvironmentView]:
        return [build_view(project, env) for env in project_environments(project)]

    return project.memo("compose.environment_views", compute)

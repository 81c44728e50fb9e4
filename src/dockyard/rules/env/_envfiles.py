"""What the env rules share: the project's env files, parsed once, and the environments they belong to."""

from __future__ import annotations

from pathlib import PurePosixPath

from dockyard import TYPE_CHECKING
from dockyard.envtools import environment_of, is_template, parse_env_tolerant
from dockyard.model import Position
from dockyard.records import field, record, replace
from dockyard.source import FileKind, is_env_name

if TYPE_CHECKING:  # pragma: no cover
    from dockyard.parsers.dotenv import EnvEntry, EnvFile
    from dockyard.project import Project
    from dockyard.source import SourceFile


def env_files(project: "Project") -> list["SourceFile"]:
    """Readable env files of the tree named as the standard names them (``.env``, ``.env.<env>[.example]``), in
    path order: what the rules about naming, templates and ``.gitignore`` judge. A file a service loads with
    ``env_file:`` under another name (``env/app.env``) is an env file too, judged by the rules about a file's
    content (the ``Scope.ENV_FILE`` rules), not by these."""
    return [sf for sf in project.files_of(FileKind.ENV)
            if sf.text is not None and is_env_name(PurePosixPath(sf.path).name)]


def parsed(project: "Project", sf: "SourceFile") -> "EnvFile":
    """The file as compose reads it, tolerating ``${X:?}`` references to the shell (see envtools)."""
    return project.parsed(sf, parse_env_tolerant)


def is_public_config(project: "Project", sf: "SourceFile") -> bool:
    """A committed env file of public frontend build settings (see :func:`dockyard.envtools.is_public_build_config`)."""
    from dockyard.envtools import is_public_build_config

    if sf.kind != FileKind.ENV or sf.text is None or is_template(sf.path):
        return False
    folder = str(PurePosixPath(sf.path).parent)
    manifest = "package.json" if folder == "." else f"{folder}/package.json"
    frontend = project.include(manifest) is not None
    return is_public_build_config(parsed(project, sf).entries, frontend)


def key_position(entry: "EnvEntry") -> Position:
    return Position(entry.line, entry.column, entry.line, entry.column + len(entry.key))


def value_position(entry: "EnvEntry") -> Position:
    return Position(entry.value_line, entry.value_column, entry.end_line, entry.end_column)


@record
class EnvGroup:
    """The env files of one environment in one folder: its template and its real file (either may be absent)."""

    name: str
    folder: str  # "" for the root
    template: "SourceFile | None" = None
    real: "SourceFile | None" = None
    others: list["SourceFile"] = field(default_factory=list)  # templates with a non-standard suffix


def env_groups(project: "Project") -> list[EnvGroup]:
    """Per (folder, environment name): the files that belong to it, from the ``.env.<env>[.example]`` names."""

    def compute() -> list[EnvGroup]:
        groups: dict[tuple[str, str], EnvGroup] = {}
        for sf in env_files(project):
            env = environment_of(sf.path)
            if env is None:
                continue
            folder = str(PurePosixPath(sf.path).parent)
            folder = "" if folder == "." else folder
            group = groups.setdefault((folder, env), EnvGroup(env, folder))
            if sf.path.endswith(".example"):
                group.template = sf
            elif is_template(sf.path):
                group.others.append(sf)
            else:
                group.real = sf
        return [groups[k] for k in sorted(groups)]

    return project.memo("env.groups", compute)


def in_folder(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def configured_environments(project: "Project") -> dict[str, dict]:
    return dict(getattr(project.config, "environments", {}) or {})


def compose_environment_names(project: "Project") -> dict[str, str]:
    """Environment names the compose side knows (name -> a compose file that names it), when it can tell."""

    def compute() -> dict[str, str]:
        try:
            from dockyard.compose.context import project_environments, relative
        except ImportError:
            return {}
        out: dict[str, str] = {}
        try:
            for env in project_environments(project):
                if env.name.rsplit("/", 1)[-1] == "default":  # a single compose file: no named environment
                    continue
                out[env.name] = (relative(project, env.compose_files[-1]) or "") if env.compose_files else ""
        except Exception:  # environment discovery is best effort for these rules
            return {}
        return out

    return project.memo("env.compose-names", compute)


# -- what compose files ask of an environment ----------------------------------------------------------------
@record(frozen=True)
class Need:
    """A variable compose needs from the env file: ``kind`` is ``required`` (``${X:?}``/``${X?}``, compose
    refuses to start), ``non-empty`` (``${X:?}`` with the key present but empty) or ``unset`` (``${X}`` with
    no default: compose substitutes an empty string)."""

    name: str
    kind: str
    path: str
    line: int
    column: int
    form: str  # the reference's shape without its argument, e.g. "${X:?...}"
    also: tuple[str, ...] = ()  # the other places (``file:line``) that need the variable, in file order


def compose_strings(documents, files) -> "list[tuple[str, str, Position]]":
    """(compose file path, string value, position of the value) for every string value of the documents."""
    from dockyard.parsers.yamlpos import YMap, YSeq

    out: list[tuple[str, str, Position]] = []

    def walk(node, path: str, pos: Position, depth: int) -> None:  # iterative: no closure calling itself (a cycle)
        stack = [(node, pos, depth)]
        while stack:
            node, pos, depth = stack.pop()
            if depth > 100:
                continue
            if isinstance(node, YMap):
                stack.extend(reversed([(v, node.value_pos(k) or pos, depth + 1) for k, v in node.items()]))
            elif isinstance(node, (YSeq, list)):
                stack.extend(reversed([(v, (node.item_pos(i) if isinstance(node, YSeq) else None) or pos, depth + 1)
                                       for i, v in enumerate(node)]))
            elif isinstance(node, str) and "$" in node:
                out.append((path, node, pos))

    for sf, doc in zip(files, documents):
        if doc is None:
            continue
        roots = getattr(doc, "documents", ()) or (getattr(doc, "root", None),)
        positions = getattr(doc, "positions", ()) or (getattr(doc, "root_pos", Position()),)
        for root, pos in zip(roots, positions):  # every document of the file: compose reads them all
            if root is not None:
                walk(root, sf.path, pos, 0)
    return out


def _form(ref) -> str:
    if not ref.braced:
        return f"${ref.name}"
    if not ref.operator:
        return "${" + ref.name + "}"
    return "${" + ref.name + ref.operator + "...}"


def needs_of(template: str, variables: dict) -> "list[tuple[object, str]]":
    """The references of ``template`` that ``variables`` leaves unresolved, as compose would evaluate them:
    ``(VarRef, kind)``. Arguments are evaluated eagerly (a required reference anywhere counts); a bare
    reference inside a default or replacement counts only when that branch is taken."""
    from dockyard.parsers.interpolation import scan

    refs = sorted(scan(template).refs, key=lambda r: (r.start, r.depth))
    found: list[tuple[object, str]] = []
    for ref in refs:
        if ref.depth == 0:
            _visit_reference(ref, True, refs, variables, found)
    return found


def _visit_reference(ref, branch_taken: bool, refs: list, variables: dict, found: list) -> None:
    """:func:`needs_of` for ``ref`` and the references nested in it (module-level, not a closure that calls itself:
    such a closure is a reference cycle, freed only by a full garbage collection)."""
    value = variables.get(ref.name)
    op = ref.operator
    if op in (":?", "?"):
        if value is None:
            found.append((ref, "required"))
        elif op == ":?" and value == "":
            found.append((ref, "non-empty"))
    elif op == "" and branch_taken and value is None:
        found.append((ref, "unset"))
    if op == ":-":
        used = not value
    elif op == "-":
        used = value is None
    elif op == ":+":
        used = bool(value)
    elif op == "+":
        used = value is not None
    else:
        used = False
    for child in [r for r in refs if r.depth == ref.depth + 1 and ref.start < r.start < ref.end]:
        _visit_reference(child, branch_taken and used, refs, variables, found)


def listed(places) -> str:
    """``a:1, a:5 and b:2``: at most three places, then how many more."""
    places = list(places)
    if len(places) > 3:
        return f"{', '.join(places[:3])} and {len(places) - 3} more"
    return places[0] if len(places) == 1 else f"{', '.join(places[:-1])} and {places[-1]}"


def environment_needs(view, variables: dict) -> list[Need]:
    """Every variable the environment's compose files need and ``variables`` does not provide, first use first."""
    needs: dict[tuple[str, str], Need] = {}
    places: dict[str, list[str]] = {}
    for path, text, pos in compose_strings(view.documents, view.compose_files):
        for ref, kind in needs_of(text, variables):
            key = (ref.name, kind)
            if key not in needs:
                needs[key] = Need(ref.name, kind, path, pos.line, pos.column, _form(ref))
            where = places.setdefault(ref.name, [])
            if f"{path}:{pos.line}" not in where:
                where.append(f"{path}:{pos.line}")
    order = {"required": 0, "non-empty": 1, "unset": 2}
    best: dict[str, Need] = {}
    for need in needs.values():
        if need.name not in best or order[need.kind] < order[best[need.name].kind]:
            best[need.name] = need
    return [replace(need, also=tuple(p for p in places[need.name] if p != f"{need.path}:{need.line}"))
            for need in best.values()]


def referenced_variables(view) -> set[str]:
    """Every variable the environment's compose files interpolate (with a default or without)."""
    from dockyard.parsers.interpolation import scan

    return {ref.name for _, text, _ in compose_strings(view.documents, view.compose_files) for ref in scan(text).refs}


def template_of(project: "Project", env_path: str) -> "SourceFile | None":
    if env_path.endswith(".example"):
        return None
    return project.file(env_path + ".example")

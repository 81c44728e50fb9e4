"""What the env rules share: the project's env files, parsed once, and the environments they belong to."""

from __future__ import annotations

from pathlib import PurePosixPath

from dockyard import TYPE_CHECKING
from dockyard.compose import project_environments, relative
from dockyard.envtools import (
    ENVIRONMENT_NAMES, environment_of, is_public_build_config, is_template, names_secret, parse_env_tolerant,
)
from dockyard.model import Position
from dockyard.records import field, record
from dockyard.source import FileKind, is_env_name

if TYPE_CHECKING:  # pragma: no cover
    from dockyard.parsers.dotenv import EnvEntry, EnvFile
    from dockyard.project import Project
    from dockyard.source import SourceFile


# the env files no rule about secrets or addresses judges (see dockyard.compose.environments.in_fixture_folder)
FIXTURES = ("An env file of a test stack or an editor's workspace (under `tests/`, `e2e/`, `.devcontainer/` or "
            "`.vscode/`) is "
            "not judged: it holds the test images' published credentials and the workspace's development defaults, "
            "and nothing deploys it. ")


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
    if sf.kind != FileKind.ENV or sf.text is None or is_template(sf.path):
        return False
    folder = str(PurePosixPath(sf.path).parent)
    manifest = "package.json" if folder == "." else f"{folder}/package.json"
    frontend = project.include(manifest) is not None
    return is_public_build_config(parsed(project, sf).entries, frontend)


def is_variable_file(project: "Project", sf: "SourceFile") -> bool:
    """A real ``.env.<word>`` that is no environment's file but a set of variables (``.env.ports`` of port numbers
    and paths for compose's interpolation): it holds no secret, not even an empty one, has no template, ``<word>``
    is no environment's name, and neither a compose file (``compose.<word>.yaml``) nor the configuration names
    an environment ``<word>``."""
    name = environment_of(sf.path)
    if name is None or sf.text is None or is_template(sf.path) or name.lower() in ENVIRONMENT_NAMES:
        return False
    if project.file(sf.path + ".example") is not None:
        return False
    named = set(compose_environment_names(project)) | set(configured_environments(project))
    if any(label.rpartition("/")[2] == name for label in named):
        return False
    entries = parsed(project, sf).entries
    return bool(entries) and names_secret(entries) is None


def _root_gitignore(project: "Project"):
    from dockyard.parsers.ignorefile import GitIgnore  # lazy: only a project with env files reads it here

    def compute():
        sf = project.file(".gitignore") or project.include(".gitignore")
        return GitIgnore.parse(sf.text) if sf is not None and sf.text is not None else None

    return project.memo("env.gitignore", compute)


def ignored_by_gitignore(project: "Project", path: str) -> bool:
    """Whether the root `.gitignore` ignores ``path`` (its last matching line is no `!` re-inclusion)."""
    gitignore = _root_gitignore(project)
    deciding = gitignore.deciding_pattern(path) if gitignore is not None else None
    return deciding is not None and not deciding.negated


def committed_on_purpose(project: "Project", path: str):
    """The root `.gitignore` line that re-includes the env file at ``path`` after an earlier line ignores it (`.env`
    then `!data/.env`), or None: a file the repository commits on purpose, whose values are public by that choice
    (the settings of sample data, a fixture)."""
    gitignore = _root_gitignore(project)
    if gitignore is None:
        return None
    deciding = gitignore.deciding_pattern(path)
    if deciding is None or not deciding.negated:
        return None
    ignored_before = any(not p.negated and not p.dir_only and p.line < deciding.line and p.regex.match(path)
                         for p in gitignore.patterns)
    return deciding if ignored_before else None


def public_values(project: "Project") -> set[tuple[str, str]]:
    """(name, value) of every entry of the env files committed on purpose (see :func:`committed_on_purpose`)."""

    def compute() -> set[tuple[str, str]]:
        return {(e.key, e.value) for sf in project.files_of(FileKind.ENV)
                if sf.text is not None and not is_template(sf.path) and committed_on_purpose(project, sf.path)
                for e in parsed(project, sf).entries if e.value}

    return project.memo("env.public-values", compute)


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


def template_of(project: "Project", env_path: str) -> "SourceFile | None":
    if env_path.endswith(".example"):
        return None
    return project.file(env_path + ".example")

"""EN002: one env file per environment, each with a committed ``.env.<env>.example`` template."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard.compose.environments import in_fixture_folder, tooling_folder
from dockyard.envtools import real_name, template_name
from dockyard.model import Problem
from dockyard.projects import project_folders, ships_python_application, under
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.env._envfiles import (
    committed_on_purpose, compose_environment_names, configured_environments, env_files, env_groups, in_folder,
    is_public_config, is_variable_file,
)
from dockyard.compose.context import environment_views
from dockyard.source import FileKind


@rule(
    code="EN002", name="env-file-per-environment", scope=Scope.PROJECT, category="missing",
    needs=(FileKind.ENV, FileKind.COMPOSE),
    summary="Every environment has its own env file and a committed `.env.<env>.example` template",
    why="The env files are the single source of truth for configuration. Without a committed template per "
    "environment, nobody can tell which variables staging or production need, a new deployment starts from a "
    "colleague's private file, and reviews never see configuration changes.",
    standard=("EN-PER-ENV",), section="Environment Files as Single Source of Truth",
    example={".env.dev.example": "BASE_URL=http://localhost:8150\n",
             ".env.prod": "BASE_URL=https://api.example.com\n"},
    use_instead={".env.dev.example": "BASE_URL=http://localhost:8150\n",
                 ".env.prod.example": "BASE_URL=https://api.example.com\n"},
    notes="Environments are named by their env files (`.env.<env>`, `.env.<env>.example`), by the compose "
    "files that select them (`compose.<env>.yaml`, `docker-compose.<env>.yml`), and by "
    "`[tool.dockyard.environments]`; the advice names those environments, one finding per missing template. A "
    "secret-free `.env.<word>` (no secret-named key, not even an empty one) is a set of variables, not an "
    "environment (`.env.ports` of port numbers for compose's interpolation), unless `<word>` is an environment's "
    "name (`staging`, `prod`, `qa`, ...), a compose file (`compose.<word>.yaml`) or the configuration names it, or "
    "it has a template. An env file that a `!` line of `.gitignore` re-includes after a line that ignores it "
    "(`!.env.testing`) is committed on purpose, public by that choice: it needs no template; so does a frontend's "
    "file of public build settings (`NEXT_PUBLIC_*`, `VITE_*` keys, or no secret beside a `package.json`). An "
    "environment that has no env file of its own but reads the folder's `.env` (as compose does without "
    "`--env-file`) is told so. Compose's default environment reads `.env`: beside named environments its template is "
    "`.env.example` (a tracked `.env` is EN003's finding). A project that names no environment at all (one compose "
    "file, or a base and its `compose.override.yaml`) is asked for the standard's `dev`, `staging` and `prod` "
    "templates only when it holds a Python application (a Python image, a compose service running one, or a "
    "FastAPI app among its sources) and configuration to put in them (an env file, a service's `environment` or "
    "`env_file`, a `${VAR}` reference): a stack of third-party images configured by one `.env` (a DNS appliance, a "
    "media server) has one environment by nature, and a project configured by nothing has nothing to split. In a catalogue of sample projects (see `dockyard.projects`) "
    "each project folder is judged on its own. Whether a template is committed is asked of git; outside a git "
    "work tree only its presence is checked.",
)
def check(ctx: Context) -> Iterator[Problem]:
    project = ctx.project
    files = env_files(project)
    compose = project.files_of(FileKind.COMPOSE)
    if not files and not compose:
        return
    # a test stack's or an editor's env files are one environment by nature, never deployed
    groups = [g for g in env_groups(project) if not _variables_only(project, g)
              and not in_fixture_folder(f"{g.folder}/")]
    tracked = project.git_tracked()
    for group in groups:
        wanted = in_folder(group.folder, template_name(group.name))
        if group.template is None:
            if group.real is not None and not group.others and (committed_on_purpose(project, group.real.path)
                                                                or is_public_config(project, group.real)):
                continue  # committed on purpose (`!.env.testing`), or a frontend's public build settings
                # (`NEXT_PUBLIC_ENV=production`): its values are public, it is its own template
            where = group.real or (group.others[0] if group.others else None)
            hint = ""
            if group.others:
                hint = f" (`{group.others[0].path}` is not picked up: templates are named `*.example`)"
            yield Problem(f"environment `{group.name}` has no template `{wanted}`: commit one, with "
                          f"`CHANGE_ME_...` placeholders for its secrets{hint}",
                          path=where.path if where is not None else wanted, environment=group.name)
        elif tracked is not None and group.template.path not in tracked:
            yield Problem(f"template `{group.template.path}` is not committed: `git add {group.template.path}`",
                          path=group.template.path)
    known = {(g.folder, g.name) for g in groups if g.template is not None or g.real is not None}
    named = _named_environments(project)
    views = {v.name: v for v in _views(project)}
    for label, source in sorted(named.items()):
        folder, _, name = label.rpartition("/")
        if (folder, name) in known or ("", name) in known:
            continue
        settings = configured_environments(project).get(label) or {}
        env_file = settings.get("env_file")
        if env_file and project.file(env_file) is not None and project.file(f"{env_file}.example") is not None:
            continue
        wanted = in_folder(folder, template_name(name))
        real = in_folder(folder, real_name(name))
        view = views.get(label)
        shared = view.env_file.path if view is not None and view.env_file is not None else None
        if shared is not None:
            others = [n for n, v in views.items() if n != label and v.env_file is not None
                      and v.env_file.path == shared]
            also = f", as {' and '.join(f'`{n}`' for n in others)} {'does' if len(others) == 1 else 'do'}" \
                if others else ""
            lead = f"environment `{label}` has no env file of its own (it reads `{shared}`{also})"
        else:
            lead = f"environment `{label}` has no env file"
        yield Problem(f"{lead}: create `{real}` from a committed template `{wanted}`, with `CHANGE_ME_...` "
                      "placeholders for its secrets", path=source or env_file or wanted, environment=label)
    named_folders = {g.folder for g in groups} | {label.rpartition("/")[0] for label in named}
    for view in views.values():
        problem = _default_template(project, view, named_folders, tracked)
        if problem is not None:
            yield problem
    for folder in project_folders(project):
        if any(under(f, folder) or under(folder, f) for f in named_folders):
            continue  # the project names its environments: judged above
        if in_fixture_folder(f"{folder}/"):
            continue  # a test stack's or a development container's: one environment by nature, never deployed
        # nor do a test stack's or a development container's files below the folder make it one to split, nor
        # an env file committed on purpose (the settings of sample data)
        plain = [sf.path for sf in files if under(sf.path, folder) and not in_fixture_folder(sf.path)
                 and committed_on_purpose(project, sf.path) is None]
        inside = [sf for sf in compose if under(sf.path, folder) and not in_fixture_folder(sf.path)]
        composed = [sf.path for sf in inside]
        if not plain and not _configures(project, inside):
            continue  # no configuration at all: nothing to split per environment
        if not ships_python_application(project, folder):
            continue  # third-party images configured by one env file: one environment by nature
        # said at the folder's own env file: the one nearest it, a sample's (`examples/demo/.env.example`) last
        plain.sort(key=lambda p: (tooling_folder(p) is not None, p.count("/"), p))
        yield Problem("no per-environment env files: create `.env.dev.example`, `.env.staging.example` and "
                      "`.env.prod.example` templates (and the real `.env.<env>` files from them, never committed)",
                      path=plain[0] if plain else composed[0])


def _variables_only(project, group) -> bool:
    """A group that is only a secret-free variable file (`.env.ports`), no environment (see `is_variable_file`)."""
    return group.template is None and not group.others and group.real is not None \
        and is_variable_file(project, group.real)


def _configures(project, compose_files) -> bool:
    """Whether compose files hold configuration an env file would: a service's `environment` or `env_file`, or a
    `${VAR}` reference."""
    for sf in compose_files:
        if sf.text is None:
            continue
        if "$" in sf.text.replace("$$", ""):
            return True
        if any(isinstance(svc, dict) and (svc.get("environment") or svc.get("env_file"))
               for svc in project.compose_services(sf).values()):
            return True
    return False


def _views(project) -> list:
    try:
        return environment_views(project)
    except Exception:  # environment discovery is best effort for this rule
        return []


def _named_environments(project) -> dict[str, str]:
    """Environments the project names (label -> the compose file that selects it, or "")."""
    named = dict(compose_environment_names(project))
    for name in configured_environments(project):
        named.setdefault(name, "")
    return named


def _default_template(project, view, named_folders: set[str], tracked) -> Problem | None:
    """Compose's default environment beside named ones: its `.env` needs a committed `.env.example` template
    (a `.env` that git tracks is EN003's finding)."""
    folder, _, name = view.name.rpartition("/")
    if name != "default" or folder not in named_folders or view.env_file is None or view.env_file_is_template:
        return None
    real = view.env_file.path
    if tracked is not None and real in tracked:
        return None
    template = real + ".example"
    if project.file(template) is not None:
        return None
    return Problem(f"environment `{view.name}` reads `{real}`, which has no committed template `{template}`: commit "
                   "one, with `CHANGE_ME_...` placeholders for its secrets", path=real, environment=view.name)

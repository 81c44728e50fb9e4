"""EN002: one env file per environment, each with a committed ``.env.<env>.example`` template."""

from __future__ import annotations

from typing import Iterator

from dockyard.envtools import template_name
from dockyard.model import Problem
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.env._envfiles import (
    compose_environment_names, configured_environments, env_files, env_groups, in_folder,
)
from dockyard.source import FileKind


@rule(
    code="EN002", name="env-file-per-environment", scope=Scope.PROJECT,
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
    "files that select them, and by `[tool.dockyard.environments]`. Whether a template is committed is asked "
    "of git; outside a git work tree only its presence is checked.",
)
def check(ctx: Context) -> Iterator[Problem]:
    project = ctx.project
    files = env_files(project)
    compose = project.files_of(FileKind.COMPOSE)
    groups = env_groups(project)
    known = {(g.folder, g.name) for g in groups if g.template is not None or g.real is not None}
    if not files and not compose:
        return
    if not groups:
        plain = [sf.path for sf in files]
        target = plain[0] if plain else compose[0].path
        yield Problem("no per-environment env files: create `.env.dev.example`, `.env.staging.example` and "
                      "`.env.prod.example` templates (and the real `.env.<env>` files from them, never committed)",
                      path=target)
    tracked = project.git_tracked()
    for group in groups:
        wanted = in_folder(group.folder, template_name(group.name))
        if group.template is None:
            where = group.real or (group.others[0] if group.others else None)
            hint = ""
            if group.others:
                hint = f" (`{group.others[0].path}` is not picked up: templates are named `*.example`)"
            yield Problem(f"environment `{group.name}` has no template `{wanted}`: commit one, with "
                          f"`CHANGE_ME_...` placeholders for its secrets{hint}",
                          path=where.path if where is not None else wanted)
        elif tracked is not None and group.template.path not in tracked:
            yield Problem(f"template `{group.template.path}` is not committed: `git add {group.template.path}`",
                          path=group.template.path)
    extra = dict(compose_environment_names(project))
    for name in configured_environments(project):
        extra.setdefault(name, "")
    for label, source in sorted(extra.items()):
        folder, _, name = label.rpartition("/")
        if (folder, name) in known or ("", name) in known:
            continue
        settings = configured_environments(project).get(label) or {}
        env_file = settings.get("env_file")
        if env_file and project.file(env_file) is not None and project.file(f"{env_file}.example") is not None:
            continue
        wanted = in_folder(folder, template_name(name))
        yield Problem(f"environment `{label}` has no env file template `{wanted}`: commit one, "
                      "with `CHANGE_ME_...` placeholders for its secrets", path=source or env_file or wanted)

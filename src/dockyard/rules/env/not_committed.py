"""EN003: no real env file is tracked by git."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from dockyard.envtools import TEMPLATE_SUFFIX, environment_of, holds_secret, is_env_file_name, is_template
from dockyard.model import Problem
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.env._envfiles import (committed_on_purpose, ignored_by_gitignore, is_public_config, is_variable_file,
                                          parsed)
from dockyard.secrets import is_secret_name
from dockyard.source import FileKind


@rule(
    code="EN003", name="env-file-committed", scope=Scope.PROJECT, category="committed",
    summary="No real env file (`.env`, `.env.<env>`) is tracked by git; only `*.example` templates are",
    why="A committed env file publishes its secrets to everyone with read access to the repository, its "
    "forks and its history, forever: removing it later does not unpublish them. Only templates with "
    "placeholders belong in git.",
    standard=("EN-NOT-COMMITTED",), section=".gitignore Configuration; Secrets Management",
    example={".env.prod": "SECRET_KEY=CHANGE_ME_PROD_SECRET_KEY_MIN_32_CHARS\n"},
    use_instead={".env.prod.example": "SECRET_KEY=CHANGE_ME_PROD_SECRET_KEY_MIN_32_CHARS\n"},
    notes="Asks git which files are tracked, so it fires only inside a git work tree: the documented example "
    "assumes `.env.prod` has been committed (`git add .env.prod`). The fix is `git rm --cached <file>`, "
    "then rotating every secret the file held. A frontend's env file of public build variables (`VITE_*`, "
    "`NEXT_PUBLIC_*`, `REACT_APP_*`, `NUXT_PUBLIC_*`, `PUBLIC_*`, `EXPO_PUBLIC_*`, or no secret in a folder "
    "with a `package.json`) is committed by design and not reported, and so is a secret-free set of variables "
    "that names no environment (`.env.ports` of port numbers for compose; see EN002); nor is a file named "
    "`.env.*` whose content is a diff or a template. Nor is an env file the `.gitignore` re-includes after "
    "ignoring it (`.env` then `!data/.env`): the repository commits it on purpose (the settings of sample data, "
    "a fixture), and its values are public by that choice. A tracked `.env.<env>` without a template is told to "
    "leave git here and asked for its template by EN002, not twice.",
)
def check(ctx: Context) -> Iterator[Problem]:
    project = ctx.project
    tracked = project.git_tracked()
    if not tracked:
        return
    for path in sorted(tracked):
        name = PurePosixPath(path).name
        if not is_env_file_name(name) or name.endswith(TEMPLATE_SUFFIX):
            continue
        if project.config.excluded(path):
            continue  # the configuration's `exclude` takes the file out of the check, tracked or not
        sf = project.file(path)
        if sf is None and project.is_template(path):
            continue  # a Jinja/cookiecutter template: not yet an env file
        if sf is not None and sf.kind != FileKind.ENV:
            continue  # named like an env file, but its content is a diff, a template or another format
        if is_template(path):
            if not ignored_by_gitignore(project, path):
                continue  # the `.gitignore` does not ignore it, or re-includes it (`!.env.template`)
            yield Problem(f"`{path}` is tracked by git under a template name the `.gitignore` does not re-include: "
                          f"rename it `{path.rsplit('.', 1)[0]}{TEMPLATE_SUFFIX}`", path=path)
            continue
        if sf is not None and is_public_config(project, sf):
            continue  # public frontend build settings (`VITE_API_URL`): committed by design, no secret in them
        if sf is not None and is_variable_file(project, sf):
            continue  # a secret-free set of variables (`.env.ports`), no environment's file: committed by design
        if committed_on_purpose(project, path) is not None:
            continue  # the `.gitignore` ignores env files and re-includes this one: committed on purpose
        if sf is not None and sf.text is not None and not holds_secret(entries := parsed(project, sf).entries):
            empty = next((e.key for e in entries if is_secret_name(e.key, e.value)), None)
            lead = f"`{empty}` is empty today, but the value set for it will be published" if empty else \
                "it holds no secret today, but the next one added to it is published"
            # the template of a `.env.<env>` is EN002's request; only a plain `.env` is asked for one here
            ask = f" and commit a `{name}{TEMPLATE_SUFFIX}` template instead" \
                if environment_of(path) is None and project.file(path + TEMPLATE_SUFFIX) is None else ""
            yield Problem(f"`{path}` is a real env file tracked by git; {lead}: run `git rm --cached {path}`{ask}",
                          path=path)
            continue
        yield Problem(f"`{path}` is a real env file tracked by git: run `git rm --cached {path}` and rotate every "
                      "secret it held (they stay readable in the history)", path=path)

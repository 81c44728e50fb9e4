"""EN003: no real env file is tracked by git."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Iterator

from dockyard.envtools import TEMPLATE_SUFFIX, is_env_file_name, is_template
from dockyard.model import Problem
from dockyard.rules.base import Context, Scope, rule


@rule(
    code="EN003", name="env-file-committed", scope=Scope.PROJECT,
    summary="No real env file (`.env`, `.env.<env>`) is tracked by git; only `*.example` templates are",
    why="A committed env file publishes its secrets to everyone with read access to the repository, its "
    "forks and its history, forever: removing it later does not unpublish them. Only templates with "
    "placeholders belong in git.",
    standard=("EN-NOT-COMMITTED",), section=".gitignore Configuration; Secrets Management",
    example={".env.prod": "SECRET_KEY=CHANGE_ME_PROD_SECRET_KEY_MIN_32_CHARS\n"},
    use_instead={".env.prod.example": "SECRET_KEY=CHANGE_ME_PROD_SECRET_KEY_MIN_32_CHARS\n"},
    notes="Asks git which files are tracked, so it fires only inside a git work tree: the documented example "
    "assumes `.env.prod` has been committed (`git add .env.prod`). The fix is `git rm --cached <file>`, "
    "then rotating every secret the file held.",
)
def check(ctx: Context) -> Iterator[Problem]:
    tracked = ctx.project.git_tracked()
    if not tracked:
        return
    for path in sorted(tracked):
        name = PurePosixPath(path).name
        if not is_env_file_name(name) or name.endswith(TEMPLATE_SUFFIX):
            continue
        if is_template(path):
            yield Problem(f"`{path}` is tracked by git under a template name the `.gitignore` does not re-include: "
                          f"rename it `{path.rsplit('.', 1)[0]}{TEMPLATE_SUFFIX}`", path=path)
            continue
        yield Problem(f"`{path}` is a real env file tracked by git: run `git rm --cached {path}` and rotate every "
                      "secret it held (they stay readable in the history)", path=path)

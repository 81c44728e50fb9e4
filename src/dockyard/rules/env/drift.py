"""EN006: the templates of different environments define the same keys."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard.model import Problem
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.env._envfiles import env_groups, parsed
from dockyard.source import FileKind


@rule(
    code="EN006", name="env-template-drift", scope=Scope.PROJECT, category="drift", needs=(FileKind.ENV,),
    summary="The templates of different environments define the same keys (values may differ)",
    why="The same compose files run in every environment; a key present in the dev template but missing from "
    "the production one is a variable production will be missing the day the feature ships. Portability "
    "means only values change between environments.",
    standard=("EN-DRIFT",), section="Environment Portability",
    example={".env.dev.example": "BASE_URL=http://localhost:8150\nDEBUG=true\n",
             ".env.prod.example": "BASE_URL=https://api.example.com\n"},
    use_instead={".env.dev.example": "BASE_URL=http://localhost:8150\nDEBUG=true\n",
                 ".env.prod.example": "BASE_URL=https://api.example.com\nDEBUG=false\n"},
    notes="Compares the `.env.<env>.example` templates of one folder. Each finding is on the template that "
    "lacks the key and names one that defines it.",
)
def check(ctx: Context) -> Iterator[Problem]:
    project = ctx.project
    by_folder: dict[str, list] = {}
    for group in env_groups(project):
        if group.template is not None and group.template.text is not None:
            by_folder.setdefault(group.folder, []).append(group.template)
    for templates in by_folder.values():
        if len(templates) < 2:
            continue
        keys = {sf.path: parsed(project, sf).keys() for sf in templates}
        for sf in templates:
            mine = set(keys[sf.path])
            reported: set[str] = set()
            for other in templates:
                if other is sf:
                    continue
                for key in keys[other.path]:
                    if key in mine or key in reported:
                        continue
                    reported.add(key)
                    line = parsed(project, other).get(key).line
                    yield Problem(f"`{key}` is missing here but defined in `{other.path}` (line {line}): every "
                                  "environment's template defines the same keys", path=sf.path)

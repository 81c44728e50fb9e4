"""EN005: each environment's env file (and its template) defines every variable its compose files need."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard.analysis.variables import environment_needs, listed
from dockyard.compose.context import environment_views
from dockyard.model import Position, Problem
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.env._envfiles import key_position, parsed, template_of


@rule(
    code="EN005", name="env-file-incomplete", scope=Scope.ENVIRONMENT, category="missing",
    summary="Each environment's env file and template define every variable its compose files require",
    why="A `${VAR:?}` the env file does not define stops `docker compose up` at deploy time; a bare `${VAR}` "
    "silently becomes an empty string (an empty password, a URL without a host). Finding it in review is "
    "cheaper than finding it in production.",
    standard=("EN-COMPLETE",), section="Environment File Validation; Dynamic Deployment Configuration",
    example={"compose.yaml": "services:\n  api:\n    image: api:1.0\n    environment:\n"
                             "      SECRET_KEY: ${SECRET_KEY:?SECRET_KEY is required}\n"
                             "      BASE_URL: ${BASE_URL}\n",
             "compose.dev.yaml": "services:\n  api:\n    env_file: [.env.dev]\n",
             ".env.dev.example": "BASE_URL=http://localhost:8150\n"},
    use_instead={"compose.yaml": "services:\n  api:\n    image: api:1.0\n    environment:\n"
                                 "      SECRET_KEY: ${SECRET_KEY:?SECRET_KEY is required}\n"
                                 "      BASE_URL: ${BASE_URL}\n",
                 "compose.dev.yaml": "services:\n  api:\n    env_file: [.env.dev]\n",
                 ".env.dev.example": "BASE_URL=http://localhost:8150\n"
                                     "SECRET_KEY=CHANGE_ME_DEV_SECRET_KEY_MIN_32_CHARS\n"},
    notes="Required: `${X:?...}`/`${X?...}` anywhere (compose evaluates defaults eagerly, so a required "
    "reference inside a default counts too) and `${X}`/`$X` without a default, unless it sits in a default "
    "that is not used. The environment's real env file is checked and, when it exists, its template as well; "
    "the shell environment is not consulted. A variable is reported once per env file, at its first use, "
    "naming the other places that need it; CO005 then does not report its uses in the compose files.",
)
def check(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    if not _judged(view):
        return  # an environment that borrows the project's .env: its own file is asked for (EN002), CO005 reports
    project = ctx.project
    views = environment_views(project)
    names = [v.name for v in views]
    before = [v for v in views[: names.index(view.name)] if _judged(v)] if view.name in names else []
    for sf in _targets(project, view):
        env = parsed(project, sf)
        variables = env.as_dict()
        # a file several environments read is judged once per variable, with the first of them that needs it
        said = {need.name for v in before if sf.path in [t.path for t in _targets(project, v)]
                for need in environment_needs(v, variables)}
        for need in environment_needs(view, variables):
            if need.name in said:
                continue
            where = f"`{need.form}` in {need.path}:{need.line}" + (f" (also used at {listed(need.also)})"
                                                                   if need.also else "")
            entry = env.get(need.name)
            if need.kind == "non-empty" and entry is not None:
                yield Problem(f"`{need.name}` is empty, but {where} requires a value (`:?` rejects empty): set it",
                              key_position(entry), path=sf.path)
            elif need.kind == "unset":
                yield Problem(f"`{need.name}` is not defined for environment `{view.name}`: {where} has no default, "
                              f"so compose substitutes an empty string; define it in `{sf.path}`",
                              Position.whole_file(), path=sf.path, environment=view.name)
            else:
                yield Problem(f"`{need.name}` is not defined for environment `{view.name}`: {where} requires it "
                              f"and compose refuses to start without it; define it in `{sf.path}`",
                              Position.whole_file(), path=sf.path, environment=view.name)


def _judged(view) -> bool:
    return view is not None and view.env_file is not None and view.env is not None and not view.env_file_is_shared


def _targets(project, view) -> list:
    """The environment's env file and, when it exists, its template."""
    targets = [view.env_file]
    template = template_of(project, view.env_file.path)
    if template is not None and template.text is not None:
        targets.append(template)
    return targets

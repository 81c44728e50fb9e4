"""EN005: each environment's env file (and its template) defines every variable its compose files need."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard.analysis.variables import environment_needs, listed
from dockyard.model import Position, Problem
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.env._envfiles import key_position, parsed, template_of


@rule(
    code="EN005", name="env-file-incomplete", scope=Scope.ENVIRONMENT,
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
    if view is None or view.env_file is None or view.env is None or view.env_file_is_shared:
        return  # an environment that borrows the project's .env: its own file is asked for (EN002), CO005 reports
    project = ctx.project
    seen = project.memo("env.complete.reported", set)
    targets = [view.env_file]
    template = template_of(project, view.env_file.path)
    if template is not None and template.text is not None:
        targets.append(template)
    for sf in targets:
        env = parsed(project, sf)
        variables = env.as_dict()
        for need in environment_needs(view, variables):
            if (sf.path, need.name) in seen:
                continue
            seen.add((sf.path, need.name))
            where = f"`{need.form}` in {need.path}:{need.line}" + (f" (also used at {listed(need.also)})"
                                                                   if need.also else "")
            entry = env.get(need.name)
            if need.kind == "non-empty" and entry is not None:
                yield Problem(f"`{need.name}` is empty, but {where} requires a value (`:?` rejects empty): set it",
                              key_position(entry), path=sf.path)
            elif need.kind == "unset":
                yield Problem(f"`{need.name}` is not defined for environment `{view.name}`: {where} has no default, "
                              f"so compose substitutes an empty string; define it in `{sf.path}`",
                              Position.whole_file(), path=sf.path)
            else:
                yield Problem(f"`{need.name}` is not defined for environment `{view.name}`: {where} requires it "
                              f"and compose refuses to start without it; define it in `{sf.path}`",
                              Position.whole_file(), path=sf.path)

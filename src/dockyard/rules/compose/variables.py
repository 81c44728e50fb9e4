"""``${...}`` in compose files: well-formed, resolvable per environment, required where it matters, and
defined where compose actually looks for it."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dockyard.analysis.variables import environment_needs, listed
from dockyard.compose import CLI_VARIABLES
from dockyard.compose.deployed import deploy_variables
from dockyard.envtools import parse_env_tolerant
from dockyard.model import Problem
from dockyard.parsers.dotenv import parse_env
from dockyard.parsers.interpolation import scan
from dockyard.rules.base import Context, Scope, get_rule, rule
from dockyard.rules.compose._common import local_only, scalar_span, strings
from dockyard.secrets import is_secret_name


@rule(
    code="CO004", name="compose-interpolation-syntax", scope=Scope.COMPOSE,
    summary="Every `${...}` in a compose file is well-formed",
    why="Compose stops with `invalid interpolation format` on a malformed `${...}` (a missing brace, a space in "
        "the name, a `$` that should be `$$`), whichever environment is started.",
    standard=("CO-INTERPOLATION",), section="Environment Variable Substitution",
    example="services:\n  app:\n    image: python:3.12-slim\n    environment:\n      PORT: \"${PORT:-8000\"\n",
    use_instead="services:\n  app:\n    image: python:3.12-slim\n    environment:\n      PORT: \"${PORT:-8000}\"\n",
)
def interpolation_syntax(ctx: Context) -> Iterator[Problem]:
    root = getattr(ctx.model, "root", None)
    if not isinstance(root, dict):
        return
    for _path, text, pos in strings(root):
        if "$" not in text:
            continue
        for err in scan(text).errors:
            # the text itself is not quoted: a literal `$` in a password is the usual cause
            piece = text[err.start:err.end]
            what = "this `${` is never closed" if "}" not in piece else "this `${...}` names no variable"
            yield Problem(f"invalid interpolation: {what}; use `${{NAME}}`, `${{NAME:-default}}` or "
                          "`${NAME:?message}`, and `$$` for a literal `$`",
                          scalar_span(ctx.file, pos, text, err.start, err.end))


def _service_env_file_keys(ctx: Context, view) -> dict[str, str]:
    """Variables defined by the env files services load (``env_file:``), other than the interpolation one."""
    out: dict[str, str] = {}
    own = view.env_file.path if view.env_file is not None else None
    for name, svc in view.services.items():
        files = svc.get("env_file") or []
        for i, item in enumerate(files):
            rel = item.get("path") if isinstance(item, dict) else item
            if not isinstance(rel, str):
                continue
            origin = view.defined_in(("services", name, "env_file", i)) or (view.compose_files[0].path
                                                                            if view.compose_files else "")
            path = posixpath.normpath(posixpath.join(posixpath.dirname(origin), rel))
            candidates = [path] + ([path + ".example"] if not path.endswith(".example") else [])
            for cand in candidates:
                if cand == own:
                    break
                sf = ctx.project.file(cand)
                if sf is None or sf.text is None:
                    continue
                env = ctx.project.parsed(sf, parse_env)
                for key in env.keys():
                    out.setdefault(key, cand)
                break
    return out


@rule(
    code="CO005", name="compose-unresolved-variable", scope=Scope.ENVIRONMENT, category="interpolation",
    summary="For each environment, every variable a compose file interpolates resolves",
    why="A missing `${VAR:?...}` stops `docker compose up` for that environment; a missing `${VAR}` without a "
        "default silently becomes an empty string (a blank password, an empty host) with only a warning.",
    standard=("CO-INTERPOLATION",), section="Environment Variable Substitution; Environment File Validation",
    example={
        "docker-compose.base.yml": "services:\n  app:\n    image: python:3.12-slim\n    environment:\n"
                                   "      SECRET_KEY: \"${SECRET_KEY:?SECRET_KEY is required}\"\n",
        "docker-compose.dev.yml": "services:\n  app:\n    restart: unless-stopped\n",
    },
    use_instead={
        "docker-compose.base.yml": "services:\n  app:\n    image: python:3.12-slim\n    environment:\n"
                                   "      SECRET_KEY: \"${SECRET_KEY:?SECRET_KEY is required}\"\n",
        "docker-compose.dev.yml": "services:\n  app:\n    restart: unless-stopped\n",
        ".env.dev.example": "SECRET_KEY=change-me\n",
    },
    notes="The interpolation environment is the environment's env file (as `docker compose --env-file "
          ".env.<env>` reads it), never the shell of the machine running the check. Variables that only a "
          "service's `env_file` defines are reported by CO030 instead. When the environment has an env file, "
          "EN005 reports a variable it lacks, once, in that file (where it is to be defined), naming every use; "
          "this rule reports environments without an env file of their own (none, or the project's `.env` they "
          "borrow), once per variable at its first use, naming the others (without any env file, a variable used "
          "bare, `${HOST}`, is CO008's to report); a variable that a CI job running compose "
          "on the environment's files sets in its `env:` (a deploy workflow's `DOMAIN: ${{ vars.DOMAIN }}`) is "
          "supplied by that shell and not reported.",
)
def unresolved_variable(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    only_in_env_file = _service_env_file_keys(ctx, view)
    said = _said_by_env_file_rule(ctx, view)
    where = view.env_file.path if view.env_file is not None else "no env file"
    own = view.env_file is None or view.env_file_is_shared  # no env file of its own (none, or the project's .env)
    first: dict[str, tuple] = {}
    bare_said = _bare_said_by_syntax_rule(ctx, view)
    for issue in view.issues:
        if issue.kind == "invalid" or issue.variable in only_in_env_file or issue.variable in said or \
                issue.variable in CLI_VARIABLES:
            continue
        if issue.kind != "required" and bare_said(issue.path):
            continue
        found = first.get(issue.variable)
        if found is None:
            first[issue.variable] = (issue, [])
        elif issue.kind == "required" and found[0].kind != "required":
            first[issue.variable] = (issue, [found[0]] + found[1])  # the use that stops compose comes first
        else:
            found[1].append(issue)
    # what a CI job running compose on this environment's files sets in its `env:` is there when compose runs
    deployed = deploy_variables(ctx.project, [sf.path for sf in view.compose_files],
                                default=posixpath.basename(view.name) == "default") if own else {}
    out = []
    for issue, others in first.values():
        if issue.variable in deployed:
            continue
        places = list(dict.fromkeys(f"{o.path}:{o.position.line}" for o in others))
        also = f" (also used at {listed(places)})" if places else ""
        if issue.kind == "required" and own:
            # `:?` says the value must come from outside: the shell or CI running compose, or the env file the
            # environment does not have yet; compose refuses to start only where neither gives it
            lacks = (f"has no env file of its own to define it (it reads `{view.env_file.path}`)"
                     if view.env_file is not None else "has no env file to define it")
            msg = (f"`{issue.variable}` is required (`:?`) and environment `{view.name}` {lacks}{also}: set it in "
                   f"`{view.own_env_file}`, or in the shell or CI that runs compose for it; compose refuses to start "
                   "without it")
        elif issue.kind == "required":
            msg = (f"`{issue.variable}` is required but not set for environment `{view.name}` ({where}): "
                   f"compose refuses to start{also}")
        else:
            msg = (f"`{issue.variable}` is not set for environment `{view.name}` ({where}) and has no default: "
                   f"compose substitutes an empty string{also}")
        out.append(Problem(msg, issue.position, path=issue.path, environment=view.name))
    yield from out


def _bare_said_by_syntax_rule(ctx: Context, view):
    """Whether CO008 reports, in a given compose file, the variables the environment uses bare (``${HOST}``: no
    default, not required). Without any env file they are unset for the same reason: CO008 asks each use to be
    required or defaulted, and this rule does not say it again."""
    rule = get_rule("CO008")
    config = ctx.project.config
    if rule is None or view.env_file is not None or not config.enabled(rule.code):
        return lambda path: False
    return lambda path: not config.ignored_in_file(rule.code, path)


def _said_by_env_file_rule(ctx: Context, view) -> set[str]:
    """The variables EN005 reports missing from the environment's env file (empty when it does not run on it)."""
    rule = get_rule("EN005")
    config = ctx.project.config
    if rule is None or view.env_file is None or view.env is None or view.env_file_is_shared or \
            not config.enabled(rule.code) or config.ignored_in_file(rule.code, view.env_file.path):
        return set()
    variables = ctx.project.parsed(view.env_file, parse_env_tolerant).as_dict()
    return {need.name for need in environment_needs(view, variables)}


@rule(
    code="CO008", name="compose-required-variable-syntax", scope=Scope.COMPOSE,
    summary="Secrets use `${VAR:?message}`; other variables are either required or given a default",
    why="`${SECRET:-default}` ships a known secret when the variable is missing and `${VAR}` silently becomes "
        "empty; `${VAR:?descriptive message}` makes compose stop and say what to set.",
    standard=("CO-REQUIRED-VARS",), section="Required vs Optional Variables; Environment Variable Substitution",
    example="services:\n  app:\n    image: python:3.12-slim\n    environment:\n"
            "      SECRET_KEY: \"${SECRET_KEY:-dev-secret}\"\n      HOST: \"${HOST}\"\n",
    use_instead="services:\n  app:\n    image: python:3.12-slim\n    environment:\n"
                "      SECRET_KEY: \"${SECRET_KEY:?SECRET_KEY is required}\"\n      HOST: \"${HOST:-0.0.0.0}\"\n",
    notes="An empty default (`${SMTP_PASSWORD:-}`) declares an optional setting (no SMTP authentication), not a "
          "secret with a known value: it is accepted. A variable used the same way several times in a file is "
          "reported once, at its first use, naming the others: one guard stops compose wherever it is; a plain use "
          "of a variable the file requires elsewhere (`${POSTGRES_DB?...}`, then `pg_isready -d $POSTGRES_DB`) needs "
          "none. `${PWD}` is "
          "set by docker compose itself (its CLI sets it to the working directory when the shell does not). In a "
          "compose file only development runs (under `dev/`, or `docker-compose.dev.yml`) a secret's default is a "
          "development default, and is accepted.",
)
def required_variable_syntax(ctx: Context) -> Iterator[Problem]:
    root = getattr(ctx.model, "root", None)
    if not isinstance(root, dict):
        return
    found: dict[tuple[str, str], tuple[str, object, list[int]]] = {}  # (variable, problem) -> first, later lines
    development = local_only(ctx.file.path)  # its secrets' defaults are development defaults
    values = [(text, pos, scan(text).refs) for _path, text, pos in strings(root) if "$" in text]
    # a variable required anywhere in the file stops compose when it is unset: its other uses need no guard
    guarded = {ref.name for _, _, refs in values for ref in refs if ref.required}
    for text, pos, refs in values:
        for ref in refs:
            if ref.name in CLI_VARIABLES:
                continue  # docker compose sets it (`${PWD}`): no guard and no default to write
            if ref.name in guarded and ref.operator == "":
                continue  # `$POSTGRES_DB` beside `${POSTGRES_DB?Variable not set}`: compose stops before this
            span = scalar_span(ctx.file, pos, text, ref.start, ref.end)
            optional = ref.has_default and ref.argument == ""  # `${SMTP_PASSWORD:-}`: unset means none
            if is_secret_name(ref.name) and not ref.required and ref.operator not in (":+", "+") and not optional:
                if development and ref.has_default:
                    continue
                how = "has a default" if ref.has_default else "is neither required nor defaulted"
                required = f"`${{{ref.name}:?{ref.name} is required}}`"
                # unset, it is empty already: an optional credential (tracing, one integration) says so with `:-`
                key, message = how, (f"secret `{ref.name}` {how}: write {required}" if ref.has_default else
                                     f"secret `{ref.name}` {how}: write {required}, or `${{{ref.name}:-}}` when the "
                                     "services run without it")
            elif ref.required and not (ref.argument or "").strip():
                key, message = "no message", (f"`${{{ref.name}{ref.operator}}}` has no message: say what to set, "
                                              f"e.g. `${{{ref.name}:?{ref.name} is required}}`")
            elif ref.operator == "" and ref.depth == 0:
                key, message = "bare", (f"`{text[ref.start:ref.end]}` is neither required nor defaulted: use "
                                        f"`${{{ref.name}:?message}}` or `${{{ref.name}:-default}}`")
            else:
                continue
            if (ref.name, key) in found:  # one guard is enough: the same variable again is named at its first use
                found[ref.name, key][2].append(span.line)
            else:
                found[ref.name, key] = (message, span, [])
    for message, span, later in found.values():
        also = f" (also used so at line {', '.join(map(str, dict.fromkeys(later)))})" if later else ""
        yield Problem(message + also, span)


@rule(
    code="CO030", name="compose-env-file-not-interpolated", scope=Scope.ENVIRONMENT,
    summary="Variables a compose file interpolates come from the interpolation environment, not a service's `env_file`",
    why="Compose interpolates `${VAR}` from the shell, the project `.env` or `--env-file` only; a variable "
        "defined solely in a file a service loads with `env_file:` is unset at interpolation time, so it "
        "becomes empty (or compose refuses to start) even though the file defines it.",
    standard=("CO-ENVFILE-NOT-INTERP",), section="Docker Compose Environment Configuration",
    severity="error",
    example={
        "docker-compose.base.yml": "services:\n  app:\n    image: python:3.12-slim\n    env_file: .env.app\n"
                                   "    environment:\n      DB_PASSWORD: \"${DB_PASSWORD:?DB_PASSWORD is required}\"\n",
        "docker-compose.dev.yml": "services:\n  app:\n    restart: unless-stopped\n",
        ".env.dev.example": "DEBUG=true\n",
        ".env.app": "DB_PASSWORD=change-me\n",
    },
    use_instead={
        "docker-compose.base.yml": "services:\n  app:\n    image: python:3.12-slim\n    env_file: .env.app\n"
                                   "    environment:\n      DB_PASSWORD: \"${DB_PASSWORD:?DB_PASSWORD is required}\"\n",
        "docker-compose.dev.yml": "services:\n  app:\n    restart: unless-stopped\n",
        ".env.dev.example": "DB_PASSWORD=change-me\n",
        ".env.app": "DEBUG=true\n",
    },
    notes="Error: the container gets an empty value or compose refuses to start.",
)
def env_file_not_interpolated(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    only_in_env_file = _service_env_file_keys(ctx, view)
    if not only_in_env_file:
        return
    out = []
    for issue in view.issues:
        if issue.kind == "invalid" or issue.variable not in only_in_env_file:
            continue
        out.append(Problem(
            f"`{issue.variable}` is defined only in `{only_in_env_file[issue.variable]}` (a service `env_file`), "
            f"which compose does not use for interpolation: define it in the interpolation environment "
            f"({view.env_file.path if view.env_file else f'.env.{view.name}'}) too",
            issue.position, path=issue.path))
    yield from out

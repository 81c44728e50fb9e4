"""How compose files are organised: one base plus one override per environment, each loading its env file."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dockyard import roles
from dockyard.compose.context import environment_views
from dockyard.compose.environments import DEFAULT_ENVIRONMENT
from dockyard.model import Problem
from dockyard.parsers.yamlpos import load_yaml
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.compose._common import (at, defined_locally, file_services, has_role, in_file,
                                            is_application, judged, local_only)
from dockyard.source import FileKind

_CONVENTION = ("use a base file plus one override per environment: `docker-compose.base.yml` + "
               "`docker-compose.dev.yml` / `docker-compose.prod.yml` (or `compose.yaml` + `compose.<env>.yaml`)")


@rule(
    code="CO006", name="compose-layout", scope=Scope.PROJECT, needs=(FileKind.COMPOSE,),
    summary="Compose files are a base file plus one override per environment, the same base for all",
    why="One base with a small override per environment keeps what is shared in one place and what differs "
        "visible; a lone `docker-compose.yml` (or per-environment copies) drifts, and a compose file no "
        "environment uses is read by nobody or by surprise.",
    standard=("CO-LAYOUT",), section="Basic Compose File; Compose File Overrides; Production Compose",
    example={"docker-compose.yml": "services:\n  app:\n    image: python:3.12-slim\n"},
    use_instead={
        "docker-compose.base.yml": "services:\n  app:\n    image: python:3.12-slim\n",
        "docker-compose.dev.yml": "services:\n  app:\n    restart: unless-stopped\n",
        "docker-compose.prod.yml": "services:\n  app:\n    restart: unless-stopped\n",
    },
    notes="compose's default override (`compose.override.yaml`, `docker-compose.override.yml`), which `docker "
          "compose` with no `-f` merges into `compose.yaml` / `docker-compose.yml`, is the development override "
          "(environment `default`). A `docker-compose.<env>.override.yml` belongs to environment `<env>`. "
          "Production overrides are named `prod`, `production`, `prd`, `live`, `deploy` or `release`. Compose "
          "files that build nothing from the project and run no application (only databases and caches for an app "
          "run on the host) are development helpers and are not judged, nor are the compose files of a test stack "
          "(under `tests/` or `e2e/`) or of a development container (`.devcontainer/`), nor a compose file under a "
          "development folder (`dev/docker/compose.yml`) or named for development that no environment uses.",
)
def compose_layout(ctx: Context) -> Iterator[Problem]:
    views = [v for v in environment_views(ctx.project) if _runs_the_project(ctx, v) and not local_only(v.name)]
    apps = {sf.path for v in views for sf in v.compose_files}
    everything = {sf.path for v in environment_views(ctx.project) for sf in v.compose_files}
    # a file of no environment is judged when environments run the project or it builds from it itself
    compose_files = [sf for sf in ctx.project.files_of(FileKind.COMPOSE) if not local_only(sf.path) and (
        sf.path in apps or (sf.path not in everything and (apps or _builds(ctx, sf))))]
    if not compose_files:
        return
    # compose's default environment counts when it has its (development) override, not as a lone file
    named = [v for v in views if posixpath.basename(v.name) != DEFAULT_ENVIRONMENT or v.is_development]
    used = {sf.path for v in views for sf in v.compose_files}
    if not named:
        first = next((sf for sf in compose_files if sf.path in used), compose_files[0])
        yield Problem(f"no per-environment overrides: {_CONVENTION}", path=first.path)
    else:
        bases = {v.compose_files[0].path for v in named if v.compose_files}
        if len(bases) > 1:
            yield Problem(f"environments use different base files ({', '.join(sorted(bases))}): every "
                          "environment should share one base", path=sorted(bases)[0])
        for v in named:
            if len(v.compose_files) < 2 and v.compose_files:
                yield Problem(f"environment `{v.name}` uses a single compose file: {_CONVENTION}",
                              path=v.compose_files[0].path)
        if bases:
            base = sorted(bases)[0]
            if not any(v.is_production for v in named):
                yield Problem("no production override (e.g. `docker-compose.prod.yml`) next to the base file",
                              path=base)
            if not any(v.is_development for v in named):
                yield Problem("no development override (e.g. `docker-compose.dev.yml`) next to the base file",
                              path=base)
    for sf in compose_files:
        if sf.path not in used:
            yield Problem("compose file is not part of any environment (base + override): "
                          f"remove it or name it after an environment; {_CONVENTION}", path=sf.path)


def _runs_the_project(ctx: Context, view) -> bool:
    """Whether an environment runs the project: a service is built from it, or is the application (a FastAPI
    service or a Python image). One that only starts databases and caches for an app run on the host is a
    development helper, which the layout rule does not judge."""
    return any(svc.get("build") is not None or has_role(ctx, name, roles.PYTHON_IMAGES, view)
               for name, svc in view.services.items())


def _builds(ctx: Context, sf) -> bool:
    doc = ctx.project.parsed(sf, load_yaml) if sf.text is not None else None
    return doc is None or not doc.ok or any(svc.get("build") is not None for _name, svc in file_services(doc))


def _wanted_names(ctx: Context, view) -> set[str]:
    """The env file names an environment's services may load: ``.env.<env>``, the configured one, or the
    environment's own file. The project's ``.env``, which interpolation falls back to when the environment has
    no file of its own, is not one: it holds development settings, not this environment's."""
    names = {f".env.{posixpath.basename(view.name)}"}
    configured = (getattr(ctx.project.config, "environments", None) or {}).get(view.name) or {}
    if configured.get("env_file"):
        names.add(posixpath.basename(configured["env_file"]))
    if view.env_file is not None:
        base = posixpath.basename(view.env_file.path)
        base = base[: -len(".example")] if base.endswith(".example") else base
        if base != ".env":
            names.add(base)
    return names


@rule(
    code="CO007", name="compose-service-env-file", scope=Scope.ENVIRONMENT, applies=roles.PYTHON_IMAGES,
    summary="Application services load the environment's file with `env_file`",
    why="The environment file is the single source of truth for an environment's configuration; an "
        "application service that does not load it (or loads another environment's file) runs with "
        "settings nobody reviews in one place.",
    standard=("CO-ENV-FILE",), section="Environment Variables; Docker Compose Environment Configuration",
    example={
        "docker-compose.base.yml": "services:\n  app:\n    build: .\n",
        "docker-compose.dev.yml": "services:\n  app:\n    restart: unless-stopped\n",
        ".env.dev.example": "DEBUG=true\n",
    },
    use_instead={
        "docker-compose.base.yml": "services:\n  app:\n    build: .\n",
        "docker-compose.dev.yml": "services:\n  app:\n    env_file:\n      - .env.dev\n",
        ".env.dev.example": "DEBUG=true\n",
    },
    notes="A name such as `.env.dev` is expected, not its `.example` template, which holds placeholders. An "
          "environment without its own file (its interpolation falls back to the project's `.env`) is still asked "
          "to load `.env.<env>`: the project's `.env` holds development settings. When no environment has a file of "
          "its own (one `.env` shared by every overlay, as an installer writes it), a service that loads that file "
          "is not asked for `.env.<env>` per environment: EN002 reports the missing per-environment files once. A "
          "service only a test overlay or a development override defines (a mock server) is not asked.",
)
def service_env_file(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    if posixpath.basename(view.name) == DEFAULT_ENVIRONMENT:
        return
    wanted = _wanted_names(ctx, view)
    # no environment has a file of its own: one shared `.env` by design, whose absence of per-environment files
    # EN002 reports once; a service that loads it is not asked, per environment, for a file nothing has
    shared_only = not any(v.env_file is not None and not v.env_file_is_shared for v in environment_views(ctx.project))
    services = view.services
    out = []
    for name, svc in services.items():
        if not is_application(svc, view.built_images) or not judged(ctx, name) or defined_locally(view, name):
            continue  # (a mock server of a test overlay is configured there, with test values)
        files = svc.get("env_file") or []
        paths = [f.get("path") if isinstance(f, dict) else f for f in files]
        if any(isinstance(p, str) and posixpath.basename(p) in wanted for p in paths):
            continue
        want = sorted(wanted)[0]
        if paths and shared_only and all(isinstance(p, str) and posixpath.basename(p) == ".env" for p in paths):
            continue
        if paths:
            out.append(at(view, ("services", name, "env_file"),
                          f"service `{name}` loads {', '.join(f'`{p}`' for p in paths)} but not `{want}` "
                          f"in environment `{view.name}`"))
        else:
            out.append(in_file(view, ("services", name),
                               f"application service `{name}` does not load `{want}`: add `env_file: [{want}]` "
                               f"(environment `{view.name}`)"))
    yield from out

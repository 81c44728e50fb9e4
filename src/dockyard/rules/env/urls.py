"""EN011: base URLs and the hosts/ports of backing services are defined in the env files."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from dockyard.compose.environments import in_fixture_folder
from dockyard.analysis.variables import referenced_variables
from dockyard.compose.context import environment_views
from dockyard.images import ImageFamily, image_family
from dockyard.model import Position, Problem
from dockyard.regex import lazy_compile
from dockyard.roles import PYTHON_IMAGES, roles
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.env._envfiles import FIXTURES, parsed

BASE_URLS = ("BASE_URL", "API_BASE_URL")
_URL_SUFFIXES = ("_URL", "_URI", "_DSN", "_ENDPOINT")
# names an application gives the address it is reached at, besides the standard's BASE_URL/API_BASE_URL: where
# the env file defines one, links and redirects already follow the deployment
_PUBLIC_ADDRESS = lazy_compile(r"(?:^|_)(?:BASE_URL|API_URL|PUBLIC_URL|SITE_URL|APP_URL|EXTERNAL_URL|SERVER_URL|"
                             r"FRONTEND_URL|FRONTEND_HOST|SERVER_HOST|SERVER_NAME|DOMAIN|PUBLIC_HOST)$")


def _prefixes(service: str, family: ImageFamily) -> list[str]:
    own = re.sub(r"[^A-Za-z0-9]", "_", service).upper()
    return list(dict.fromkeys([own, *family.prefixes]))


def _defined(keys: set[str], service: str, family: ImageFamily, connections: set[str]) -> bool:
    """``connections``: the keys whose value is a URL (``DATABASE_STRING=postgresql+psycopg://...``)."""
    for prefix in _prefixes(service, family):
        if (f"{prefix}_HOST" in keys or f"{prefix}_HOSTNAME" in keys) and f"{prefix}_PORT" in keys:
            return True
        if any(k.startswith(prefix) and (k.endswith(_URL_SUFFIXES) or k in connections) for k in keys):
            return True
    return False


def referrers(view, name: str) -> list[str]:
    """The other services of the environment that refer to service ``name``: they `depends_on` it, `links` to it,
    or name it as a host in an `environment` value (``db``, ``db:5432``, ``postgresql://u:p@db:5432/app``)."""
    host = re.compile(rf"(?:^|[/@,\s]){re.escape(name)}(?::\d+)?(?=$|[/,\s?])")
    found = []
    for other, spec in view.services.items():
        if other == name:
            continue
        deps = spec.get("depends_on")
        links = spec.get("links")
        env = spec.get("environment")
        if (isinstance(deps, (dict, list)) and name in deps) or \
                (isinstance(links, list) and any(str(link).split(":", 1)[0] == name for link in links)) or \
                (isinstance(env, dict) and any(isinstance(v, str) and host.search(v) for v in env.values())):
            found.append(other)
    return found


def _configured_here(project, view, name: str, env_path: str) -> bool:
    """Whether service ``name`` takes its settings from the project: an application (compose builds it, or it runs
    a Python image), or a service that loads the env file with `env_file:`. A third-party image that only depends
    on a database (an admin UI) is pointed at it by its own settings or UI, not by this file."""
    spec = view.services.get(name) or {}
    if spec.get("build") is not None or spec.get("image") in view.built_images:
        return True
    role = roles(project).services(view).get(name)
    if role is not None and role.role in PYTHON_IMAGES:
        return True
    base = posixpath.basename(env_path)
    names = {base, base[: -len(".example")] if base.endswith(".example") else base}
    return any(isinstance(p, str) and posixpath.basename(p) in names
               for p in ((item.get("path") if isinstance(item, dict) else item) for item in spec.get("env_file") or []))


def _missing(project, view, keys: set[str], env_path: str, connections: set[str]) -> list[str]:
    """What the environment asks of its env file and the file does not define, in words."""
    out: list[str] = []
    # the app's address under its own name (`DOMAIN`), in the env file or in what compose interpolates (where a
    # missing one is EN005's or CO005's), stands for the standard's BASE_URL
    own_names = keys | referenced_variables(view)
    if any(c.role in PYTHON_IMAGES for c in roles(project).services(view).values()) and not any(
            _PUBLIC_ADDRESS.search(k) for k in own_names):
        out += [f"`{name}`" for name in BASE_URLS if name not in keys]
    for service, spec in sorted(view.services.items()):
        family = image_family(spec.get("image"))
        if family is None or _defined(keys, service, family, connections) or \
                not any(_configured_here(project, view, other, env_path) for other in referrers(view, service)):
            continue
        prefix = family.prefixes[0]
        out.append(f"the address of `{service}` ({family.name}): `{prefix}_HOST` and `{prefix}_PORT`, or a "
                   f"`{prefix}_URL`")
    return out


@rule(
    code="EN011", name="env-urls-defined", scope=Scope.ENVIRONMENT, category="missing",
    summary="`BASE_URL`, `API_BASE_URL` and the host/port of each backing service are defined in the env files",
    why="URLs and service addresses are what changes between a laptop, staging and production. When they are "
    "defaults buried in code or compose files, moving an environment means editing code; when the env file "
    "defines them, it means editing one file.",
    standard=("EN-URLS",), section="Base URLs and DNS Configuration; URL and DNS Best Practices",
    example={"compose.yaml": "services:\n  api:\n    image: python:3.12-slim\n    command: uvicorn app.main:app\n"
                             "    depends_on: [db]\n  db:\n    image: postgres:16\n",
             "compose.dev.yaml": "services:\n  api:\n    env_file: [.env.dev]\n",
             ".env.dev.example": "BASE_URL=http://localhost:8150\nAPI_BASE_URL=${BASE_URL}/api\n"},
    use_instead={"compose.yaml": "services:\n  api:\n    image: python:3.12-slim\n    command: uvicorn app.main:app\n"
                                 "    depends_on: [db]\n  db:\n    image: postgres:16\n",
                 "compose.dev.yaml": "services:\n  api:\n    env_file: [.env.dev]\n",
                 ".env.dev.example": "BASE_URL=http://localhost:8150\nAPI_BASE_URL=${BASE_URL}/api\n"
                                     "POSTGRES_HOST=db\nPOSTGRES_PORT=5432\n"},
    notes=FIXTURES + "`BASE_URL` and `API_BASE_URL` are asked of an environment that runs a Python application service "
    "(the FastAPI service or another Python image): a stack of third-party images (a database and its admin UI, a "
    "DNS appliance) builds no links or redirects. An env file that already gives the application's address under "
    "a name of its own (`DOMAIN`, `FRONTEND_HOST`, `SERVER_HOST`, `PUBLIC_URL`, `SITE_URL`, `*_BASE_URL`, "
    "`*_API_URL`...), or whose compose files interpolate one (`${DOMAIN:?...}`: a missing one is EN005's), is not "
    "asked for them. A backing service is recognised by its image (postgres, mysql, "
    "mariadb, mongo, redis, valkey, memcached, rabbitmq, elasticsearch, opensearch, kafka, nats, minio), and its "
    "address is asked for only when another service of the environment refers to it (`depends_on`, `links`, or its "
    "name as a host in an `environment` value) and that service is configured by the project: an application "
    "(compose builds it, or it runs a Python image) or a service that loads the env file with `env_file:`. Nobody "
    "reads an address nobody connects to, and a third-party image that only depends on the database (an admin UI "
    "beside a database for an app run on the host) is pointed at it by its own settings. It counts as defined by "
    "`<PREFIX>_HOST` (or `<PREFIX>_HOSTNAME`) and `<PREFIX>_PORT`, or by a `<PREFIX>..._URL`/`_URI`/`_DSN` or any "
    "`<PREFIX>...` holding a URL (`DATABASE_STRING=postgresql://...`), where "
    "the prefix is the "
    "service's name or its kind (`db` with postgres: `DB_`, `POSTGRES_`, `DATABASE_`, `PG_`...). One finding per "
    "env file lists everything it lacks, for every environment that reads it.",
)
def check(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    if view is None or view.env_file is None or view.env_file.text is None or in_fixture_folder(view.name):
        return
    sf = view.env_file
    views = [v for v in environment_views(ctx.project) if v.env_file is not None and v.env_file.path == sf.path]
    if views and views[0].name != view.name:
        return  # judged with the first environment that reads it, for every environment that does
    env = parsed(ctx.project, sf)
    values = env.as_dict()
    keys = set(values) | {e.key for e in env.entries}
    connections = {k for k, v in values.items() if isinstance(v, str) and "://" in v}
    missing: list[str] = []
    names: list[str] = []
    for v in views or [view]:
        found = _missing(ctx.project, v, keys, sf.path, connections)
        if found:
            names.append(v.name)
            missing += [m for m in found if m not in missing]
    if not missing:
        return
    base = [m for m in missing if not m.startswith("the address")]
    parts = ([" and ".join(base)] if base else []) + [m for m in missing if m.startswith("the address")]
    shown = [f"`{n}`" for n in names]
    which = f"environment {shown[0]}" if len(shown) == 1 else \
        f"environments {', '.join(shown[:-1])} and {shown[-1]}"
    yield Problem(f"`{sf.path}` does not define {'; nor '.join(parts)} ({which}): define them so that links, "
                  "redirects and connections follow the deployment", Position.whole_file(), path=sf.path,
                  environment=names[0] if len(names) == 1 else None)

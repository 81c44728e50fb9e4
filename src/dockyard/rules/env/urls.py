"""EN011: base URLs and the hosts/ports of backing services are defined in the env files."""

from __future__ import annotations

import re
from typing import Iterator

from dockyard.model import Position, Problem
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.env._envfiles import parsed

BASE_URLS = ("BASE_URL", "API_BASE_URL")
# image name (last path component, without tag) -> variable prefixes that name that kind of service
BACKING_IMAGES = {
    "postgres": ("POSTGRES", "DB", "DATABASE", "PG", "POSTGRESQL"),
    "postgis": ("POSTGRES", "DB", "DATABASE", "PG", "POSTGIS"),
    "timescaledb": ("POSTGRES", "DB", "DATABASE", "PG", "TIMESCALE"),
    "mysql": ("MYSQL", "DB", "DATABASE"),
    "mariadb": ("MARIADB", "MYSQL", "DB", "DATABASE"),
    "mongo": ("MONGODB", "MONGO", "DB", "DATABASE"),
    "redis": ("REDIS", "CACHE", "CELERY_BROKER", "BROKER"),
    "valkey": ("VALKEY", "REDIS", "CACHE"),
    "memcached": ("MEMCACHED", "CACHE"),
    "rabbitmq": ("RABBITMQ", "AMQP", "BROKER", "CELERY_BROKER"),
    "elasticsearch": ("ELASTICSEARCH", "ELASTIC", "ES", "SEARCH"),
    "opensearch": ("OPENSEARCH", "ELASTICSEARCH", "SEARCH"),
    "kafka": ("KAFKA", "BROKER"),
    "nats": ("NATS",),
    "minio": ("MINIO", "S3"),
}
_URL_SUFFIXES = ("_URL", "_URI", "_DSN", "_ENDPOINT")


def backing_kind(image: str) -> str | None:
    name = image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0].lower()
    for kind in BACKING_IMAGES:
        if name == kind or name.startswith(kind + "-"):
            return kind
    return None


def _prefixes(service: str, kind: str) -> list[str]:
    own = re.sub(r"[^A-Za-z0-9]", "_", service).upper()
    return list(dict.fromkeys([own, *BACKING_IMAGES[kind]]))


def _defined(keys: set[str], service: str, kind: str) -> bool:
    for prefix in _prefixes(service, kind):
        if f"{prefix}_HOST" in keys and f"{prefix}_PORT" in keys:
            return True
        if any(k.startswith(prefix) and k.endswith(_URL_SUFFIXES) for k in keys):
            return True
    return False


@rule(
    code="EN011", name="env-urls-defined", scope=Scope.ENVIRONMENT,
    summary="`BASE_URL`, `API_BASE_URL` and the host/port of each backing service are defined in the env files",
    why="URLs and service addresses are what changes between a laptop, staging and production. When they are "
    "defaults buried in code or compose files, moving an environment means editing code; when the env file "
    "defines them, it means editing one file.",
    standard=("EN-URLS",), section="Base URLs and DNS Configuration; URL and DNS Best Practices",
    example={"compose.yaml": "services:\n  api:\n    image: api:1.0\n  db:\n    image: postgres:16\n",
             "compose.dev.yaml": "services:\n  api:\n    env_file: [.env.dev]\n",
             ".env.dev.example": "BASE_URL=http://localhost:8150\nAPI_BASE_URL=${BASE_URL}/api\n"},
    use_instead={"compose.yaml": "services:\n  api:\n    image: api:1.0\n  db:\n    image: postgres:16\n",
                 "compose.dev.yaml": "services:\n  api:\n    env_file: [.env.dev]\n",
                 ".env.dev.example": "BASE_URL=http://localhost:8150\nAPI_BASE_URL=${BASE_URL}/api\n"
                                     "POSTGRES_HOST=db\nPOSTGRES_PORT=5432\n"},
    notes="Backing services are recognised by their image (postgres, mysql, mariadb, mongo, redis, valkey, "
    "memcached, rabbitmq, elasticsearch, opensearch, kafka, nats, minio). A service counts as defined by "
    "`<PREFIX>_HOST` and `<PREFIX>_PORT`, or by a `<PREFIX>..._URL`/`_URI`/`_DSN`, where the prefix is the "
    "service's name or its kind (`db` with postgres: `DB_`, `POSTGRES_`, `DATABASE_`, `PG_`...).",
)
def check(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    if view is None or view.env_file is None or view.env_file.text is None:
        return
    seen = ctx.project.memo("env.urls.reported", set)
    sf = view.env_file
    keys = set(parsed(ctx.project, sf).as_dict()) | {e.key for e in parsed(ctx.project, sf).entries}
    for name in BASE_URLS:
        if name not in keys and (sf.path, name) not in seen:
            seen.add((sf.path, name))
            yield Problem(f"`{name}` is not defined for environment `{view.name}`: define it in `{sf.path}` so "
                          "that links and redirects follow the deployment", Position.whole_file(), path=sf.path)
    for service, spec in sorted(view.services.items()):
        image = spec.get("image")
        kind = backing_kind(image) if isinstance(image, str) else None
        if kind is None or _defined(keys, service, kind):
            continue
        if (sf.path, service) in seen:
            continue
        seen.add((sf.path, service))
        prefix = BACKING_IMAGES[kind][0]
        yield Problem(f"backing service `{service}` ({kind}) has no address in `{sf.path}`: define "
                      f"`{prefix}_HOST` and `{prefix}_PORT` (or a `{prefix}_URL`) for environment `{view.name}`",
                      Position.whole_file(), path=sf.path)

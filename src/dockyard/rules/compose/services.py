"""Volumes, build targets and redis hardening, per environment."""

from __future__ import annotations

import os
import posixpath

from collections.abc import Iterator

from dockyard import roles
from dockyard.compose.merge import split_volume
from dockyard.model import Problem
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.compose._common import (at, builds_for_development, dockerfile_of, is_application, is_redis,
                                            judged, service_backing_kind)
from dockyard.rules.compose._redis import redis_settings

_BASE = "docker-compose.base.yml"


def _ex(base: str, over: str = "services: {}\n", env: str = "dev", **more: str) -> dict:
    return {_BASE: base, f"docker-compose.{env}.yml": over, **more}


def _mount(item) -> tuple[str, str | None, str, bool]:
    """``(type, source, target, read_only)`` of a service volume entry."""
    if isinstance(item, dict):
        kind = item.get("type") or "volume"
        return kind, item.get("source"), str(item.get("target", "")), bool(item.get("read_only"))
    src, target, mode = split_volume(str(item))
    if src is None:
        return "volume", None, target, False
    bind = src.startswith((".", "/", "~", "$")) or (len(src) > 1 and src[1] == ":")
    return ("bind" if bind else "volume"), src, target, "ro" in mode.split(",")


# what a bind mount of code names: a folder, or a file of one of these kinds
_SOURCE_SUFFIXES = frozenset((".py", ".pyi", ".pyx", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".go", ".rb",
                              ".php", ".java", ".sh"))


def _log_folder(src: str, target: str) -> bool:
    """A bind mount that collects the service's logs on the host (`./logs:/var/log/app`): output, not source."""
    return target.startswith("/var/log") or any(part in ("log", "logs") for part in src.split("/"))


def _single_config_file(src: str) -> bool:
    """A bind source that names one file of configuration or data (`./.env`, `./nginx.conf`, `./app.db`,
    `/var/run/docker.sock`): what a deployment mounts on purpose, not the service's source."""
    name = src.rsplit("/", 1)[-1]
    if not name or name in (".", "..", "~"):
        return False
    if name.startswith(".env"):  # `.env`, `.env.prod`
        return True
    stem, _, suffix = name.rpartition(".")
    return bool(stem) and bool(suffix) and f".{suffix.lower()}" not in _SOURCE_SUFFIXES


_NOT_SOURCE_FOLDERS = frozenset({"node_modules", ".git", ".venv", "venv", "__pycache__"})
_SCAN_LIMIT = 2000  # entries looked at in a mounted folder


def _holds_source(project, view, path: tuple, src: str) -> bool:
    """Whether a bind mount's host side, in the checked tree, is code: a code file, or a folder holding one (the
    first few thousand entries are looked at). A folder the tree does not hold (reports a service writes, a
    build's output such as `.next`, a path outside the tree) or that holds only data and documents is none."""
    origin = view.origin_record(path)
    if origin is None or src.startswith(("/", "~", "$")):
        return False
    rel = posixpath.normpath(posixpath.join(posixpath.dirname(origin.path), src))
    if rel.startswith(".."):
        return False
    return project.memo(f"compose.holds_source:{rel}", lambda: _code_at(project.root / rel))


def _code_at(host) -> bool:
    if host.is_file():
        return host.suffix.lower() in _SOURCE_SUFFIXES
    seen = 0
    for _, folders, files in os.walk(host):
        folders[:] = [f for f in folders if f not in _NOT_SOURCE_FOLDERS]
        seen += len(files) + len(folders)
        if any(posixpath.splitext(f)[1].lower() in _SOURCE_SUFFIXES for f in files):
            return True
        if seen > _SCAN_LIMIT:
            return True  # a large tree: taken for the source it most likely is
    return False


_DATA_DIRS = ("/var/lib/postgresql", "/var/lib/mysql", "/data", "/bitnami", "/var/lib/redis", "/var/opt/mssql",
              "/usr/share/elasticsearch/data", "/usr/share/opensearch/data", "/var/lib/rabbitmq",
              "/var/lib/clickhouse", "/var/lib/cassandra", "/var/lib/influxdb", "/var/lib/influxdb2",
              "/opt/couchdb/data", "/var/lib/kafka", "/var/lib/zookeeper", "/var/lib/scylla", "/cockroach")


@rule(
    code="CO018", name="compose-named-volumes", scope=Scope.ENVIRONMENT,
    summary="Persistent data uses declared named volumes; source bind mounts only in the development override",
    why="Database files in an anonymous volume or a bind-mounted folder are lost or broken by a `down -v`, a "
        "new checkout or a permission change; a source bind mount outside development ships whatever is on "
        "the host instead of the image that was built and tested.",
    standard=("CO-NAMED-VOLUMES",), section="Named Volumes; Bind Mounts",
    example=_ex("services:\n  db:\n    image: postgres:17.2\n    volumes:\n      - ./data:/var/lib/postgresql/data\n"),
    use_instead=_ex("services:\n  db:\n    image: postgres:17.2\n    volumes:\n"
                    "      - postgres_data:/var/lib/postgresql/data\nvolumes:\n  postgres_data:\n    driver: local\n"),
    notes="A service built with `target: development` (or `dev`, `local`) is a development service wherever it "
          "is defined: its source bind mount is what that stage is for. A bind mount of one configuration or "
          "data file (`./.env`, `./nginx.conf`, `./app.db`), or of a folder that collects logs "
          "(`./logs:/var/log/app`), is no source mount, read-only or not; a folder or a code file (`./src`, "
          "`./app/main.py`) is, when the checked tree holds code there: a folder of reports the service writes, "
          "a build's output (`./frontend/.next`) or documents it reads is data.",
)
def named_volumes(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    services = view.services
    declared = set(view.top("volumes"))
    out = []
    for name, svc in services.items():
        vols = svc.get("volumes") if isinstance(svc.get("volumes"), list) else []
        kind = service_backing_kind(ctx.project, view, svc)
        stateful = kind is not None
        has_named = False
        for i, item in enumerate(vols):
            kind, src, target, ro = _mount(item)
            path = ("services", name, "volumes", i)
            if kind == "volume" and src:
                has_named = True
                if src not in declared:
                    out.append(at(view, path, f"`{name}` mounts volume `{src}`, which is not declared under "
                                  "top-level `volumes:`"))
            elif kind == "bind":
                if stateful and target.startswith(_DATA_DIRS):
                    out.append(at(view, path, f"data of `{name}` is in a bind mount (`{src}`): use a named volume"))
                    has_named = True
                elif is_application(svc, view.built_images) and not view.is_development and not ro and \
                        not builds_for_development(svc) and not _single_config_file(src or "") and \
                        not _log_folder(src or "", target) and _holds_source(ctx.project, view, path, src or ""):
                    out.append(at(view, path, f"`{name}` bind-mounts `{src}` outside development: source bind "
                                  "mounts belong only in the development override"))
        if kind == "database" and not has_named:
            out.append(at(view, ("services", name), f"database `{name}` keeps its data in no named volume",
                          first=True))
    yield from out


@rule(
    code="CO020", name="compose-build-target", scope=Scope.ENVIRONMENT, applies=roles.PYTHON_IMAGES,
    summary="A service built from the project's Dockerfile names its `target` (`production` outside development)",
    why="Without `target` compose builds the Dockerfile's last stage, whatever it is today; outside "
        "development anything but the production stage ships compilers, dev dependencies or reloaders.",
    standard=("CO-BUILD-TARGET",), section="Basic Compose File",
    example=_ex("services:\n  app:\n    build:\n      context: .\n", env="prod",
                Dockerfile="FROM python:3.12-slim AS production\n"),
    use_instead=_ex("services:\n  app:\n    build:\n      context: .\n      target: production\n", env="prod",
                    Dockerfile="FROM python:3.12-slim AS production\n"),
    notes="When the Dockerfile the service builds is in the checked tree and has no stage named `production`, "
          "DF014 asks for that stage and this rule says nothing: `target: production` would fail the build.",
)
def build_target(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    out = []
    for name, svc in view.services.items():
        build = svc.get("build")
        if not isinstance(build, dict) or not judged(ctx, name):
            continue
        if _lacks_production_stage(ctx, view, svc):
            continue  # DF014 asks the Dockerfile for the stage; until it exists no target can name it
        target = build.get("target")
        if not target:
            out.append(at(view, ("services", name, "build"), f"`{name}` is built without a `target` stage", first=True))
        elif not view.is_development and target != "production":
            out.append(at(view, ("services", name, "build", "target"),
                          f"`{name}` builds stage `{target}` outside development: use `production`",
                          value=True))
    yield from out


def _lacks_production_stage(ctx: Context, view, svc: dict) -> bool:
    """The Dockerfile the service builds is in the checked tree and has no stage named `production`."""
    sf = dockerfile_of(ctx.project, view, svc)
    if sf is None or sf.text is None:
        return False
    try:
        df = ctx.project.dockerfile(sf)
    except Exception:
        return False
    return df is not None and bool(df.stages) and not any(s.name == "production" for s in df.stages)


@rule(
    code="CO031", name="compose-build-target-missing-stage", scope=Scope.ENVIRONMENT,
    summary="Every `build.target` names a stage that exists in the Dockerfile it builds",
    why="`target: prod` against a Dockerfile whose stage is `production` fails the build with `target stage "
        "\"prod\" could not be found`; after merging, an override can point the base's build at such a stage.",
    standard=("CO-BUILD-TARGET-EXISTS",), section="Basic Compose File; Multi-Stage Builds", severity="error",
    example=_ex("services:\n  app:\n    build:\n      context: .\n      target: prod\n",
                Dockerfile="FROM python:3.12-slim AS production\n"),
    use_instead=_ex("services:\n  app:\n    build:\n      context: .\n      target: production\n",
                    Dockerfile="FROM python:3.12-slim AS production\n"),
    notes="Error: the build fails.",
)
def build_target_missing_stage(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    out = []
    for name, svc in view.services.items():
        build = svc.get("build")
        if not isinstance(build, dict) or not isinstance(build.get("target"), str) or not build.get("target"):
            continue
        sf = dockerfile_of(ctx.project, view, svc)
        if sf is None or sf.text is None:
            continue
        try:
            df = ctx.project.dockerfile(sf)
        except Exception:
            continue
        if df is None or not df.stages:
            continue
        target = build["target"]
        names = [s.name for s in df.stages if s.name]
        if target.lower() not in names:
            listed = ", ".join(f"`{n}`" for n in names) or "none named"
            out.append(at(view, ("services", name, "build", "target"),
                          f"`{name}` builds stage `{target}`, which `{sf.path}` does not define (stages: {listed})",
                          value=True))
    yield from out


@rule(
    code="CO022", name="compose-redis-hardening", scope=Scope.ENVIRONMENT,
    summary="Redis runs with `--requirepass` from a required variable, `--appendonly yes` and a `maxmemory` policy",
    why="Redis without a password accepts any client on its network; without persistence a restart empties "
        "queues and sessions; without `maxmemory` it grows until the OOM killer stops it.",
    standard=("CO-REDIS-SECURE",), section="Basic Compose File",
    example=_ex("services:\n  redis:\n    image: redis:7.4.2\n"),
    use_instead=_ex("services:\n  redis:\n    image: redis:7.4.2\n    command: [\"redis-server\", \"--requirepass\", "
                    "\"${REDIS_PASSWORD:?REDIS_PASSWORD is required}\", \"--appendonly\", \"yes\", \"--maxmemory\", "
                    "\"256mb\", \"--maxmemory-policy\", \"allkeys-lru\"]\n"),
    notes="A configuration file the command loads (`redis-server /usr/local/etc/redis/redis.conf`) is read "
          "when it is mounted from the project (its settings count, the command line's win); one dockyard cannot "
          "read is not judged. `sh -c \"redis-server ... --requirepass $$REDIS_PASSWORD\"` takes the password "
          "from the container's environment; without a shell, `$$REDIS_PASSWORD` is passed as literal text. "
          "bitnami images take the password from `REDIS_PASSWORD` and persist by default.",
)
def redis_hardening(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    out = []
    for name, svc in view.services.items():
        if not is_redis(svc):
            continue
        settings = redis_settings(ctx.project, view, name, svc)
        if not settings.known:
            continue
        path = ("services", name, "command") if svc.get("command") else ("services", name)
        missing = []
        if settings.password is None:
            missing.append("`--requirepass ${REDIS_PASSWORD:?...}`")
        elif settings.password in ("optional", "literal"):
            missing.append(f"`{settings.password_setting}` from a required variable (`${{REDIS_PASSWORD:?...}}`)")
        elif settings.password == "unexpanded":
            text = (settings.raw_password or "").replace("$$", "$")
            out.append(at(view, path, f"redis service `{name}` gets the literal text `{text}` as its password: no "
                          f"shell runs its command to expand `{settings.raw_password}`; write "
                          "`${REDIS_PASSWORD:?...}` (compose substitutes it) or run the server with `sh -c`"))
        values = settings.values
        if values.get("appendonly", "").lower() != "yes":
            missing.append("`--appendonly yes`")
        if values.get("maxmemory", "").strip() in ("", "0"):
            missing.append("`--maxmemory`")
        if not values.get("maxmemory-policy"):
            missing.append("`--maxmemory-policy`")
        if missing:
            where = f" (neither its command nor `{settings.config}` sets them)" if settings.config else ""
            out.append(at(view, path, f"redis service `{name}` runs without {', '.join(missing)}{where}",
                          first=len(path) == 2))
    yield from out

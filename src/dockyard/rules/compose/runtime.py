"""How long-running services run: restart policy, resources, logs, file limits, optional tools, and the server
the application runs outside development."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard import roles
from dockyard.images import image_repository
from dockyard.model import Problem
from dockyard.programs import compose_argvs, started_program
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.compose._common import (
    hardened,
    dockerfile_of,
    NOT_DEPLOYED,
    deployed,
    absent,
    at,
    builds_for_development,
    dig,
    in_file,
    is_dev_tool,
    is_fastapi_service,
    is_long_running,
)

_BASE = "docker-compose.base.yml"


def _ex(base: str, over: str = "services: {}\n", env: str = "dev") -> dict:
    return {_BASE: base, f"docker-compose.{env}.yml": over}


@rule(
    code="CO014", name="compose-restart-policy", scope=Scope.ENVIRONMENT,
    summary="Every long-running service sets `restart` (`unless-stopped` in production)",
    why="Without a restart policy a crashed or OOM-killed service stays down until someone notices, and "
        "nothing comes back after the host reboots.",
    standard=("CO-RESTART",), section="Restart Policies",
    example=_ex("services:\n  app:\n    image: python:3.12-slim\n"),
    use_instead=_ex("services:\n  app:\n    image: python:3.12-slim\n    restart: unless-stopped\n"),
    notes=NOT_DEPLOYED + "One-off jobs and tools are not held to this: services behind `profiles`, services others wait for "
          "with `condition: service_completed_successfully`, test runners, and `restart: \"no\"` on a service that "
          "publishes no port. `restart: \"no\"` on a service that publishes ports is reported. "
          "`deploy.restart_policy` also counts.",
)
def restart_policy(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    if not deployed(view):
        return
    out = []
    for name, svc in view.services.items():
        if not hardened(svc, name, view):
            continue
        restart = svc.get("restart")
        if restart is False or (isinstance(restart, str) and restart.strip().lower() == "no"):
            out.append(at(view, ("services", name, "restart"), f"`{name}` publishes ports but sets `restart: \"no\"`: "
                          "the server stays down after a crash or a reboot; use `unless-stopped`", value=True))
        elif restart is None and dig(svc, "deploy", "restart_policy") is None:
            out.append(absent(ctx, name, f"long-running service `{name}` sets no `restart` policy"))
        elif view.is_production and restart is not None and restart != "unless-stopped":
            out.append(at(view, ("services", name, "restart"),
                          f"`{name}` restarts `{restart}` in production: use `unless-stopped`", value=True))
    yield from out


@rule(
    code="CO015", name="compose-resource-limits", scope=Scope.ENVIRONMENT,
    summary="Services set `deploy.resources` limits and reservations for `cpus` and `memory`",
    why="An unlimited container can starve its neighbours or get the host's OOM killer to pick a random "
        "victim; reservations tell the scheduler what the service needs to run at all.",
    standard=("CO-RESOURCES",), section="Resource Limits; CPU Limits; Memory Limits",
    example=_ex("services:\n  app:\n    image: python:3.12-slim\n    deploy:\n      resources:\n"
                "        limits:\n          memory: 512M\n"),
    use_instead=_ex("services:\n  app:\n    image: python:3.12-slim\n    deploy:\n      resources:\n"
                    "        limits:\n          cpus: \"1.0\"\n          memory: 512M\n        reservations:\n"
                    "          cpus: \"0.25\"\n          memory: 256M\n"),
    notes=NOT_DEPLOYED,
)
def resource_limits(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    if not deployed(view):
        return
    out = []
    for name, svc in view.services.items():
        if not hardened(svc, name, view):
            continue
        res = dig(svc, "deploy", "resources")
        missing = [f"{part}.{k}" for part in ("limits", "reservations") for k in ("cpus", "memory")
                   if dig(res, part, k) in (None, "")]
        if not missing:
            continue
        base = ("services", name)
        path = base + ("deploy", "resources") if isinstance(res, dict) else (
            base + ("deploy",) if isinstance(svc.get("deploy"), dict) else base)
        message = f"`{name}` does not set deploy.resources {', '.join(f'`{m}`' for m in missing)}"
        out.append(absent(ctx, name, message) if path == base else at(view, path, message))
    yield from out


_SHIPPING = frozenset({"fluentd", "gelf", "syslog", "journald", "awslogs", "splunk", "gcplogs", "logentries",
                       "loki", "grafana/loki-docker-driver", "etwlogs", "datadog"})
_ROTATING = frozenset({"local"}) | _SHIPPING


@rule(
    code="CO016", name="compose-log-rotation", scope=Scope.ENVIRONMENT,
    summary="Services set a logging driver with rotation (`json-file` with `max-size` and `max-file`)",
    why="Docker's default `json-file` driver never rotates: a chatty service fills the host's disk and takes "
        "every other container down with it.",
    standard=("CO-LOGGING",), section="Logging Configuration; Production Compose",
    example=_ex("services:\n  app:\n    image: python:3.12-slim\n    logging:\n      driver: json-file\n"),
    use_instead=_ex("services:\n  app:\n    image: python:3.12-slim\n    logging:\n      driver: json-file\n"
                    "      options:\n        max-size: \"10m\"\n        max-file: \"3\"\n"),
    notes=NOT_DEPLOYED + "The `local` driver rotates by default; drivers that ship logs elsewhere (fluentd, gelf, syslog...) "
          "are accepted.",
)
def log_rotation(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    if not deployed(view):
        return
    out = []
    for name, svc in view.services.items():
        if not hardened(svc, name, view):
            continue
        log = svc.get("logging")
        base = ("services", name)
        if not isinstance(log, dict):
            out.append(absent(ctx, name, f"`{name}` sets no `logging`: the default json-file driver never rotates"))
            continue
        driver = log.get("driver") or "json-file"
        if driver == "none":
            out.append(at(view, base + ("logging", "driver"), f"`{name}` discards its logs (`driver: none`)",
                          value=True))
            continue
        if driver in _ROTATING:
            continue
        opts = log.get("options") if isinstance(log.get("options"), dict) else {}
        missing = [k for k in ("max-size", "max-file") if opts.get(k) in (None, "")]
        if missing:
            out.append(at(view, base + ("logging",), f"`{name}` logs with `{driver}` without "
                          f"{' and '.join(f'`{m}`' for m in missing)}: logs grow without bound"))
    yield from out


@rule(
    code="CO024", name="compose-dev-tools-profiles", scope=Scope.ENVIRONMENT,
    summary="Development-only tools (mail catchers, database admin UIs, local emulators of cloud services) sit "
    "behind `profiles`",
    why="pgAdmin, Adminer or MailHog started by default run in every environment that uses the file, "
        "exposing data and admin interfaces where nobody intended them.",
    standard=("CO-PROFILES",), section="Profiles", severity="warning",
    example=_ex("services:\n  app:\n    build: .\n  pgadmin:\n    image: dpage/pgadmin4:8.14\n"),
    use_instead=_ex("services:\n  app:\n    build: .\n  pgadmin:\n    image: dpage/pgadmin4:8.14\n"
                    "    profiles: [\"tools\"]\n"),
    notes=NOT_DEPLOYED + "A tool defined only in the development override runs in development only and is not reported there.",
)
def dev_tools_profiles(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    if not deployed(view):
        return
    out = []
    for name, svc in view.services.items():
        if not is_dev_tool(name, svc) or svc.get("profiles"):
            continue
        first = view.origin_record(("services", name), first=True)
        if view.is_development and view.compose_files and first is not None and \
                first.path != view.compose_files[0].path:
            continue  # defined only in the development override: it runs in development only
        out.append(at(view, ("services", name),
                      f"`{name}` is a development tool and starts by default: put it behind `profiles`", first=True))
    yield from out


@rule(
    code="CO025", name="compose-app-ulimits", scope=Scope.ENVIRONMENT, applies=roles.FASTAPI_SERVICE,
    summary="The application service sets `ulimits.nofile`",
    why="Every connection is a file descriptor; an ASGI server under load hits the default open-file limit "
        "and starts refusing connections with `Too many open files`.",
    standard=("CO-ULIMITS",), section="ulimits", severity="warning",
    example=_ex("services:\n  app:\n    build: .\n"),
    use_instead=_ex("services:\n  app:\n    build: .\n    ulimits:\n      nofile:\n        soft: 65536\n"
                    "        hard: 65536\n"),
    notes=NOT_DEPLOYED,
)
def app_ulimits(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    if not deployed(view):
        return
    services = view.services
    out = []
    for name, svc in services.items():
        if not is_fastapi_service(ctx, name) or not is_long_running(svc, name, view):
            continue
        if dig(svc, "ulimits", "nofile") is None:
            message = f"application service `{name}` does not set `ulimits.nofile`"
            out.append(at(view, ("services", name, "ulimits"), message) if isinstance(svc.get("ulimits"), dict)
                       else absent(ctx, name, message))
    yield from out


_SHIPPERS = ("fluentd", "fluent-bit", "promtail", "vector", "filebeat", "logstash", "alloy", "otel",
             "opentelemetry-collector", "datadog", "splunk", "loki")


@rule(
    code="CO026", name="compose-log-aggregation", scope=Scope.ENVIRONMENT, applies=roles.FASTAPI_SERVICE,
    summary="Production logs can ship to an aggregator",
    why="Logs that stay in per-container files on one host are lost with the host and cannot be searched "
        "across replicas; production needs a logging driver or collector that ships them.",
    standard=("CO-LOG-AGGREGATION",), section="Log Aggregation", severity="warning",
    example=_ex("services:\n  app:\n    build: .\n    logging:\n      driver: json-file\n", env="prod"),
    use_instead=_ex("services:\n  app:\n    build: .\n", "services:\n  app:\n    logging:\n      driver: fluentd\n"
                    "      options:\n        tag: app.logs\n", env="prod"),
    notes="Accepted: a shipping driver (fluentd, gelf, syslog, awslogs...), `json-file`/`local` with a `tag` or "
          "`labels` option for a node-level collector, or a collector service (fluent-bit, promtail, vector...).",
)
def log_aggregation(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    if not view.is_production:
        return
    services = view.services
    if any(any(s in image_repository(svc.get("image")) for s in _SHIPPERS) for svc in services.values()):
        return
    out = []
    for name, svc in services.items():
        if not is_fastapi_service(ctx, name) or not is_long_running(svc, name, view):
            continue
        log = svc.get("logging") if isinstance(svc.get("logging"), dict) else {}
        driver = log.get("driver") or "json-file"
        opts = log.get("options") if isinstance(log.get("options"), dict) else {}
        if driver in _SHIPPING or opts.get("tag") or opts.get("labels"):
            continue
        out.append(in_file(view, ("services", name, "logging"),
                           f"production logs of `{name}` stay on the host (`{driver}`): ship them to an aggregator "
                           "(e.g. `driver: fluentd`) or tag them for a collector"))
    yield from out


# ASGI servers that run without gunicorn's supervision of workers
_BARE_SERVERS = frozenset({"uvicorn", "hypercorn", "fastapi", "daphne"})


@rule(
    code="CO036", name="compose-production-server", scope=Scope.ENVIRONMENT, applies=roles.FASTAPI_SERVICE,
    summary="Outside development, the application service's `command` starts gunicorn with a uvicorn worker, "
            "not a bare or reloading ASGI server",
    why="A compose `command:` (or `entrypoint:`) replaces the image's: a service built from a Dockerfile whose CMD "
        "starts gunicorn still runs `uvicorn --reload` when its command says so. A bare `uvicorn` or `fastapi` "
        "runs one process with no worker supervision; `--reload` also watches the source for changes.",
    standard=("DF-CMD-EXEC",), section="Complete Dockerfile Example; Gunicorn Workers",
    example=_ex("services:\n  app:\n    build: .\n    command: uvicorn app.main:app --host 0.0.0.0 --reload\n",
                env="prod"),
    use_instead=_ex("services:\n  app:\n    build: .\n"
                    "    command: [\"gunicorn\", \"-c\", \"gunicorn_config.py\", \"app.main:app\"]\n", env="prod"),
    notes="DF056 judges the Dockerfile's own command; this rule judges what compose runs instead. Development "
          "environments, and services that build a development image or target, are not judged: a reloading "
          "server is what they are for. The lines of an inline `sh -c` script are read; other programs "
          "(workers, migrations, a script file) are left alone.",
)
def production_server(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    if view.is_development:
        return
    classified = roles.roles(ctx.project)
    out = []
    for name, svc in view.services.items():
        if not is_fastapi_service(ctx, name) or builds_for_development(svc):
            continue
        built = dockerfile_of(ctx.project, view, svc)
        if built is not None and classified.dockerfile(built).purpose not in roles.SHIPPED:
            continue  # it builds the development image (a `Dockerfile.prod` beside it is the production one)
        for key in ("entrypoint", "command"):
            if svc.get(key) is None:
                continue
            for argv in compose_argvs({key: svc[key]}):
                program, index = started_program(argv)
                args = argv[index + 1:] if index >= 0 else []
                if program in _BARE_SERVERS or (program == "gunicorn" and "--reload" in args):
                    shown = " ".join([program, *args])
                    shown = shown if len(shown) <= 60 else shown[:57] + "..."
                    out.append(at(view, ("services", name, key), value=True, message=
                                  f"`{name}` runs `{shown}` in the `{view.name}` environment, in place of its "
                                  "image's command: start gunicorn with a uvicorn worker "
                                  "(`gunicorn -c gunicorn_config.py app.main:app`)"))
                    break
            else:
                continue
            break
    yield from out

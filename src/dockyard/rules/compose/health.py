"""Health checks and what waits on them, judged on each environment's merged configuration."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from dockyard.images import image_path, image_repository
from dockyard.model import Problem
from dockyard.regex import lazy_compile
from dockyard.roles import PYTHON_IMAGES, roles
from dockyard.rules.base import Context, Scope, get_rule, rule
from dockyard.rules.compose._common import (
    hardened,
    dockerfile_of,
    NOT_DEPLOYED,
    deployed,
    fixture_stack,
    absent,
    at,
    has_role,
    healthcheck_disabled,
    healthcheck_test_words,
    is_fastapi_service,
    is_postgres,
    is_redis,
)
from dockyard.analysis.stages import final_lineage_instructions, last_of
from dockyard.rules.compose._redis import redis_settings

_BASE = "docker-compose.base.yml"
_DEV = "docker-compose.dev.yml"


def _ex(base: str, dev: str = "services: {}\n") -> dict:
    return {_BASE: base, _DEV: dev}


# the application the examples' database serves (an environment of backing services alone is a development helper)
_APP = ("  app:\n    build: .\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8000/health\"]\n"
        "      interval: 10s\n      timeout: 5s\n      retries: 5\n      start_period: 30s\n")


@rule(
    code="CO012", name="compose-healthcheck", scope=Scope.ENVIRONMENT,
    summary="Every long-running service has a complete healthcheck that tests the right thing",
    why="Without a healthcheck compose only knows a process exists, not that it answers: dependants start "
        "too early and a hung app is never restarted. `interval`, `timeout` and `retries` (and `start_period` "
        "for the app) make its behaviour explicit; postgres is probed with `pg_isready`, redis with "
        "`redis-cli ping`, the app through its `/health` endpoint.",
    standard=("CO-HEALTHCHECK",), section="Compose Health Check; Database Health Check; Redis Health Check",
    example=_ex("services:\n  db:\n    image: postgres:17.2-alpine\n    restart: unless-stopped\n"
                + _APP),
    use_instead=_ex("services:\n  db:\n    image: postgres:17.2-alpine\n    restart: unless-stopped\n"
                    "    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready -U postgres\"]\n"
                    "      interval: 10s\n      timeout: 5s\n      retries: 5\n"
                    + _APP),
    notes=NOT_DEPLOYED + "A service built from a Dockerfile stage that declares a HEALTHCHECK has one, as compose runs it; so "
          "does a service running an image known to declare one (mailpit, minecraft-server, pi-hole, vaultwarden, "
          "uptime-kuma). When the service builds the final stage of a project Dockerfile (or a stage it is built "
          "FROM) that DF043 reports for having no HEALTHCHECK, the absence is said once, there: one HEALTHCHECK "
          "fixes both. `start_period` is asked of the application (FastAPI services and Python images).",
)
def healthcheck(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    if not deployed(view):
        return
    services = view.services
    out = []
    for name, svc in services.items():
        if not hardened(svc, name, view):
            continue
        base = ("services", name)
        hc = svc.get("healthcheck")
        if not isinstance(hc, dict) or healthcheck_disabled(hc) or hc.get("test") in (None, [], ""):
            if not healthcheck_disabled(hc) and (_image_healthcheck(ctx, view, svc) or
                                                 image_declares_healthcheck(svc.get("image"))):
                continue  # the image's HEALTHCHECK applies
            if healthcheck_disabled(hc):
                out.append(at(view, base + ("healthcheck",), f"long-running service `{name}` disables its "
                              "healthcheck"))
            elif not _said_on_the_dockerfile(ctx, view, svc):
                message = f"compose declares no healthcheck for long-running service `{name}` and its image " \
                          f"{_image_has_none(ctx, view, svc)}"
                out.append(absent(ctx, name, message) if not isinstance(hc, dict)
                           else at(view, base + ("healthcheck",), message))
            continue
        web = is_fastapi_service(ctx, name)
        needed = ["interval", "timeout", "retries"] + (["start_period"] if has_role(ctx, name, PYTHON_IMAGES) else [])
        missing = [k for k in needed if hc.get(k) in (None, "")]
        if missing:
            out.append(at(view, base + ("healthcheck",), f"healthcheck of `{name}` does not set "
                          f"{', '.join(f'`{k}`' for k in missing)}"))
        _form, words = healthcheck_test_words(hc.get("test"))
        text = " ".join(words)
        test_at = base + ("healthcheck", "test")
        if is_postgres(svc) and "pg_isready" not in text:
            out.append(at(view, test_at, f"postgres service `{name}` should be probed with `pg_isready`"))
        elif is_redis(svc) and not ("redis-cli" in text or "valkey-cli" in text) or (
                is_redis(svc) and "ping" not in text.lower()):
            out.append(at(view, test_at, f"redis service `{name}` should be probed with `redis-cli ping`"))
        elif web and "/health" not in text:
            out.append(at(view, test_at, f"healthcheck of application service `{name}` should request its "
                          "`/health` endpoint"))
    yield from out


def _image_healthcheck(ctx: Context, view, svc: dict) -> bool:
    """Whether the stage a service is built from declares a HEALTHCHECK (the last one of the nearest stage
    that has one wins; ``HEALTHCHECK NONE`` declares none)."""
    stage = _built_stage(ctx, view, svc)
    if stage is not None:
        df, st = stage
        for s in df.ancestry(st):
            for ins in reversed(s.instructions):
                if ins.keyword == "HEALTHCHECK":
                    return not (ins.value and str(ins.value[0]).upper() == "NONE")
    return False


# Images that declare their own HEALTHCHECK (compose runs it when the service sets none), by repository path as
# written on Docker Hub. Only images whose Dockerfile was read: each line names the file and its instruction.
IMAGES_WITH_HEALTHCHECK = frozenset({
    "axllent/mailpit",  # github.com/axllent/mailpit Dockerfile: HEALTHCHECK --interval=15s CMD /mailpit readyz
    "itzg/minecraft-server",  # github.com/itzg/docker-minecraft-server Dockerfile: HEALTHCHECK ... CMD mc-health
    "pihole/pihole",  # github.com/pi-hole/docker-pi-hole src/Dockerfile: HEALTHCHECK CMD dig ... pi.hole
    "vaultwarden/server",  # github.com/dani-garcia/vaultwarden docker/Dockerfile.*: HEALTHCHECK CMD ["/healthcheck.sh"]
    "louislam/uptime-kuma",  # github.com/louislam/uptime-kuma docker/dockerfile: HEALTHCHECK ... extra/healthcheck
})


def image_declares_healthcheck(image) -> bool:
    """Whether ``image`` (any registry, tag or digest) is one of :data:`IMAGES_WITH_HEALTHCHECK`."""
    path = image_path(image)
    return any(path == known or path.endswith("/" + known) for known in IMAGES_WITH_HEALTHCHECK)


def _image_has_none(ctx: Context, view, svc: dict) -> str:
    """How the service's image lacks a HEALTHCHECK, in words."""
    stage = _built_stage(ctx, view, svc)
    if stage is None:
        return "is not known to have one"
    df, built = stage
    sf = dockerfile_of(ctx.project, view, svc)
    label = f"stage `{built.name_raw}`" if built.name_raw else "the final stage"
    declared = next((ins for s in df.ancestry(built) for ins in reversed(s.instructions)
                     if ins.keyword == "HEALTHCHECK"), None)
    what = "sets `HEALTHCHECK NONE`" if declared is not None else "declares no `HEALTHCHECK`"
    return f"({label} of `{sf.path}`) {what}"


def _said_on_the_dockerfile(ctx: Context, view, svc: dict) -> bool:
    """Whether DF043 reports the missing HEALTHCHECK on the Dockerfile the service builds, where one
    HEALTHCHECK fixes both: the service builds the final stage or a stage the final stage is built FROM, DF043
    runs on that file (selected, not ignored for it, judging its role) and finds no HEALTHCHECK in the final
    stage's lineage (or ``HEALTHCHECK NONE``)."""
    stage = _built_stage(ctx, view, svc)
    sf = dockerfile_of(ctx.project, view, svc)
    rule = get_rule("DF043")
    if stage is None or sf is None or rule is None:
        return False
    df, built = stage
    if built.index not in {s.index for s in df.ancestry(df.final_stage)}:
        return False  # a stage outside the final image: its HEALTHCHECK is not DF043's
    config = ctx.project.config
    if not config.enabled(rule.code) or config.ignored_in_file(rule.code, sf.path):
        return False
    if roles(ctx.project).dockerfile(sf).role not in rule.applies:
        return False
    hc = last_of(final_lineage_instructions(df), "HEALTHCHECK")
    return hc is None or (bool(hc.value) and str(hc.value[0]).upper() == "NONE")


def _has_healthcheck(ctx: Context, view, svc: dict) -> bool:
    hc = svc.get("healthcheck")
    if isinstance(hc, dict):
        if healthcheck_disabled(hc):
            return False
        if hc.get("test"):
            return True
    return _image_healthcheck(ctx, view, svc) or image_declares_healthcheck(svc.get("image"))


def _written_inside(view, path: tuple, key: str) -> bool:
    """Whether ``key`` of the mapping at ``path`` is written inside that mapping, not merged in (``<<: *x``)
    from an anchor that other mappings share: an anchor is defined before its use, so a merged key sits
    before the mapping's own key in the same file."""
    if not view.defined_in(path + (key,)):
        return False
    inner = view.origin_record(path + (key,))
    for outer in (view.origin_record(path), view.origin_record(path, first=True)):
        if outer is not None and outer.path == inner.path and \
                (outer.key.line, outer.key.column) < (inner.key.line, inner.key.column):
            return True
    return False


@rule(
    code="CO013", name="compose-depends-on-healthy", scope=Scope.ENVIRONMENT,
    summary="`depends_on` waits with `condition: service_healthy` for dependencies that have a healthcheck",
    why="A plain `depends_on` only waits for the dependency's container to start, not for the database to "
        "accept connections: the app starts, fails its first queries and crash-loops.",
    standard=("CO-DEPENDS-HEALTHY",), section="Service Dependencies",
    example=_ex("services:\n  app:\n    build: .\n    depends_on:\n      - db\n  db:\n    image: postgres:17.2\n"
                "    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready\"]\n"),
    use_instead=_ex("services:\n  app:\n    build: .\n    depends_on:\n      db:\n        condition: service_healthy\n"
                    "  db:\n    image: postgres:17.2\n    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready\"]\n"),
    notes="A test stack (under `tests/`, `e2e/`, `regtest/`...) is not judged: its harness decides when its "
          "services are ready (scripts that wait, restarts), and a healthcheck written for the tests' own checks "
          "may not survive a start (`retries: 1`).",
)
def depends_on_healthy(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    if fixture_stack(view.name):
        return
    services = view.services
    out = []
    for name, svc in services.items():
        deps = svc.get("depends_on")
        if not isinstance(deps, dict):
            continue
        for dep, spec in deps.items():
            target = services.get(dep)
            if target is None or not _has_healthcheck(ctx, view, target):
                continue
            cond = spec.get("condition") if isinstance(spec, dict) else None
            if cond == "service_healthy":
                continue
            path = ("services", name, "depends_on", dep)
            if isinstance(spec, dict) and view.raw(path) != dep and _written_inside(view, path, "condition"):
                path = path + ("condition",)
            out.append(at(view, path, f"`{name}` depends on `{dep}` without `condition: service_healthy`, though "
                          f"`{dep}` has a healthcheck"))
    yield from out


@rule(
    code="CO027", name="compose-healthy-dependency-without-healthcheck", scope=Scope.ENVIRONMENT,
    summary="A dependency waited on with `service_healthy` has a healthcheck",
    why="Compose accepts the file, then `up` fails with `dependency failed to start: container ... has no "
        "healthcheck configured`: the whole stack does not start.",
    standard=("CO-HEALTHY-DEP-HAS-CHECK",), section="Service Dependencies", severity="error",
    example=_ex("services:\n  app:\n    build: .\n    depends_on:\n      db:\n        condition: service_healthy\n"
                "  db:\n    image: postgres:17.2\n"),
    use_instead=_ex("services:\n  app:\n    build: .\n    depends_on:\n      db:\n        condition: service_healthy\n"
                    "  db:\n    image: postgres:17.2\n    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready\"]\n"),
    notes="Error: the stack fails to start. A HEALTHCHECK in the project's Dockerfile (the built stage) counts.",
)
def healthy_dependency_without_healthcheck(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    services = view.services
    out = []
    for name, svc in services.items():
        deps = svc.get("depends_on")
        if not isinstance(deps, dict):
            continue
        for dep, spec in deps.items():
            if not isinstance(spec, dict) or spec.get("condition") != "service_healthy":
                continue
            target = services.get(dep)
            if target is None or _has_healthcheck(ctx, view, target):
                continue
            out.append(at(view, ("services", name, "depends_on", dep, "condition"),
                          f"`{name}` waits for `{dep}` to be healthy, but `{dep}` has no healthcheck: "
                          "`docker compose up` fails"))
    yield from out


# -- what is inside an image --------------------------------------------------------------------------------
def _built_stage(ctx: Context, view, svc: dict):
    """``(Dockerfile model, Stage)`` a service is built from (its target, else the last stage), or None."""
    build = svc.get("build")
    if not isinstance(build, dict):
        return None
    sf = dockerfile_of(ctx.project, view, svc)
    if sf is None:
        return None
    try:
        df = ctx.project.dockerfile(sf)
    except Exception:
        return None
    if df is None or not df.stages:
        return None
    target = build.get("target")
    st = df.stage_by_name(target) if isinstance(target, str) and target else df.final_stage
    return (df, st) if st is not None else None


_PY_SLIM = lazy_compile(r"^(python|pypy)$")
_INSTALL = lazy_compile(r"\b(apt-get|apt|apk|yum|dnf|microdnf|zypper)\b[^;&|]*\b(install|add)\b([^;&|]*)")


def _tool_available(ctx: Context, view, svc: dict, tool: str) -> bool | None:
    """True/False when known, None when dockyard cannot tell."""
    stage = _built_stage(ctx, view, svc)
    if stage is not None:
        df, st = stage
        chain = df.ancestry(st)
        for s in chain:
            for ins in s.instructions:
                if ins.keyword == "RUN":
                    for m in _INSTALL.finditer(ins.shell_text or " ".join(ins.value)):
                        if re.search(rf"(^|\s){re.escape(tool)}(\s|$|=)", m.group(3)):
                            return True
        root = chain[-1]
        image = root.base_resolved or root.base
    else:
        image = svc.get("image")
    if not isinstance(image, str):
        return None
    repo = image_repository(image)
    tag = image.split("@", 1)[0].rsplit("/", 1)[-1].partition(":")[2].lower()
    alpine = "alpine" in tag
    if _PY_SLIM.match(repo):
        if "slim" in tag or alpine:
            return tool == "wget" and alpine
        return None
    if repo in ("postgres", "redis", "valkey", "mongo", "mariadb", "mysql"):
        if tool == "curl":
            return False
        if tool == "wget":
            return alpine or None
    return None


@rule(
    code="CO028", name="compose-healthcheck-tool-missing", scope=Scope.ENVIRONMENT,
    summary="The program a healthcheck runs exists in the service's image",
    why="`curl` is not in `python:*-slim`, `postgres` or `redis` images: the healthcheck fails forever, the "
        "service is marked unhealthy and everything that waits for it never starts.",
    standard=("CO-HC-TOOL",), section="Compose Health Check", severity="error",
    example={"docker-compose.base.yml": "services:\n  app:\n    build: .\n    healthcheck:\n"
                                        "      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8000/health\"]\n",
             "docker-compose.dev.yml": "services: {}\n",
             "Dockerfile": "FROM python:3.12-slim\nCMD [\"uvicorn\", \"app.main:app\"]\n"},
    use_instead={"docker-compose.base.yml": "services:\n  app:\n    build: .\n    healthcheck:\n"
                                            "      test: [\"CMD\", \"python\", \"-c\", \"import urllib.request; "
                                            "urllib.request.urlopen('http://127.0.0.1:8000/health')\"]\n",
                 "docker-compose.dev.yml": "services: {}\n",
                 "Dockerfile": "FROM python:3.12-slim\nCMD [\"uvicorn\", \"app.main:app\"]\n"},
    notes="The standard's own healthcheck uses `curl` on a slim image; the checklist item wins. Error: the "
          "container is never healthy.",
)
def healthcheck_tool_missing(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    out = []
    for name, svc in view.services.items():
        hc = svc.get("healthcheck")
        if not isinstance(hc, dict) or healthcheck_disabled(hc):
            continue
        form, words = healthcheck_test_words(hc.get("test"))
        if not words:
            continue
        program = posixpath.basename(words[0])
        if form == "CMD-SHELL":
            for w in words:
                if "=" not in w:
                    program = posixpath.basename(w)
                    break
        if program not in ("curl", "wget"):
            continue
        if _tool_available(ctx, view, svc, program) is False:
            out.append(at(view, ("services", name, "healthcheck", "test"),
                          f"healthcheck of `{name}` runs `{program}`, which its image does not contain: use a "
                          "tool the image has (e.g. `python -c \"import urllib.request; ...\"`) or install it"))
    yield from out


@rule(
    code="CO029", name="compose-redis-healthcheck-auth", scope=Scope.ENVIRONMENT,
    summary="A redis healthcheck authenticates when redis requires a password",
    why="With `requirepass`, an unauthenticated `redis-cli ping` gets `NOAUTH Authentication required`: "
        "depending on the redis-cli version the check always fails, or always passes without proving anything.",
    standard=("CO-REDIS-HC-AUTH",), section="Redis Health Check",
    example=_ex("services:\n  redis:\n    image: redis:7.4.2\n    command: [\"redis-server\", \"--requirepass\", "
                "\"${REDIS_PASSWORD:?REDIS_PASSWORD is required}\"]\n    healthcheck:\n"
                "      test: [\"CMD\", \"redis-cli\", \"ping\"]\n"),
    use_instead=_ex("services:\n  redis:\n    image: redis:7.4.2\n    command: [\"redis-server\", \"--requirepass\", "
                    "\"${REDIS_PASSWORD:?REDIS_PASSWORD is required}\"]\n    healthcheck:\n"
                    "      test: [\"CMD-SHELL\", \"redis-cli -a \\\"$$REDIS_PASSWORD\\\" --no-auth-warning ping\"]\n"),
    notes="`-a`, `--pass`, `--user`, a `-u` URI with credentials or `REDISCLI_AUTH` in the service environment "
          "count as authenticating. The password may be set on the command line (also inside `sh -c`), in a "
          "configuration file the command loads from the project, or through a bitnami image's `REDIS_PASSWORD`.",
)
def redis_healthcheck_auth(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    out = []
    for name, svc in view.services.items():
        if not is_redis(svc):
            continue
        settings = redis_settings(ctx.project, view, name, svc)
        if not settings.known or settings.password is None:
            continue
        hc = svc.get("healthcheck")
        if not isinstance(hc, dict):
            continue
        _form, words = healthcheck_test_words(hc.get("test"))
        if not any(w.endswith(("redis-cli", "valkey-cli")) for w in words):
            continue
        if any(w in ("-a", "--pass", "--user", "--askpass") or w.startswith(("-a", "--pass=", "--user="))
               or (words[i - 1] == "-u" and "@" in w) for i, w in enumerate(words)) \
                or "REDISCLI_AUTH" in " ".join(words):
            continue
        if "REDISCLI_AUTH" in (svc.get("environment") or {}):
            continue
        out.append(at(view, ("services", name, "healthcheck", "test"),
                      f"redis service `{name}` requires a password but its healthcheck does not authenticate: "
                      "add `-a \"$$REDIS_PASSWORD\" --no-auth-warning` (or set `REDISCLI_AUTH`)"))
    yield from out

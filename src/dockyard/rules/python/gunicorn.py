"""gunicorn configuration: complete, async-aware, sized for the container."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard import roles
from dockyard.model import Applicability, Edit, Fix, Position, Problem, directory_path
from dockyard.parsers.fastapi_app import project_apps
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.dockerfile.command import production_server
from dockyard.rules.python._runtime import runtime
from dockyard.source import FileKind

REQUIRED = ("bind", "workers", "worker_class", "timeout", "keepalive", "max_requests", "max_requests_jitter", "accesslog")
DEPRECATED_WORKER = "uvicorn.workers.UvicornWorker"
MODERN_WORKER = "uvicorn_worker.UvicornWorker"
QUOTA_MARKERS = ("cpu.max", "cfs_quota", "sched_getaffinity", "process_cpu_count")
GOOD_CONFIG = (
    "import os\n\n\ndef _cpus() -> int:\n"
    "    try:\n        quota, period = open(\"/sys/fs/cgroup/cpu.max\").read().split()\n"
    "        if quota != \"max\":\n            return max(1, int(int(quota) / int(period)))\n"
    "    except (OSError, ValueError):\n        pass\n    return len(os.sched_getaffinity(0))\n\n\n"
    "bind = os.getenv(\"BIND\", \"0.0.0.0:8000\")\n"
    "workers = int(os.getenv(\"WEB_CONCURRENCY\", str(_cpus() * 2 + 1)))\n"
    "worker_class = \"uvicorn_worker.UvicornWorker\"\ntimeout = 60\nkeepalive = 5\n"
    "max_requests = 1000\nmax_requests_jitter = 100\naccesslog = \"-\"\nerrorlog = \"-\"\n"
)


def _pos(s) -> Position:
    return Position(s.line, s.column, s.end_line, s.end_column)


@rule(
    code="PY002",
    name="gunicorn-config",
    scope=Scope.PROJECT, applies=roles.FASTAPI_SERVICE,
    summary="gunicorn sets bind, workers, a uvicorn worker class, timeouts, max_requests with jitter, logs to `-`",
    why="A FastAPI service in a container is served by gunicorn managing uvicorn workers. Each setting the standard "
    "names has a production reason: a uvicorn worker class (ASGI), `timeout`/`keepalive` matched to the proxy, "
    "`max_requests` with jitter to recycle leaking workers without a thundering herd, and logs on stdout/stderr "
    "(`-`) so the container runtime collects them. Settings are read from a config file (with `ast`, never "
    "executed), from command flags in the Dockerfile or compose `command`, and from `GUNICORN_CMD_ARGS`.",
    standard=("PY-GUNICORN-CONFIG",),
    section="Gunicorn Configuration",
    example={"gunicorn_config.py": "bind = \"0.0.0.0:8000\"\nworkers = 4\n",
             "app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n"},
    use_instead={"gunicorn_config.py": GOOD_CONFIG, "app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n"},
    notes="When nothing runs gunicorn and a Dockerfile of the FastAPI service starts another server in exec form, "
    "DF056 asks that Dockerfile for gunicorn and this rule says nothing more; without such a Dockerfile (no "
    "Dockerfile, or a shell-form command) the missing configuration is reported at the FastAPI app.",
)
def gunicorn_config(ctx: Context) -> Iterator[Problem]:
    rt = runtime(ctx.project)
    if not rt.uses_gunicorn:
        if service_asks_for_gunicorn(ctx.project):
            return  # DF056 asks the FastAPI service's Dockerfile to start gunicorn: the same fact, said there
        model = project_apps(ctx.project)
        for app in model.apps[:1]:
            info = next((m for m in model.modules.values() if m.name == app.module), None)
            yield Problem("no gunicorn configuration found for this FastAPI app: add a `gunicorn_config.py` and run "
                          "`gunicorn -c gunicorn_config.py` with a uvicorn worker",
                          Position(app.line, app.column), path=info.path if info else directory_path(""))
        return
    missing = [name for name in REQUIRED if rt.effective(name)[1] is None]
    where = rt.configs[0] if rt.configs else rt.commands[0]
    anchor = Position(1, 1) if where.origin == "file" else _pos(next(iter(where.settings.values()))) if where.settings else Position(1, 1)
    if missing:
        yield Problem(f"gunicorn configuration does not set {', '.join(f'`{m}`' for m in missing)}", anchor, path=where.path)
    cfg, wc = rt.effective("worker_class")
    if wc is not None and "uvicorn" not in str(wc.value or wc.source).lower():
        yield Problem(f"worker class `{wc.value or wc.source}` is not a uvicorn worker; FastAPI needs "
                      f"`{MODERN_WORKER}`", _pos(wc), path=cfg.path)
    for name in ("accesslog", "errorlog"):
        cfg, s = rt.effective(name)
        if s is not None and isinstance(s.value, str) and s.value != "-":
            yield Problem(f"`{name}` writes to `{s.value}`; log to `-` (stdout/stderr) so the container runtime "
                          "collects the logs", _pos(s), path=cfg.path)
    cfg, s = rt.effective("max_requests")
    if s is not None and rt.effective("max_requests_jitter")[1] is None and "max_requests_jitter" not in missing:
        yield Problem("`max_requests` without `max_requests_jitter` restarts all workers at once", _pos(s), path=cfg.path)


def service_asks_for_gunicorn(project) -> bool:
    """Whether DF056 reports a Dockerfile of the FastAPI service for not starting gunicorn."""
    classified = roles.roles(project)
    for sf in project.files_of(FileKind.DOCKERFILE):
        if sf.text is None or classified.dockerfile(sf).role != roles.APP:
            continue
        if any(production_server(Context(project, sf, project.dockerfile(sf), role=classified.dockerfile(sf)))):
            return True
    return False


@rule(
    code="PY003",
    name="gunicorn-workers",
    scope=Scope.PROJECT, applies=roles.FASTAPI_SERVICE,
    summary="The worker count follows `(2 x CPUs) + 1` or an environment override",
    why="A hard-coded worker count is wrong on every machine but the one it was tuned on: too few workers waste "
    "the CPUs the container was given, too many thrash memory. Compute it from the CPUs, and let the "
    "environment (`WEB_CONCURRENCY`) override it per deployment.",
    standard=("PY-WORKERS",),
    section="Gunicorn Workers; Gunicorn Configuration",
    example={"gunicorn_config.py": "workers = 4\n"},
    use_instead={"gunicorn_config.py": "import os\n\nworkers = int(os.getenv(\"WEB_CONCURRENCY\", \"3\"))\n"},
)
def gunicorn_workers(ctx: Context) -> Iterator[Problem]:
    rt = runtime(ctx.project)
    cfg, s = rt.effective("workers")
    if s is None:
        return
    if cfg.origin == "file":
        from dockyard.parsers.gunicorn_file import follows_formula, reads_env  # lazy: ast, for a config file only

        if reads_env(s.node) or follows_formula(s.node, s.refs):
            return
        if any(reads_env(n) or follows_formula(n, s.refs) for n in s.refs):
            return  # `workers = count`, where `count` reads the environment or follows the formula
    if cfg.origin != "file" and ("$" in s.source):
        return  # a command flag taken from the environment (e.g. --workers ${WEB_CONCURRENCY})
    yield Problem(f"worker count `{s.source}` is fixed; compute `(2 x CPUs) + 1` and allow an environment "
                  "override such as `WEB_CONCURRENCY`", _pos(s), path=cfg.path)


@rule(
    code="PY004",
    name="workers-cpu-quota",
    scope=Scope.PROJECT, applies=roles.FASTAPI_SERVICE,
    summary="The worker formula counts the container's CPUs (cgroup quota/affinity), not the host's",
    why="`multiprocessing.cpu_count()` and `os.cpu_count()` report the host's CPUs. A container limited to 1 CPU on a "
    "32-core host then starts 65 workers that fight over one CPU and exhaust memory. Read the cgroup quota "
    "(`/sys/fs/cgroup/cpu.max`) or `os.sched_getaffinity(0)` instead.",
    standard=("PY-WORKERS-CPU-QUOTA",),
    section="Resource Management; Gunicorn Workers",
    severity="warning",
    example={"gunicorn_config.py": "import multiprocessing\n\nworkers = multiprocessing.cpu_count() * 2 + 1\n"},
    use_instead={"gunicorn_config.py": GOOD_CONFIG},
)
def workers_cpu_quota(ctx: Context) -> Iterator[Problem]:
    for cfg in runtime(ctx.project).configs:
        text = cfg.module_source
        if "cpu_count" not in text or any(m in text for m in QUOTA_MARKERS):
            continue
        from dockyard.parsers.gunicorn_file import first_call  # lazy: ast, for a config file only

        where = first_call(text, "cpu_count")
        if where is not None:
            yield Problem("`cpu_count()` counts the host's CPUs, not the container's CPU limit; read the cgroup "
                          "quota (`/sys/fs/cgroup/cpu.max`) or use `len(os.sched_getaffinity(0))`", where,
                          path=cfg.path)


@rule(
    code="PY005",
    name="preload-with-async-workers",
    scope=Scope.PROJECT, applies=roles.FASTAPI_SERVICE,
    summary="`preload_app = True` with async (uvicorn) workers",
    why="With `preload_app` the app is imported once in the master and then forked. Event loops, connection pools "
    "and clients created at import time are shared by every worker after the fork and break in odd ways "
    "(loop bound to another process, sockets shared). Create them in the app's lifespan instead, without preload.",
    standard=("PY-PRELOAD-ASYNC",),
    section="Gunicorn Configuration",
    severity="warning",
    example={"gunicorn_config.py": "worker_class = \"uvicorn_worker.UvicornWorker\"\npreload_app = True\n"},
    use_instead={"gunicorn_config.py": "worker_class = \"uvicorn_worker.UvicornWorker\"\npreload_app = False\n"},
)
def preload_async(ctx: Context) -> Iterator[Problem]:
    rt = runtime(ctx.project)
    cfg, s = rt.effective("preload_app")
    _, wc = rt.effective("worker_class")
    if s is None or wc is None:
        return
    enabled = s.value is True or str(s.value).lower() == "true"
    async_worker = any(m in str(wc.value or wc.source).lower() for m in ("uvicorn", "gevent", "eventlet", "tornado"))
    if enabled and async_worker:
        yield Problem("`preload_app` with an async worker class shares import-time event loops and pools across "
                      "forked workers; open them in the app's lifespan and drop preload", _pos(s), path=cfg.path)


@rule(
    code="PY006",
    name="worker-connections-uvicorn",
    scope=Scope.PROJECT, applies=roles.FASTAPI_SERVICE,
    summary="`worker_connections` has no effect with a uvicorn worker",
    why="`worker_connections` only applies to gunicorn's eventlet/gevent workers. With uvicorn workers it is "
    "silently ignored, so a limit someone believes is enforced is not. Use uvicorn's `limit_concurrency` through "
    "a worker subclass, or remove the setting.",
    standard=("PY-WORKER-CONNECTIONS",),
    section="Gunicorn Configuration",
    severity="warning",
    example={"gunicorn_config.py": "worker_class = \"uvicorn_worker.UvicornWorker\"\nworker_connections = 1000\n"},
    use_instead={"gunicorn_config.py": "worker_class = \"uvicorn_worker.UvicornWorker\"\n"},
)
def worker_connections(ctx: Context) -> Iterator[Problem]:
    rt = runtime(ctx.project)
    cfg, s = rt.effective("worker_connections")
    _, wc = rt.effective("worker_class")
    if s is not None and wc is not None and "uvicorn" in str(wc.value or wc.source).lower():
        yield Problem("`worker_connections` is ignored by uvicorn workers; remove it or limit concurrency in uvicorn",
                      _pos(s), path=cfg.path)


@rule(
    code="PY007",
    name="deprecated-uvicorn-worker",
    scope=Scope.PROJECT, applies=roles.FASTAPI_SERVICE,
    summary="gunicorn uses the deprecated `uvicorn.workers.UvicornWorker`",
    why="`uvicorn.workers` is deprecated and will be removed from uvicorn; the worker now lives in the "
    "`uvicorn-worker` package as `uvicorn_worker.UvicornWorker`. This rule judges gunicorn config files and "
    "compose commands (Dockerfile commands are judged by the Dockerfile rules).",
    standard=("DF-UVICORN-WORKER",),
    section="Gunicorn Configuration",
    severity="warning",
    fix="per-finding",
    example={"gunicorn_config.py": "worker_class = \"uvicorn.workers.UvicornWorker\"\n"},
    use_instead={"gunicorn_config.py": "worker_class = \"uvicorn_worker.UvicornWorker\"\n"},
    notes="The fix rewrites the class path. It is safe when a dependency file of the project (a lock, a "
          "requirements file, pyproject.toml) declares `uvicorn-worker`, and unsafe otherwise: the package must be "
          "added to the dependencies, or gunicorn fails to start.",
)
def deprecated_worker(ctx: Context) -> Iterator[Problem]:
    from dockyard.locks import declares  # lazy: `env check` runs without it

    rt = runtime(ctx.project)
    safe = None
    for cfg in [*rt.configs, *rt.commands]:
        if cfg.origin == "file":
            s = cfg.settings.get("worker_class")
            if s is None or s.value != DEPRECATED_WORKER or not s.literal:
                continue
            sf = ctx.project.file(cfg.path)
            fix = None
            if sf is not None and sf.text is not None:
                start = sf.offset(s.line, s.column)
                end = sf.offset(s.end_line, s.end_column)
                quote = sf.text[start]
                if safe is None:
                    safe = declares(ctx.project, "uvicorn-worker")
                fix = Fix((Edit(start, end, f"{quote}{MODERN_WORKER}{quote}"),),
                          Applicability.SAFE if safe else Applicability.UNSAFE)
            yield Problem(f"`{DEPRECATED_WORKER}` is deprecated; use `{MODERN_WORKER}` (package `uvicorn-worker`)",
                          _pos(s), path=cfg.path, fix=fix)
        elif cfg.path.rsplit("/", 1)[-1].lower().startswith(("compose", "docker-compose")):
            s = cfg.settings.get("worker_class")
            if s is not None and s.value == DEPRECATED_WORKER:
                yield Problem(f"`{DEPRECATED_WORKER}` is deprecated; use `{MODERN_WORKER}` (package `uvicorn-worker`)",
                              _pos(s), path=cfg.path)

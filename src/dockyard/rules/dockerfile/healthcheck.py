"""The final image carries a complete HEALTHCHECK whose probe program exists in the image."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.image_stage import image_stage_words
from dockyard.analysis.shell import exec_argv, installed_packages, instruction_script
from dockyard.analysis.stages import (
    final_lineage, final_lineage_instructions, last_of, root_base, span_position,
)
from dockyard.model import Problem
from dockyard.projects import extends_own_image
from dockyard.programs import instruction_argvs, started_program
from dockyard.rules.base import Context, Scope, rule

OPTIONS = ("interval", "timeout", "start-period", "retries")
PYTHON_PROBE = ('CMD ["python", "-c", "import urllib.request; '
                "urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)\"]")


def _healthcheck(df):
    return last_of(final_lineage_instructions(df), "HEALTHCHECK")


def _is_none(ins) -> bool:
    return bool(ins.value) and ins.value[0].upper() == "NONE"


# queue workers: they serve no HTTP, so a health check runs their own liveness check
QUEUE_WORKERS = frozenset({"arq", "celery", "rq", "dramatiq", "huey_consumer", "taskiq"})


def _worker_check(instructions) -> str | None:
    """The advice for the health check of an image whose command starts a queue worker (None for any other):
    the worker's own check when it has one (`arq --check SETTINGS`, `celery --app APP inspect ping`)."""
    entrypoint, cmd = last_of(instructions, "ENTRYPOINT"), last_of(instructions, "CMD")
    argvs = [argv for ins in (entrypoint, cmd) if ins is not None for argv in instruction_argvs(ins)]
    if entrypoint is not None and cmd is not None and entrypoint.json_form and cmd.json_form:
        argvs.insert(0, list(entrypoint.value) + list(cmd.value))
    for argv in argvs:
        name, i = started_program(argv)
        args = argv[i + 1:]
        if name not in QUEUE_WORKERS or (name == "celery" and "worker" not in args):
            continue  # `celery beat`, `celery flower` (which serves HTTP) are no workers
        how = "checks the worker itself (its process, or a heartbeat it writes) rather than a health endpoint"
        if name == "arq" and (settings := [a for a in args if not a.startswith("-")]):
            how = f"runs `arq --check {settings[0]}`"
        elif name == "celery":
            app = ""
            for k, a in enumerate(args):
                if a in ("-A", "--app") and k + 1 < len(args):
                    app = f"{a} {args[k + 1]} "
                elif a.startswith("--app="):
                    app = f"{a} "
            # a worker is named celery@<host> unless `-n`/`--hostname` names it otherwise
            named = any(a in ("-n", "--hostname") or a.startswith("--hostname=") for a in args)
            target = "" if named else " --destination celery@$HOSTNAME"
            how = f"runs `celery {app}inspect ping{target}`"
        return f"the image runs the `{name}` worker, which serves no HTTP: add one that {how}"
    return None


@rule(
    code="DF043", name="healthcheck-present", scope=Scope.DOCKERFILE, applies=roles.RUNNABLE, purposes=roles.SERVICES,
    summary="The final stage declares a HEALTHCHECK",
    why="Without a health check Docker reports a hung or crash-looping app as running; orchestrators and "
        "`depends_on: condition: service_healthy` cannot tell a live service from a dead one.",
    standard=("DF-HEALTHCHECK",), section="Health Check; Dockerfile Health Check", severity="error",
    example="FROM python:3.12-slim\nCMD [\"gunicorn\", \"-c\", \"gunicorn_config.py\", \"app.main:app\"]\n",
    use_instead="FROM python:3.12-slim\nHEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \\\n"
                "    CMD [\"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')\"]\n"
                "CMD [\"gunicorn\", \"-c\", \"gunicorn_config.py\", \"app.main:app\"]\n",
    notes="The advice fits the image: a queue worker (arq, celery, rq, dramatiq, huey, taskiq) serves no HTTP, so "
          "its health check runs the worker's own check (`arq --check SETTINGS`, `celery --app APP inspect ping`) "
          "or watches the process; an image without a shell or curl (`scratch`, distroless) runs a program it "
          "has."
          " An add-on image FROM the project's own image inherits its health check: judged where that image is built.",
)
def present(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    stages = final_lineage(df)
    if not stages or extends_own_image(ctx.project, df):
        return  # (an add-on to the project's own image inherits its health check, judged where it is built)
    hc = _healthcheck(df)
    if hc is None:
        root = stages[0].base_resolved.lower()
        how = ("add one that runs a program the image has (the app's own binary with a health subcommand, an "
               "exec-form `CMD`): it has no shell and no curl" if root == "scratch" or "distroless" in root
               else _worker_check(final_lineage_instructions(df)) or "add one that probes the app's health endpoint")
        yield Problem(f"{image_stage_words(df)} has no `HEALTHCHECK`; {how}",
                      span_position(stages[-1].from_instruction.keyword_span))
    elif _is_none(hc):
        yield Problem("`HEALTHCHECK NONE` disables the health check of the final image",
                      span_position(hc.args_span))


@rule(
    code="DF044", name="healthcheck-options", scope=Scope.DOCKERFILE, applies=roles.RUNNABLE, purposes=roles.SERVICES,
    summary="The HEALTHCHECK sets --interval, --timeout, --start-period and --retries explicitly",
    why="Docker's defaults (30s interval, 30s timeout, no start period) mark slow-starting apps unhealthy "
        "and let a hung probe block for half a minute; explicit values document the service's contract.",
    standard=("DF-HEALTHCHECK",), section="Health Check; Dockerfile Health Check", severity="error",
    example="FROM python:3.12-slim\nHEALTHCHECK CMD [\"python\", \"-c\", \"import urllib.request; "
            "urllib.request.urlopen('http://127.0.0.1:8000/health')\"]\n",
    use_instead="FROM python:3.12-slim\nHEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \\\n"
                "    CMD [\"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')\"]\n",
)
def options(ctx: Context) -> Iterator[Problem]:
    hc = _healthcheck(ctx.model)
    if hc is None or _is_none(hc):
        return
    missing = [o for o in OPTIONS if hc.flag(o) is None]
    if missing:
        listed = ", ".join(f"`--{o}`" for o in missing)
        yield Problem(f"`HEALTHCHECK` relies on Docker's defaults for {listed}; set them explicitly",
                      span_position(hc.keyword_span))


@rule(
    code="DF063", name="healthcheck-probes-health", scope=Scope.DOCKERFILE, applies=roles.FASTAPI_SERVICE, purposes=roles.SERVICES,
    summary="The HEALTHCHECK probes the app's health endpoint",
    why="A probe that only proves a process can start (`python -c 1`, `true`, `ps`) stays green while the app "
        "serves errors or hangs. The standard's health check requests the app's `/health` endpoint; a probe "
        "script named for it (`python -m app.healthcheck`) counts as well.",
    standard=("DF-HEALTHCHECK",), section="Health Check; Dockerfile Health Check", severity="error",
    example="FROM python:3.12-slim\nHEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 "
            "CMD [\"python\", \"-c\", \"print(1)\"]\nCMD [\"uvicorn\", \"app.main:app\"]\n",
    use_instead="FROM python:3.12-slim\nHEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \\\n"
                "    CMD [\"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')\"]\n"
                "CMD [\"uvicorn\", \"app.main:app\"]\n",
    notes="Judged on the FastAPI service's image: a worker or a database image has no `/health` to probe.",
)
def probes_health(ctx: Context) -> Iterator[Problem]:
    hc = _healthcheck(ctx.model)
    if hc is None or _is_none(hc):
        return
    command = " ".join(hc.value[1:]) if hc.value and hc.value[0].upper() == "CMD" else " ".join(hc.value)
    if "health" in command.lower() or "ready" in command.lower() or "live" in command.lower():
        return
    yield Problem("the `HEALTHCHECK` command does not probe the app's health endpoint (no `/health` request or "
                  "health-check script); request `http://127.0.0.1:<port>/health`", span_position(hc.args_span))


def _missing_tools(base: str) -> frozenset[str]:
    """HTTP clients a base image lacks: Debian slim has neither; Alpine's busybox provides only wget."""
    ref = base.lower().rsplit("/", 1)[-1]
    tag = ref.split(":", 1)[1] if ":" in ref else ""
    if "alpine" in tag:
        return frozenset({"curl"})
    if "slim" in tag or "distroless" in base.lower():
        return frozenset({"curl", "wget"})
    return frozenset()


def _json_word_position(ctx, ins, word: str):
    text = ctx.model.text
    i = text.find(f'"{word}"', ins.args_span.start, ins.span.end)
    if i < 0:
        return span_position(ins.args_span)
    return ctx.file.span(i + 1, i + 1 + len(word))


@rule(
    code="DF045", name="healthcheck-tool-installed", scope=Scope.DOCKERFILE,
    summary="The program a HEALTHCHECK runs exists in the image",
    why="`python:*-slim` images ship without curl and wget (Alpine has only busybox wget): a `curl` probe "
        "fails with `not found` on every run and the container is reported unhealthy forever.",
    standard=("DF-HEALTHCHECK-TOOL",), section="Health Check", severity="error",
    example="FROM python:3.12-slim\nHEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \\\n"
            "    CMD curl -f http://localhost:8000/health || exit 1\n",
    use_instead="FROM python:3.12-slim\nHEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \\\n"
                "    CMD [\"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')\"]\n",
    notes="The standard's own example probes with `curl` on `python:3.11-slim`, which has no curl; this rule "
          "follows the checklist item (beyond the standard): install the tool in the final stage's lineage or "
          "probe with the image's Python. The build succeeds but the container never becomes healthy, hence error.",
)
def tool_installed(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    hc = _healthcheck(df)
    if hc is None or _is_none(hc):
        return
    missing = _missing_tools(root_base(df))
    if not missing:
        return
    missing = missing - installed_packages(df, final_lineage_instructions(df))
    argv = exec_argv(hc)
    found = []
    if argv and argv[0].rsplit("/", 1)[-1] in missing:
        found.append((argv[0].rsplit("/", 1)[-1], _json_word_position(ctx, hc, argv[0])))
    else:
        script = instruction_script(df, hc)
        if script is not None:
            for cmd in script.commands:
                if cmd.name in missing:
                    found.append((cmd.name, script.word_position(cmd.argv[0])))
    for tool, pos in found[:1]:
        yield Problem(f"the healthcheck runs `{tool}`, which `{root_base(df)}` does not include and no stage "
                      f"installs; probe with the image's Python instead: {PYTHON_PROBE}", pos)

"""The container's command: exec form, a production ASGI server, one process, nothing installed at start."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.image_stage import image_stage_words
from dockyard.analysis.shell import (SHELLS, SHELL_BUILTINS, calls, exec_argv, instruction_script, is_install,
                                     package_call, run_scripts)
from dockyard.analysis.stages import (
    final_lineage, final_lineage_instructions, last_of, span_position, windows_image,
)
from dockyard.images import image_is_python, plain_image
from dockyard.manifests import normalized_name
from dockyard.model import Applicability, Edit, Fix, Problem
from dockyard.parsers.shell import SimpleCommand, Word
from dockyard.programs import keeps_alive, started_program
from dockyard.rules.base import Context, Scope, rule

SUPERVISORS = frozenset({"supervisord", "circusd", "s6-svscan", "runsvdir", "pm2", "pm2-runtime", "honcho",
                         "foreman", "forego", "overmind"})
SERVERS = frozenset({"gunicorn", "uvicorn", "hypercorn", "daphne", "granian", "celery", "nginx", "redis-server",
                     "postgres", "rq", "dramatiq", "arq", "huey_consumer", "flower", "cron", "crond"})
OLD_WORKER = "uvicorn.workers.UvicornWorker"
NEW_WORKER = "uvicorn_worker.UvicornWorker"
WORKER_PACKAGE = "uvicorn-worker"  # the package that provides NEW_WORKER


def _final_commands(df):
    instructions = final_lineage_instructions(df)
    return last_of(instructions, "ENTRYPOINT"), last_of(instructions, "CMD")


def _simple_exec_form(script) -> list[str] | None:
    """The argv of a shell script that is one plain command (no operators, expansions, globs or redirections)
    starting a program: a leading `exec` is dropped (the exec form replaces no shell), any other shell built-in
    or reserved word keeps the shell form."""
    if script is None or script.has_error or len(script.commands) != 1:
        return None
    cmd = script.commands[0]
    if cmd.assignments or cmd.background or cmd.negated or cmd.redirects:
        return None
    if script.text[cmd.start:cmd.end].strip() != script.text.strip():
        return None
    out = []
    for w in cmd.argv:
        if any(ch in w.raw for ch in "$`*?[]{}~;&|<>()"):
            return None
        out.append(w.text)
    if out and out[0] == "exec":
        out = out[1:]  # `exec prog`: the shell replaced itself with prog; `exec -a name prog` is bash's
    if not out or out[0].startswith("-") or out[0] in SHELL_BUILTINS:
        return None
    return out


def _posix_shell(df) -> bool:
    """Whether a shell-form command of the final stage runs under a POSIX shell (no PowerShell or cmd `SHELL`)."""
    shell = last_of(final_lineage_instructions(df), "SHELL")
    if shell is None:
        return True
    return bool(shell.value) and shell.value[0].replace("\\", "/").rsplit("/", 1)[-1].lower() in SHELLS


@rule(
    code="DF055", name="cmd-exec-form", scope=Scope.DOCKERFILE, applies=roles.RUNNABLE,
    summary="The final CMD/ENTRYPOINT uses the exec (JSON) form",
    why="In shell form `/bin/sh -c` is PID 1: SIGTERM from `docker stop` never reaches the server, requests are "
        "cut off after the 10 s kill timeout instead of draining gracefully.",
    standard=("DF-CMD-EXEC",), section="Complete Dockerfile Example; Gunicorn Workers", severity="error",
    fix="per-finding",
    example="FROM python:3.12-slim\nCMD gunicorn -c gunicorn_config.py app.main:app\n",
    use_instead="FROM python:3.12-slim\nCMD [\"gunicorn\", \"-c\", \"gunicorn_config.py\", \"app.main:app\"]\n",
    notes="The fix is offered when the shell form is one plain command without variables, globs, redirections or "
          "operators that starts a program: a leading `exec` is dropped, a shell built-in (`cd`, `source`, `.`, "
          "`export` ...) keeps the shell form, and so does a PowerShell or cmd `SHELL`. Turning a shell-form "
          "ENTRYPOINT into the exec form is unsafe when a CMD or a compose `command` is in effect: the shell form "
          "ignored them, the exec form passes them as arguments. "
          "A final stage without CMD/ENTRYPOINT is reported only for a Python service built on a known Python image "
          "(it would start the interpreter) that no compose service gives a command: an nginx, database or vendor "
          "image inherits the right command.",
)
def exec_form(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    stages = final_lineage(df)
    if not stages:
        return
    entrypoint, cmd = _final_commands(df)
    if entrypoint is None and cmd is None:
        if _starts_its_own_server(ctx, stages):
            yield Problem(f"{image_stage_words(df)} sets no `CMD` or `ENTRYPOINT`: it inherits the base image's command (the "
                          "interpreter); start the server in exec form",
                          span_position(stages[-1].from_instruction.keyword_span))
        return
    for ins in (entrypoint, cmd):
        if ins is None or ins.json_form:
            continue
        fix = None
        argv = _simple_exec_form(instruction_script(df, ins)) if _posix_shell(df) else None
        if argv is not None:
            import json

            # a shell-form ENTRYPOINT ignores CMD and compose's `command`; in exec form they become its arguments
            safe = ins is cmd or (cmd is None and not _given_command(ctx))
            fix = Fix((Edit(ins.args_span.start, ins.args_span.end, json.dumps(argv)),),
                      Applicability.SAFE if safe else Applicability.UNSAFE)
        yield Problem(f"`{ins.keyword}` in shell form runs under `/bin/sh -c`, which does not forward signals; use "
                      "the exec form `[\"...\", \"...\"]`", span_position(ins.keyword_span), fix=fix)


def _given_command(ctx: Context) -> bool:
    """Whether a compose service that builds this Dockerfile sets a `command`."""
    building = roles.roles(ctx.project).services_building(ctx.file.path) if ctx.file is not None else []
    return any(svc.get("command") for _, svc, _ in building)


def _starts_its_own_server(ctx: Context, stages) -> bool:
    """Whether an image without CMD/ENTRYPOINT should have one: a Python service built on a known Python image
    (whose inherited command is the interpreter) that no compose service gives a command. An nginx or a
    database image inherits the right exec-form command; a vendor image named by a build argument is unknown."""
    role = ctx.role
    if role is not None and (role.role not in roles.PYTHON_IMAGES or role.purpose != roles.SERVICE):
        return False
    root = stages[0].base_resolved if stages else ""
    if not root or "$" in root or not (image_is_python(root) and plain_image(root)):
        return False  # an application-server image (tiangolo/uvicorn-gunicorn-fastapi) starts its server itself
    building = roles.roles(ctx.project).services_building(ctx.file.path) if ctx.file is not None else []
    return not any(svc.get("command") or svc.get("entrypoint") for _, svc, _ in building)


def _gunicorn_ok(args: list[str]) -> bool:
    """gunicorn's flags name a config file or a uvicorn worker class (flags read by the gunicorn parser)."""
    from dockyard.parsers.gunicorn import parse_command  # lazy: a check of a named Dockerfile runs without it

    cfg = parse_command(["gunicorn", *args], "", 1, 1, 1, 1)
    return cfg is not None and ("config" in cfg.settings or "UvicornWorker" in cfg.worker_class)


@rule(
    code="DF056", name="production-server", scope=Scope.DOCKERFILE, applies=roles.FASTAPI_SERVICE,
    purposes=roles.SHIPPED,
    summary="The final command starts gunicorn with a uvicorn worker or a gunicorn config file",
    why="A bare `uvicorn` (let alone `--reload` or `fastapi dev`) runs one process with no worker supervision; "
        "gunicorn restarts crashed workers, recycles leaking ones and scales to the CPUs.",
    standard=("DF-CMD-EXEC",), section="Complete Dockerfile Example; Gunicorn Workers", severity="error",
    example="FROM python:3.12-slim\nCMD [\"uvicorn\", \"app.main:app\", \"--host\", \"0.0.0.0\"]\n",
    use_instead="FROM python:3.12-slim\nCMD [\"gunicorn\", \"-c\", \"gunicorn_config.py\", \"app.main:app\"]\n",
    notes="Judged on exec-form commands (a shell form is DF055's finding). With an ENTRYPOINT the program is "
          "looked for in ENTRYPOINT followed by CMD. A command that only keeps the container running (`tail -f "
          "/dev/null`, `sleep infinity`) is a placeholder for the commands whoever runs the image gives it (one "
          "image that compose runs as several services, each with its `command:`), and is not judged. "
          "gunicorn runs on POSIX systems only: a Windows container (a PowerShell or cmd `SHELL`, a Windows base) is not judged.",
)
def production_server(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if windows_image(df):
        return  # gunicorn runs on POSIX systems only
    entrypoint, cmd = _final_commands(df)
    if entrypoint is not None:
        if not entrypoint.json_form:
            return
        parts = [entrypoint]
        # ENTRYPOINT resets a CMD inherited from an earlier stage; a CMD of the same stage or later is kept
        if cmd is not None and (cmd.stage == entrypoint.stage or cmd.span.start > entrypoint.span.start):
            if not cmd.json_form:
                return
            parts.append(cmd)
    elif cmd is not None and cmd.json_form:
        parts = [cmd]
    else:
        return
    argv = [a for ins in parts for a in exec_argv(ins)]
    if not argv:
        return
    target = parts[-1]
    for ins in parts:
        if any(a.rsplit("/", 1)[-1] == "gunicorn" for a in exec_argv(ins)):
            target = ins
    words = [a.rsplit("/", 1)[-1] for a in argv]
    if "gunicorn" in words:
        i = words.index("gunicorn")
        if not _gunicorn_ok(argv[i + 1 :]):
            yield Problem("gunicorn is started without a uvicorn worker (`-k uvicorn_worker.UvicornWorker`) or a "
                          "config file (`-c gunicorn_config.py`): its default sync worker cannot serve an ASGI app",
                          span_position(target.args_span))
        return
    program, start = started_program(argv)
    if program in SUPERVISORS:
        return  # a process supervisor: what it runs is in its own configuration, and DF057 reports it
    if keeps_alive(argv[start:]):
        return  # a placeholder: the commands that run are given by whoever runs the image
    if program and program not in ("sh", "bash") and not program.endswith(".sh"):
        yield Problem(f"the final command starts `{program}`, not gunicorn with a uvicorn worker; use e.g. "
                      "`[\"gunicorn\", \"-c\", \"gunicorn_config.py\", \"app.main:app\"]`",
                      span_position(target.args_span))


def _command_scripts(df):
    """(instruction, script or None, argv) for every CMD and ENTRYPOINT of the file."""
    for ins in df.instructions:
        if ins.keyword in ("CMD", "ENTRYPOINT"):
            yield ins, instruction_script(df, ins), list(exec_argv(ins))


@rule(
    code="DF057", name="single-process", scope=Scope.DOCKERFILE, applies=roles.RUNNABLE, purposes=roles.SERVICES,
    summary="The container command starts one main process",
    why="Backgrounded or chained servers are invisible to Docker: if one dies the container keeps running "
        "half-broken, its logs and signals are lost, and it cannot be scaled or restarted on its own.",
    standard=("DF-SINGLE-PROCESS",), section="Container Philosophy (Single Responsibility)", severity="error",
    example="FROM python:3.12-slim\nCMD celery -A app.worker worker & gunicorn -c gunicorn_config.py app.main:app\n",
    use_instead="FROM python:3.12-slim\nCMD [\"gunicorn\", \"-c\", \"gunicorn_config.py\", \"app.main:app\"]\n",
    notes="Run each server as its own compose service from the same image, with its own command.",
)
def single_process(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    for ins, script, argv in _command_scripts(df):
        if script is None:
            name = argv[0].rsplit("/", 1)[-1] if argv else ""
            if name in SUPERVISORS:
                yield Problem(f"`{name}` supervises several processes in one container; run one process per "
                              "container", span_position(ins.args_span))
            continue
        servers = []
        reported = False
        for c in script.commands:
            if c.name in SUPERVISORS:
                yield Problem(f"`{c.name}` supervises several processes in one container; run one process per "
                              "container", script.word_position(c.argv[0]))
                reported = True
                break
            if c.background:
                yield Problem(f"`{c.name}` is started in the background with `&`: the container runs several "
                              "processes and Docker watches only the last", script.word_position(c.argv[0]))
                reported = True
                break
            if c.name in SERVERS or (c.name.startswith("python") and len(c.argv) > 2 and c.argv[1].text == "-m"
                                     and c.argv[2].text in SERVERS):
                servers.append(c)
        if not reported and len(servers) > 1:
            c = servers[1]
            yield Problem(f"the command chains several servers (`{servers[0].name}` and `{c.name}`); run each in its "
                          "own container", script.word_position(c.argv[0]))


@rule(
    code="DF058", name="no-install-at-start", scope=Scope.DOCKERFILE, applies=roles.RUNNABLE, purposes=roles.SERVICES,
    summary="CMD/ENTRYPOINT install nothing when the container starts",
    why="Installing at start makes every container different from the image that was tested, slows every "
        "start and restart, and fails when the package index is unreachable.",
    standard=("DF-IMMUTABLE",), section="Container Philosophy (Immutable)", severity="error",
    example="FROM python:3.12-slim\nCMD pip install -r requirements.txt && gunicorn -c gunicorn_config.py app.main:app\n",
    use_instead="FROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements.lock.txt\n"
                "CMD [\"gunicorn\", \"-c\", \"gunicorn_config.py\", \"app.main:app\"]\n",
)
def no_install_at_start(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    for ins, script, argv in _command_scripts(df):
        if script is None:
            if not argv:
                continue
            words = tuple(Word(a, a, 0, 0) for a in argv)
            commands = [SimpleCommand(words, (), 0, 0, False, False)]
        else:
            commands = list(script.commands)
        for c in commands:
            call = package_call(c)
            if call is None or call.sub not in ("install", "add", "upgrade", "update", "sync"):
                if c.name in ("poetry", "pipenv", "npm", "yarn", "conda") and c.args[:1] in (("install",), ("add",)):
                    call = c
                else:
                    continue
            pos = (script.word_position(c.argv[0]) if script is not None
                   else span_position(ins.args_span))
            what = f"{c.name} {c.args[0]}" if c.args else c.name
            yield Problem(f"`{ins.keyword}` runs `{what}` at container start; install at build time in a RUN", pos)
            break


def _occurrences(df, needle: str):
    """File offsets of ``needle`` inside instructions, skipping comment lines."""
    text = df.text
    for ins in df.instructions:
        start = text.find(needle, ins.span.start, ins.span.end)
        while start != -1:
            line_start = text.rfind("\n", 0, start) + 1
            if not text[line_start:start].lstrip().startswith("#"):
                yield start
            start = text.find(needle, start + 1, ins.span.end)


def _installs_worker(df) -> bool:
    """Whether a RUN pip-installs the `uvicorn-worker` package by name."""
    import re

    return any(c.tool == "pip" and is_install(c) and any(
        normalized_name(re.split(r"[\s\[;@<>=!~(]", w.text, 1)[0]) == WORKER_PACKAGE for w in c.packages)
        for script in run_scripts(df, df.instructions) for c in calls(script))


@rule(
    code="DF059", name="uvicorn-worker-deprecated", scope=Scope.DOCKERFILE, applies=roles.PYTHON_IMAGES,
    summary="Use `uvicorn_worker.UvicornWorker`, not the deprecated `uvicorn.workers.UvicornWorker`",
    why="`uvicorn.workers` is deprecated and slated for removal from uvicorn; an upgrade then breaks the "
        "container at start with an import error. The worker lives on in the `uvicorn-worker` package.",
    standard=("DF-UVICORN-WORKER",), section="Gunicorn Configuration", severity="warning",
    fix="per-finding",
    example="FROM python:3.12-slim\nCMD [\"gunicorn\", \"-k\", \"uvicorn.workers.UvicornWorker\", \"app.main:app\"]\n",
    use_instead="FROM python:3.12-slim\nCMD [\"gunicorn\", \"-k\", \"uvicorn_worker.UvicornWorker\", \"app.main:app\"]\n",
    notes="The standard's examples use `uvicorn.workers.UvicornWorker`; the checklist item wins. The fix is safe "
          "when a dependency file of the build context (a lock, a requirements file, pyproject.toml) declares "
          "`uvicorn-worker` or a RUN pip-installs it, and unsafe otherwise: the package must be added to the dependencies, or gunicorn fails "
          "to start. A gunicorn config file is judged by the Python rules (PY007).",
)
def uvicorn_worker(ctx: Context) -> Iterator[Problem]:
    from dockyard.locks import declares, dockerfile_context_dirs  # lazy: `env check` runs without it

    df = ctx.model
    safe = None
    for start in _occurrences(df, OLD_WORKER):
        if safe is None:
            safe = _installs_worker(df) or declares(ctx.project, WORKER_PACKAGE,
                                                    dockerfile_context_dirs(ctx.project, ctx.file.path))
        yield Problem(f"`{OLD_WORKER}` is deprecated; use `{NEW_WORKER}` from the `uvicorn-worker` package",
                      ctx.file.span(start, start + len(OLD_WORKER)),
                      fix=Fix((Edit(start, start + len(OLD_WORKER), NEW_WORKER),),
                              Applicability.SAFE if safe else Applicability.UNSAFE))


def _bound_port(argv: list[str]) -> str | None:
    """The port a server's argv binds (`--bind 0.0.0.0:8000`, `-b :8000`, `--port 8000`), if written literally."""
    for k, a in enumerate(argv):
        value = None
        if a in ("-b", "--bind", "--port") and k + 1 < len(argv):
            value = argv[k + 1]
        elif a.startswith(("--bind=", "--port=")):
            value = a.split("=", 1)[1]
        if value is None:
            continue
        port = value.rsplit(":", 1)[-1] if a.startswith(("-b", "--bind")) else value
        if port.isdigit():
            return port
    return None


@rule(
    code="DF061", name="expose-port", scope=Scope.DOCKERFILE, applies=roles.RUNNABLE, purposes=roles.SERVICES,
    summary="The final stage EXPOSEs the port the server binds",
    why="EXPOSE documents the image's contract: `docker run -P`, compose readers and platform tooling learn "
        "from it which port serves traffic; a missing or different port sends them to nothing.",
    standard=("DF-EXPOSE",), section="Port Exposure", severity="error",
    example="FROM python:3.12-slim\nCMD [\"gunicorn\", \"-c\", \"gunicorn_config.py\", \"app.main:app\"]\n",
    use_instead="FROM python:3.12-slim\nEXPOSE 8000\nCMD [\"gunicorn\", \"-c\", \"gunicorn_config.py\", \"app.main:app\"]\n",
    notes="When the command binds a literal port (`--bind 0.0.0.0:8000`, `--port 8000`) that port must be among "
          "the exposed ones; a port set in a gunicorn config file is judged by the Python rules. An image that is "
          "not the FastAPI service is asked for an EXPOSE only when its command binds a port dockyard can read "
          "(a worker or a CLI listens on nothing).",
)
def expose_port(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    stages = final_lineage(df)
    if not stages:
        return
    instructions = final_lineage_instructions(df)
    exposes = [ins for ins in instructions if ins.keyword == "EXPOSE"]
    entrypoint, cmd = _final_commands(df)
    argv = [a for ins in (entrypoint, cmd) if ins is not None for a in exec_argv(ins)]
    port = _bound_port(argv)
    if not exposes:
        # a FastAPI service always listens; another image only when its command binds a port we can read; an
        # application-server base image (tiangolo/uvicorn-gunicorn-fastapi) may EXPOSE its port itself
        if port is None and ctx.role is not None and ctx.role.role != roles.APP:
            return
        root = stages[0].base_resolved
        if port is None and (not root or "$" in root or not plain_image(root)):
            return
        yield Problem(f"{image_stage_words(df)} does not `EXPOSE` the port its server listens on (e.g. `EXPOSE {port or 8000}`)",
                      span_position(stages[-1].from_instruction.keyword_span))
        return
    ports = {v.split("/", 1)[0] for ins in exposes for v in ins.value}
    if port is not None and port not in ports and not any("$" in p for p in ports):
        last = exposes[-1]
        yield Problem(f"the server binds port {port}, but {image_stage_words(df)} exposes {', '.join(sorted(ports))}",
                      span_position(last.args_span))

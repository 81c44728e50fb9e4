"""What a command runs: an ASGI server, a worker or a migration, a test runner, a one-off job.

Read from Dockerfile instructions (RUN, CMD, ENTRYPOINT: shell form parsed as the shell parses it, the script of
``sh -c "..."`` included) and from compose ``command``/``entrypoint`` (split as compose splits a string). Used by
the classification of files and services (:mod:`dockyard.roles`) and by the compose rules that judge only
long-running services.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

from dockyard import TYPE_CHECKING
from dockyard.compose import shellwords
from dockyard.images import image_repository

if TYPE_CHECKING:  # pragma: no cover
    from dockyard.parsers.dockerfile import Instruction

ASGI_SERVERS = frozenset({"uvicorn", "hypercorn", "granian", "fastapi"})
_JOBS = frozenset({"celery", "dramatiq", "rq", "arq", "huey_consumer", "alembic", "pytest", "taskiq", "faust",
                   "flower", "streamlit", "jupyter", "jupyter-lab", "daphne", "waitress-serve"})
# programs that serve a desktop (a virtual display, a VNC server, a desktop session): an image whose command starts
# one is a workstation a person or an agent drives, whatever Python it carries
DESKTOP_PROGRAMS = frozenset({"Xvfb", "Xvnc", "Xtigervnc", "x11vnc", "vncserver", "tigervncserver", "startxfce4",
                              "xfce4-session", "startlxde", "startlxqt", "fluxbox", "openbox", "xrdp"})


def desktop_in(argvs: Iterable[list[str]]) -> str | None:
    """The desktop program a command starts (``Xvfb :1 &``, ``x11vnc -forever``), None when it starts none."""
    return next((basename(a[0]) for a in argvs if a and basename(a[0]) in DESKTOP_PROGRAMS), None)


INTERPRETERS = frozenset({"python", "python3", "ipython", "bash", "sh", "ash", "dash", "zsh", "node", "irb",
                           "pypy", "pypy3", "jshell", "iex", "erl"})
_PYTHON_WORDS = frozenset({"python", "python3", "pip", "pip3", "uv", "poetry", "pipenv", "pdm", "gunicorn",
                           "uvicorn", "hypercorn", "granian", "celery", "fastapi", "alembic"})


def basename(word: str) -> str:
    return posixpath.basename(word.strip("\"'"))


_INIT_WRAPPERS = frozenset({"tini", "dumb-init", "exec", "env"})


# project managers whose `run` starts a program in the project's environment, and the options of theirs that take a
# value in the next word
_PROJECT_RUNNERS = frozenset({"uv", "poetry", "pdm", "pipenv", "hatch", "rye"})
_RUNNER_VALUE_OPTIONS = frozenset({"--with", "--project", "--directory", "--env-file", "--python", "-p", "--group",
                                   "--extra", "--package"})


def started_program(argv: list[str]) -> tuple[str, int]:
    """The program an argv starts, after init wrappers (``tini --``, ``exec``, ``env``), a project manager's
    ``run`` (``uv run``, ``poetry run``) and ``python -m``, and its index in ``argv`` ("" and -1 when there is
    none)."""
    i = 0
    while i < len(argv):
        name = basename(argv[i])
        if name in _PROJECT_RUNNERS and i + 1 < len(argv) and argv[i + 1] == "run":
            i += 2  # `uv run uvicorn ...`: the project manager starts the program in its environment
            continue
        if name in _RUNNER_VALUE_OPTIONS and i + 1 < len(argv):
            i += 2  # `uv run --with httpx uvicorn ...`
            continue
        if name in _INIT_WRAPPERS or name.startswith("-"):
            i += 1
            continue
        if name.startswith("python") and i + 1 < len(argv) and argv[i + 1] == "-m":
            return (basename(argv[i + 2]) if i + 2 < len(argv) else ""), i + 2
        return name, i
    return "", -1


def keeps_alive(argv: list[str]) -> bool:
    """A command that only keeps the container running (``tail -f /dev/null``, ``sleep infinity``): a placeholder
    for the commands whoever runs the image gives it (compose's ``command:``, an orchestrator's)."""
    words = [basename(w) for w in argv]
    if words[:1] == ["tail"]:
        return "/dev/null" in argv[1:] and any(w in ("-f", "-F", "--follow") for w in argv[1:])
    return words[:1] == ["sleep"] and argv[1:] in (["infinity"], ["inf"])


def is_python_program(word: str) -> bool:
    name = basename(word)
    if name.startswith("python"):
        rest = name[6:]
        return rest == "" or rest.replace(".", "").isdigit()
    return name in _PYTHON_WORDS


def instruction_argvs(ins: "Instruction") -> list[list[str]]:
    """The argv of each simple command a RUN/CMD/ENTRYPOINT runs (the script of ``sh -c "..."`` included)."""
    from dockyard.parsers.shell import parse_shell  # lazy: a check of a compose file runs without it

    if ins.json_form:
        argv = list(ins.value)
        if len(argv) >= 3 and basename(argv[0]) in ("sh", "bash", "ash", "dash") and argv[1] in ("-c", "-ec"):
            return [[w.text for w in c.argv] for c in parse_shell(argv[2]).commands] or [argv]
        return [argv] if argv else []
    text = ins.shell_text
    if not text:
        return []
    return [[w.text for w in c.argv] for c in parse_shell(text).commands if c.argv]


def server_in(argvs: Iterable[list[str]]) -> str | None:
    """The ASGI server a command starts (``gunicorn`` counts when it runs a uvicorn worker: ``gunicorn+uvicorn``)."""
    for argv in argvs:
        words = [basename(w) for w in argv]
        for i, w in enumerate(words):
            if w in ASGI_SERVERS:
                if w == "fastapi" and (i + 1 >= len(words) or words[i + 1] not in ("run", "dev")):
                    continue
                return w
            if w == "-m" and i + 1 < len(words) and words[i + 1] in ("uvicorn", "hypercorn", "granian"):
                return words[i + 1]
            if w == "gunicorn" or (w == "-m" and i + 1 < len(words) and words[i + 1] == "gunicorn"):
                joined = " ".join(argv)
                return "gunicorn+uvicorn" if "uvicorn" in joined.lower() else "gunicorn"
    return None


def job_in(argvs: Iterable[list[str]]) -> str | None:
    for argv in argvs:
        for i, w in enumerate(argv):
            name = basename(w)
            if name in _JOBS:
                return name
            if name == "-m" and i + 1 < len(argv) and argv[i + 1] in _JOBS:
                return argv[i + 1]
            if name == "manage.py":
                return "manage.py"
    return None


def server_in_text(text: str) -> str | None:
    """The ASGI server a script's text starts; a module path (`uvicorn.workers.UvicornWorker`, a worker class
    gunicorn is given) or a file name (`gunicorn.conf.py`) names none."""
    for name in ("uvicorn", "hypercorn", "granian", "fastapi run", "gunicorn"):
        if re.search(rf"(?<![\w./-]){re.escape(name)}(?![\w.-])", text):
            if name == "gunicorn":
                return "gunicorn+uvicorn" if "uvicorn" in text else "gunicorn"
            return name.split()[0]
    return None


def compose_argvs(svc) -> list[list[str]]:
    """The argv of each command a service's ``entrypoint`` and ``command`` run (a string split as compose splits
    it, without a shell; the script of ``sh -c "..."`` is parsed as the shell will run it)."""
    from dockyard.parsers.shell import parse_shell  # lazy: a check of a compose file runs without it

    out: list[list[str]] = []
    if not isinstance(svc, dict):
        return out
    for key in ("entrypoint", "command"):
        value = svc.get(key)
        if isinstance(value, list):
            argv = [str(v) for v in value if v is not None]
        elif isinstance(value, str) and value.strip():
            argv = shellwords.words(value)
        else:
            continue
        if len(argv) >= 3 and basename(argv[0]) in ("sh", "bash", "ash", "dash") and argv[1] in ("-c", "-ec"):
            out.extend([w.text for w in c.argv] for c in parse_shell(argv[2]).commands if c.argv)
        elif argv:
            out.append(argv)
    return out


TEST_RUNNERS = frozenset({"pytest", "py.test", "tox", "nox", "playwright", "cypress", "jest", "vitest", "mocha",
                          "behave", "robot", "newman", "k6", "locust"})
_TEST_NAMES = frozenset({"test", "tests", "e2e", "playwright", "cypress", "integration-tests", "unit-tests"})
def runs_tests(argvs: Iterable[list[str]]) -> str | None:
    """The test runner a command runs (pytest, playwright, `npm test`...), or None."""
    for argv in argvs:
        words = [basename(w) for w in argv]
        for i, w in enumerate(words):
            if w in TEST_RUNNERS:
                return w
            if w in ("npm", "yarn", "pnpm", "bun") and (words[i + 1:i + 2] == ["test"] or
                                                        words[i + 1:i + 3] == ["run", "test"]):
                return f"{w} test"
    return None


_JS_RUNNERS = frozenset({"npm", "yarn", "pnpm", "bun"})


def runs_dev_server(argvs: Iterable[list[str]]) -> str | None:
    """The JavaScript development server a command starts (``npm run dev``, ``next dev``, ``nodemon``,
    ``ng serve``, ``vite``), or None: hot reload for a developer's machine, never what a deployment serves."""
    for argv in argvs:
        words = [basename(w) for w in argv]
        for i, w in enumerate(words):
            nxt = words[i + 1:i + 3]
            if w in _JS_RUNNERS and (nxt[:1] == ["dev"] or nxt == ["run", "dev"]):
                return " ".join([w, *nxt[:1 if nxt[:1] == ["dev"] else 2]])
            if w in ("nodemon", "webpack-dev-server") or (w == "vite" and not nxt) or \
                    (w in ("next", "nuxt", "vite") and nxt[:1] == ["dev"]) or (w == "ng" and nxt[:1] == ["serve"]):
                return " ".join([w, *nxt[:1]])
    return None


def service_runs_tests(name: str, svc: dict) -> bool:
    """A test runner service: named so (`tests`, `e2e`, `playwright`), built from such a Dockerfile, running
    a test runner's image, or running pytest, playwright, `npm test`..."""
    image = svc.get("image")
    if name.lower() in _TEST_NAMES or image_repository(image) in ("playwright", "cypress"):
        return True
    build = svc.get("build")
    dockerfile = build.get("dockerfile") if isinstance(build, dict) else None
    if isinstance(dockerfile, str) and set(re.split(r"[./_-]", dockerfile.lower())) & _TEST_NAMES:
        return True
    return runs_tests(compose_argvs(svc)) is not None


def waited_for_completion(services: dict | None) -> frozenset[str]:
    """Names of the services another one waits for with ``condition: service_completed_successfully``."""
    waited = set()
    for other in (services or {}).values():
        deps = other.get("depends_on") if isinstance(other, dict) else None
        if isinstance(deps, dict):
            waited.update(n for n, spec in deps.items()
                          if isinstance(spec, dict) and spec.get("condition") == "service_completed_successfully")
    return frozenset(waited)


# images of a client tool, which runs the commands it is given and exits: a service of one that publishes no port is
# a setup job (`minio/mc` creating buckets, the AWS CLI creating queues), not a server
CLIENT_IMAGES = frozenset({"mc", "minio-client", "aws-cli", "awscli", "azure-cli", "curl"})


def is_one_off(svc, name: str = "", services: dict | None = None, active_profiles: frozenset = frozenset(),
               waited: frozenset[str] | None = None) -> bool:
    """A compose service that is a job or a tool rather than a long-running service: behind ``profiles`` that
    the project does not turn on by default (`COMPOSE_PROFILES` in its env file turns them on);
    waited for with ``condition: service_completed_successfully``; a test runner; or ``restart: "no"`` (or a
    ``none`` restart policy) on a service that publishes no port (a server that publishes one and is not
    restarted is still a long-running service, whose restart policy is wrong); or a client tool's image
    (:data:`CLIENT_IMAGES`) that publishes no port. ``waited``: the
    :func:`waited_for_completion` of ``services``, when the caller has it (judging every service of a file
    then reads the file once, not once per service)."""
    if not isinstance(svc, dict):
        return True
    profiles = svc.get("profiles")
    if profiles and not (isinstance(profiles, list) and set(map(str, profiles)) & active_profiles):
        return True
    if name in (waited if waited is not None else waited_for_completion(services)):
        return True
    if service_runs_tests(name, svc):
        return True
    restart = svc.get("restart")
    deploy = svc.get("deploy")
    policy = deploy.get("restart_policy") if isinstance(deploy, dict) else None
    not_restarted = restart is False or (isinstance(restart, str) and restart.strip().lower() in ("no", '"no"')) \
        or (isinstance(policy, dict) and str(policy.get("condition", "")).lower() == "none")
    if image_repository(svc.get("image")) in CLIENT_IMAGES and not svc.get("ports"):
        return True
    return not_restarted and not svc.get("ports")

"""What each file is, decided before it is judged.

Real repositories are polyglot. Before the rules run, each Dockerfile (and each of its stages), each build context and
each compose service gets one role:

* ``fastapi-service``: a Python application service that serves FastAPI: its command starts an ASGI server
  (``uvicorn``, ``gunicorn`` with a uvicorn worker, ``fastapi run``, ``hypercorn``, ``granian``), or, when the command
  says nothing decisive (``python main.py``, an entry script, none), FastAPI is among the build context's dependencies
  or a FastAPI app is defined in its sources;
* ``python-image``: Python is the image's runtime (a Python base image, Python installed, pip/uv/poetry run, a
  virtualenv copied in) but it serves no FastAPI app: a worker, a WSGI app, a CLI, another framework;
* ``other-image``: anything else that runs: Node, Go, Java, nginx, databases...;
* ``base-image``: an image whose product is the image itself: it copies no source tree from its build context, no
  compose service builds it, and its command only starts an interpreter or a shell (``CMD ["python3"]``, as
  ``docker-library/python``'s Dockerfiles do) or, for a file named a base (``Dockerfile.base``, ``base/Dockerfile``),
  it has no command of its own;
* ``template``: a file whose path or text carries Jinja/cookiecutter markers (``{{ }}``, ``{% %}``). Templates are set
  aside during discovery (:attr:`dockyard.project.Project.templates`) and never judged as the files they will become.

Each Dockerfile's image also gets a purpose (:attr:`Classification.purpose`): ``service`` (long-running, the default),
``job`` (a command-line tool, a one-off task compose waits for), ``dev`` (development or test tooling, not shipped) or
``editor`` (a development container under ``.devcontainer/``, the workspace an editor opens, or an image only the
compose files development alone runs build, such as a hot-reload image under ``dev/``, or an image under a test,
documentation or CI folder that nothing releases (a mock server under ``tests/``, a sample under ``docs/``, an action's
under ``.github/``): judged only by the rules that declare :data:`BUILT`, whether it builds and what it leaks;
production advice would break what it relies on). An image is ``dev`` when:

* its name says so (``Dockerfile.dev``, ``test.Dockerfile``), its image is the ``development`` stage (and no stage is
  named ``prod``), it runs a test runner (its command, or every compose service that builds it) or a JavaScript
  development server (``npm run dev``) or a desktop (``Xvfb``, a VNC server: a workstation whose tools are its
  purpose), or only compose files named for tests build it and nothing releases it;
* it is a plain ``Dockerfile`` beside the production image of the same folder: a sibling named for production
  (``Dockerfile.prod``, ``prod.Dockerfile``: :data:`PRODUCTION_NAMES`), or one that CI names or a production compose
  file builds while compose builds the plain one (it stays a service when those build it too);
* it is a non-Python image with no command of its own (``FROM postgres`` + init scripts) that only compose files
  building such a development image build: a part of the development stack the production deployment replaces;
* it sets no command of its own, is built FROM an image that brings none (an operating system, Python, uv), EXPOSEs
  nothing, no compose service builds it, no CI job builds any image, and a Makefile target builds it without pushing it
  (a library's ``image: docker build .``); without such a target it stays a service.

Production-service rules (builder, ``production`` and scan stages, labels, EXPOSE, a healthcheck, a non-root user, no
build dependencies or index installs at run time) judge ``service`` images only; rules that fit any image (apt hygiene,
digests, cache mounts, pinned installs) judge ``dev`` images too.

Every rule declares the roles it judges (:attr:`dockyard.rules.base.Rule.applies`): Python rules judge only Python
images, FastAPI-service rules only the application service, Docker-generic rules every image. The engine applies that
declaration to Dockerfiles and build contexts; compose rules ask :func:`service_role` for each service. ``dockyard
check --explain-scope`` prints every classification with the evidence behind it."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from dockyard import TYPE_CHECKING
from dockyard.compose.environments import (DEVELOPMENT_NAMES, PRODUCTION_NAMES, WORD_SEPARATORS, dev_dockerfile_name,
                                          development_file, in_dev_container, test_file, tooling_folder)
from dockyard.images import image_is_python, image_runtime
from dockyard.manifests import FASTAPI, WSGI_FRAMEWORKS, declared
from dockyard.programs import (INTERPRETERS, basename, compose_argvs, desktop_in, instruction_argvs, is_one_off,
                               is_python_program, job_in, runs_dev_server, runs_tests, server_in, server_in_text,
                               service_runs_tests, waited_for_completion)
from dockyard.analysis.build_contexts import build_contexts, ignore_file, wholesale_copy
from dockyard.analysis.image_stage import (effective_command, image_stage, lineage_instructions, root_image,
                                           runtime_stages)
from dockyard.compose import environment_views
from dockyard.records import record, replace
from dockyard.regex import lazy_compile
from dockyard.source import PYTHON_LOCK_NAMES, FileKind
from dockyard.templates import template_path

if TYPE_CHECKING:  # pragma: no cover
    from dockyard.parsers.dockerfile import Dockerfile, Stage
    from dockyard.project import Project
    from dockyard.source import SourceFile

APP = "fastapi-service"
PYTHON = "python-image"
OTHER = "other-image"
BASE = "base-image"
TEMPLATE = "template"

# What an image is for (``Classification.purpose``): a long-running service; a job (a command-line tool, a
# one-off task); development or test tooling (`Dockerfile.dev`, a test runner, a dev-container stage).
SERVICE = "service"
JOB = "job"
DEV = "dev"
EDITOR = "editor"
PURPOSES = frozenset({SERVICE, JOB, DEV})  # every image a rule judges unless it says otherwise: not an editor's
BUILT = PURPOSES | {EDITOR}  # every image that is built, an editor's development container too
_PURPOSE_ORDER = (SERVICE, JOB, DEV, EDITOR)  # the purpose a shared build context takes: the first one found
SHIPPED = frozenset({SERVICE, JOB})  # images that are shipped: not development or test tooling
SERVICES = frozenset({SERVICE})  # images that run a long-lived service: healthcheck, EXPOSE, a service user

# What a rule may declare it judges.
EVERY = frozenset({APP, PYTHON, OTHER, BASE})  # how an image is built: parse, tags, apt hygiene, secrets
RUNNABLE = frozenset({APP, PYTHON, OTHER})  # images that run something: non-root, healthcheck, labels
PYTHON_IMAGES = frozenset({APP, PYTHON})  # PYTHON* env, pip, wheelhouse, scan stage
FASTAPI_SERVICE = frozenset({APP})  # gunicorn + uvicorn worker, the health endpoint
ORDER = (APP, PYTHON, OTHER, BASE)  # the strongest role first


_APPLIES_NAMES = {EVERY: "every image", RUNNABLE: "images that run something (not base images)",
                  PYTHON_IMAGES: "Python images", FASTAPI_SERVICE: "the FastAPI service"}
_PURPOSE_NAMES = {PURPOSES: " (not development containers)", BUILT: "",
                  SHIPPED: " that are shipped (not development or test tooling)",
                  SERVICES: " that run a long-lived service (not jobs, tools, test runners or development images)"}


def describe(applies: frozenset, purposes: frozenset = PURPOSES) -> str:
    """What a rule judges, in words (``Rule.applies`` and ``Rule.purposes``)."""
    roles_text = _APPLIES_NAMES.get(frozenset(applies)) or ", ".join(r for r in ORDER if r in applies)
    purpose_text = _PURPOSE_NAMES.get(frozenset(purposes))
    if purpose_text is None:
        purpose_text = " for " + ", ".join(sorted(purposes))
    return roles_text + purpose_text


@record(frozen=True, slots=True)
class Classification:
    role: str
    reason: str  # the evidence, in words a user can check
    purpose: str = SERVICE  # service, job, dev or editor (see SERVICE, JOB, DEV, EDITOR)
    purpose_reason: str = ""  # why it is a job or development tooling

    def __str__(self) -> str:
        return f"{self.role} ({self.reason})"

    @property
    def explained(self) -> str:
        """The role's evidence, and why the image is a job or tooling when it is one."""
        return self.reason + (f"; {self.purpose_reason}" if self.purpose_reason else "")


# --------------------------------------------------------------------------------------- dockerfiles
_PY_PACKAGE = lazy_compile(r"^(python3?(\.\d+)?|python3?-(pip|venv|dev|full|minimal)|py3-pip|python-is-python3|"
                         r"python3\d*)([=:<>~].*)?$")
_INSTALLERS = {"apt-get": "install", "apt": "install", "apk": "add", "yum": "install", "dnf": "install",
               "microdnf": "install"}


def _stage_python(df: "Dockerfile", stage: "Stage", python_stages: dict[int, str | None]) -> str | None:
    """Why a stage is a Python image (None when it is not)."""
    root = root_image(df, stage)
    if root and image_is_python(root):
        return f"built on `{root}`"
    other = image_runtime(root) if root else None
    installs_python = None
    for ins in lineage_instructions(df, stage):
        kw = ins.keyword
        if kw == "ENV" and any(k == "PYTHON_VERSION" for k, _ in ins.key_values()):
            return "builds Python (`PYTHON_VERSION`)"
        if kw in ("COPY", "ADD"):
            src = ins.flag("from")
            if src is not None and src.value:
                ref = df.stage_by_name(src.value)
                if ref is not None and ref.index != stage.index and python_stages.get(ref.index) and any(
                        "venv" in v or "site-packages" in v or "/python" in v for v in ins.value[:-1]):
                    return f"copies a Python environment from stage `{src.value}`"
            continue
        if kw not in ("RUN", "CMD", "ENTRYPOINT"):
            continue
        for argv in instruction_argvs(ins):
            if not argv:
                continue
            prog = basename(argv[0])
            verb = _INSTALLERS.get(prog)
            if verb and verb in argv[1:]:
                for word in argv[argv.index(verb) + 1:]:
                    if not word.startswith("-") and _PY_PACKAGE.match(word.lower()):
                        installs_python = installs_python or f"installs `{word}`"
                continue
            if prog in ("sudo", "env", "exec", "gosu", "su-exec", "tini", "dumb-init", "--"):
                argv = [w for w in argv[1:] if not w.startswith("-") and "=" not in w] or argv
                prog = basename(argv[0])
            if is_python_program(prog) and not (prog in ("uv",) and "python" not in argv and len(argv) > 1
                                                 and argv[1] in ("--version", "help")):
                where = "runs" if kw == "RUN" else "starts"
                return f"{where} `{prog}`"
    if installs_python and other is None:
        return installs_python
    return None


_NOT_TOOLS = frozenset({"tini", "dumb-init", "gosu", "su-exec", "s6-svscan", "supervisord", "runsvdir", "init",
                        "java", "node", "dotnet", "nginx", "httpd", "caddy", "traefik", "php-fpm", "php", "ruby",
                        "bundle", "rails", "npm", "yarn", "pnpm", "bun", "deno", "redis-server", "postgres",
                        "mysqld", "sh", "bash", "ash", "dash", "zsh"})


def _command_line_tool(df: "Dockerfile", stage: "Stage") -> str | None:
    """The command an image runs as a tool: an exec-form ENTRYPOINT that starts a program (not an init, a shell
    or an entry script, not a server or a runtime that serves), in an image that EXPOSEs nothing."""
    entrypoint, _cmd = effective_command(df, stage)
    if entrypoint is None or not entrypoint.json_form or not entrypoint.value:
        return None
    argv = list(entrypoint.value)
    program = basename(argv[0])
    if program in _NOT_TOOLS or program.endswith(".sh") or "entrypoint" in program or server_in([argv]):
        return None
    if any(ins.keyword == "EXPOSE" for ins in lineage_instructions(df, stage)):
        return None
    return " ".join(argv)


def _bare_command(argvs: list[list[str]]) -> bool:
    """A command that only starts an interpreter or a shell (``python3``, ``bash``), as base images do."""
    words = [w for argv in argvs for w in argv if w != "--"]
    while words and basename(words[0]) in ("tini", "dumb-init", "docker-entrypoint.sh"):
        words = words[1:]
    return len(words) <= 1 and (not words or basename(words[0]) in INTERPRETERS)


def _named_base(path: str) -> bool:
    """`Dockerfile.base`, `base.Dockerfile`, `base/Dockerfile`, `python-base/Dockerfile`..."""
    parts = [p.lower() for p in path.split("/")]
    words = WORD_SEPARATORS.split(parts[-1]) + [w for folder in parts[:-1] for w in WORD_SEPARATORS.split(folder)]
    return "base" in words


def _production_named(path: str) -> bool:
    """`Dockerfile.prod`, `Dockerfile.production`, `prod.Dockerfile`, `Dockerfile-release`: named for the
    production environment (the names of :data:`dockyard.compose.environments.PRODUCTION_NAMES`)."""
    return bool(set(WORD_SEPARATORS.split(posixpath.basename(path).lower())) & PRODUCTION_NAMES)


def _plain_dockerfile(path: str) -> bool:
    return posixpath.basename(path).lower() == "dockerfile"


@record
class DockerfileRoles:
    file: Classification  # the image: its final stage
    stages: list[Classification]


class Roles:
    """The classifications of one project, computed on first use and kept for the run."""

    def __init__(self, project: "Project") -> None:
        self.project = project
        self._dockerfiles: dict[str, DockerfileRoles] = {}
        self._services: dict[int | str, dict[str, Classification]] = {}  # by view, or by compose file path
        self._released_memo: dict[str, str | None] = {}

    # -- dockerfiles -----------------------------------------------------------------------------
    def dockerfile(self, sf: "SourceFile") -> Classification:
        return self.dockerfile_roles(sf).file

    def dockerfile_roles(self, sf: "SourceFile") -> DockerfileRoles:
        found = self._dockerfiles.get(sf.path)
        if found is None:
            found = self._dockerfiles[sf.path] = self._classify_dockerfile(sf)
        return found

    def _classify_dockerfile(self, sf: "SourceFile") -> DockerfileRoles:
        if sf.text is None:
            return DockerfileRoles(Classification(OTHER, "unreadable"), [])
        df = self.project.dockerfile(sf)
        if not df.stages:
            return DockerfileRoles(Classification(OTHER, "no stage"), [])
        python: dict[int, str | None] = {}
        for stage in df.stages:
            python[stage.index] = _stage_python(df, stage, python)
        stages = []
        for stage in df.stages:
            why = python[stage.index]
            stages.append(Classification(PYTHON, why) if why else Classification(
                OTHER, f"built on `{root_image(df, stage) or stage.base}`, no Python"))
        # the image is the stage a build ships, or the `production` stage compose and CI build (the strongest)
        found = [self._image_role(sf, df, stage, python[stage.index]) for stage in runtime_stages(df)]
        role = min(found, key=lambda c: ORDER.index(c.role))
        purpose, why = self._purpose(sf, df, image_stage(df), role)
        return DockerfileRoles(replace(role, purpose=purpose, purpose_reason=why), stages)

    def _purpose(self, sf: "SourceFile", df: "Dockerfile", stage: "Stage", role: Classification) -> tuple[str, str]:
        """SERVICE, JOB or DEV (see the constants) with the evidence for the last two."""
        if role.role == BASE:
            return SERVICE, ""
        name = posixpath.basename(sf.path)
        if in_dev_container(sf.path):
            return EDITOR, f"`{sf.path}` is a development container (under `.devcontainer/`)"
        folder = tooling_folder(sf.path)
        if folder is not None and self._released(sf.path) is None:
            return EDITOR, f"`{sf.path}` is under `{folder}/` and nothing releases it: test or documentation tooling"
        local = self._compose_files_building(sf.path)
        if local and all(development_file(p) for p in local) and self._released(sf.path) is None:
            return EDITOR, "only compose files development alone runs build it (" + \
                ", ".join(f"`{p}`" for p in local) + "): an image for a developer's machine"
        if local and all(test_file(p) for p in local) and self._released(sf.path) is None:
            return DEV, "only compose files of tests build it (" + ", ".join(f"`{p}`" for p in local) + ")"
        if dev_dockerfile_name(sf.path):
            return DEV, f"`{name}` is named for development or tests"
        if stage.name in DEVELOPMENT_NAMES:
            return DEV, f"its image is the `{stage.name_raw}` stage"
        entrypoint, cmd = effective_command(df, stage)
        argvs = [a for ins in (entrypoint, cmd) if ins is not None for a in instruction_argvs(ins)]
        runner = runs_tests(argvs)
        if runner is not None:
            return DEV, f"it runs the test runner `{runner}`"
        desktop = desktop_in(argvs)
        if desktop is not None:
            return DEV, f"it starts `{desktop}`: a desktop workstation, whose build tools are its purpose"
        server = runs_dev_server(argvs) if role.role == OTHER else None
        if server is not None:
            return DEV, f"it runs the development server `{server}`"
        services = self.services_building(sf.path)
        if services and all(service_runs_tests(n, svc) for n, svc, _ in services):
            return DEV, "compose runs it only as a test runner (" + ", ".join(f"`{n}`" for n, _, _ in services) + ")"
        waited = {}
        for _, _, others in services:  # each file's services once
            if id(others) not in waited:
                waited[id(others)] = waited_for_completion(others)
        if services and all(is_one_off(svc, n, others, waited=waited[id(others)]) for n, svc, others in services):
            return JOB, "compose runs it only as a one-off job (" + ", ".join(f"`{n}`" for n, _, _ in services) + ")"
        if role.role != APP and not services:
            tool = _command_line_tool(df, stage)
            if tool is not None:
                return JOB, f"its ENTRYPOINT runs `{tool}` as a command-line tool (no EXPOSE, no compose service)"
        sibling = self.production_sibling(sf.path)
        if sibling is not None:
            prod, why = sibling
            return DEV, f"`{prod}` beside it is the production image ({why}): this one is for development"
        beside = self._development_stack(sf, df, stage, role)
        if beside is not None:
            return DEV, beside
        made = self._built_only_by_make(sf, df, stage)
        if made is not None:
            return DEV, made
        return SERVICE, ""

    # -- development images told apart from the production one ---------------------------------------------
    def _compose_files_building(self, dockerfile: str) -> list[str]:
        """The compose files (paths) with a service that builds ``dockerfile``."""
        def compute() -> dict[str, set[str]]:
            out: dict[str, set[str]] = {}
            for c in self._build_contexts():
                if c.dockerfile:
                    out.setdefault(c.dockerfile, set()).update(origin for origin, _ in c.services)
            return out

        return sorted(self.project.memo("roles.compose_files_building", compute).get(dockerfile, ()))

    def _released(self, dockerfile: str) -> str | None:
        if dockerfile not in self._released_memo:
            self._released_memo[dockerfile] = self._released_why(dockerfile)
        return self._released_memo[dockerfile]

    def _released_why(self, dockerfile: str) -> str | None:
        """Why ``dockerfile`` is known to build the production image: its name (`Dockerfile.prod`), a CI file
        that names it (`--file ./project/Dockerfile.prod`), or a compose file named for production that builds it."""
        if _production_named(dockerfile):
            return "named for production"
        from dockyard.projects import ci_names, ci_texts  # lazy: dockyard.projects reads the roles

        if ci_names(self.project, dockerfile):
            return "CI builds it"
        if ci_texts(self.project):
            from dockyard.analysis.ci_pipeline import pipeline  # lazy: a project without CI runs without it

            pl = pipeline(self.project)
            if any(i.dockerfile == dockerfile for b in pl.builds if b.pushes or b in pl.published
                   for v in (b, *b.variants) for i in v.images):
                return "CI pushes its image"
        for origin in self._compose_files_building(dockerfile):
            if _production_named(origin):
                return f"`{origin}` builds it"
        return None

    def production_sibling(self, dockerfile: str) -> tuple[str, str] | None:
        """For a plain ``Dockerfile``, the Dockerfile of the same folder that builds the production image, and why
        (see :meth:`_released`): `project/Dockerfile` beside `project/Dockerfile.prod` is the development image
        compose builds with its defaults. None when the plain one is itself released (CI names it, a production
        compose file builds it), or when the sibling is production only by reference (CI, compose) and compose
        does not build the plain one: two images of one folder may both be deployed."""
        if not _plain_dockerfile(dockerfile) or self._released(dockerfile) is not None:
            return None
        for path in self._dockerfiles_by_folder().get(posixpath.dirname(dockerfile), ()):
            if path == dockerfile or dev_dockerfile_name(path):
                continue
            why = self._released(path)
            if why is None or (not _production_named(path) and not self._compose_files_building(dockerfile)):
                continue
            return path, why
        return None

    def _dockerfiles_by_folder(self) -> dict[str, list[str]]:
        def compute() -> dict[str, list[str]]:
            out: dict[str, list[str]] = {}
            for sf in self.project.files_of(FileKind.DOCKERFILE):
                out.setdefault(posixpath.dirname(sf.path), []).append(sf.path)
            return out

        return self.project.memo("roles.dockerfiles_by_folder", compute)

    def _development_stack(self, sf: "SourceFile", df: "Dockerfile", stage: "Stage",
                           role: Classification) -> str | None:
        """Why an image that only compose's development stack builds is development tooling: a non-Python image
        with no command of its own (a database image with init scripts: `FROM postgres` + `COPY seed.sql`),
        built only by compose files that also build the development image of a `Dockerfile`/`Dockerfile.prod`
        pair. The production deployment does not build it: it is not shipped."""
        entrypoint, cmd = effective_command(df, stage)
        if role.role != OTHER or entrypoint is not None or cmd is not None or self._released(sf.path) is not None:
            return None
        origins = self._compose_files_building(sf.path)
        if not origins:
            return None
        dev = None
        for origin in origins:
            dev = next((c.dockerfile for c in self._build_contexts() if c.dockerfile
                        and any(o == origin for o, _ in c.services) and self.production_sibling(c.dockerfile)), None)
            if dev is None:
                return None
        return ("only the development stack builds it (" + ", ".join(f"`{o}`" for o in origins)
                + f", which builds the development image `{dev}`), with no command of its own")

    def _built_only_by_make(self, sf: "SourceFile", df: "Dockerfile", stage: "Stage") -> str | None:
        """Why an image is a development convenience: it sets no command of its own (it runs its base image's
        shell or interpreter), EXPOSEs nothing, no compose service builds it, no CI job builds an image at all
        (nor runs its make target), and a Makefile target builds it without pushing it (`image: docker build .`,
        as a library repository has). Such an image runs no service and is not shipped. An image with no command
        that nothing builds stays a service: its command may come from a deployment manifest."""
        entrypoint, cmd = effective_command(df, stage)
        if entrypoint is not None or cmd is not None or self.services_building(sf.path) \
                or df.stage_by_name("production") is not None \
                or any(ins.keyword == "EXPOSE" for ins in lineage_instructions(df, stage)):
            return None
        from dockyard.projects import (brings_no_command, ci_builds_images, ci_names, ci_runs_make, make_builds,
                                       makefile_pushes)  # lazy: dockyard.projects reads the roles

        chain = df.ancestry(stage)
        if not brings_no_command(chain[-1].base_resolved if chain else ""):
            return None  # its base image may start a server of its own (`tiangolo/uvicorn-gunicorn-fastapi`)

        builds = [(mk, target) for mk, target, path in make_builds(self.project) if path == sf.path]
        if not builds or any(makefile_pushes(self.project, mk) for mk, _ in builds) or ci_builds_images(self.project) \
                or ci_names(self.project, sf.path) or any(ci_runs_make(self.project, t) for _, t in builds):
            return None
        mk, target = builds[0]
        return (f"it sets no command and only `make {target}` (`{mk}`) builds it: no compose service runs it, "
                "no CI job builds it")

    def _image_role(self, sf: "SourceFile", df: "Dockerfile", final: "Stage", python: str | None) -> Classification:
        entrypoint, cmd = effective_command(df, final)
        argvs = [a for ins in (entrypoint, cmd) if ins is not None for a in instruction_argvs(ins)]
        services = [(n, compose_argvs(svc)) for n, svc, _ in self.services_building(sf.path)]
        if not services and not self._copies_source(sf.path) and (
                (argvs and _bare_command(argvs)) or (not argvs and _named_base(sf.path))):
            what = f"only starts `{' '.join(argvs[0])}`" if argvs else "named a base image, no command of its own"
            return Classification(BASE, f"{what}, copies no source, built by no compose service")
        if python is None:
            return Classification(OTHER, f"built on `{root_image(df, final) or final.base}`, no Python")
        contexts = self._context_dirs(sf.path)
        server = server_in(argvs) or self._server_in_scripts(argvs, contexts)
        where = "its command"
        if server is None:
            for name, words in services:
                server = server_in(words)
                if server is not None:
                    where = f"compose service `{name}`"
                    break
        if server is not None:
            if server == "gunicorn" and self._wsgi_framework(contexts):
                return Classification(PYTHON, f"{where} starts gunicorn for a WSGI app (Django/Flask)")
            return Classification(APP, f"{where} starts `{server.replace('+', ' with ')}`")
        job = job_in(argvs)
        if job is not None:
            return Classification(PYTHON, f"{python}; runs `{job}`, not a FastAPI server")
        desktop = desktop_in(argvs)
        if desktop is not None and not any(a and is_python_program(a[0]) for a in argvs):
            return Classification(PYTHON, f"{python}; its command starts `{desktop}`: a desktop, not a FastAPI server")
        evidence = self._fastapi_evidence(contexts)
        if evidence is not None:
            return Classification(APP, f"{python}; {evidence}")
        return Classification(PYTHON, f"{python}; no FastAPI app in its build context")

    # -- evidence --------------------------------------------------------------------------------
    def _build_contexts(self):
        return build_contexts(self.project)

    def _copies_source(self, dockerfile: str) -> bool:
        """Whether a build of ``dockerfile`` copies a folder, `.`, a wildcard or a variable path from its context."""
        return any(wholesale_copy(self.project, c) is not None for c in self._build_contexts()
                   if c.dockerfile == dockerfile)

    def _context_dirs(self, dockerfile: str) -> list[str]:
        dirs = [c.dir for c in self._build_contexts() if c.dockerfile == dockerfile]
        return dirs or [posixpath.dirname(dockerfile)]

    def services_building(self, dockerfile: str) -> list[tuple[str, dict, dict]]:
        """(name, service, the services of its file) of every compose service that builds ``dockerfile``."""
        out = []
        for ctx in self._build_contexts():
            if ctx.dockerfile != dockerfile:
                continue
            for origin, name in ctx.services:
                sf = self.project.file(origin)
                services = self.project.compose_services(sf) if sf is not None else {}
                svc = services.get(name)
                if isinstance(svc, dict):
                    out.append((name, svc, services))
        return out

    def _server_in_scripts(self, argvs: list[list[str]], contexts: list[str]) -> str | None:
        """The server an entry script (``./start.sh``, ``/app/scripts/run``) starts, when the script is in the
        build context under its own name (``<context>/``, ``scripts/``, ``docker/``)."""
        for argv in argvs:
            for i, word in enumerate(argv):
                name = basename(word)
                if not name or (not name.endswith(".sh") and "/" not in word):
                    continue
                runs = i == 0 or name.endswith(".sh")  # what the command runs, not a file it hands over
                for cdir in contexts:
                    # as written (`entrypoints/gunicorn.sh`, relative to the WORKDIR the context is copied to),
                    # then under its own name in the usual folders
                    written = [posixpath.join(cdir, word)] if runs and not word.startswith("/") and "$" not in word \
                        else []
                    for rel in written + [posixpath.join(cdir, folder, name)
                                          for folder in ("", "scripts", "docker", "bin")]:
                        rel = posixpath.normpath(rel)
                        script = self.project.include(rel)
                        if script is not None and script.text:
                            found = server_in_text(script.text)
                            if found is not None:
                                return found
        return None

    def _dependency_files(self, contexts: list[str]) -> list["SourceFile"]:
        out = []
        for sf in self.project.files:
            if sf.kind not in (FileKind.REQUIREMENTS, FileKind.PYPROJECT):
                continue
            if any(_under(sf.path, c) for c in contexts):
                out.append(sf)
        for c in contexts:
            for name in (*PYTHON_LOCK_NAMES, "Pipfile"):
                sf = self.project.include(posixpath.join(c, name) if c else name)
                if sf is not None and sf not in out:
                    out.append(sf)
        return out

    def _depends_on(self, contexts: list[str], names: frozenset[str]) -> "SourceFile | None":
        """The first dependency file of the build contexts that declares one of ``names``."""
        for sf in self._dependency_files(contexts):
            if sf.text is None:
                continue
            base = posixpath.basename(sf.path)
            found = self.project.parsed(sf, lambda text: declared(text, base), key="roles.dependencies")
            if names & found:
                return sf
        return None

    def _wsgi_framework(self, contexts: list[str]) -> bool:
        return self._depends_on(contexts, WSGI_FRAMEWORKS) is not None

    def _fastapi_evidence(self, contexts: list[str]) -> str | None:
        sf = self._depends_on(contexts, FASTAPI)
        if sf is not None:
            return f"FastAPI is a dependency in `{sf.path}`"
        from dockyard.parsers.fastapi_app import project_apps  # lazy: a check of a compose file runs without it

        model = project_apps(self.project)
        for app in model.apps:
            path = model.modules[app.module].path
            if any(_under(path, c) for c in contexts):
                return f"a FastAPI app is defined in `{path}`"
        return None

    # -- build contexts --------------------------------------------------------------------------
    def context(self, dockerfiles: Iterable[str | None]) -> Classification:
        """The role of a build context: the strongest role among the Dockerfiles built in it, and of those the
        image that is shipped before one that is not (a development container built in the same folder as the
        service's image does not make the folder an editor's)."""
        found = []
        for path in dockerfiles:
            sf = self.project.file(path) if path else None
            if sf is not None and sf.kind == FileKind.DOCKERFILE:
                found.append(self.dockerfile(sf))
        if not found:
            return Classification(OTHER, "no Dockerfile of the project is built in it")
        return min(found, key=lambda c: (ORDER.index(c.role), _PURPOSE_ORDER.index(c.purpose)))

    # -- compose services ------------------------------------------------------------------------
    def services(self, view) -> dict[str, Classification]:
        """The role of each service of an environment's merged model."""
        found = self._services.get(id(view))
        if found is None:
            found = self._services[id(view)] = self._classify_services(view)
        return found

    def service(self, view, name: str) -> Classification:
        return self.services(view).get(name) or Classification(OTHER, "unknown service")

    def file_services(self, sf: "SourceFile") -> dict[str, Classification]:
        """The role of each service of one compose file as written (before merging with others)."""
        found = self._services.get(sf.path)
        if found is None:
            services = {str(k): v for k, v in self.project.compose_services(sf).items() if isinstance(v, dict)}
            found = self._services[sf.path] = self._classify(services, lambda name: sf.path)
        return found

    def _classify_services(self, view) -> dict[str, Classification]:
        def origin(name: str) -> str:
            return (view.defined_in(("services", name, "build")) or view.defined_in(("services", name))
                    or (view.compose_files[0].path if view.compose_files else ""))

        return self._classify(view.services, origin)

    def _classify(self, services: dict, origin) -> dict[str, Classification]:
        built: dict[str, Classification] = {}
        out: dict[str, Classification] = {}
        for name, svc in services.items():
            if svc.get("build") is None:
                continue
            role = self._built_role(origin(name), svc)
            out[name] = role
            if isinstance(svc.get("image"), str):
                built[svc["image"]] = role
        for name, svc in services.items():
            if name in out:
                continue
            image = svc.get("image")
            if isinstance(image, str) and image in built:
                role = built[image]
                out[name] = self._refine(Classification(role.role, f"runs the image built for this project "
                                                        f"({role.reason})"), svc)
            elif isinstance(image, str) and image_is_python(image):
                out[name] = self._refine(Classification(PYTHON, f"runs `{image}`"), svc)
            else:
                other = Classification(OTHER, f"runs `{image}`" if isinstance(image, str) else "no image")
                server = server_in(compose_argvs(svc))
                # an image of unknown make whose command starts an ASGI server is the FastAPI service
                out[name] = Classification(APP, f"its command starts `{server.replace('+', ' with ')}`") \
                    if server is not None and server != "gunicorn" else other
        return out

    def _built_role(self, origin: str, svc: dict) -> Classification:
        path = _built_dockerfile(origin, svc)
        sf = self.project.file(path) if path else None
        if sf is not None and sf.kind == FileKind.DOCKERFILE:
            role = self.dockerfile(sf)
            base = Classification(role.role, f"builds `{sf.path}`: {role.reason}")
        else:
            # nothing to read: a service built from the project is taken for the application it is checked for
            base = Classification(APP, f"built from the project; its Dockerfile `{path}` is not in the checked tree"
                                  if path else "built from the project; its Dockerfile is not in the checked tree")
        return self._refine(base, svc, self._context_dirs(path) if path else [])

    def _refine(self, role: Classification, svc: dict, contexts: list[str] = ()) -> Classification:
        """A service's own command decides over its image's: a worker run from the app image is no server, and
        gunicorn serving a Django or Flask app is no FastAPI service."""
        argvs = compose_argvs(svc)
        if not argvs or role.role not in (APP, PYTHON):
            return role
        server = server_in(argvs)
        where = "its command"
        if server is None and contexts:
            server, where = self._server_in_scripts(argvs, list(contexts)), "its command's script"
        if server == "gunicorn" and contexts and self._wsgi_framework(list(contexts)):
            return Classification(PYTHON, f"{where} starts gunicorn for a WSGI app (Django/Flask)")
        if server is not None:
            return Classification(APP, f"{where} starts `{server.replace('+', ' with ')}`")
        if role.role == APP:
            job = job_in(argvs)
            what = f"`{job}`" if job else "another command"
            return Classification(PYTHON, f"runs {what} from the application image, not the server")
        return role


def _under(path: str, folder: str) -> bool:
    return not folder or path.startswith(folder + "/")


def _built_dockerfile(origin: str, svc: dict) -> str | None:
    """The project-relative Dockerfile a service builds: the folder of ``origin`` (the compose file that set its
    ``build``) + context + dockerfile."""
    build = svc.get("build")
    if isinstance(build, str):
        context, dockerfile = build, "Dockerfile"
    elif isinstance(build, dict):
        context, dockerfile = build.get("context", "."), build.get("dockerfile", "Dockerfile")
    else:
        return None
    if not isinstance(context, str) or not isinstance(dockerfile, str) or "://" in context:
        return None
    folder = posixpath.dirname(origin)
    path = posixpath.normpath(posixpath.join(folder, context, dockerfile))
    return None if path.startswith("..") else path


def roles(project: "Project") -> Roles:
    """The project's :class:`Roles`, one per run."""
    return project.memo("roles", lambda: Roles(project))


@record(frozen=True, slots=True)
class ScopeEntry:
    """One line of ``--explain-scope``: what a file, stage, build context or service was judged as."""

    kind: str  # dockerfile | stage | build-context | service | template | copy
    path: str
    role: str
    reason: str
    name: str = ""  # the stage, the context folder, or `environment/service`
    purpose: str = ""  # for Dockerfiles: service, job or dev

    def to_dict(self) -> dict:
        out = {"kind": self.kind, "path": self.path, "role": self.role, "reason": self.reason}
        if self.name:
            out["name"] = self.name
        if self.purpose:
            out["purpose"] = self.purpose
        return out


def explain(project: "Project") -> list[ScopeEntry]:
    """Every classification of the project, in the order a reader meets them."""
    classified = roles(project)
    out: list[ScopeEntry] = []
    for sf in project.files_of(FileKind.DOCKERFILE):
        if sf.text is None:
            continue
        found = classified.dockerfile_roles(sf)
        out.append(ScopeEntry("dockerfile", sf.path, found.file.role, found.file.explained, purpose=found.file.purpose))
        df = project.dockerfile(sf)
        if len(df.stages) > 1:
            for stage, c in zip(df.stages, found.stages):
                label = stage.name_raw or f"#{stage.index}"
                out.append(ScopeEntry("stage", sf.path, c.role, c.reason, label))
    for c in build_contexts(project):
        role = classified.context([c.dockerfile])
        ignore = ignore_file(project, c)
        out.append(ScopeEntry("build-context", ignore.path if ignore is not None else c.origin, role.role,
                              role.reason, (c.dir or ".") + "/"))
    for view in environment_views(project):
        for name, c in classified.services(view).items():
            path = view.defined_in(("services", name)) or (view.compose_files[0].path if view.compose_files else ".")
            out.append(ScopeEntry("service", path, c.role, c.reason, f"{view.name}/{name}"))
    copied = [(posixpath.dirname(c) + "/", posixpath.dirname(o) + "/") for c, o in project.copies.items()]
    for (folder, original) in sorted(set(copied)):
        out.append(ScopeEntry("copy", folder, "copy", f"its {copied.count((folder, original))} compose files are, "
                              f"byte for byte, those of `{original}`: judged there"))
    trees: dict[str, int] = {}
    for sf in project.templates:
        tree = template_path(sf.path) or sf.path
        trees[tree] = trees.get(tree, 0) + 1
    for tree, n in sorted(trees.items()):
        shown = tree if any(t.path == tree for t in project.templates) else tree + "/"
        out.append(ScopeEntry("template", shown, TEMPLATE, f"{n} file{'s' if n != 1 else ''} with Jinja/cookiecutter "
                              "markers: not judged"))
    return out

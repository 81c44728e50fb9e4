"""What each file is, decided before it is judged.

Real repositories are polyglot. Before the rules run, each Dockerfile (and each of its stages), each build
context and each compose service gets one role:

* ``fastapi-service``: a Python application service that serves FastAPI: its command starts an ASGI server
  (``uvicorn``, ``gunicorn`` with a uvicorn worker, ``fastapi run``, ``hypercorn``, ``granian``), or, when the
  command says nothing decisive (``python main.py``, an entry script, none), FastAPI is among the build
  context's dependencies or a FastAPI app is defined in its sources;
* ``python-image``: Python is the image's runtime (a Python base image, Python installed, pip/uv/poetry run,
  a virtualenv copied in) but it serves no FastAPI app: a worker, a WSGI app, a CLI, another framework;
* ``other-image``: anything else that runs: Node, Go, Java, nginx, databases...;
* ``base-image``: an image whose product is the image itself: it copies no source tree from its build
  context, no compose service builds it, and its command only starts an interpreter or a shell (``CMD
  ["python3"]``, as ``docker-library/python``'s Dockerfiles do) or, for a file named a base
  (``Dockerfile.base``, ``base/Dockerfile``), it has no command of its own;
* ``template``: a file whose path or text carries Jinja/cookiecutter markers (``{{ }}``, ``{% %}``). Templates
  are set aside during discovery (:attr:`dockyard.project.Project.templates`) and never judged as the files
  they will become.

Every rule declares the roles it judges (:attr:`dockyard.rules.base.Rule.applies`): Python rules judge only
Python images, FastAPI-service rules only the application service, Docker-generic rules every image. The engine
applies that declaration to Dockerfiles and build contexts; compose rules ask :func:`service_role` for each
service. ``dockyard check --explain-scope`` prints every classification with the evidence behind it.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from dockyard.source import FileKind

if TYPE_CHECKING:  # pragma: no cover
    from dockyard.parsers.dockerfile import Dockerfile, Instruction, Stage
    from dockyard.project import Project
    from dockyard.source import SourceFile

APP = "fastapi-service"
PYTHON = "python-image"
OTHER = "other-image"
BASE = "base-image"
TEMPLATE = "template"

# What a rule may declare it judges.
EVERY = frozenset({APP, PYTHON, OTHER, BASE})  # how an image is built: parse, tags, apt hygiene, secrets
RUNNABLE = frozenset({APP, PYTHON, OTHER})  # images that run something: non-root, healthcheck, labels
PYTHON_IMAGES = frozenset({APP, PYTHON})  # PYTHON* env, pip, wheelhouse, scan stage
FASTAPI_SERVICE = frozenset({APP})  # gunicorn + uvicorn worker, the health endpoint
ORDER = (APP, PYTHON, OTHER, BASE)  # the strongest role first


_APPLIES_NAMES = {EVERY: "every image", RUNNABLE: "images that run something (not base images)",
                  PYTHON_IMAGES: "Python images", FASTAPI_SERVICE: "the FastAPI service"}


def describe(applies: frozenset) -> str:
    """What a rule judges, in words (``Rule.applies``)."""
    return _APPLIES_NAMES.get(frozenset(applies)) or ", ".join(r for r in ORDER if r in applies)


@dataclass(frozen=True, slots=True)
class Classification:
    role: str
    reason: str  # the evidence, in words a user can check

    def __str__(self) -> str:
        return f"{self.role} ({self.reason})"


# ------------------------------------------------------------------------------------------- templates
TEMPLATE_MARK = re.compile(r"\{%-?\s*[A-Za-z_][^%\n]*%\}|(?<!\$)\{\{-?\s*[A-Za-z_][\w.]*\s*(?:\|[^{}\n]*)?-?\}\}")


def template_path(rel: str) -> str | None:
    """The template tree ``rel`` lies in (the shortest prefix whose last part has markers), or None."""
    parts = rel.split("/")
    for i, part in enumerate(parts):
        if "{{" in part or "{%" in part:
            return "/".join(parts[: i + 1])
    return None


def has_template_markers(text: str) -> bool:
    """Jinja/cookiecutter ``{{ name }}`` or ``{% tag %}`` markers (not ``${{ }}``, not Go's ``{{ .Field }}``)."""
    return ("{{" in text or "{%" in text) and TEMPLATE_MARK.search(text) is not None


# ---------------------------------------------------------------------------------------------- images
_CONDA = ("miniconda", "anaconda", "miniforge", "mambaforge", "micromamba")
_OTHER_RUNTIMES = frozenset({
    "node", "golang", "go", "rust", "openjdk", "eclipse-temurin", "amazoncorretto", "maven", "gradle", "ruby",
    "php", "nginx", "httpd", "caddy", "traefik", "haproxy", "bun", "deno", "dotnet", "aspnet", "sdk", "elixir",
    "erlang", "swift", "perl", "playwright", "postgres", "mysql", "mariadb", "redis", "mongo", "tomcat",
    "jetty", "wordpress", "gcc", "clojure", "haskell", "julia", "r-base", "dart",
})


def _image_parts(image: str) -> tuple[list[str], str]:
    ref = image.lower().split("@", 1)[0]
    head, _, last = ref.rpartition("/")
    name, _, tag = last.partition(":")
    parts = (head.split("/") if head else []) + [name]
    return parts, tag


def image_is_python(image: str) -> bool:
    """``python:3.12-slim``, ``pypy``, ``cimg/python``, ``mcr.microsoft.com/playwright/python``,
    ``ghcr.io/astral-sh/uv:python3.12-bookworm``, conda and Jupyter images."""
    parts, tag = _image_parts(image)
    for p in parts:
        if "python" in p or p.startswith("pypy") or p.startswith(_CONDA) or p.startswith("jupyter"):
            return True
    return "python" in tag


def image_runtime(image: str) -> str | None:
    """The non-Python runtime an image is known for (``node``, ``nginx``...), or None."""
    parts, _ = _image_parts(image)
    name = parts[-1] if parts else ""
    if name in _OTHER_RUNTIMES:
        return name
    return name if name.split("-", 1)[0] in _OTHER_RUNTIMES else None


# ----------------------------------------------------------------------------------------- commands
ASGI_SERVERS = frozenset({"uvicorn", "hypercorn", "granian", "fastapi"})
_JOBS = frozenset({"celery", "dramatiq", "rq", "arq", "huey_consumer", "alembic", "pytest", "taskiq", "faust",
                   "flower", "streamlit", "jupyter", "jupyter-lab", "daphne", "waitress-serve"})
_INTERPRETERS = frozenset({"python", "python3", "ipython", "bash", "sh", "ash", "dash", "zsh", "node", "irb",
                           "pypy", "pypy3", "jshell", "iex", "erl"})
_PYTHON_WORDS = frozenset({"python", "python3", "pip", "pip3", "uv", "poetry", "pipenv", "pdm", "gunicorn",
                           "uvicorn", "hypercorn", "granian", "celery", "fastapi", "alembic"})


def _basename(word: str) -> str:
    return posixpath.basename(word.strip("\"'"))


def _is_python_program(word: str) -> bool:
    name = _basename(word)
    if name.startswith("python"):
        rest = name[6:]
        return rest == "" or rest.replace(".", "").isdigit()
    return name in _PYTHON_WORDS


def instruction_argvs(ins: "Instruction") -> list[list[str]]:
    """The argv of each simple command a RUN/CMD/ENTRYPOINT runs (the script of ``sh -c "..."`` included)."""
    from dockyard.parsers.shell import parse_shell

    if ins.json_form:
        argv = list(ins.value)
        if len(argv) >= 3 and _basename(argv[0]) in ("sh", "bash", "ash", "dash") and argv[1] in ("-c", "-ec"):
            return [[w.text for w in c.argv] for c in parse_shell(argv[2]).commands] or [argv]
        return [argv] if argv else []
    text = ins.shell_text
    if not text:
        return []
    return [[w.text for w in c.argv] for c in parse_shell(text).commands if c.argv]


def _server_in(argvs: Iterable[list[str]]) -> str | None:
    """The ASGI server a command starts (``gunicorn`` counts when it runs a uvicorn worker: ``gunicorn+uvicorn``)."""
    for argv in argvs:
        words = [_basename(w) for w in argv]
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


def _job_in(argvs: Iterable[list[str]]) -> str | None:
    for argv in argvs:
        for i, w in enumerate(argv):
            name = _basename(w)
            if name in _JOBS:
                return name
            if name == "-m" and i + 1 < len(argv) and argv[i + 1] in _JOBS:
                return argv[i + 1]
            if name == "manage.py":
                return "manage.py"
    return None


def _scan_text_for_server(text: str) -> str | None:
    for name in ("uvicorn", "hypercorn", "granian", "fastapi run", "gunicorn"):
        if re.search(rf"(?<![\w./-]){re.escape(name)}(?![\w-])", text):
            if name == "gunicorn":
                return "gunicorn+uvicorn" if "uvicorn" in text else "gunicorn"
            return name.split()[0]
    return None


# --------------------------------------------------------------------------------------- dockerfiles
def _lineage_instructions(df: "Dockerfile", stage: "Stage") -> list["Instruction"]:
    out: list = []
    for s in reversed(df.ancestry(stage)):
        out.extend(s.instructions)
    return out


def _root_image(df: "Dockerfile", stage: "Stage") -> str:
    chain = df.ancestry(stage)
    return chain[-1].base_resolved if chain else ""


_PY_PACKAGE = re.compile(r"^(python3?(\.\d+)?|python3?-(pip|venv|dev|full|minimal)|py3-pip|python-is-python3|"
                         r"python3\d*)([=:<>~].*)?$")
_INSTALLERS = {"apt-get": "install", "apt": "install", "apk": "add", "yum": "install", "dnf": "install",
               "microdnf": "install"}


def _stage_python(df: "Dockerfile", stage: "Stage", python_stages: dict[int, str | None]) -> str | None:
    """Why a stage is a Python image (None when it is not)."""
    root = _root_image(df, stage)
    if root and image_is_python(root):
        return f"built on `{root}`"
    other = image_runtime(root) if root else None
    installs_python = None
    for ins in _lineage_instructions(df, stage):
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
            prog = _basename(argv[0])
            verb = _INSTALLERS.get(prog)
            if verb and verb in argv[1:]:
                for word in argv[argv.index(verb) + 1:]:
                    if not word.startswith("-") and _PY_PACKAGE.match(word.lower()):
                        installs_python = installs_python or f"installs `{word}`"
                continue
            if prog in ("sudo", "env", "exec", "gosu", "su-exec", "tini", "dumb-init", "--"):
                argv = [w for w in argv[1:] if not w.startswith("-") and "=" not in w] or argv
                prog = _basename(argv[0])
            if _is_python_program(prog) and not (prog in ("uv",) and "python" not in argv and len(argv) > 1
                                                 and argv[1] in ("--version", "help")):
                where = "runs" if kw == "RUN" else "starts"
                return f"{where} `{prog}`"
    if installs_python and other is None:
        return installs_python
    return None


def _effective_command(df: "Dockerfile", stage: "Stage") -> tuple["Instruction | None", "Instruction | None"]:
    """The ENTRYPOINT and CMD in effect at the end of ``stage``: as BuildKit dispatches them, an ENTRYPOINT
    resets a CMD inherited from an earlier stage, not one set in its own stage."""
    entrypoint = cmd = None
    for s in reversed(df.ancestry(stage)):
        cmd_here = False
        for ins in s.instructions:
            if ins.keyword == "ENTRYPOINT":
                entrypoint = ins
                if not cmd_here:
                    cmd = None
            elif ins.keyword == "CMD":
                cmd, cmd_here = ins, True
    return entrypoint, cmd


def _bare_command(argvs: list[list[str]]) -> bool:
    """A command that only starts an interpreter or a shell (``python3``, ``bash``), as base images do."""
    words = [w for argv in argvs for w in argv if w != "--"]
    while words and _basename(words[0]) in ("tini", "dumb-init", "docker-entrypoint.sh"):
        words = words[1:]
    return len(words) <= 1 and (not words or _basename(words[0]) in _INTERPRETERS)


def _named_base(path: str) -> bool:
    """`Dockerfile.base`, `base.Dockerfile`, `base/Dockerfile`, `python-base/Dockerfile`..."""
    parts = [p.lower() for p in path.split("/")]
    words = re.split(r"[._-]", parts[-1]) + [w for folder in parts[:-1] for w in re.split(r"[._-]", folder)]
    return "base" in words


@dataclass
class DockerfileRoles:
    file: Classification  # the image: its final stage
    stages: list[Classification]


class Roles:
    """The classifications of one project, computed on first use and kept for the run."""

    def __init__(self, project: "Project") -> None:
        self.project = project
        self._dockerfiles: dict[str, DockerfileRoles] = {}
        self._services: dict[int, dict[str, Classification]] = {}

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
                OTHER, f"built on `{_root_image(df, stage) or stage.base}`, no Python"))
        # the image is its final stage, or the `production` stage compose and CI build (the strongest of them)
        runtime = [df.stages[-1]]
        production = df.stage_by_name("production")
        if production is not None and production.name == "production" and production.index != runtime[0].index:
            runtime.append(production)
        found = [self._image_role(sf, df, stage, python[stage.index]) for stage in runtime]
        return DockerfileRoles(min(found, key=lambda c: ORDER.index(c.role)), stages)

    def _image_role(self, sf: "SourceFile", df: "Dockerfile", final: "Stage", python: str | None) -> Classification:
        entrypoint, cmd = _effective_command(df, final)
        argvs = [a for ins in (entrypoint, cmd) if ins is not None for a in instruction_argvs(ins)]
        services = self._services_building(sf.path)
        if not services and not self._copies_source(sf.path) and (
                (argvs and _bare_command(argvs)) or (not argvs and _named_base(sf.path))):
            what = f"only starts `{' '.join(argvs[0])}`" if argvs else "named a base image, no command of its own"
            return Classification(BASE, f"{what}, copies no source, built by no compose service")
        if python is None:
            return Classification(OTHER, f"built on `{_root_image(df, final) or final.base}`, no Python")
        contexts = self._context_dirs(sf.path)
        server = _server_in(argvs) or self._server_in_scripts(argvs, contexts)
        where = "its command"
        if server is None:
            for name, words in services:
                server = _server_in(words)
                if server is not None:
                    where = f"compose service `{name}`"
                    break
        if server is not None:
            if server == "gunicorn" and self._wsgi_framework(contexts):
                return Classification(PYTHON, f"{where} starts gunicorn for a WSGI app (Django/Flask)")
            return Classification(APP, f"{where} starts `{server.replace('+', ' with ')}`")
        job = _job_in(argvs)
        if job is not None:
            return Classification(PYTHON, f"{python}; runs `{job}`, not a FastAPI server")
        evidence = self._fastapi_evidence(contexts)
        if evidence is not None:
            return Classification(APP, f"{python}; {evidence}")
        return Classification(PYTHON, f"{python}; no FastAPI app in its build context")

    # -- evidence --------------------------------------------------------------------------------
    def _build_contexts(self):
        from dockyard.contexts import build_contexts

        return build_contexts(self.project)

    def _copies_source(self, dockerfile: str) -> bool:
        """Whether a build of ``dockerfile`` copies a folder, `.`, a wildcard or a variable path from its context."""
        from dockyard.contexts import wholesale_copy

        return any(wholesale_copy(self.project, c) is not None for c in self._build_contexts()
                   if c.dockerfile == dockerfile)

    def _context_dirs(self, dockerfile: str) -> list[str]:
        dirs = [c.dir for c in self._build_contexts() if c.dockerfile == dockerfile]
        return dirs or [posixpath.dirname(dockerfile)]

    def _services_building(self, dockerfile: str) -> list[tuple[str, list[list[str]]]]:
        """(service name, its command's argvs) of every compose service that builds ``dockerfile``."""
        from dockyard.parsers.yamlpos import load_yaml

        out = []
        for ctx in self._build_contexts():
            if ctx.dockerfile != dockerfile:
                continue
            for origin, name in ctx.services:
                sf = self.project.file(origin)
                doc = self.project.parsed(sf, load_yaml) if sf is not None else None
                root = getattr(doc, "root", None)
                services = root.get("services") if isinstance(root, dict) else None
                svc = services.get(name) if isinstance(services, dict) else None
                out.append((name, _compose_argvs(svc)))
        return out

    def _server_in_scripts(self, argvs: list[list[str]], contexts: list[str]) -> str | None:
        """The server an entry script (``./start.sh``, ``/app/scripts/run``) starts, when the script is in the
        build context under its own name (``<context>/``, ``scripts/``, ``docker/``)."""
        for argv in argvs:
            for word in argv:
                name = _basename(word)
                if not name or (not name.endswith(".sh") and "/" not in word):
                    continue
                for cdir in contexts:
                    for folder in ("", "scripts", "docker", "bin"):
                        rel = posixpath.join(cdir, folder, name) if (cdir or folder) else name
                        rel = posixpath.normpath(rel)
                        script = self.project.include(rel)
                        if script is not None and script.text:
                            found = _scan_text_for_server(script.text)
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
            for name in _LOCK_NAMES + ("Pipfile",):
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
            declared = self.project.parsed(sf, lambda text: _declared(text, base), key="roles.dependencies")
            if names & declared:
                return sf
        return None

    def _wsgi_framework(self, contexts: list[str]) -> bool:
        return self._depends_on(contexts, _WSGI) is not None

    def _fastapi_evidence(self, contexts: list[str]) -> str | None:
        sf = self._depends_on(contexts, _FASTAPI)
        if sf is not None:
            return f"FastAPI is a dependency in `{sf.path}`"
        from dockyard.parsers.fastapi_app import project_apps

        model = project_apps(self.project)
        for app in model.apps:
            path = model.modules[app.module].path
            if any(_under(path, c) for c in contexts):
                return f"a FastAPI app is defined in `{path}`"
        return None

    # -- build contexts --------------------------------------------------------------------------
    def context(self, dockerfiles: Iterable[str | None]) -> Classification:
        """The role of a build context: the strongest role among the Dockerfiles built in it."""
        found = []
        for path in dockerfiles:
            sf = self.project.file(path) if path else None
            if sf is not None and sf.kind == FileKind.DOCKERFILE:
                found.append(self.dockerfile(sf))
        if not found:
            return Classification(OTHER, "no Dockerfile of the project is built in it")
        return min(found, key=lambda c: ORDER.index(c.role))

    # -- compose services ------------------------------------------------------------------------
    def services(self, view) -> dict[str, Classification]:
        """The role of each service of an environment's merged model."""
        found = self._services.get(id(view))
        if found is None:
            found = self._services[id(view)] = self._classify_services(view)
        return found

    def service(self, view, name: str) -> Classification:
        return self.services(view).get(name) or Classification(OTHER, "unknown service")

    def _classify_services(self, view) -> dict[str, Classification]:
        services = view.services
        built: dict[str, Classification] = {}
        out: dict[str, Classification] = {}
        for name, svc in services.items():
            if svc.get("build") is None:
                continue
            role = self._built_role(view, name, svc)
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
                out[name] = Classification(OTHER, f"runs `{image}`" if isinstance(image, str) else "no image")
        return out

    def _built_role(self, view, name: str, svc: dict) -> Classification:
        path = _built_dockerfile(view, name, svc)
        sf = self.project.file(path) if path else None
        if sf is not None and sf.kind == FileKind.DOCKERFILE:
            role = self.dockerfile(sf)
            base = Classification(role.role, f"builds `{sf.path}`: {role.reason}")
        else:
            # nothing to read: a service built from the project is taken for the application it is checked for
            base = Classification(APP, f"built from the project; its Dockerfile `{path}` is not in the checked tree"
                                  if path else "built from the project; its Dockerfile is not in the checked tree")
        return self._refine(base, svc)

    @staticmethod
    def _refine(role: Classification, svc: dict) -> Classification:
        """A service's own command decides over its image's: a worker run from the app image is no server."""
        argvs = _compose_argvs(svc)
        if not argvs or role.role not in (APP, PYTHON):
            return role
        server = _server_in(argvs)
        if server is not None:
            return Classification(APP, f"its command starts `{server.replace('+', ' with ')}`")
        if role.role == APP:
            job = _job_in(argvs)
            what = f"`{job}`" if job else "another command"
            return Classification(PYTHON, f"runs {what} from the application image, not the server")
        return role


_FASTAPI = frozenset({"fastapi", "fastapi-slim"})
_WSGI = frozenset({"django", "flask"})
_LOCK_NAMES = ("uv.lock", "poetry.lock", "pdm.lock", "pylock.toml")
_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_LOCKED_NAME = re.compile(r'(?m)^name = "([^"]+)"')


def _norm_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(text: str, filename: str) -> frozenset[str]:
    """Package names a dependency file declares: a lock file's ``name = "..."`` entries, ``pyproject.toml``
    dependency tables (PEP 621, dependency groups, poetry, pdm, uv) or a ``Pipfile``, else requirement lines.
    Names in descriptions or keywords are not dependencies."""
    if filename in _LOCK_NAMES:
        return frozenset(_norm_name(m) for m in _LOCKED_NAME.findall(text))
    if filename in ("pyproject.toml", "Pipfile"):
        import tomllib

        try:
            doc = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, ValueError):
            return frozenset()
        return frozenset(_norm_name(n) for n in _toml_dependencies(doc))
    names = set()
    for line in text.splitlines():
        m = _REQ_NAME.match(line)
        if m and not line.lstrip().startswith(("-", "#")):
            names.add(_norm_name(m.group(1)))
    return frozenset(names)


def _toml_dependencies(doc: dict) -> Iterable[str]:
    def specs(value) -> Iterable[str]:
        if isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    m = _REQ_NAME.match(item)
                    if m:
                        yield m.group(1)
        elif isinstance(value, dict):
            for v in value.values():
                yield from specs(v)

    project = doc.get("project") if isinstance(doc.get("project"), dict) else {}
    yield from specs(project.get("dependencies"))
    yield from specs(project.get("optional-dependencies"))
    yield from specs(doc.get("dependency-groups"))
    tool = doc.get("tool") if isinstance(doc.get("tool"), dict) else {}
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    for table in (poetry.get("dependencies"), poetry.get("dev-dependencies"),
                  *[g.get("dependencies") for g in (poetry.get("group") or {}).values() if isinstance(g, dict)]):
        if isinstance(table, dict):
            yield from (str(k) for k in table)
    pdm = tool.get("pdm") if isinstance(tool.get("pdm"), dict) else {}
    yield from specs(pdm.get("dev-dependencies"))
    uv = tool.get("uv") if isinstance(tool.get("uv"), dict) else {}
    yield from specs(uv.get("dev-dependencies"))
    for section in ("packages", "dev-packages"):  # Pipfile
        if isinstance(doc.get(section), dict):
            yield from (str(k) for k in doc[section])


def _under(path: str, folder: str) -> bool:
    return not folder or path.startswith(folder + "/")


def _compose_argvs(svc) -> list[list[str]]:
    """The argv of each command a service's ``entrypoint`` and ``command`` run (compose splits a string as a
    shell would, without running one; the script of ``sh -c "..."`` is parsed as the shell will run it)."""
    import shlex

    from dockyard.parsers.shell import parse_shell

    out: list[list[str]] = []
    if not isinstance(svc, dict):
        return out
    for key in ("entrypoint", "command"):
        value = svc.get(key)
        if isinstance(value, list):
            argv = [str(v) for v in value if v is not None]
        elif isinstance(value, str) and value.strip():
            try:
                argv = shlex.split(value)
            except ValueError:
                argv = value.split()
        else:
            continue
        if len(argv) >= 3 and _basename(argv[0]) in ("sh", "bash", "ash", "dash") and argv[1] in ("-c", "-ec"):
            out.extend([w.text for w in c.argv] for c in parse_shell(argv[2]).commands if c.argv)
        elif argv:
            out.append(argv)
    return out


def _built_dockerfile(view, name: str, svc: dict) -> str | None:
    """The project-relative Dockerfile a service builds (its compose file's folder + context + dockerfile)."""
    build = svc.get("build")
    if isinstance(build, str):
        context, dockerfile = build, "Dockerfile"
    elif isinstance(build, dict):
        context, dockerfile = build.get("context", "."), build.get("dockerfile", "Dockerfile")
    else:
        return None
    if not isinstance(context, str) or not isinstance(dockerfile, str) or "://" in context:
        return None
    origin = view.defined_in(("services", name, "build")) or view.defined_in(("services", name))
    if origin is None:
        origin = view.compose_files[0].path if view.compose_files else ""
    folder = posixpath.dirname(origin)
    path = posixpath.normpath(posixpath.join(folder, context, dockerfile))
    return None if path.startswith("..") else path


def roles(project: "Project") -> Roles:
    """The project's :class:`Roles`, one per run."""
    return project.memo("roles", lambda: Roles(project))


@dataclass(frozen=True, slots=True)
class ScopeEntry:
    """One line of ``--explain-scope``: what a file, stage, build context or service was judged as."""

    kind: str  # dockerfile | stage | build-context | service | template
    path: str
    role: str
    reason: str
    name: str = ""  # the stage, the context folder, or `environment/service`

    def to_dict(self) -> dict:
        out = {"kind": self.kind, "path": self.path, "role": self.role, "reason": self.reason}
        if self.name:
            out["name"] = self.name
        return out


def explain(project: "Project") -> list[ScopeEntry]:
    """Every classification of the project, in the order a reader meets them."""
    from dockyard.compose.context import environment_views
    from dockyard.contexts import build_contexts, ignore_file

    classified = roles(project)
    out: list[ScopeEntry] = []
    for sf in project.files_of(FileKind.DOCKERFILE):
        if sf.text is None:
            continue
        found = classified.dockerfile_roles(sf)
        out.append(ScopeEntry("dockerfile", sf.path, found.file.role, found.file.reason))
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
    trees: dict[str, int] = {}
    for sf in project.templates:
        tree = template_path(sf.path) or sf.path
        trees[tree] = trees.get(tree, 0) + 1
    for tree, n in sorted(trees.items()):
        shown = tree if any(t.path == tree for t in project.templates) else tree + "/"
        out.append(ScopeEntry("template", shown, TEMPLATE, f"{n} file{'s' if n != 1 else ''} with Jinja/cookiecutter "
                              "markers: not judged"))
    return out

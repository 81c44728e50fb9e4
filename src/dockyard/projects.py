"""Which folders of a checked tree are projects, and what each one ships.

A tree is usually one project, its root: advice about the whole project (a Makefile with the dependency
targets, a lock file, per-environment env files) belongs there. A *catalogue* is different: a repository of
independent sample projects (``docker/awesome-compose``) has nothing of its own at the root (no compose file,
Dockerfile, Makefile or Python project file) and two or more folders that each hold their own compose file.
Each of those folders is a project, judged on its own: the Makefile of the ``fastapi/`` sample belongs beside
``fastapi/compose.yaml``, not at the root of the catalogue, and the catalogue's CI is no project's pipeline.

What a project ships is read from the classification of its files (:mod:`dockyard.roles`): a Python service is
a Dockerfile whose image serves FastAPI or runs Python; an image other than a base image is anything built that
runs something. An image is *run* when its Dockerfile gives it a command (not only an interpreter or a shell), it
is built FROM an image that brings a command of its own, or a compose service builds it: a library's Dockerfile
with no command, built by `make image` to get a shell with the package installed, ships nothing.

What builds an image outside compose is read here too: CI files that name a Dockerfile or build any image, and
Makefile targets that build (and push) one. :mod:`dockyard.roles` reads them to tell a development image from
the production one.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Iterator

from dockyard import TYPE_CHECKING
from dockyard.analysis.stages import final_lineage
from dockyard.compose import environment_views
from dockyard.images import image_parts, parse_ref, plain_image
from dockyard.parsers.fastapi_app import project_apps
from dockyard.parsers.makefile import parse_makefile
from dockyard.programs import INTERPRETERS, basename, instruction_argvs
from dockyard.regex import lazy_compile
from dockyard.analysis.image_stage import image_stage
from dockyard.roles import PYTHON_IMAGES, RUNNABLE, SERVICE, SHIPPED, roles
from dockyard.source import FileKind

if TYPE_CHECKING:  # pragma: no cover
    from dockyard.project import Project
    from dockyard.source import SourceFile

# files at the root that make the root a project of its own
_ROOT_KINDS = frozenset({FileKind.COMPOSE, FileKind.DOCKERFILE, FileKind.MAKEFILE, FileKind.PYPROJECT,
                         FileKind.REQUIREMENTS})
_TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".tmpl", ".tpl", ".template")


def under(path: str, folder: str) -> bool:
    """Whether ``path`` lies in ``folder`` ("" is the root, which holds everything)."""
    return not folder or path == folder or path.startswith(folder + "/")


def project_folders(project: "Project") -> list[str]:
    """The project folders of the tree: ``[""]`` for a tree that is one project, else the folders of a
    catalogue (each holding its own compose file), shallowest first."""

    def compute() -> list[str]:
        if any("/" not in sf.path for sf in project.files if sf.kind in _ROOT_KINDS) or any(
                "/" not in link for link in project.links):  # a root `Dockerfile` that links to `docker/...`
            return [""]
        folders: list[str] = []
        for folder in sorted({posixpath.dirname(sf.path) for sf in project.files_of(FileKind.COMPOSE)},
                             key=lambda d: (d.count("/"), d)):
            if not any(under(folder, f) for f in folders):
                folders.append(folder)
        return folders if len(folders) >= 2 else [""]

    return project.memo("projects.folders", compute)


def is_catalogue(project: "Project") -> bool:
    return project_folders(project) != [""]


def project_folder_of(project: "Project", path: str) -> str | None:
    """The project folder ``path`` belongs to; None for a file of a catalogue that lies in none of its projects."""
    return next((f for f in project_folders(project) if under(path, f)), None)


def buildable_dockerfiles(project: "Project", folder: str = "") -> list["SourceFile"]:
    """The readable Dockerfiles of a folder that a build would use: not templates (a Jinja or cookiecutter file
    that becomes a Dockerfile)."""
    out = []
    for sf in project.files_of(FileKind.DOCKERFILE):
        if "{{" in sf.path or "{%" in sf.path or sf.path.lower().endswith(_TEMPLATE_SUFFIXES):
            continue
        if sf.text is not None and under(sf.path, folder):
            out.append(sf)
    return out


def python_service_dockerfiles(project: "Project", folder: str = "") -> list["SourceFile"]:
    """The Dockerfiles of a folder whose image is a service (not a command-line tool, a one-off job or test
    tooling) serving FastAPI or running Python."""
    classified = roles(project)
    return [sf for sf in buildable_dockerfiles(project, folder)
            if classified.dockerfile(sf).role in PYTHON_IMAGES and classified.dockerfile(sf).purpose == SERVICE]


def ships_python_service(project: "Project", folder: str = "") -> bool:
    return bool(python_service_dockerfiles(project, folder))


def _bare(argvs: list[list[str]]) -> bool:
    """A command that only starts an interpreter or a shell (``python3``, ``bash``)."""
    words = [w for argv in argvs for w in argv if w != "--"]
    while words and basename(words[0]) in ("tini", "dumb-init"):
        words = words[1:]
    return len(words) <= 1 and (not words or basename(words[0]) in INTERPRETERS)


def brings_no_command(image: str) -> bool:
    """A base image whose own command is no service: an operating system, Python, or uv's images (which start
    `uv`). An application-server image (`tiangolo/uvicorn-gunicorn-fastapi`, `nginx`) or one named by a build
    argument may start one."""
    if not image or "$" in image:
        return False
    parts, _tag = image_parts(image)
    return plain_image(image) or "/".join(parts[-2:]) == "astral-sh/uv"


def runs_a_service(project: "Project", sf: "SourceFile") -> bool:
    """Whether a Dockerfile's image is run as something: it sets a CMD or ENTRYPOINT (in its image stage or the
    stages that stage is built FROM) that is more than an interpreter or a shell, it is built FROM an image that
    may bring a command of its own, or a compose service builds it (and may give it a command)."""
    if roles(project).services_building(sf.path):
        return True
    df = project.dockerfile(sf)
    stage = image_stage(df)
    if stage is None:
        return True  # nothing to read: not judged as command-less
    chain = df.ancestry(stage)
    argvs = [argv for s in chain for ins in s.instructions if ins.keyword in ("CMD", "ENTRYPOINT")
             for argv in instruction_argvs(ins)]
    if argvs:
        return not _bare(argvs)
    return not brings_no_command(chain[-1].base_resolved if chain else "")


def builds_image(project: "Project", folder: str = "") -> bool:
    """Whether a folder builds an image other than a base image or development or test tooling, run or not."""
    classified = roles(project)
    return any(classified.dockerfile(sf).role in RUNNABLE and classified.dockerfile(sf).purpose in SHIPPED
               for sf in buildable_dockerfiles(project, folder))


def ships_image(project: "Project", folder: str = "") -> bool:
    """Whether a folder builds an image that is shipped and runs something: not a base image, not development
    or test tooling, and run (:func:`runs_a_service`)."""
    classified = roles(project)
    return any(classified.dockerfile(sf).role in RUNNABLE and classified.dockerfile(sf).purpose in SHIPPED
               and runs_a_service(project, sf) for sf in buildable_dockerfiles(project, folder))


def runs_python_service(project: "Project", folder: str = "") -> bool:
    """Whether a folder ships a Python service that is run (:func:`runs_a_service`)."""
    return any(runs_a_service(project, sf) for sf in python_service_dockerfiles(project, folder))


def ships_python_application(project: "Project", folder: str = "") -> bool:
    """Whether a folder holds a Python application: a Python service's Dockerfile, a compose service that runs
    one (an image built elsewhere, `python:3.12` with a command), or a FastAPI app among its sources."""
    if ships_python_service(project, folder):
        return True
    classified = roles(project)
    for view in environment_views(project):
        if view.compose_files and under(view.compose_files[0].path, folder) and any(
                c.role in PYTHON_IMAGES for c in classified.services(view).values()):
            return True
    model = project_apps(project)
    return any(under(model.modules[app.module].path, folder) for app in model.apps if app.module in model.modules)


# ------------------------------------------------------------------ what builds an image outside compose
# (dockyard.roles reads them to tell a development image from the production one)
def own_images(project: "Project") -> frozenset[str]:
    """The repositories (``lnbits/lnbits``, ``ghcr.io/acme/api``) of the images the project builds: those its CI
    builds tag and those compose's services name beside a `build:`. Names it cannot read (``${IMAGE}``) are left
    out."""
    def compute() -> frozenset[str]:
        refs = [svc["image"] for view in environment_views(project) for svc in view.services.values()
                if isinstance(svc, dict) and svc.get("build") is not None and isinstance(svc.get("image"), str)]
        if ci_texts(project):
            from dockyard.analysis.ci_pipeline import pipeline  # lazy: a check of a lone Dockerfile runs without it

            refs += [t for b in pipeline(project).builds for v in (b, *b.variants) for i in v.images for t in i.tags]
        names = (parse_ref(r.strip()).repository for r in refs)
        return frozenset(n for n in names if n and "$" not in n and "{" not in n and "/" in n)

    return project.memo("projects.own_images", compute)


def extends_own_image(project: "Project", df) -> bool:
    """Whether the image ``df`` builds starts FROM one the project builds itself (an add-on image on the
    application's, ``FROM lnbits/lnbits:${LNBITS_TAG}``): its base is chosen, tagged and pinned by that build,
    and what it inherits from it (healthcheck, labels, scanned dependencies) is judged there."""
    stages = final_lineage(df)
    if not stages or not stages[0].is_external or "$" in stages[0].base_resolved:
        return False
    return parse_ref(stages[0].base_resolved).repository in own_images(project)


def ci_texts(project: "Project") -> list[str]:
    """The text of every CI configuration (GitHub Actions workflows, GitLab CI pipelines)."""
    return project.memo("projects.ci_texts", lambda: [
        sf.text for kind in (FileKind.WORKFLOW, FileKind.GITLAB_CI) for sf in project.files_of(kind) if sf.text])


def ci_names(project: "Project", path: str) -> bool:
    """Whether a CI file names the project-relative ``path`` (`--file ./project/Dockerfile.prod`), by its own path
    or by a link to it (see :meth:`dockyard.project.Project.names_of`)."""
    return any(_mentions(text, name) for name in project.names_of(path) for text in ci_texts(project))


def ci_builds_images(project: "Project") -> bool:
    """Whether a CI file builds any image (`docker build`, a build action, `docker compose build`, kaniko...)."""
    return any(_CI_BUILDS.search(text) for text in ci_texts(project))


def ci_runs_make(project: "Project", target: str) -> bool:
    """Whether a CI file runs ``make ... target``."""
    for text in ci_texts(project):
        for line in text.splitlines():
            words = line.replace(";", " ").replace("&&", " ").split()
            if "make" in words and target in words[words.index("make") + 1:]:
                return True
    return False


def make_builds(project: "Project") -> list[tuple[str, str, str]]:
    """(Makefile, target, Dockerfile) of every `docker build` of a whole image (no `--target`) in a recipe."""
    def compute() -> list[tuple[str, str, str]]:
        out = []
        for mk in project.files_of(FileKind.MAKEFILE):
            if not mk.text:
                continue
            folder = posixpath.dirname(mk.path)
            for target in project.parsed(mk, parse_makefile, key="projects.makefile").targets.values():
                for line in target.recipe:
                    for file, context, stage in _docker_builds(line):
                        path = file if file is not None else posixpath.join(context, "Dockerfile")
                        if stage is None:
                            built = posixpath.normpath(posixpath.join(folder, path))
                            out.append((mk.path, target.name, project.real_path(built)))
        return out

    return project.memo("projects.make_builds", compute)


def makefile_pushes(project: "Project", path: str) -> bool:
    """Whether the Makefile at ``path`` pushes an image (`docker push`, `--push`, `type=registry`)."""
    sf = project.file(path)
    return sf is not None and _PUSHES.search(sf.text or "") is not None


def _mentions(text: str, path: str) -> bool:
    """Whether ``text`` names the project-relative ``path`` (``project/Dockerfile.prod``, ``./project/...``) as a
    whole word: ``project/Dockerfile`` is not named by ``project/Dockerfile.prod``, nor by ``app/project/...``."""
    start = text.find(path)
    while start >= 0:
        end = start + len(path)
        before = text[start - 2:start] if start >= 2 and text[start - 1] == "/" else text[start - 1:start]
        after = text[end:end + 1]
        if (before in ("", "./") or not (before[-1].isalnum() or before[-1] in "_./-")) and \
                not (after and (after.isalnum() or after in "_.-")):
            return True
        start = text.find(path, start + 1)
    return False


# a CI step that builds an image, whatever it builds
_CI_BUILDS = lazy_compile(r"\b(?:docker|podman)\s+(?:buildx\s+|image\s+)?(?:build|bake)\b|build-push-action|"
                          r"bake-action|\bdocker[- ]compose\b[^\n]*\bbuild\b|\bkaniko\b|\bbuildah\b|"
                          r"\bdepot\s+build\b|\bpack\s+build\b")
_PUSHES = lazy_compile(r"\b(?:docker|podman)\s+(?:image\s+)?push\b|--push\b|type=registry")
# options of `docker build` that take no value: every other option's next word is its value
_BUILD_FLAGS = frozenset({"--no-cache", "--pull", "--load", "--push", "-q", "--quiet", "--rm", "--force-rm",
                          "--squash", "--compress"})


def _docker_builds(line: str) -> Iterator[tuple[str | None, str, str | None]]:
    """(the `-f` file or None, the context, the `--target` or None) of each `docker build` on a recipe line."""
    try:
        words = shlex.split(line.lstrip("@-+ \t"), comments=True)
    except ValueError:
        words = line.split()
    for i in [i for i, w in enumerate(words) if basename(w) in ("docker", "podman")]:
        j = i + 1 + next((n for n, w in enumerate(words[i + 1:]) if w not in ("buildx", "image")), 0)
        if j >= len(words) or words[j] != "build":
            continue
        options, positional, k = {}, [], j + 1
        while k < len(words) and words[k] not in ("&&", "||", ";", "|"):
            word, k = words[k], k + 1
            if word.startswith("-") and "=" in word:
                options[word.split("=", 1)[0]] = word.split("=", 1)[1]
            elif word.startswith("-") and word not in _BUILD_FLAGS and k < len(words):
                options[word], k = words[k], k + 1  # the option's value
            elif not word.startswith("-"):
                positional.append(word)
        yield (options.get("-f") or options.get("--file"), positional[-1] if positional else ".",
               options.get("--target"))

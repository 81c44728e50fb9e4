"""Build tooling: Makefile (or task runner) targets for the dependency jobs; the media-packages switch."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.ci_pipeline import pipeline
from dockyard.analysis.shell import calls, is_install, run_scripts
from dockyard.analysis.stages import shipped_stages
from dockyard.model import Position, Problem, directory_path
from dockyard.parsers.tomlfile import TOMLError, parse_toml
from dockyard.projects import (project_folder_of, project_folders, python_service_dockerfiles, runs_python_service,
                               ships_python_service)
from dockyard.regex import lazy_compile
from dockyard.rules.base import Context, Scope, rule
from dockyard.source import FileKind

TARGETS = ("lock-deps", "wheelhouse-build", "wheelhouse-check")
# other task runners, by the file names they look for in a folder (go-task's `DefaultTaskfiles`; just's `justfile`
# in any case, or `.justfile`), and what their targets are called
TASKFILES = ("Taskfile.yml", "taskfile.yml", "Taskfile.yaml", "taskfile.yaml", "Taskfile.dist.yml",
             "taskfile.dist.yml", "Taskfile.dist.yaml", "taskfile.dist.yaml")
JUSTFILES = ("justfile", "Justfile", "JUSTFILE", ".justfile")
# task runners a Python project declares in its `pyproject.toml`: taskipy (`uv run task NAME`) and Poe the Poet
PYPROJECT_RUNNERS = (("taskipy", "tasks"), ("poe", "tasks"))
_JUST_KEYWORDS = frozenset({"set", "alias", "export", "import", "mod", "unexport"})
SERVICE_DOCKERFILE = "FROM python:3.12-slim\nCMD [\"uvicorn\", \"app.main:app\"]\n"
MEDIA_PACKAGES = (
    "ffmpeg", "imagemagick", "libmagickwand-dev", "ghostscript", "poppler-utils", "tesseract-ocr", "libvips",
    "libvips-dev", "libavcodec-dev", "libavformat-dev", "libswscale-dev", "libjpeg-dev", "libjpeg62-turbo-dev",
    "libpng-dev", "libwebp-dev", "libtiff-dev", "libheif-dev", "libopenjp2-7-dev", "libsndfile1",
    "libgl1", "libglib2.0-0",
)


@rule(
    code="CI006",
    name="make-targets",
    scope=Scope.PROJECT,
    severity="warning",
    summary="A Makefile provides `lock-deps`, `wheelhouse-build` and `wheelhouse-check`",
    why="The standard's dependency jobs (lock, build the wheelhouse, check wheel availability per platform) should "
    "run the same way on a laptop and in CI. Make targets (or the tasks of the runner the project already uses) "
    "give them one name; a target that only exists in a comment does not count.",
    standard=("CI-MAKE-TARGETS",),
    section="Wheelhouse (Makefile targets)",
    example={"Dockerfile": SERVICE_DOCKERFILE, "Makefile": "# lock-deps: pip-compile\nup:\n\tdocker compose up\n"},
    use_instead={"Dockerfile": SERVICE_DOCKERFILE, "Makefile":
                 "lock-deps:\n\tdockyard deps lock --hashes\nwheelhouse-build:\n\tdockyard deps wheelhouse\n"
                 "wheelhouse-check:\n\tdockyard deps wheels-check\n"},
    notes="Judged for a project that ships a Python service (a Dockerfile whose image serves FastAPI or runs Python); "
    "a repository of base images or of other runtimes has no Python dependencies to lock. A Python image that "
    "nothing runs (its Dockerfile sets no command beyond an interpreter or a shell, its base image brings none, no "
    "compose service builds it: a library's `make image` environment) counts only when CI publishes a build of "
    "the project: a library locks with its own tools and consumes no wheelhouse. A project whose task runner is "
    "go-task (`Taskfile.yml` or another name it looks for), just (`justfile`), taskipy or Poe the Poet (tasks "
    "in `pyproject.toml`) meets the item there: what it asks "
    "for is one name that runs each dependency job on a laptop and in CI, which a task or a recipe gives as a make "
    "target does. Their tasks and recipes count, with their aliases and, for go-task, under a namespace "
    "(`deps:lock-deps`); without a Makefile the missing ones are reported on that file, to be added there rather "
    "than in a second runner. The Makefile (or task runner) is looked "
    "for at the project root; in a catalogue of independent sample projects (nothing at the root, several folders "
    "with their own compose file: `docker/awesome-compose`) each sample that ships a Python service is a project, "
    "and its Makefile belongs beside its compose file.",
)
def make_targets(ctx: Context) -> Iterator[Problem]:
    from dockyard.parsers.makefile import parse_makefile  # lazy: `env check` runs without it
    project = ctx.project
    for folder in project_folders(project):
        if not ships_python_service(project, folder):
            continue  # no Python service: no dependencies to lock or wheels to build
        if not runs_python_service(project, folder) and not pipeline(project).published:
            continue  # an image nothing runs or publishes (a library's `make image`): no service to ship
        makefiles = [sf for sf in project.files_of(FileKind.MAKEFILE) if posixpath.dirname(sf.path) == folder]
        runners = _task_runners(project, folder)
        if not makefiles and not runners:
            where = f"`{folder}/`" if folder else "the project root"
            yield Problem(f"no Makefile: add one at {where} with targets "
                          f"{', '.join(f'`{t}`' for t in TARGETS)}", path=directory_path(folder))
            continue
        elsewhere = {t for _, names in runners for t in TARGETS if _provides(names, t)}
        for sf in makefiles:
            if sf.text is None:
                continue
            mk = project.parsed(sf, parse_makefile)
            missing = [t for t in TARGETS if t not in mk.targets and t not in elsewhere]
            if missing:
                yield Problem(f"Makefile has no {', '.join(f'`{t}`' for t in missing)} target"
                              f"{'s' if len(missing) > 1 else ''}", Position(1, 1), path=sf.path)
        if makefiles or not runners:
            continue
        sf, _ = runners[0]
        missing = [t for t in TARGETS if t not in elsewhere]
        if missing:
            kind = "recipe" if posixpath.basename(sf.path) in JUSTFILES else "task"
            many = len(missing) > 1
            them, targets = ("them", "Makefile targets") if many else ("it", "a Makefile target")
            yield Problem(f"{posixpath.basename(sf.path)} has no {', '.join(f'`{t}`' for t in missing)} "
                          f"{kind}{'s' if many else ''}: add {them} to the project's task runner (the standard names "
                          f"{them} as {targets})", Position(1, 1), path=sf.path)


def _provides(names: set[str], target: str) -> bool:
    """Whether a runner's task names include ``target``, also under a namespace (go-task's `deps:lock-deps`)."""
    return target in names or any(n.endswith(":" + target) for n in names)


def _task_runners(project, folder: str) -> list[tuple]:
    """(SourceFile, task names) of the Taskfile, the justfile and the `pyproject.toml` tasks the task runners would
    use in ``folder``: the first of the names each looks for, read as every input is (inside the tree, within the
    size limit)."""
    found = []
    for names, read in ((TASKFILES, _taskfile_tasks), (JUSTFILES, _just_recipes),
                        (("pyproject.toml",), _pyproject_tasks)):
        for name in names:
            rel = posixpath.join(folder, name) if folder else name
            if project.config.excluded(rel):
                continue
            sf = project.include(rel)
            if sf is not None and sf.text is not None and posixpath.basename(sf.path) == name:
                tasks = read(project, sf)
                if tasks is not None:
                    found.append((sf, tasks))
                break
    return found


def _pyproject_tasks(project, sf) -> set[str] | None:
    """The tasks a `pyproject.toml` declares for taskipy (`[tool.taskipy.tasks]`) or Poe the Poet
    (`[tool.poe.tasks]`); None when it declares no task runner."""
    try:
        tool = project.parsed(sf, parse_toml).get("tool")
    except (TOMLError, ValueError):
        return None
    tables = [tool.get(runner, {}).get(key) for runner, key in PYPROJECT_RUNNERS
              if isinstance(tool, dict) and isinstance(tool.get(runner), dict)]
    tasks = [t for t in tables if isinstance(t, dict)]
    return {str(name) for t in tasks for name in t} if tasks else None


def _taskfile_tasks(project, sf) -> set[str]:
    """The names a Taskfile's tasks answer to: their keys under `tasks:` and their `aliases:`."""
    from dockyard.parsers.yamlpos import load_yaml  # lazy: only a project with a Taskfile loads it here

    root = getattr(project.parsed(sf, load_yaml), "root", None)
    tasks = root.get("tasks") if isinstance(root, dict) else None
    if not isinstance(tasks, dict):
        return set()
    names = {str(k) for k in tasks}
    for task in tasks.values():
        aliases = task.get("aliases") if isinstance(task, dict) else None
        if isinstance(aliases, list):
            names.update(str(a) for a in aliases if isinstance(a, (str, int)))
    return names


def _just_recipes(project, sf) -> set[str]:
    """The names a justfile's recipes answer to: each recipe line (`name params: deps`, `@name:`, at the start of
    a line) and each `alias name := recipe`; assignments (`x := y`), settings and comments are none."""
    names: set[str] = set()
    for line in (sf.text or "").splitlines():
        if not line or line[0] in " \t#[":
            continue
        words = line.split()
        if words[0] == "alias" and len(words) > 2 and words[2] == ":=":
            names.add(words[1])
            continue
        if words[0] in _JUST_KEYWORDS:
            continue
        head = line.lstrip("@")
        name = head.split(":", 1)[0].split()[0] if head.split(":", 1)[0].strip() else ""
        colon = head.find(":")
        if name and colon > 0 and head[colon + 1:colon + 2] != "=":
            names.add(name)
    return names


def _media_installs(project):
    """(Dockerfile SourceFile, instruction, package) for media packages installed by apt/apk in the stages that
    make up Python images (a builder's headers are thrown away with it), leaving out installs a build argument of
    the project's own already switches off."""
    found = []
    for sf in python_service_dockerfiles(project):
        df = project.dockerfile(sf)
        # the standard's own switch is judged below, with its README
        build_args = {v.split("=", 1)[0] for i in df.instructions if i.keyword == "ARG" for v in i.value} - {
            "SKIP_MEDIA_PACKAGES"}
        shipped = shipped_stages(df)
        for script in run_scripts(df, [i for st in df.stages if st.index in shipped for i in st.instructions]):
            for call in calls(script):
                if call.tool != "pip" and is_install(call) and not _switched(script.text, call.command, build_args):
                    found.extend((sf, df, script.instruction, w.text) for w in call.packages
                                 if w.text in MEDIA_PACKAGES)
    return found


_OPENS = lazy_compile(r"(?<![\w$-])(if|case)(?![\w-])")
_CLOSES = lazy_compile(r"(?<![\w$-])(fi|esac)(?![\w-])")


def _switched(text: str, command, build_args: set[str]) -> bool:
    """Whether ``command`` runs inside an `if`/`case` of a RUN that reads one of the Dockerfile's build arguments:
    the project's own switch (`ARG EXTRAS` ... `if [ "$ENABLE_MEDIA" = 1 ]; then apt-get install ffmpeg; fi`)."""
    before = text[:command.start]
    if len(_OPENS.findall(before)) <= len(_CLOSES.findall(before)):
        return False
    return any(f"${name}" in text or f"${{{name}" in text for name in build_args)


@rule(
    code="CI007",
    name="skip-media-packages",
    scope=Scope.PROJECT, applies=roles.PYTHON_IMAGES,
    severity="warning",
    summary="Media/native packages can be skipped with a `SKIP_MEDIA_PACKAGES` build argument, documented in the README",
    why="Media libraries (ffmpeg, ImageMagick, image codecs) add hundreds of megabytes and long builds. The standard "
    "lets services that do not need them skip them with `--build-arg SKIP_MEDIA_PACKAGES=1`; the README must say "
    "so, or nobody knows the switch exists.",
    standard=("CI-SKIP-MEDIA",),
    section="Wheelhouse notes",
    example={"Dockerfile": "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends ffmpeg "
                           "&& rm -rf /var/lib/apt/lists/*\n"},
    use_instead={
        "Dockerfile": "FROM python:3.12-slim\nARG SKIP_MEDIA_PACKAGES=0\nRUN if [ \"$SKIP_MEDIA_PACKAGES\" != \"1\" ]; then "
        "apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*; fi\n",
        "README.md": "Build with `--build-arg SKIP_MEDIA_PACKAGES=1` to leave out ffmpeg.\n",
    },
    notes="An install inside an `if` or `case` of a RUN that reads one of the Dockerfile's build arguments is "
    "already switched by the project (`ARG EXTRAS` choosing what to install) and is not reported; nor is one in a "
    "stage whose layers no image ships (a builder other stages only copy files from).",
)
def skip_media(ctx: Context) -> Iterator[Problem]:
    project = ctx.project
    installs = _media_installs(project)
    reported: set[str] = set()
    for sf, df, ins, pkg in installs:
        if sf.path in reported:
            continue
        has_arg = any(i.keyword == "ARG" and any(v.split("=", 1)[0] == "SKIP_MEDIA_PACKAGES" for v in i.value)
                      for i in df.instructions)
        s = ins.span
        if not has_arg:
            reported.add(sf.path)
            yield Problem(f"media package `{pkg}` is always installed; guard it with `ARG SKIP_MEDIA_PACKAGES`",
                          Position(s.line, s.column, s.line, s.column + 3), path=sf.path)
            continue
        folder = project_folder_of(project, sf.path) or ""
        readme_path = posixpath.join(folder, "README.md") if folder else "README.md"
        if project.config.excluded(readme_path):
            continue  # a README the configuration excludes is neither read nor judged
        # read as every input is: inside the tree, a regular file, within the size limit, decoded or an error
        readme = project.include(readme_path)
        if readme is not None and readme.text is not None and "SKIP_MEDIA_PACKAGES" in readme.text:
            continue
        reported.add(sf.path)
        if readme is not None and readme.error is not None:
            yield Problem(f"cannot tell whether {readme_path} documents `SKIP_MEDIA_PACKAGES`: {readme.error}",
                          path=readme_path)
        elif readme is not None:
            yield Problem(f"`SKIP_MEDIA_PACKAGES` is not documented in {readme_path}", path=readme_path)
        else:
            yield Problem(f"`SKIP_MEDIA_PACKAGES` is not documented: the project has no {readme_path}; add one that "
                          "says how to build without the media packages", path=directory_path(folder))

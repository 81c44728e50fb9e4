"""Every build context has a .dockerignore, and it excludes what the standard lists."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.build_contexts import build_contexts, ignore_file, sources_through, wholesale_copy
from dockyard.model import Edit, Fix, Problem
from dockyard.records import record
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.dockerignore._ci import ci_builds_elsewhere, unread_by_builds


@record(frozen=True)
class Entry:
    """One line the standard asks for: the pattern the fix writes, the paths at the context root it must exclude
    (checked with Docker's own matching, so `**/.env*` or `.venv` count as well as the standard's spelling), and
    the entry of its group whose presence makes it unnecessary."""

    pattern: str
    probes: tuple[str, ...]
    covered_by: str | None = None


@record(frozen=True)
class Group:
    name: str
    entries: tuple[Entry, ...]
    python: bool  # asked only of contexts that build a Python image


GROUPS: tuple[Group, ...] = (
    Group("Git", (Entry(".git", (".git/HEAD",)),), False),
    Group("Environment files (secrets)", (Entry(".env", (".env",)), Entry(".env.*", (".env.production",))), False),
    Group("Virtual environments", (Entry("venv/", ("venv/pyvenv.cfg",)), Entry(".venv/", (".venv/pyvenv.cfg",)),
                                   Entry("env/", ("env/pyvenv.cfg",))), True),
    # Python 3 writes bytecode only into __pycache__: excluding those folders excludes the bytecode
    Group("Python bytecode", (Entry("**/__pycache__/", ("__pycache__/m.cpython-312.pyc",)),
                              Entry("**/*.py[cod]", ("m.pyc", "m.pyo"), covered_by="**/__pycache__/")), True),
    Group("Test and coverage output", (Entry(".pytest_cache/", (".pytest_cache/README.md",)),
                                       Entry(".coverage", (".coverage",)),
                                       Entry(".coverage.*", (".coverage.host.1234.567890",)),
                                       Entry("htmlcov/", ("htmlcov/index.html",))), True),
    Group("Logs", (Entry("*.log", ("app.log",)), Entry("logs/", ("logs/app.log",))), False),
    Group("IDE files", (Entry(".vscode/", (".vscode/settings.json",)), Entry(".idea/", (".idea/workspace.xml",)),
                        Entry("*.swp", (".main.py.swp",))), False),
    Group("Build output", (Entry("build/", ("build/lib/m.py",)), Entry("dist/", ("dist/m.whl",)),
                           Entry("*.egg-info/", ("m.egg-info/PKG-INFO",))), True),
)


def missing_entries(ig, python: bool, sources: list[str] = ()) -> list[tuple[Group, list[Entry]]]:
    """The entries of each group that the ignore file (None: no file) lacks (the Python groups only when
    ``python``), less those that would exclude one of ``sources``, the paths the builds copy from the context (a
    Dockerfile that copies `dist/` needs it in the context)."""
    out = []
    for group in GROUPS:
        if group.python and not python:
            continue
        present = {e.pattern for e in group.entries if ig is not None and all(ig.excluded(p) for p in e.probes)}
        lacking = [e for e in group.entries if e.pattern not in present and e.covered_by not in present
                   and not any(_excludes(e.pattern, src) for src in sources)]
        if lacking:
            out.append((group, lacking))
    return out


def _excludes(pattern: str, path: str) -> bool:
    """Whether the ignore-file line ``pattern`` leaves ``path`` (or a folder above it) out of the context."""
    from dockyard.parsers.dockerignore import parse_dockerignore  # lazy: `env check` runs without it

    ig = _SINGLE.get(pattern)
    if ig is None:
        ig = _SINGLE[pattern] = parse_dockerignore(pattern + "\n")
    return ig.excluded(path)


_SINGLE: dict = {}


def _block(groups) -> str:
    return "\n".join(f"# {group.name}\n" + "\n".join(e.pattern for e in entries) + "\n" for group, entries in groups)


_IGNORE_HEADER = "# Build context exclusions. Never list a path the Dockerfile COPYs.\n\n"
STANDARD_IGNORE = _IGNORE_HEADER + _block((g, g.entries) for g in GROUPS)


@rule(
    code="DI001", name="dockerignore-exists", scope=Scope.PROJECT,
    summary="Every build context whose files are copied wholesale has a .dockerignore",
    why="Without it the whole folder is sent to the builder and `COPY . .` bakes `.git`, `.env` secrets, "
        "virtualenvs and caches into the image, and every stray file change busts the layer cache.",
    standard=("DI-EXISTS",), section="Image Layers; .dockerignore File", severity="error", fix="safe",
    example={"Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n"},
    use_instead={"Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n", ".dockerignore": STANDARD_IGNORE},
    notes="Contexts are each compose `build:` context, each Tiltfile `docker_build` context, and the folder of a "
          "Dockerfile nothing names (or of a link to it: the name it is built by), unless every CI build of it names "
          "another context (`docker/build-push-action`'s `context:`, `docker build -f docker/Dockerfile .`, also "
          "through a link such as a root `Dockerfile` to `docker/Dockerfile`): that context is the one judged. A "
          "Dockerfile that compose or Tilt builds from another context is judged with that one. A Tilt build that "
          "filters its context itself (`only=`, `ignore=`) is not asked for one, and a folder that several builds "
          "use is reported once, since one file serves them all. `<Dockerfile>.dockerignore` beside the "
          "Dockerfile counts, as BuildKit prefers it. A context matters when its Dockerfile copies (COPY/ADD, or a "
          "RUN bind mount) the folder itself, a sub-folder, a wildcard or a variable path: then whatever lies "
          "there reaches the image. A context whose Dockerfile copies only files it names (an entrypoint script) "
          "or nothing needs none: BuildKit sends only what the instructions name. The fix creates the file with "
          "the standard's entries, less any that would exclude what a build using the file copies (a `COPY dist/ "
          "...` keeps `dist/` in the context).",
)
def exists(ctx: Context) -> Iterator[Problem]:
    project = ctx.project
    classified = roles.roles(project)
    reported: set[str] = set()
    for c in build_contexts(project):
        if c.filtered or ignore_file(project, c) is not None or ci_builds_elsewhere(project, c):
            continue  # Tilt's `only=`/`ignore=` filter what it sends; it has one; or CI builds it from elsewhere
        target = c.rel(".dockerignore")
        if target in reported:
            continue  # another build of this folder: the one file serves both
        found = wholesale_copy(project, c)
        if found is None:
            continue  # only named files are copied: nothing else of the folder reaches the image
        reported.add(target)
        ins, src = found
        where = f"`{c.dir}/`" if c.dir else "the project root"
        python = classified.context([c.dockerfile]).role in roles.PYTHON_IMAGES
        content = _IGNORE_HEADER + _block(missing_entries(None, python, sources_through(project, target)))
        how = (f"`{ins.keyword} {src}` (line {ins.span.line} of `{c.dockerfile}`) copies whatever it holds"
               if ins else "everything in it is sent to the builder and `COPY . .` copies it all")
        yield Problem(f"the build context {where} has no `.dockerignore`: {how}; create `{target}`", c.position,
                      path=c.origin, fix=Fix((Edit(0, 0, content),), path=target))


@rule(
    code="DI002", name="dockerignore-entries", scope=Scope.DOCKERIGNORE,
    summary="The .dockerignore excludes git, env files, virtualenvs, bytecode, test output, logs, IDE and build files",
    why="Whatever is not excluded ends up in the image with `COPY . .`: `.env` secrets, the git history, a "
        "host-built virtualenv that breaks the image's Python, and caches that bust every layer.",
    standard=("DI-ENTRIES",), section=".dockerignore File", severity="error", fix="safe",
    example={"Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n", ".dockerignore": ".git\n"},
    use_instead={"Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n", ".dockerignore": STANDARD_IGNORE},
    notes="Each entry is checked with Docker's own matching on a representative path at the context root, so "
          "`**/.env*` or `.venv` count as well as the standard's spelling; Python bytecode counts as excluded with "
          "`**/__pycache__` alone, since Python 3 writes bytecode only there. The message names, and the fix "
          "appends, only the entries that are missing; an entry that would exclude what a build reading the file "
          "copies (`COPY dist/ ...`, `COPY logs/ ...`) is not asked for, as DF060 would then report the copy. The "
          "Python groups (virtualenvs, bytecode, test output, build output) are asked only of contexts that build a "
          "Python image: a Node build may well copy its `dist/`. An ignore file that no build of the project reads (a `backend/.dockerignore` when compose builds "
          "`backend/Dockerfile` from the root, or when every CI build of it names the root as its context) is not "
          "judged: its entries change nothing (DI005 says so).",
)
def entries(ctx: Context) -> Iterator[Problem]:
    ig = ctx.model
    if ig is None or not judged(ctx):
        return
    python = ctx.role is not None and ctx.role.role in roles.PYTHON_IMAGES
    missing = missing_entries(ig, python, sources_through(ctx.project, ctx.file.path))
    if not missing:
        return
    names = "; ".join(f"{_said(group.name)}: {', '.join(f'`{e.pattern}`' for e in lacking)}"
                      for group, lacking in missing)
    text = ctx.file.text or ""
    lead = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
    fix = Fix((Edit(len(text), len(text), lead + _block(missing)),))
    yield Problem(f"the ignore file does not exclude {names}", fix=fix)


def _said(name: str) -> str:
    """A group's name inside a sentence: `Logs` -> `logs`, `IDE files` and `Python bytecode` keep their capitals."""
    return " ".join(w if w in ("IDE", "Python") else w.lower() for w in name.split(" "))


def judged(ctx: Context) -> bool:
    """Whether an ignore file is judged: some build of the project reads it (the engine classifies it then, and
    CI does not build its Dockerfile from another context only), or it was named on the command line, where the
    builds around it are not looked at."""
    if ctx.project.explicit_files:
        return True
    return ctx.role is not None and unread_by_builds(ctx.project, ctx.file.path) is None


BYTECODE = {"__pycache__": "**/__pycache__", "*.pyc": "**/*.pyc", "*.pyo": "**/*.pyo", "*.pyd": "**/*.pyd",
            "*.py[cod]": "**/*.py[cod]", "*.py[co]": "**/*.py[co]", "*.py[oc]": "**/*.py[oc]"}


@rule(
    code="DI003", name="dockerignore-root-only-pattern", scope=Scope.DOCKERIGNORE, applies=roles.PYTHON_IMAGES,
    summary="Bytecode patterns use `**/` so they match in every folder",
    why="Unlike .gitignore, a .dockerignore pattern is anchored at the context root: `__pycache__/` and `*.pyc` "
        "only exclude the root's, so every package's stale bytecode is still copied into the image.",
    standard=("DI-ENTRIES",), section=".dockerignore File", severity="warning", fix="safe",
    example={"Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n", ".dockerignore": "__pycache__/\n*.py[cod]\n"},
    use_instead={"Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n",
                 ".dockerignore": "**/__pycache__/\n**/*.py[cod]\n"},
    notes="The standard's own example writes `__pycache__/` and `*.py[cod]`; Docker's matching "
          "(moby/patternmatcher) makes those root-only.",
)
def root_only(ctx: Context) -> Iterator[Problem]:
    ig = ctx.model
    if ig is None or not judged(ctx):
        return
    sources = None
    for p in ig.patterns:
        if p.exclusion or p.pattern not in BYTECODE:
            continue
        if sources is None:
            sources = sources_through(ctx.project, ctx.file.path)
        fix = None
        if not any(_excludes(BYTECODE[p.pattern], src) for src in sources):
            fix = Fix((Edit(p.start, p.start + (1 if p.text.startswith('/') else 0), "**/"),))
        yield Problem(f"`{p.text}` only matches at the root of the build context; write `{BYTECODE[p.pattern]}"
                      f"{'/' if p.text.endswith('/') else ''}` to exclude it in every folder",
                      ctx.file.span(p.start, p.end), fix=fix)

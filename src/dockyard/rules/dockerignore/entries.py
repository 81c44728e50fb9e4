"""Every build context has a .dockerignore, and it excludes what the standard lists."""

from __future__ import annotations

from typing import Iterator

from dockyard import roles
from dockyard.model import Edit, Fix, Problem
from dockyard.rules.base import Context, Scope, rule
from dockyard.contexts import build_contexts, ignore_file, wholesale_copy

# (group, entries to add, paths that must be excluded at the context root, whether only Python builds need it)
GROUPS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], bool], ...] = (
    ("Git", (".git",), (".git/HEAD",), False),
    ("Environment files (secrets)", (".env", ".env.*"), (".env", ".env.production"), False),
    ("Virtual environments", ("venv/", ".venv/", "env/"), ("venv/pyvenv.cfg", ".venv/pyvenv.cfg", "env/pyvenv.cfg"),
     True),
    ("Python bytecode", ("**/__pycache__/", "**/*.py[cod]"), ("__pycache__/m.cpython-312.pyc", "m.pyc", "m.pyo"),
     True),
    ("Test and coverage output", (".pytest_cache/", ".coverage", ".coverage.*", "htmlcov/"),
     (".pytest_cache/README.md", ".coverage", "htmlcov/index.html"), True),
    ("Logs", ("*.log", "logs/"), ("app.log", "logs/app.log"), False),
    ("IDE files", (".vscode/", ".idea/", "*.swp"), (".vscode/settings.json", ".idea/workspace.xml"), False),
    ("Build output", ("build/", "dist/", "*.egg-info/"), ("build/lib/m.py", "dist/m.whl", "m.egg-info/PKG-INFO"),
     True),
)


def _block(groups) -> str:
    return "\n".join(f"# {name}\n" + "\n".join(entries) + "\n" for name, entries, _, _ in groups)


_IGNORE_HEADER = "# Build context exclusions. Never list a path the Dockerfile COPYs.\n\n"
STANDARD_IGNORE = _IGNORE_HEADER + _block(GROUPS)


@rule(
    code="DI001", name="dockerignore-exists", scope=Scope.PROJECT,
    summary="Every build context whose files are copied wholesale has a .dockerignore",
    why="Without it the whole folder is sent to the builder and `COPY . .` bakes `.git`, `.env` secrets, "
        "virtualenvs and caches into the image, and every stray file change busts the layer cache.",
    standard=("DI-EXISTS",), section="Image Layers; .dockerignore File", severity="error", fix="safe",
    example={"Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n"},
    use_instead={"Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n", ".dockerignore": STANDARD_IGNORE},
    notes="Contexts are each Dockerfile's folder and each compose `build:` context (a Dockerfile that compose "
          "builds from another context is judged with that one). `<Dockerfile>.dockerignore` beside the "
          "Dockerfile counts, as BuildKit prefers it. A context matters when its Dockerfile copies (COPY/ADD, or a "
          "RUN bind mount) the folder itself, a sub-folder, a wildcard or a variable path: then whatever lies "
          "there reaches the image. A context whose Dockerfile copies only files it names (an entrypoint script) "
          "or nothing needs none: BuildKit sends only what the instructions name. The fix creates the file with "
          "the standard's entries.",
)
def exists(ctx: Context) -> Iterator[Problem]:
    project = ctx.project
    classified = roles.roles(project)
    for c in build_contexts(project):
        if ignore_file(project, c) is not None:
            continue
        found = wholesale_copy(project, c)
        if found is None:
            continue  # only named files are copied: nothing else of the folder reaches the image
        ins, src = found
        where = f"`{c.dir}/`" if c.dir else "the project root"
        target = c.rel(".dockerignore")
        python = classified.context([c.dockerfile]).role in roles.PYTHON_IMAGES
        content = STANDARD_IGNORE if python else _IGNORE_HEADER + _block([g for g in GROUPS if not g[3]])
        how = (f"`{ins.keyword} {src}` (line {ins.span.line} of `{c.dockerfile}`) copies whatever it holds"
               if ins else "everything in it is sent to the builder and `COPY . .` copies it all")
        yield Problem(f"the build context {where} has no `.dockerignore`: {how}; create `{target}`", c.position,
                      path=c.origin, fix=Fix(f"create {target}", (Edit(0, 0, content),), path=target))


@rule(
    code="DI002", name="dockerignore-entries", scope=Scope.DOCKERIGNORE,
    summary="The .dockerignore excludes git, env files, virtualenvs, bytecode, test output, logs, IDE and build files",
    why="Whatever is not excluded ends up in the image with `COPY . .`: `.env` secrets, the git history, a "
        "host-built virtualenv that breaks the image's Python, and caches that bust every layer.",
    standard=("DI-ENTRIES",), section=".dockerignore File", severity="error", fix="safe",
    example=".git\n",
    use_instead=STANDARD_IGNORE,
    notes="Each group is checked with Docker's own matching on a representative path at the context root, so "
          "`**/.env` or `.venv` count as well as the standard's spelling. The fix appends the missing groups. "
          "The Python groups (virtualenvs, bytecode, test output, build output) are asked only of contexts that "
          "build a Python image: a Node build may well copy its `dist/`.",
)
def entries(ctx: Context) -> Iterator[Problem]:
    ig = ctx.model
    if ig is None:
        return
    # an ignore file no build of the project uses is asked only what every build needs
    python = ctx.role is not None and ctx.role.role in roles.PYTHON_IMAGES
    missing = [g for g in GROUPS if (python or not g[3]) and not all(ig.excluded(p) for p in g[2])]
    if not missing:
        return
    names = "; ".join(f"{name.lower()} ({', '.join(f'`{e}`' for e in entries)})" for name, entries, _, _ in missing)
    text = ctx.file.text or ""
    lead = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
    fix = Fix("append the missing entries", (Edit(len(text), len(text), lead + _block(missing)),))
    yield Problem(f"the ignore file does not exclude {names}", fix=fix)


BYTECODE = {"__pycache__": "**/__pycache__", "*.pyc": "**/*.pyc", "*.pyo": "**/*.pyo", "*.pyd": "**/*.pyd",
            "*.py[cod]": "**/*.py[cod]", "*.py[co]": "**/*.py[co]", "*.py[oc]": "**/*.py[oc]"}


@rule(
    code="DI003", name="dockerignore-root-only-pattern", scope=Scope.DOCKERIGNORE, applies=roles.PYTHON_IMAGES,
    summary="Bytecode patterns use `**/` so they match in every folder",
    why="Unlike .gitignore, a .dockerignore pattern is anchored at the context root: `__pycache__/` and `*.pyc` "
        "only exclude the root's, so every package's stale bytecode is still copied into the image.",
    standard=("DI-ENTRIES",), section=".dockerignore File", severity="warning", fix="safe",
    example="__pycache__/\n*.py[cod]\n",
    use_instead="**/__pycache__/\n**/*.py[cod]\n",
    notes="The standard's own example writes `__pycache__/` and `*.py[cod]`; Docker's matching "
          "(moby/patternmatcher) makes those root-only.",
)
def root_only(ctx: Context) -> Iterator[Problem]:
    ig = ctx.model
    if ig is None:
        return
    for p in ig.patterns:
        if p.exclusion or p.pattern not in BYTECODE:
            continue
        yield Problem(f"`{p.text}` only matches at the root of the build context; write `{BYTECODE[p.pattern]}"
                      f"{'/' if p.text.endswith('/') else ''}` to exclude it in every folder",
                      ctx.file.span(p.start, p.end),
                      fix=Fix("match in every folder", (Edit(p.start, p.start + (1 if p.text.startswith('/') else 0),
                                                             "**/"),)))

"""The .dockerignore does not exclude files that `pip install .` reads while building the project."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.build_contexts import contexts_of_dockerfile, ignore_file, ignore_model
from dockyard.analysis.shell import calls, run_scripts
from dockyard.model import Problem
from dockyard.parsers.tomlfile import TOMLError, parse_toml
from dockyard.rules.base import Context, Scope, rule

PROJECT_ARGS = frozenset({".", "./"})


def _installs_project(df) -> bool:
    """True when a RUN builds the context's own project (`pip install .`, `pip install -e ".[dev]"`, `pip wheel .`)."""
    for script in run_scripts(df, df.instructions):
        for call in calls(script):
            if call.tool != "pip" or call.sub not in ("install", "wheel"):
                continue
            for w in call.words:
                t = w.text
                if t in PROJECT_ARGS or t.startswith(".[") or t.startswith("./["):
                    return True
    return False


def _declared_files(text: str) -> list[tuple[str, str]]:
    """(path, pyproject key) of the readme and license files a pyproject.toml declares."""
    try:
        data = parse_toml(text)
    except (TOMLError, ValueError):
        return []
    project = data.get("project")
    if not isinstance(project, dict):
        return []
    out = []
    readme = project.get("readme")
    if isinstance(readme, str):
        out.append((readme, "readme"))
    elif isinstance(readme, dict) and isinstance(readme.get("file"), str):
        out.append((readme["file"], "readme"))
    lic = project.get("license")
    if isinstance(lic, dict) and isinstance(lic.get("file"), str):
        out.append((lic["file"], "license"))
    files = project.get("license-files")
    if isinstance(files, list):
        out.extend((f, "license-files") for f in files if isinstance(f, str) and not any(c in f for c in "*?["))
    return out


@rule(
    code="DI004", name="dockerignore-keeps-build-inputs", scope=Scope.DOCKERFILE, applies=roles.PYTHON_IMAGES,
    summary="The .dockerignore does not exclude the readme or license that `pip install .` reads",
    why="Build backends read the files pyproject.toml declares (`readme`, `license`); excluding them with a "
        "broad `*.md` or `LICENSE` line makes `pip install .` fail inside the build with a missing-file error.",
    standard=("DI-NEEDED",), section=".dockerignore File", severity="error",
    example={"Dockerfile": "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install .\n",
             "pyproject.toml": "[project]\nname = \"app\"\nversion = \"1\"\nreadme = \"README.md\"\n",
             "README.md": "# app\n", ".dockerignore": ".git\n*.md\n"},
    use_instead={"Dockerfile": "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install .\n",
                 "pyproject.toml": "[project]\nname = \"app\"\nversion = \"1\"\nreadme = \"README.md\"\n",
                 "README.md": "# app\n", ".dockerignore": ".git\n*.md\n!README.md\n"},
    notes="The standard's example ignore file lists `*.md` and `LICENSE` while its Dockerfile runs "
          "`pip install -e .`; the checklist item wins. COPY sources that are excluded are DF060's finding.",
)
def keeps_build_inputs(ctx: Context) -> Iterator[Problem]:
    project = ctx.project
    if not _installs_project(ctx.model):
        return
    for c in contexts_of_dockerfile(project, ctx.file.path):
        sf = ignore_file(project, c)
        ig = ignore_model(project, sf)
        pyproject = project.file(c.rel("pyproject.toml"))
        if ig is None or pyproject is None or pyproject.text is None:
            continue
        for path, key in _declared_files(pyproject.text):
            pat = ig.excluding_pattern(path)
            if pat is None:
                continue
            yield Problem(f"`{pat.text}` excludes `{path}`, which pyproject.toml declares as `{key}`: "
                          f"`pip install .` in `{ctx.file.path}` fails without it; add `!{path}`",
                          sf.span(pat.start, pat.end), path=sf.path)

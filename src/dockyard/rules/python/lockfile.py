"""The lock file: present, and pinning every package exactly."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Iterator

from dockyard import roles
from dockyard.model import Position, Problem
from dockyard.rules.base import Context, Scope, rule
from dockyard.source import FileKind

LOCK_NAMES = ("requirements.lock.txt", "requirements.lock", "requirements-lock.txt", "requirements.lock.in")


def _installed_requirement_files(project) -> set[str]:
    """Basenames of the files Dockerfiles install from (`pip install|wheel -r FILE`)."""
    from dockyard.rules.dockerfile._shell import pip_calls

    names: set[str] = set()
    for sf in project.files_of(FileKind.DOCKERFILE):
        if sf.text is None:
            continue
        df = project.dockerfile(sf)
        for call in pip_calls(df, df.instructions):
            names.update(PurePosixPath(opt.value).name for opt in call.values("--requirement"))
    return names


def lock_files(project):
    def compute():
        wanted = _installed_requirement_files(project)
        found = [sf for sf in project.files_of(FileKind.REQUIREMENTS)
                 if sf.path.rsplit("/", 1)[-1] in LOCK_NAMES or sf.path.rsplit("/", 1)[-1] in wanted]
        found += [sf for sf in project.files
                  if sf.kind == FileKind.OTHER and sf.path.rsplit("/", 1)[-1] in LOCK_NAMES and sf not in found]
        return found, wanted

    return project.memo("python.lockfiles", compute)


def _parsed(project, sf):
    from dockyard.parsers.requirements import parse_requirements

    return project.parsed(sf, lambda text: parse_requirements(text, sf.path), key="requirements")


def _wants_lock(project) -> bool:
    kinds = {f.kind for f in project.files}
    return FileKind.DOCKERFILE in kinds or any(
        f.path.rsplit("/", 1)[-1] in ("requirements.in", "requirements.txt") for f in project.files)


@rule(
    code="PY008",
    name="lock-pinned",
    scope=Scope.PROJECT, applies=roles.PYTHON_IMAGES,
    summary="The lock file exists and pins every package with `==`",
    why="Images are reproducible only when every dependency, transitive ones included, is pinned to one version. "
    "A range or a bare name resolves to whatever was newest on build day, so two builds of one commit differ "
    "and a bad upstream release breaks production without a code change. `-r` includes are followed.",
    standard=("PY-LOCK-PINNED",),
    section="Dependency Installation; Makefile targets",
    example={"requirements.lock.txt": "fastapi>=0.110\nuvicorn==0.30.1\n"},
    use_instead={"requirements.lock.txt": "fastapi==0.115.0\nuvicorn==0.30.1\n"},
)
def lock_pinned(ctx: Context) -> Iterator[Problem]:
    project = ctx.project
    found, wanted = lock_files(project)
    if not found:
        if _wants_lock(project):
            name = sorted(wanted)[0] if wanted else "requirements.lock.txt"
            yield Problem(f"no lock file `{name}`: generate one with `dockyard deps lock` (or `make lock-deps`)",
                          path=name)
        return
    seen: set[str] = set()
    queue = list(found)
    while queue:
        sf = queue.pop(0)
        if sf.path in seen or sf.text is None:
            continue
        seen.add(sf.path)
        req = _parsed(project, sf)
        for e in req.errors:
            yield Problem(f"lock file line cannot be parsed: {e.message}",
                          Position(e.line, e.column, e.line, max(e.end_column, e.column)), path=sf.path)
        for entry in req.entries:
            if entry.pinned_version is None:
                what = entry.text or entry.name
                yield Problem(f"`{what}` is not pinned with `==`; lock files pin every package exactly",
                              Position(entry.line, entry.column, entry.end_line or entry.line, entry.end_column),
                              path=sf.path)
        base = sf.path.rsplit("/", 1)[0] + "/" if "/" in sf.path else ""
        for inc in req.includes:
            target = project.include(str(PurePosixPath(base + inc.target)), FileKind.REQUIREMENTS)
            if target is not None:
                queue.append(target)


@rule(
    code="PY009",
    name="lock-hashes",
    scope=Scope.PROJECT, applies=roles.PYTHON_IMAGES,
    severity="info",
    summary="Lock file entries carry `--hash` digests",
    why="Hashes make pip refuse a file whose content differs from what was locked (a re-uploaded or tampered "
    "artifact). They are recommended by the standard's dependency section, not required: this is informational.",
    standard=("PY-LOCK-PINNED",),
    section="Dependency Installation",
    example={"requirements.lock.txt": "six==1.16.0\n"},
    use_instead={"requirements.lock.txt": "six==1.16.0 \\\n    --hash=sha256:8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254\n"},
)
def lock_hashes(ctx: Context) -> Iterator[Problem]:
    found, _ = lock_files(ctx.project)
    for sf in found:
        if sf.text is None:
            continue
        req = _parsed(ctx.project, sf)
        unhashed = [e for e in req.entries if not e.hashes and not e.editable]
        if unhashed:
            e = unhashed[0]
            yield Problem(f"{len(unhashed)} of {len(req.entries)} locked packages have no `--hash`; lock with "
                          "`dockyard deps lock --hashes`",
                          Position(e.line, e.column, e.end_line or e.line, e.end_column), path=sf.path)

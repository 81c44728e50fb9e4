"""The lock file: present, and pinning every package exactly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from dockyard import roles
from dockyard.model import Position, Problem, directory_path
from dockyard.projects import ships_python_service
from dockyard.rules.base import Context, Scope, rule
from dockyard.source import FileKind


def lock_files(project):
    """(the lock files of the project, the requirements files its images install).

    The lock files are :func:`dockyard.locks.project_locks` (TOML locks, requirements files that are locks by
    name, by their hashes or because a resolver wrote them) and the fully pinned requirements files a Dockerfile
    installs (DF009 takes them for the lock of that install). A loose requirements file an image installs is no
    lock: DF009 reports the install."""
    from dockyard.locks import installed_requirements, project_locks, requirements, requirements_state  # lazy: `env check` runs without it

    def compute():
        installed = [i for sf in project.files_of(FileKind.DOCKERFILE) for i in installed_requirements(project, sf)]
        found = list(project_locks(project))
        for item in installed:
            if item.file is None or item.file in found or item.file.text is None:
                continue
            req = requirements(project, item.file)
            if req is not None and requirements_state(req).pinned:
                found.append(item.file)
        return found, installed

    return project.memo("python.lockfiles", compute)


def _parsed(project, sf):
    from dockyard.locks import requirements  # lazy: `env check` runs without it

    return requirements(project, sf)


def _is_toml_lock(sf) -> bool:
    return sf.kind == FileKind.PYTHON_LOCK


def _wants_lock(project) -> bool:
    """A project that ships a Python service, or keeps the requirements of one."""
    return ships_python_service(project) or any(
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
    notes="Judged: the lock files (`uv.lock`, `poetry.lock`, `pdm.lock`, `pylock.toml`, read as TOML 1.1 as uv "
    "reads them, inline tables over several lines included; a requirements file named "
    "a lock, hashed, or written by a resolver; the `-r` files they include). A loose `requirements.txt` that a "
    "Dockerfile installs is not a lock that went wrong but the absence of one: DF009 reports the install, and this "
    "rule says once, at the project root, that the project has no lock file when it ships a Python service (a "
    "Dockerfile whose image serves FastAPI or runs Python; base images lock nothing) and none of its requirements "
    "files pins everything. When an image installs a file the tree does not hold, that install is where it is said; "
    "if nothing names the Dockerfile's build context (no compose service, no Tiltfile), the message says where the "
    "file was looked for instead of stating that the context lacks it.",
)
def lock_pinned(ctx: Context) -> Iterator[Problem]:
    from dockyard.locks import ABSENT, context_guessed, toml_lock  # lazy: `env check` runs without it
    project = ctx.project
    found, installed = lock_files(project)
    if not found:
        if not _wants_lock(project):
            return
        missing = [i for i in installed if i.origin == ABSENT]
        if missing:  # an image installs a lock file the tree does not have: point at that install
            item = missing[0]
            if context_guessed(project, item.dockerfile.path):  # said as what was looked for where, not as fact
                looked = " or ".join(f"`{p}`" for p in item.looked) or "the Dockerfile's folder"
                message = (f"no lock file: `{item.option.value}` is installed here, but it is not at {looked} "
                           "(where it was looked for: nothing names this Dockerfile's build context, so its folder "
                           "was assumed) and the tree holds no lock file; generate one with `dockyard deps lock` "
                           "(or `make lock-deps`) and commit it")
            else:
                message = (f"no lock file: `{item.option.value}` is installed here but is not in the build context; "
                           "generate it with `dockyard deps lock` (or `make lock-deps`) and commit it")
            yield Problem(message, item.call.value_position(item.option), path=item.dockerfile.path)
            return
        yield Problem("no lock file: generate `requirements.lock.txt` with `dockyard deps lock` (or `make "
                      "lock-deps`), or commit the lock of the project's manager (`uv.lock`, `poetry.lock`, "
                      "`pdm.lock`, `pylock.toml`)", path=directory_path(""))
        return
    seen: set[str] = set()
    queue = list(found)
    while queue:
        sf = queue.pop(0)
        if sf.path in seen or sf.text is None:
            continue
        seen.add(sf.path)
        if _is_toml_lock(sf):
            lock = toml_lock(project, sf)
            if lock is None:
                continue
            if lock.error is not None:
                yield Problem(f"lock file cannot be parsed: {lock.error}",
                              Position(lock.error_line, lock.error_column), path=sf.path)
                continue
            for pkg in lock.packages:
                if not pkg.pinned:
                    yield Problem(f"`{pkg.name}` has no version in the lock file; lock it again",
                                  sf.line_position(pkg.line), path=sf.path)
            continue
        req = _parsed(project, sf)
        for e in req.errors:
            yield Problem(f"lock file line cannot be parsed: {e.message}",
                          Position(e.line, e.column, e.line, max(e.end_column, e.column)), path=sf.path)
        from dockyard.locks import exact_reference  # lazy: `env check` runs without it

        for entry in req.entries:
            if entry.editable or (entry.url is not None and not entry.name):
                continue  # the project itself or a local path
            if entry.pinned_version is None and not (entry.url and exact_reference(entry.url)):
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
    notes="Asked of lock files only: a TOML lock, or a requirements file named a lock or written by a resolver "
    "(pip-compile, `uv pip compile`, `uv export`...). A requirements file that pins a few top-level packages by hand "
    "is not asked: with one `--hash`, pip switches to hash-checking mode and wants every dependency pinned and "
    "hashed, so the install fails. Nor is a lock that a Dockerfile installs in one `pip install` with something "
    "that cannot carry hashes (another requirements file that is no lock or is not in the tree, a package named on "
    "the command line, a path): hash-checking mode covers the whole install. Nor is a requirements file that holds "
    "what pip cannot hash itself: an editable (`-e .`, as `uv export` writes the project), a local folder or a VCS "
    "requirement (an archive, local or remote, can carry a hash and does not excuse the file).",
)
def lock_hashes(ctx: Context) -> Iterator[Problem]:
    from dockyard.locks import hashable, requirements_is_lock, requirements_state, toml_lock  # lazy: `env check` runs without it

    project = ctx.project
    found, installed = lock_files(project)
    for sf in found:
        if sf.text is None:
            continue
        if _is_toml_lock(sf):
            lock = toml_lock(project, sf)
            if lock is None or lock.error is not None:
                continue
            wanted = [p for p in lock.packages if p.needs_hashes]
            unhashed = [p for p in wanted if not p.hashes]
            if unhashed:
                yield Problem(f"{len(unhashed)} of {len(wanted)} locked packages have no hash; lock them again "
                              "from an index that serves hashes", sf.line_position(unhashed[0].line), path=sf.path)
            continue
        if not requirements_is_lock(project, sf):
            continue  # top-level pins written by hand: with hashes, pip would ask one of every dependency too
        req = _parsed(project, sf)
        if not requirements_state(req).pinned:
            continue  # a file that does not pin its packages is PY008's finding; hashes come after pins
        if not all(hashable(e) for e in req.entries):
            continue  # `-e .`, a local folder or a VCS requirement: pip refuses them in hash-checking mode
        if _installed_with_unhashable(project, sf, installed):
            continue  # hashes here would put the whole install in hash-checking mode, and fail it
        unhashed = [e for e in req.entries if not e.hashes and not e.editable and (e.name or e.url is None)]
        if unhashed:
            counted = [e for e in req.entries if not e.editable and (e.name or e.url is None)]
            e = unhashed[0]
            yield Problem(f"{len(unhashed)} of {len(counted)} locked packages have no `--hash`; lock with "
                          "`dockyard deps lock --hashes`",
                          Position(e.line, e.column, e.end_line or e.line, e.end_column), path=sf.path)


def _installed_with_unhashable(project, sf, installed) -> bool:
    """Whether a Dockerfile installs ``sf`` in one pip call with something that cannot carry hashes: a
    requirements file that is not a lock or is not in the tree, a package named on the command line, a path."""
    from dockyard.locks import requirements_is_lock  # lazy: `env check` runs without it

    for item in installed:
        if item.file is not sf:
            continue
        call = item.call
        if call.subcommand != "sync" and call.targets:
            return True
        for other in installed:
            if other.call is call and other is not item and (
                    other.file is None or not requirements_is_lock(project, other.file)):
                return True
    return False

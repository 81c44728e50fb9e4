"""An ignore file beside a Dockerfile that is built from another context: no build reads it."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dockyard.analysis.build_contexts import contexts_of_dockerfile, ignore_file
from dockyard.model import Problem
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.dockerignore._ci import ci_confirms, unread_by_builds
from dockyard.source import FileKind


@rule(
    code="DI005", name="dockerignore-unused", scope=Scope.DOCKERIGNORE, severity="info",
    summary="A .dockerignore beside a Dockerfile is read by the builds of that Dockerfile",
    why="BuildKit reads the ignore file at the root of the build context (or `<Dockerfile>.dockerignore`), not the "
        "one beside the Dockerfile. When compose builds `backend/Dockerfile` from the project root, "
        "`backend/.dockerignore` excludes nothing: whoever edits it believes it keeps files out of the image.",
    standard=("DI-ENTRIES",), section=".dockerignore File",
    example={"compose.yaml": "services:\n  api:\n    build:\n      context: .\n      dockerfile: backend/Dockerfile\n",
             "backend/Dockerfile": "FROM python:3.12-slim\nCOPY backend/app /app\n",
             "backend/.dockerignore": "**/__pycache__\n", ".dockerignore": ".git\n"},
    use_instead={"compose.yaml": "services:\n  api:\n    build:\n      context: .\n      dockerfile: backend/Dockerfile\n",
                 "backend/Dockerfile": "FROM python:3.12-slim\nCOPY backend/app /app\n",
                 ".dockerignore": ".git\n**/__pycache__\n"},
    notes="Reported only for an ignore file that lies beside a Dockerfile every known build of which (its compose "
          "services; or, when no compose file builds it, the CI builds that name it, also through a link such as a "
          "root `Dockerfile` to `docker/Dockerfile`) uses another context, the case where the file looks as if it "
          "applied. An ignore file with no "
          "Dockerfile beside it that no known build reads (a root `.dockerignore` when every context is a "
          "sub-folder) is not reported: a build dockyard does not see (a CI `docker build -f sub/Dockerfile .`) may "
          "read it. Neither file is judged by DI002/DI003. A context dockyard only assumes (nothing names the "
          "Dockerfile's; a link to it elsewhere is taken to be built from its own folder) is no known build: the "
          "file beside such a Dockerfile is not said unused.",
)
def unused(ctx: Context) -> Iterator[Problem]:
    if ctx.project.explicit_files or ctx.file is None:
        return  # the builds around a named file are not looked at
    if posixpath.basename(ctx.file.path) != ".dockerignore":
        return
    project = ctx.project
    folder = posixpath.dirname(ctx.file.path)
    if ctx.role is not None:
        found = unread_by_builds(project, ctx.file.path)
        if found is not None:  # only the guess for a Dockerfile CI builds from another context reads it
            c, builds = found
            context, workflow = builds[0]
            target = posixpath.join(context, ".dockerignore") if context else ".dockerignore"
            reads = project.file(c.dockerfile + ".dockerignore") or project.file(target)
            yield _unused(folder, c.dockerfile, context, workflow, reads, target)
        return  # a build reads it
    for sf in project.files_of(FileKind.DOCKERFILE):
        if posixpath.dirname(sf.path) != folder:
            continue
        for c in contexts_of_dockerfile(project, sf.path):
            if c.dir == folder:
                continue  # built from this folder
            origin = ci_confirms(project, c) if c.guessed else c.origin
            if origin is None:
                continue  # another folder is only assumed, and no CI build says so
            yield _unused(folder, sf.path, c.dir, origin, ignore_file(project, c), c.rel(".dockerignore"))
            return


def _unused(folder: str, dockerfile: str, context: str, origin: str, reads, target: str) -> Problem:
    """The finding for the ignore file in ``folder``, beside ``dockerfile``, which ``origin`` builds from
    ``context`` instead, reading the ignore file ``reads`` (or none: ``target`` is where it belongs)."""
    where = f"`{context}/`" if context else "the project root"
    prefix = posixpath.relpath(folder or ".", context or ".")
    relative = "relative to that context" + (f" (`{prefix}/...`)" if not prefix.startswith("..") else "")
    advice = (f"which reads `{reads.path}`: move the entries the build needs there, {relative}, and delete "
              "this file" if reads is not None else
              f"which has no ignore file: move this one to `{target}`, with its entries {relative}")
    return Problem(f"no build reads this file: `{dockerfile}` is built with {where} as its context (`{origin}`), "
                   f"{advice}")

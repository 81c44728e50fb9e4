"""An ignore file beside a Dockerfile that is built from another context: no build reads it."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dockyard.analysis.build_contexts import contexts_of_dockerfile, ignore_file
from dockyard.model import Problem
from dockyard.rules.base import Context, Scope, rule
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
          "services) uses another context, the case where the file looks as if it applied. An ignore file with no "
          "Dockerfile beside it that no known build reads (a root `.dockerignore` when every context is a "
          "sub-folder) is not reported: a build dockyard does not see (a CI `docker build -f sub/Dockerfile .`) may "
          "read it. Neither file is judged by DI002/DI003. A context dockyard only assumes (nothing names the "
          "Dockerfile's; a link to it elsewhere is taken to be built from its own folder) is no known build: the "
          "file beside such a Dockerfile is not said unused.",
)
def unused(ctx: Context) -> Iterator[Problem]:
    if ctx.role is not None or ctx.project.explicit_files or ctx.file is None:
        return  # a build reads it, or the builds around a named file are not looked at
    if posixpath.basename(ctx.file.path) != ".dockerignore":
        return
    project = ctx.project
    folder = posixpath.dirname(ctx.file.path)
    for sf in project.files_of(FileKind.DOCKERFILE):
        if posixpath.dirname(sf.path) != folder:
            continue
        for c in contexts_of_dockerfile(project, sf.path):
            if c.dir == folder or c.guessed:
                continue  # built from this folder, or from one that is only assumed
            reads = ignore_file(project, c)
            where = f"`{c.dir}/`" if c.dir else "the project root"
            prefix = posixpath.relpath(folder or ".", c.dir or ".")
            relative = "relative to that context" + (f" (`{prefix}/...`)" if not prefix.startswith("..") else "")
            advice = (f"which reads `{reads.path}`: move the entries the build needs there, {relative}, and delete "
                      "this file" if reads is not None else
                      f"which has no ignore file: move this one to `{c.rel('.dockerignore')}`, with its entries "
                      f"{relative}")
            yield Problem(f"no build reads this file: `{sf.path}` is built with {where} as its context "
                          f"(`{c.origin}`), {advice}")
            return

"""The contexts CI builds a Dockerfile from, for the ignore-file rules: a Dockerfile no compose file builds is
taken to be built from its own folder, unless every CI build of it names another context."""

from __future__ import annotations

import posixpath

from dockyard.analysis.build_contexts import BuildContext, build_contexts, ignore_file
from dockyard.source import FileKind


def ci_builds_elsewhere(project, context: BuildContext) -> list[tuple[str, str]]:
    """(context folder, workflow) of each CI build of ``context``'s Dockerfile, when ``context`` is only the guess
    for a Dockerfile no compose file builds (its own folder) and every CI build of it uses another, readable,
    context; [] otherwise (the guess stands: no CI build, or one from that folder or from a context that cannot be
    read)."""
    if context.dockerfile is None or context.origin != context.dockerfile:
        return []  # compose names this context: a known build reads it
    if not project.files_of(FileKind.WORKFLOW) and not project.files_of(FileKind.GITLAB_CI):
        return []
    from dockyard.analysis.ci_pipeline import builds_of, real_path  # lazy: a check without CI runs without it

    builds = builds_of(project, context.dockerfile)
    if not builds or any(image.context is None for _, image in builds):
        return []
    here = real_path(project, context.dir or ".")
    used = [(image.context, b.path) for b, image in builds]
    if any(real_path(project, folder or ".") == here for folder, _ in used):
        return []
    return list(dict.fromkeys(used))


def unread_by_builds(project, path: str) -> tuple[BuildContext, list[tuple[str, str]]] | None:
    """For the `.dockerignore` at ``path``: the guessed context that alone would read it and the CI builds that
    use other contexts instead (see :func:`ci_builds_elsewhere`); None when a build reads it."""
    if posixpath.basename(path) != ".dockerignore":
        return None  # a `<Dockerfile>.dockerignore` is read by every build of its Dockerfile
    readers = [c for c in build_contexts(project) if (sf := ignore_file(project, c)) is not None and sf.path == path]
    if not readers:
        return None
    found = [(c, ci_builds_elsewhere(project, c)) for c in readers]
    if any(not builds for _, builds in found):
        return None
    return found[0]


def ci_confirms(project, context: BuildContext) -> str | None:
    """The workflow of a CI build of ``context``'s Dockerfile, when ``context`` is only assumed (nothing names the
    Dockerfile's context; a link to it is taken to be built from its own folder) and every CI build of the
    Dockerfile uses that very folder: the assumption is then a known build. None otherwise."""
    if context.dockerfile is None or not (project.files_of(FileKind.WORKFLOW) or project.files_of(FileKind.GITLAB_CI)):
        return None
    from dockyard.analysis.ci_pipeline import builds_of, real_path  # lazy: a check without CI runs without it

    builds = builds_of(project, context.dockerfile)
    here = real_path(project, context.dir or ".")
    if not builds or any(image.context is None or real_path(project, image.context or ".") != here
                         for _, image in builds):
        return None
    return builds[0][0].path

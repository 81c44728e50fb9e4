"""The labels that trace an image to its version, build date and commit (DF-LABELS, CI-BUILD-ARGS), and which of
them a CI build applies to the image itself."""

from __future__ import annotations

from dockyard.regex import lazy_compile
from dockyard.source import FileKind

# label -> (build argument, accepted OCI equivalent)
LABELS = {
    "version": ("BUILD_VERSION", "org.opencontainers.image.version"),
    "build-date": ("BUILD_DATE", "org.opencontainers.image.created"),
    "git-commit": ("GIT_COMMIT", "org.opencontainers.image.revision"),
}
_BY_KEY = {key: label for label, (_, oci) in LABELS.items() for key in (label, oci)}
_OUTPUT_LABELS = lazy_compile(r"steps\.([A-Za-z_][A-Za-z0-9_-]*)\.outputs\.labels\b")


def stamped_by_build(project, build, image) -> set[str]:
    """Which of the labels (`version`, `build-date`, `git-commit`) a CI build applies to its image itself: a label
    of the standard's or the OCI key with a value (`--label`, `labels:`, compose `build.labels`), or the `labels`
    output of a `docker/metadata-action` step of the build's job, which always holds
    `org.opencontainers.image.version`, `.created` and `.revision`. Docker sets a build's labels on the image as
    a LABEL of the final stage would (over one of the same key)."""
    from dockyard.analysis.ci_pipeline import pipeline  # lazy: a check of a lone Dockerfile runs without it

    found: set[str] = set()
    for entry in image.labels:
        m = _OUTPUT_LABELS.search(entry)
        if m is not None:
            if any(step.id == m.group(1) and step.path == build.path and step.job == build.job
                   for step, _ in pipeline(project).metadata_tags):
                found.update(LABELS)
            continue
        key, eq, value = entry.strip().strip("'\"").partition("=")
        label = _BY_KEY.get(key.strip())
        if label is not None and eq and value.strip().strip("'\""):
            found.add(label)
    return found


def stamped_by_ci(project, path: str) -> set[str]:
    """The labels every published CI build of the Dockerfile at ``path`` applies itself (see
    :func:`stamped_by_build`); none when CI publishes no build of it, or one whose arguments cannot be read."""
    if not project.files_of(FileKind.WORKFLOW) and not project.files_of(FileKind.GITLAB_CI):
        return set()  # no CI configuration: nothing builds the image there
    from dockyard.analysis.ci_pipeline import builds_of, pipeline  # lazy: a check of a lone Dockerfile runs without it

    pl = pipeline(project)
    builds = [(b, image) for b, image in builds_of(project, path) if pl.publishes(b)]
    if not builds or any(b.opaque for b, _ in builds):
        return set()
    return set.intersection(*(stamped_by_build(project, b, image) for b, image in builds))

"""Compose files: discovery of environments, loading as docker compose loads, merged views, validation.

A tree without compose files and without configured environments has no environment: the two functions here say
so without importing the compose stack (its loader's model, YAML positions), which a check of such a tree never
needs. Otherwise they are :mod:`dockyard.compose.context`'s.
"""

from __future__ import annotations

import posixpath

from dockyard.source import FileKind


# what docker compose's CLI sets in the environment it interpolates from when the shell does not (docker/compose
# v2.40.3 `toProjectOptions`: `PWD`, the working directory; see dockyard.compose.loader.command_environment):
# never unset when compose runs
CLI_VARIABLES = frozenset({"PWD"})


def _without_environments(project) -> bool:
    return not project.files_of(FileKind.COMPOSE) and not getattr(project.config, "environments", None)


def project_environments(project) -> list:
    """The project's environments (:func:`dockyard.compose.context.project_environments`)."""
    if _without_environments(project):
        return []
    from dockyard.compose.context import project_environments as environments  # lazy: see the module's documentation

    return environments(project)


def environment_views(project) -> list:
    """Every environment's merged view (:func:`dockyard.compose.context.environment_views`)."""
    if _without_environments(project):
        return []
    from dockyard.compose.context import environment_views as views  # lazy: see the module's documentation

    return views(project)


def relative(project, path) -> str | None:
    """``path`` (a :class:`pathlib.Path`) relative to the project's root, normalised; None outside it or for None."""
    if path is None:
        return None
    try:
        return posixpath.normpath(path.relative_to(project.root).as_posix())
    except ValueError:
        return None

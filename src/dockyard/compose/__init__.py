"""Compose files: discovery of environments, loading as docker compose loads, merged views, validation."""

from __future__ import annotations

from dockyard.source import FileKind


def environment_views(project) -> list:
    """Every environment's merged view (:func:`dockyard.compose.context.environment_views`). A tree without
    compose files and without configured environments has none, and the compose stack is not even imported."""
    if not project.files_of(FileKind.COMPOSE) and not getattr(project.config, "environments", None):
        return []
    from dockyard.compose.context import environment_views as views  # lazy: a tree without compose files never needs it

    return views(project)

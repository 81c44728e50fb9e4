"""The loaded compose project: the merged, interpolated, normalised model plus where each piece came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dockyard.model import Position


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """An error (or warning) met while loading: the file, a position in it, compose's message."""

    message: str
    file: Path | None = None
    position: Position = field(default_factory=Position.whole_file)
    severity: str = "error"  # error | warning
    kind: str = "load"  # yaml | interpolation | env-file | extends | include | load


@dataclass(slots=True)
class Project:
    name: str
    working_dir: Path
    files: tuple[Path, ...]
    env_files: tuple[Path, ...]
    environment: dict[str, str]  # the interpolation environment (shell wins over env files)
    model: dict[str, Any]  # what ``docker compose config`` prints (unescaped: ``$`` not doubled)
    problems: list[LoadProblem] = field(default_factory=list)
    origins: dict[tuple, tuple[Path, Position]] = field(default_factory=dict)
    profiles: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    @property
    def errors(self) -> list[LoadProblem]:
        return [p for p in self.problems if p.severity == "error"]

    def origin(self, path: tuple) -> tuple[Path, Position] | None:
        """Which file and position defined ``path`` (e.g. ``("services", "app", "ports")``); the longest
        recorded prefix of ``path`` when the exact path was produced by normalisation."""
        path = tuple(path)
        while path:
            hit = self.origins.get(path)
            if hit is not None:
                return hit
            path = path[:-1]
        return None

    @property
    def services(self) -> dict[str, Any]:
        return self.model.get("services") or {}

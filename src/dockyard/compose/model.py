"""The loaded compose project: the merged, interpolated, normalised model plus where each piece came from."""

from __future__ import annotations

from pathlib import Path

from dockyard import TYPE_CHECKING
from dockyard.model import Position
from dockyard.records import field, record

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any


@record(frozen=True, slots=True)
class LoadProblem:
    """An error (or warning) met while loading: the file, a position in it, compose's message."""

    message: str
    file: Path | None = None
    position: Position = field(default_factory=Position.whole_file)
    severity: str = "error"  # error | warning
    kind: str = "load"  # yaml | interpolation | budget | cycle | env-file | extends | include | load
    # the message without the text of the file it quotes (an env file's line, an invalid template): what
    # dockyard prints (``message`` is compose's own text)
    redacted: str | None = None

    @property
    def safe_message(self) -> str:
        return self.message if self.redacted is None else self.redacted


@record(slots=True)
class ComposeProject:
    """A compose project as ``docker compose`` loads it from its files (not the checked tree, which is
    :class:`dockyard.project.Project`)."""

    name: str
    working_dir: Path
    files: tuple[Path, ...]
    env_files: tuple[Path, ...]
    environment: dict[str, str]  # the interpolation environment (shell wins over env files)
    model: dict[str, Any]  # what ``docker compose config`` prints (unescaped: ``$`` not doubled)
    problems: list[LoadProblem] = field(default_factory=list)
    origins: dict[tuple, tuple[Path, Position]] = field(default_factory=dict)
    profiles: tuple[str, ...] = ()
    # with ``load_project(track=True)``: the merged, interpolated model before normalisation (values as
    # written: port and command strings, relative paths), made of TrackedMap/TrackedSeq whose entries know
    # their Origin; and every ``${...}`` that did not resolve, located in its file
    raw_model: Any = None
    issues: list[InterpolationIssue] = field(default_factory=list)

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


@record(frozen=True, slots=True)
class Origin:
    """Where a value of a merged model was written.

    ``path``: the file (as the loader's ``label`` names it); ``key``: the position of the mapping key (for a
    list item, of the item); ``value``: the position of the value; ``raw``: the value as written, before
    interpolation (plain ``dict``/``list``/scalars), e.g. ``"${API_PORT:-8000}:8000"``.
    """

    path: str
    key: Position
    value: Position
    raw: Any = None


@record(frozen=True, slots=True)
class InterpolationIssue:
    """A ``${...}`` compose would not resolve.

    ``kind``: ``"required"`` (a ``?``/``:?`` variable is missing; compose refuses to start), ``"unset"``
    (a variable with neither value nor default; compose substitutes an empty string with a warning) or
    ``"invalid"`` (a malformed template). ``variable`` is the name (None for ``invalid``); ``message`` is
    compose's own text (no secret values); ``path``/``position`` locate the ``${...}`` in its file.
    """

    kind: str
    variable: str | None
    message: str
    path: str
    position: Position


def locate(sf: Any, vpos: Position, template: str, start: int, end: int) -> Position:
    """The position of ``template[start:end]`` inside the scalar written at ``vpos`` in ``sf`` (a SourceFile).

    Finds the same text in the scalar's source (so quotes, folding and block scalars are handled); falls
    back to ``vpos`` when the text cannot be found (escapes inside double quotes).
    """
    text = sf.text or ""
    if vpos.line < 1:
        return vpos
    a = sf.offset(vpos.line, vpos.column)
    b = sf.offset(vpos.end_line, vpos.end_column) if vpos.end_line >= vpos.line else len(text)
    raw = text[a:max(b, a)]
    needle = template[start:end]
    if not needle:
        return vpos
    nth = template.count(needle, 0, start)
    i = -1
    for _ in range(nth + 1):
        i = raw.find(needle, i + 1)
        if i < 0:
            return vpos
    return sf.span(a + i, a + i + len(needle))

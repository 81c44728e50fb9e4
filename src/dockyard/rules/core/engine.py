"""Findings about dockyard's own inputs: suppressions, unreadable files, rule failures."""

from __future__ import annotations

from typing import Iterator

from dockyard.model import Problem
from dockyard.rules.base import Context, Scope, rule


def _engine_reported(ctx: Context) -> Iterator[Problem]:
    """These findings are produced by the engine itself (see dockyard.engine); the rule carries their docs."""
    return iter(())


rule(
    code="DY001",
    name="unused-suppression",
    scope=Scope.PROJECT,
    severity="warning",
    summary="A `# dockyard: ignore[...]` pragma suppresses nothing",
    why="A stale suppression hides the next real problem on that line and misleads readers about what is "
    "being tolerated. Remove it once the finding it was written for is fixed.",
    standard=(),
    section="",
    example={"Makefile": "# dockyard: ignore[DY003]\nall:\n\t@true\n"},
    use_instead={"Makefile": "all:\n\t@true\n"},
)(_engine_reported)

rule(
    code="DY002",
    name="internal-error",
    scope=Scope.PROJECT,
    summary="A rule failed on this input; the other rules still ran",
    why="dockyard never lets one broken check hide the others. This finding names the rule that failed so the "
    "failure can be reported; the input itself may be fine.",
    standard=(),
    section="",
    example={},
    use_instead={},
    notes="Not triggered by any input on purpose: it reports a defect in dockyard.",
)(_engine_reported)

rule(
    code="DY003",
    name="unreadable-file",
    scope=Scope.PROJECT,
    summary="A file dockyard should check cannot be read",
    why="Binary, non-UTF-8, oversized, unreadable files and symbolic links that are broken, loop or leave the "
    "checked tree cannot be judged; reporting them keeps a check from passing by silently skipping them.",
    standard=(),
    section="",
    example={"Makefile": "\x00\x01\x02"},
    use_instead={"Makefile": "all:\n\t@true\n"},
)(_engine_reported)

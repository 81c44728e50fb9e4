"""Memo tables for what is computed once per parsed object (an instruction's shell script, a stage's ENV history).

A table is keyed by the object's ``id`` and keeps the object itself beside the value, so an id cannot be reused
while its entry lives. What a table holds keeps the parsed files of the project being checked alive: the engine
empties every table when a project's rules have run (:func:`release`), so a run over many trees holds one tree's
files at a time, not every tree it has seen. The bound is a backstop for callers that never release (a rule's
``check`` called directly).
"""

from __future__ import annotations

from collections.abc import Callable

from dockyard import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

LIMIT = 65536  # above any Dockerfile's instruction count: a table that clears itself recomputes everything
_TABLES: list[dict] = []


def table() -> dict:
    """A new memo table, emptied by :func:`release`."""
    new: dict = {}
    _TABLES.append(new)
    return new


def remembered(memo: dict, key_obj: object, compute: Callable[[], Any]) -> Any:
    """``compute()``, once per ``key_obj`` (by identity) while ``memo`` holds it."""
    hit = memo.get(id(key_obj))
    if hit is not None and hit[0] is key_obj:
        return hit[1]
    value = compute()
    if len(memo) >= LIMIT:
        memo.clear()
    memo[id(key_obj)] = (key_obj, value)
    return value


def release() -> None:
    """Empty every memo table: the objects they were computed from are no longer checked."""
    for memo in _TABLES:
        memo.clear()

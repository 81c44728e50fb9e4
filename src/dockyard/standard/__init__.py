"""The standard dockyard enforces, shipped inside the package.

``docker-fastapi-standard.md`` (the standard) and ``checklist.md`` (its practices split into items with stable
IDs, each with a level and the standard's section it comes from) are package data, read with
:mod:`importlib.resources`: an installed dockyard needs nothing outside itself to cite them.

* :func:`standard_text` / :func:`checklist_text`: the two documents;
* :func:`checklist_items`: every item as an :class:`Item` (``id``, ``level`` ``REQ``/``REC``/``BEY``,
  ``section``, ``text``), in checklist order;
* :func:`item`: one item by ID.
"""

from __future__ import annotations

import functools
from importlib import resources

from dockyard.records import record
from dockyard.regex import lazy_compile

__all__ = ["Item", "LEVELS", "checklist_items", "checklist_text", "item", "standard_text"]

STANDARD_FILE = "docker-fastapi-standard.md"
CHECKLIST_FILE = "checklist.md"
# the checklist's levels, in the order a team adopts them
LEVELS = {"REQ": "required", "REC": "recommended", "BEY": "beyond the standard"}

_ROW = lazy_compile(r"^\| ([A-Z]{2}-[A-Z0-9-]+) \| (REQ|REC|BEY) \| (.+?) \| (.+?) \|$")


@record(frozen=True)
class Item:
    """One checklist row: ``id`` (e.g. ``DF-BASE-TAG``), ``level`` (``REQ``, ``REC`` or ``BEY``), ``section``
    (the standard's section(s) it comes from, as the checklist names them) and ``text`` (what must hold)."""

    id: str
    level: str
    section: str
    text: str


def _read(name: str) -> str:
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def standard_text() -> str:
    """The standard, ``docker-fastapi-standard.md``."""
    return _read(STANDARD_FILE)


def checklist_text() -> str:
    """The checklist, ``checklist.md``."""
    return _read(CHECKLIST_FILE)


@functools.cache
def _items() -> tuple[Item, ...]:
    return tuple(Item(*m.groups()) for line in checklist_text().splitlines() if (m := _ROW.match(line)))


def checklist_items() -> list[Item]:
    """Every item of the checklist, in its order."""
    return list(_items())


def item(item_id: str) -> Item | None:
    """The checklist item with this ID, or None."""
    return next((i for i in _items() if i.id == item_id), None)

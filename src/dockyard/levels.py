"""Checklist levels: each rule is as strict as the strictest checklist item it enforces.

The standard's checklist marks every item **REQ** (required), **REC** (recommended) or **BEY** (beyond the
standard). ``--level required|recommended|all`` (and ``level = ...`` in the configuration) keeps the rules of
those levels, so a team can enforce the required items first. Rules that name no checklist item (``DY*``: unused
suppressions, unreadable files, internal errors) are about the run itself and are kept at every level.
"""

from __future__ import annotations

from functools import cache
from dockyard import standard
from dockyard.model import UsageError
from dockyard.records import record
from dockyard.regex import lazy_compile

ORDER = ("REQ", "REC", "BEY")  # strictest first
# what each --level keeps
SELECTIONS: dict[str, tuple[str, ...]] = {"required": ("REQ",), "recommended": ("REQ", "REC"), "all": ORDER}

_HEADING = lazy_compile(r"^## (?P<title>.+?)(?: \([A-Z]{2}\))?\s*$")
_ROW = lazy_compile(r"^\| (?P<id>[A-Z]{2}-[A-Z0-9-]+) \| (?P<level>REQ|REC|BEY) \| (?P<standard>[^|]*)\|")


@record(frozen=True)
class ChecklistItem:
    id: str
    level: str  # REQ, REC or BEY
    section: str  # the checklist's section, e.g. "Dockerfile", "Compose"


def parse_checklist(text: str) -> dict[str, ChecklistItem]:
    items: dict[str, ChecklistItem] = {}
    section = ""
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            section = heading["title"]
            continue
        row = _ROW.match(line)
        if row:
            items[row["id"]] = ChecklistItem(row["id"], row["level"], section)
    return items


@cache
def checklist() -> dict[str, ChecklistItem]:
    """The packaged checklist's items by ID, each with its level and the checklist heading it sits under."""
    return parse_checklist(standard.checklist_text())


def rule_level(rule) -> str | None:
    """The strictest level (REQ > REC > BEY) among the checklist items ``rule`` names; None when it names none."""
    return items_level(rule.standard)


def items_level(standard) -> str | None:
    """The strictest level among checklist item IDs ``standard`` (a rule's or a finding's); None for none."""
    items = checklist()
    levels = [items[i].level for i in standard if i in items]
    return min(levels, key=ORDER.index) if levels else None


def items_section(standard) -> str | None:
    """The checklist section of the first of ``standard`` (a rule's main item); None when there is none."""
    items = checklist()
    for i in standard:
        if i in items:
            return items[i].section
    return None


def codes_outside(level: str, rules) -> list[str]:
    """The codes of ``rules`` that ``--level level`` leaves out."""
    if level not in SELECTIONS:
        raise UsageError(f"unknown level {level!r} (expected one of: {', '.join(SELECTIONS)})")
    kept = SELECTIONS[level]
    return [r.code for r in rules if (lv := rule_level(r)) is not None and lv not in kept]

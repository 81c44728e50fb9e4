"""Makefile rules (targets) with positions: enough of GNU make's grammar to know which targets exist.

A target is declared by a rule line ``targets: prerequisites`` outside recipes (recipe lines start with a
tab, or with ``.RECIPEPREFIX``), outside comments and ``define`` blocks, and not by a variable assignment
(``=``, ``:=``, ``::=``, ``?=``, ``+=``, ``!=``). Backslash continuations are joined. Written here because no
maintained Python package parses Makefiles; GNU make itself would execute ``$(shell ...)``.
"""

from __future__ import annotations


from dockyard.records import field, record
from dockyard.regex import lazy_compile

_ASSIGN = lazy_compile(r"^\s*(?:export\s+|override\s+)?[^:#=\s]+\s*(?::{1,3}=|\?=|\+=|!=|=)")


@record(frozen=True, slots=True)
class Target:
    name: str
    line: int
    column: int
    recipe: tuple[str, ...]
    prerequisites: tuple[str, ...]


@record
class Makefile:
    targets: dict[str, Target] = field(default_factory=dict)
    phony: set[str] = field(default_factory=set)


def parse_makefile(text: str) -> Makefile:
    mk = Makefile()
    lines = text.splitlines()
    i, n = 0, len(lines)
    in_define = False
    current: list[Target] = []
    recipes: dict[str, list[str]] = {}
    while i < n:
        raw = lines[i]
        lineno = i + 1
        # join continuations
        while raw.endswith("\\") and i + 1 < n:
            i += 1
            raw = raw[:-1] + " " + lines[i].lstrip()
        i += 1
        stripped = raw.strip()
        if in_define:
            if stripped.startswith("endef"):
                in_define = False
            continue
        if raw.startswith("\t"):
            for t in current:
                recipes[t.name].append(raw[1:])
            continue
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("define ") or stripped == "define":
            in_define = True
            current = []
            continue
        if _ASSIGN.match(raw):
            current = []
            continue
        code = raw.split("#", 1)[0]
        if ":" not in code:
            current = []
            continue
        head, _, rest = code.partition(":")
        rest = rest.lstrip(":")
        if rest.lstrip().startswith("="):
            current = []
            continue
        recipe_inline = None
        if ";" in rest:
            rest, recipe_inline = rest.split(";", 1)
        names = head.split()
        prereqs = tuple(rest.split())
        current = []
        for name in names:
            if "%" in name or "$" in name:
                continue
            if name == ".PHONY":
                mk.phony.update(prereqs)
                continue
            if name.startswith(".") and name.isupper():
                continue
            col = raw.find(name) + 1
            target = Target(name, lineno, col, (), prereqs)
            if name not in mk.targets:
                mk.targets[name] = target
                recipes[name] = []
            current.append(mk.targets[name])
            if recipe_inline is not None:
                recipes[name].append(recipe_inline.strip())
    for name, t in list(mk.targets.items()):
        mk.targets[name] = Target(t.name, t.line, t.column, tuple(recipes.get(name, ())), t.prerequisites)
    return mk

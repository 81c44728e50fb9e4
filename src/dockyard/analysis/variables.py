"""What an environment's compose files ask of its variables: every ``${...}`` they interpolate, and the ones an
env file leaves unresolved, as compose would evaluate them.

The env rules (EN005, EN011) and the compose interpolation rules (CO005) read the same answer.
"""

from __future__ import annotations

from dockyard.compose import CLI_VARIABLES
from dockyard.model import Position
from dockyard.parsers.interpolation import scan
from dockyard.parsers.yamlpos import YMap, YSeq
from dockyard.records import record, replace

@record(frozen=True)
class Need:
    """A variable compose needs from the env file: ``kind`` is ``required`` (``${X:?}``/``${X?}``, compose
    refuses to start), ``non-empty`` (``${X:?}`` with the key present but empty) or ``unset`` (``${X}`` with
    no default: compose substitutes an empty string)."""

    name: str
    kind: str
    path: str
    line: int
    column: int
    form: str  # the reference's shape without its argument, e.g. "${X:?...}"
    also: tuple[str, ...] = ()  # the other places (``file:line``) that need the variable, in file order


def compose_strings(documents, files) -> "list[tuple[str, str, Position]]":
    """(compose file path, string value, position of the value) for every string value of the documents."""
    out: list[tuple[str, str, Position]] = []

    def walk(node, path: str, pos: Position, depth: int) -> None:  # iterative: no closure calling itself (a cycle)
        stack = [(node, pos, depth)]
        while stack:
            node, pos, depth = stack.pop()
            if depth > 100:
                continue
            if isinstance(node, YMap):
                stack.extend(reversed([(v, node.value_pos(k) or pos, depth + 1) for k, v in node.items()]))
            elif isinstance(node, (YSeq, list)):
                stack.extend(reversed([(v, (node.item_pos(i) if isinstance(node, YSeq) else None) or pos, depth + 1)
                                       for i, v in enumerate(node)]))
            elif isinstance(node, str) and "$" in node:
                out.append((path, node, pos))

    for sf, doc in zip(files, documents):
        if doc is None:
            continue
        roots = getattr(doc, "documents", ()) or (getattr(doc, "root", None),)
        positions = getattr(doc, "positions", ()) or (getattr(doc, "root_pos", Position()),)
        for root, pos in zip(roots, positions):  # every document of the file: compose reads them all
            if root is not None:
                walk(root, sf.path, pos, 0)
    return out


def _form(ref) -> str:
    if not ref.braced:
        return f"${ref.name}"
    if not ref.operator:
        return "${" + ref.name + "}"
    return "${" + ref.name + ref.operator + "...}"


def needs_of(template: str, variables: dict) -> "list[tuple[object, str]]":
    """The references of ``template`` that ``variables`` leaves unresolved, as compose would evaluate them:
    ``(VarRef, kind)``. Arguments are evaluated eagerly (a required reference anywhere counts); a bare
    reference inside a default or replacement counts only when that branch is taken."""
    refs = sorted(scan(template).refs, key=lambda r: (r.start, r.depth))
    found: list[tuple[object, str]] = []
    for ref in refs:
        if ref.depth == 0:
            _visit_reference(ref, True, refs, variables, found)
    return found


def _visit_reference(ref, branch_taken: bool, refs: list, variables: dict, found: list) -> None:
    """:func:`needs_of` for ``ref`` and the references nested in it (module-level, not a closure that calls itself:
    such a closure is a reference cycle, freed only by a full garbage collection)."""
    value = variables.get(ref.name)
    op = ref.operator
    if op in (":?", "?"):
        if value is None:
            found.append((ref, "required"))
        elif op == ":?" and value == "":
            found.append((ref, "non-empty"))
    elif op == "" and branch_taken and value is None:
        found.append((ref, "unset"))
    if op == ":-":
        used = not value
    elif op == "-":
        used = value is None
    elif op == ":+":
        used = bool(value)
    elif op == "+":
        used = value is not None
    else:
        used = False
    for child in [r for r in refs if r.depth == ref.depth + 1 and ref.start < r.start < ref.end]:
        _visit_reference(child, branch_taken and used, refs, variables, found)


def listed(places) -> str:
    """``a:1, a:5 and b:2``: at most three places, then how many more."""
    places = list(places)
    if len(places) > 3:
        return f"{', '.join(places[:3])} and {len(places) - 3} more"
    return places[0] if len(places) == 1 else f"{', '.join(places[:-1])} and {places[-1]}"


def environment_needs(view, variables: dict) -> list[Need]:
    """Every variable the environment's compose files need and ``variables`` does not provide, first use first."""
    needs: dict[tuple[str, str], Need] = {}
    places: dict[str, list[str]] = {}
    for path, text, pos in compose_strings(view.documents, view.compose_files):
        for ref, kind in needs_of(text, variables):
            if ref.name in CLI_VARIABLES:
                continue  # docker compose sets it
            key = (ref.name, kind)
            if key not in needs:
                needs[key] = Need(ref.name, kind, path, pos.line, pos.column, _form(ref))
            where = places.setdefault(ref.name, [])
            if f"{path}:{pos.line}" not in where:
                where.append(f"{path}:{pos.line}")
    order = {"required": 0, "non-empty": 1, "unset": 2}
    best: dict[str, Need] = {}
    for need in needs.values():
        if need.name not in best or order[need.kind] < order[best[need.name].kind]:
            best[need.name] = need
    return [replace(need, also=tuple(p for p in places[need.name] if p != f"{need.path}:{need.line}"))
            for need in best.values()]


def referenced_variables(view) -> set[str]:
    """Every variable the environment's compose files interpolate (with a default or without)."""
    return {ref.name for _, text, _ in compose_strings(view.documents, view.compose_files) for ref in scan(text).refs}

"""Compose variable interpolation, ported from compose-go's ``template`` package (v2.9.1,
Apache License 2.0; see THIRD_PARTY_NOTICES.md).

The semantics are those of ``docker compose config`` exactly, including its quirks:

* ``$$`` is an escaped ``$``; a ``$`` followed by anything that is not a name, ``{`` or ``$`` stays literal.
* ``$NAME`` / ``${NAME}`` (names ``[_a-zA-Z][_a-zA-Z0-9]*``); unset substitutes an empty string.
* ``${NAME:-d}`` (unset or empty), ``${NAME-d}`` (unset), ``${NAME:?e}`` / ``${NAME?e}`` (required),
  ``${NAME:+r}`` (set and non-empty), ``${NAME+r}`` (set).  Arguments are themselves templates
  (nesting, e.g. ``${A:-${B}/api}``) and are resolved eagerly: an error in an unused argument is an error.
* The braced form with an operator matches greedily up to the *last* ``}`` on the line, then is split at
  the first balanced ``}``; the remainder is interpolated recursively.  This is how compose-go does it and
  it is observable (``${A:-{x}`` is valid; ``${A:-x}}`` yields the value followed by ``}``).
* ``${`` not followed by a valid braced expression is an error (``Invalid template``).

API
---
``substitute(template, lookup, budget=None) -> str`` raises :class:`InterpolationError` (first error, as compose
reports). ``lookup(name)`` returns the value or ``None`` when unset (unset and empty differ).

Interpolation is bounded as YAML alias expansion is (:mod:`dockyard.parsers.yamlpos`): a file whose values copy
each other (``V2=${V1}${V1}``, ``V3=${V2}${V2}``...) doubles at each line and would take gigabytes by the
thirtieth. A :class:`Budget` shared by every value of one file counts the characters interpolation produces;
past :data:`MAX_INTERPOLATED` the value being built is abandoned with an ``InterpolationError`` of kind
``"budget"``, which callers report as a parse error of the file at that value.

``scan(template) -> Scan(refs, errors)`` never raises: every variable reference (nested ones included) as a
:class:`VarRef` with offsets into ``template``, plus :class:`TemplateProblem` entries for malformed pieces.
``references(template)`` is ``scan(template).refs``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dockyard.records import record

Lookup = Callable[[str], str | None]

_PATTERN = re.compile(
    r"\$(?i:(?P<escaped>\$)|(?P<named>[_a-z][_a-z0-9]*)|\{(?:(?P<braced>[_a-z][_a-z0-9]*(?::?[-+?](.*))?)\}|(?P<invalid>)))"
)

# Characters interpolation may produce for one file (every value together): far above any real file, far below
# what a file of values doubling line after line would take.
MAX_INTERPOLATED = 4 * 1024 * 1024

# compose-go picks the operator whose first occurrence in the matched text comes first.
_OPERATORS = (":?", "?", ":-", "-", ":+", "+")


class InterpolationError(ValueError):
    """A template compose would refuse.

    ``kind`` is ``"invalid"`` (malformed template; ``template`` is the innermost offending template),
    ``"required"`` (a ``?``/``:?`` variable is missing; ``variable`` and ``reason`` are set), or ``"budget"``
    (the file's interpolated values exceed :data:`MAX_INTERPOLATED`; dockyard's limit, not compose's).
    ``message`` is compose-go's error text.
    """

    def __init__(self, message: str, *, kind: str, template: str | None = None,
                 variable: str | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.template = template
        self.variable = variable
        self.reason = reason

    def compose_message(self, path: str) -> str:
        """The text ``docker compose`` prints for this error at config path ``path`` (dotted)."""
        if self.kind == "budget":
            return f"{path}: {self.message}" if path else self.message
        if self.kind == "invalid":
            return (f"invalid interpolation format for {path}.\n"
                    f"You may need to escape any $ with another $.\n{self.template}")
        return f"error while interpolating {path}: {self.message}"

    def safe_message(self, path: str | None = None) -> str:
        """What dockyard prints: compose's message without the template it quotes (it may hold a secret)."""
        if self.kind == "invalid":
            where = f" for {path}" if path else ""
            return f"invalid interpolation format{where}: a `${{` starts no valid `${{NAME...}}` reference; " \
                   "write a literal `$` as `$$`"
        return self.compose_message(path) if path else self.message


class Budget:
    """What interpolation may still produce for one file, in characters; one budget per file, shared by its
    values. Once spent, every further interpolation with it fails at once (``exhausted``)."""

    __slots__ = ("left", "limit")

    def __init__(self, limit: int = MAX_INTERPOLATED) -> None:
        self.left = self.limit = limit

    @property
    def exhausted(self) -> bool:
        return self.left < 0

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise budget_error(self.limit)


def budget_error(limit: int = MAX_INTERPOLATED) -> InterpolationError:
    return InterpolationError(f"interpolated values exceed {limit // (1024 * 1024)} MiB in this file (values "
                              "copying other values grow at each step)", kind="budget")


def _invalid(template: str) -> InterpolationError:
    return InterpolationError(f"Invalid template: {go_quote(template)}", kind="invalid", template=template)


def _missing(name: str, reason: str) -> InterpolationError:
    msg = f"required variable {name} is missing a value"
    if reason:
        msg += f": {reason}"
    return InterpolationError(msg, kind="required", variable=name, reason=reason)


def go_quote(s: str) -> str:
    """Go's ``%#v`` / ``strconv.Quote`` for a string (printable runes kept, others escaped)."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\a":
            out.append("\\a")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\v":
            out.append("\\v")
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        elif o >= 0x80 and not ch.isprintable():
            out.append(f"\\u{o:04x}" if o <= 0xFFFF else f"\\U{o:08x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _pick_operator(text: str) -> str:
    best, best_i = ":?", -1
    for op in _OPERATORS:
        i = text.find(op)
        if i >= 0 and (best_i < 0 or i < best_i):
            best, best_i = op, i
    return best


def _closing_brace(s: str) -> int:
    """Index of the first balanced ``}`` (compose-go's getFirstBraceClosingIndex), or -1."""
    depth = 0
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c == "}":
            depth -= 1
            if depth == 0:
                return i
        if c == "{":
            depth += 1
            i += 1
        i += 1
    return -1


def substitute(template: str, lookup: Lookup, budget: Budget | None = None) -> str:
    """Interpolate ``template``; raise :class:`InterpolationError` on the first error compose would raise, or
    (kind ``"budget"``) when what it produces overdraws ``budget``."""
    if "$" not in template:
        return template
    if budget is not None and budget.exhausted:
        raise budget_error(budget.limit)
    try:
        return _substitute(template, lookup, budget)
    except RecursionError:  # pathological nesting depth
        raise _invalid(template) from None


def _substitute(template: str, lookup: Lookup, budget: Budget | None = None) -> str:
    out: list[str] = []
    pos = 0
    for m in _PATTERN.finditer(template):
        out.append(template[pos:m.start()])
        try:
            piece = _replace(m.group(0), lookup, budget)
            if budget is not None:
                budget.spend(len(piece))  # before the pieces are joined: a bomb stops at the budget
            out.append(piece)
        except InterpolationError as err:
            if err.kind == "invalid" and err.template is None:
                err.template = template
                err.message = f"Invalid template: {go_quote(template)}"
                err.args = (err.message,)
            raise
        pos = m.end()
    out.append(template[pos:])
    return "".join(out)


def _replace(substring: str, lookup: Lookup, budget: Budget | None = None) -> str:
    op = _pick_operator(substring)
    idx = _closing_brace(substring)
    if idx >= 0:
        head, rest = substring[: idx + 1], substring[idx + 1:]
    else:
        head, rest = substring, ""
    m = _PATTERN.search(head)
    if m is None:  # cannot happen for a text the pattern matched; be defensive
        raise InterpolationError("Invalid template", kind="invalid")
    if m.group("escaped"):
        return "$"
    substitution = m.group("named")
    braced = False
    if not substitution:
        substitution = m.group("braced")
        braced = True
    if not substitution:
        raise InterpolationError("", kind="invalid")
    if braced:
        applied, value = _apply(op, substitution, lookup, budget)
        if applied:
            return value + _substitute(rest, lookup, budget) if rest else value
    value = lookup(substitution)
    return "" if value is None else value


def _apply(op: str, substitution: str, lookup: Lookup, budget: Budget | None = None) -> tuple[bool, str]:
    # compose-go v2.9 resolves the argument eagerly, before looking the variable up: an error inside an
    # unused default/message/replacement is still an error.
    if op not in substitution:
        return False, ""
    name, _, arg = substitution.partition(op)
    resolved = _substitute(arg, lookup, budget)
    value = lookup(name)
    if op in (":?", "?"):
        if value is None or (op == ":?" and value == ""):
            raise _missing(name, resolved)
        return True, value
    if op in (":-", "-"):
        if value is None or (op == ":-" and value == ""):
            return True, resolved
        return True, value
    # ":+" / "+"
    if value is not None and (op == "+" or value != ""):
        return True, resolved
    return True, "" if value is None else value


# --------------------------------------------------------------------------- scanning


@record(frozen=True, slots=True)
class VarRef:
    """A variable reference. ``start``/``end`` are offsets of the whole ``$...`` expression in the template
    (for a greedy braced match, the expression up to its balanced ``}``). ``operator`` is one of
    ``'' ':-' '-' ':?' '?' ':+' '+'``; ``argument`` is the raw default/message/replacement text or None.
    ``braced`` tells ``${A}`` from ``$A``; ``depth`` is 0 at top level, 1 inside an argument, ..."""

    name: str
    operator: str
    argument: str | None
    start: int
    end: int
    braced: bool = True
    depth: int = 0

    @property
    def required(self) -> bool:
        return self.operator in (":?", "?")

    @property
    def has_default(self) -> bool:
        return self.operator in (":-", "-")


@record(frozen=True, slots=True)
class TemplateProblem:
    """A malformed piece: ``start``/``end`` offsets and compose's message."""

    message: str
    start: int
    end: int


@record(frozen=True, slots=True)
class Scan:
    refs: tuple[VarRef, ...]
    errors: tuple[TemplateProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def scan(template: str) -> Scan:
    """All references (nested ones included, in order of appearance) and malformed pieces. Never raises."""
    refs: list[VarRef] = []
    errors: list[TemplateProblem] = []
    if "$" in template:
        try:
            _scan(template, 0, 0, refs, errors)
        except RecursionError:
            errors.append(TemplateProblem("template nested too deeply", 0, len(template)))
    return Scan(tuple(refs), tuple(errors))


def references(template: str) -> list[VarRef]:
    return list(scan(template).refs)


def _scan(template: str, base: int, depth: int, refs: list[VarRef], errors: list[TemplateProblem]) -> None:
    for m in _PATTERN.finditer(template):
        start = m.start()
        sub = m.group(0)
        if m.group("escaped"):
            continue
        if m.group("named"):
            refs.append(VarRef(m.group("named"), "", None, base + start, base + m.end(), False, depth))
            continue
        op = _pick_operator(sub)
        idx = _closing_brace(sub)
        head, rest = (sub[: idx + 1], sub[idx + 1:]) if idx >= 0 else (sub, "")
        hm = _PATTERN.search(head)
        braced = hm.group("braced") if hm else None
        if not braced:
            end = template.find("\n", start)
            end = len(template) if end < 0 else end
            errors.append(TemplateProblem(f"Invalid template: {go_quote(template)}", base + start, base + end))
            continue
        if op in braced:
            name, _, arg = braced.partition(op)
            refs.append(VarRef(name, op, arg, base + start, base + start + len(head), True, depth))
            arg_off = base + start + 2 + len(name) + len(op)
            _scan(arg, arg_off, depth + 1, refs, errors)
            if rest:
                _scan(rest, base + start + len(head), depth, refs, errors)
        else:
            refs.append(VarRef(braced, "", None, base + start, base + start + len(head), True, depth))

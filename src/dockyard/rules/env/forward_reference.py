"""EN010: a value references only keys defined above it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockyard.envtools import value_span
from dockyard.model import Problem
from dockyard.parsers.interpolation import scan
from dockyard.regex import lazy_compile
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.env._envfiles import parsed

_BACKSLASH_PAIR = lazy_compile(r"\\(.)", re.DOTALL)


def _scannable(text: str, quote: str | None) -> str:
    """The value as written, with backslash escapes neutralised (same length) for double-quoted values:
    ``\\$`` is a literal dollar, as ``$$`` is."""
    if quote != '"':
        return text
    return _BACKSLASH_PAIR.sub(lambda m: "$$" if m.group(1) == "$" else "__", text)


@rule(
    code="EN010", name="env-forward-reference", scope=Scope.ENV_FILE, category="order", severity="warning",
    summary="A value references `${X}` only when `X` is defined above it in the same file",
    why="Compose expands an env file from top to bottom: a reference to a key defined further down sees the "
    "shell's value or an empty string, never the file's. The standard's own template builds `MONGODB_URL` "
    "from `MONGODB_PASSWORD` before defining it, and ends up with an empty password.",
    standard=("EN-FORWARD-REF",), section="Comprehensive Environment File Organization",
    example="MONGODB_URL=mongodb://admin:${MONGODB_PASSWORD}@mongodb:27017/app\n"
            "MONGODB_PASSWORD=CHANGE_ME_DEV_PASSWORD\n",
    use_instead="MONGODB_PASSWORD=CHANGE_ME_DEV_PASSWORD\n"
                "MONGODB_URL=mongodb://admin:${MONGODB_PASSWORD}@mongodb:27017/app\n",
    notes="Single-quoted values are not interpolated and are not checked. A reference to a key the file never "
    "defines is taken to come from the shell.",
)
def check(ctx: Context) -> Iterator[Problem]:
    sf = ctx.file
    if sf is None or sf.text is None:
        return
    entries = parsed(ctx.project, sf).entries
    first_line: dict[str, int] = {}
    first_index: dict[str, int] = {}  # a key is defined before entry i when its first definition is
    for index, e in enumerate(entries):
        first_line.setdefault(e.key, e.line)
        first_index.setdefault(e.key, index)
    for index, entry in enumerate(entries):
        if entry.inherited or entry.quoted == "'" or "$" not in entry.raw_value:
            continue
        start, end = value_span(sf.text, entry, sf.line_starts)
        text = _scannable(sf.text[start:end], entry.quoted)
        reported: set[str] = set()
        for ref in scan(text).refs:
            name = ref.name
            if name not in first_line or first_index[name] < index or name == entry.key or name in reported:
                continue
            reported.add(name)
            later = first_line[name]
            yield Problem(f"`${{{name}}}` refers to `{name}`, defined only further down (line {later}): compose "
                          f"expands env files top to bottom, so `{entry.key}` gets the shell's `{name}` or an empty "
                          f"string; move `{name}` above line {entry.line}", sf.span(start + ref.start, start + ref.end))

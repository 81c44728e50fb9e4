"""Inline suppressions: ``# dockyard: ignore[CODE,...]`` and ``# dockyard: ignore-file[CODE,...]``.

A trailing pragma covers its own line; a pragma on a line of its own covers the next line that is not
blank or a comment, extended to the whole statement that starts there (a Dockerfile instruction with its
continuations and heredocs, or a YAML key with the block indented below it). Codes are exact codes or
prefixes. A pragma code that suppressed nothing is reported as unused (DY001).
"""

from __future__ import annotations

import re

from dockyard.model import Position
from dockyard.records import field, record
from dockyard.regex import lazy_compile

PRAGMA = lazy_compile(r"#\s*dockyard:\s*(ignore-file|ignore)\s*(?:\[([^\]]*)\])?", re.IGNORECASE)


@record
class Suppression:
    path: str
    line: int  # where the pragma is written
    column: int
    end_column: int
    codes: tuple[str, ...]  # () means every code
    whole_file: bool
    first: int  # covered lines, inclusive
    last: int
    used: set[str] = field(default_factory=set)

    def covers(self, code: str, line: int) -> str | None:
        if not self.whole_file and not (self.first <= line <= self.last):
            return None
        if not self.codes:
            return "*"
        for c in self.codes:
            if code.startswith(c):
                return c
        return None

    @property
    def position(self) -> Position:
        return Position(self.line, self.column, self.line, self.end_column)


def _python_comments(text: str) -> dict[int, list[tuple[int, int]]] | None:
    """The (start, end) columns of the comments on each line of Python source, or None when it does not tokenize
    (then every line is scanned as text)."""
    import io
    import tokenize

    spans: dict[int, list[tuple[int, int]]] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                spans.setdefault(tok.start[0], []).append((tok.start[1], tok.end[1]))
    except (tokenize.TokenError, SyntaxError):
        return None
    return spans


def _is_list_item(line: str) -> bool:
    """A YAML block sequence entry: ``- x`` or a lone ``-``."""
    stripped = line.strip()
    return stripped == "-" or stripped.startswith(("- ", "-\t"))


def find_suppressions(path: str, text: str, statement_end: dict[int, int] | None = None) -> list[Suppression]:
    """Pragmas of one file. ``statement_end`` maps a statement's first line to its last line. In Python source
    only comments hold pragmas: the same text inside a string (a docstring, an example) is no pragma."""
    if "dockyard" not in text:
        return []
    lines = text.splitlines()
    comments = _python_comments(text) if path.endswith(".py") else None
    out: list[Suppression] = []
    for idx, line in enumerate(lines):
        if "dockyard" not in line:
            continue
        if comments is None:
            m = PRAGMA.search(line)
        else:  # the first pragma that starts inside a comment of this line
            spans = comments.get(idx + 1, ())
            m = next((m for m in PRAGMA.finditer(line) if any(a <= m.start() < b for a, b in spans)), None)
        if m is None:
            continue
        lineno = idx + 1
        kind, codes_text = m.group(1).lower(), m.group(2)
        codes = tuple(c.strip().upper() for c in (codes_text or "").split(",") if c.strip())
        whole = kind == "ignore-file"
        before = line[: m.start()].strip()
        if whole:
            first, last = 1, len(lines)
        elif before:  # trailing comment: this line (and the statement it belongs to)
            first = last = lineno
        else:
            first = lineno + 1
            while first <= len(lines) and (not lines[first - 1].strip() or lines[first - 1].lstrip().startswith("#")):
                first += 1
            last = first
        if statement_end and not whole:
            last = max(last, statement_end.get(first, last))
        elif not whole and before == "" and first <= len(lines):
            # an indentation-structured file (YAML): the block under the covered line. Under a key (not a
            # list item), `- item` lines at the key's own indent are its value too (`ports:\n- "80:80"`).
            covered = lines[first - 1]
            indent = len(covered) - len(covered.lstrip())
            key_block = not _is_list_item(covered)
            j = first + 1
            while j <= len(lines):
                nxt = lines[j - 1]
                if nxt.strip() and not nxt.lstrip().startswith("#"):
                    nxt_indent = len(nxt) - len(nxt.lstrip())
                    if nxt_indent < indent or (nxt_indent == indent and not (key_block and _is_list_item(nxt))):
                        break
                    last = j
                j += 1
        out.append(Suppression(path, lineno, m.start() + 1, m.end() + 1, codes, whole, first, last))
    return out

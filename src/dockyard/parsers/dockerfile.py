"""The Dockerfile model: every record :func:`dockyard.parsers.buildkit.parse_dockerfile` builds.

A :class:`Dockerfile` holds its parser directives, every instruction (keyword, flags, arguments as BuildKit
splits them, JSON or shell form, heredocs), every comment, the build stages with their bases and parents, the
global ``ARG`` instructions and the parse errors. Every part keeps its :class:`Span` (1-based line and column,
character offsets), and instructions map their joined arguments back to file offsets across continuation lines,
so rules can point at, and fixes can edit, the exact characters.

This module is on the start-up path of every check: it imports nothing heavy.
"""

from __future__ import annotations

from bisect import bisect_right

from dockyard.lines import line_starts
from dockyard.parsers.buildkit_lines import heredoc_word
from dockyard.parsers.shell import unquote
from dockyard.records import field, record

__all__ = [
    "Comment",
    "Directive",
    "Dockerfile",
    "Flag",
    "Heredoc",
    "Instruction",
    "LineIndex",
    "ParseError",
    "Span",
    "Stage",
    "position_of",
]

_INF = float("inf")


@record(frozen=True, slots=True)
class Span:
    """1-based line/column positions (end_column exclusive) and character offsets."""

    line: int
    column: int
    end_line: int
    end_column: int
    start: int
    end: int


@record(frozen=True, slots=True)
class Comment:
    text: str
    span: Span


@record(frozen=True, slots=True)
class Directive:
    name: str
    value: str
    span: Span


@record(frozen=True, slots=True)
class Flag:
    name: str
    value: str | None
    span: Span
    raw: str = ""  # the flag exactly as BuildKit returns it, e.g. "--from=builder"

    def options(self) -> dict[str, str]:
        """Parse a csv-style option list: ``type=cache,target=/x,sharing=locked``."""
        out: dict[str, str] = {}
        if not self.value:
            return out
        import csv

        try:
            rows = list(csv.reader([self.value]))
        except csv.Error:
            rows = [self.value.split(",")]
        for part in rows[0] if rows else ():
            part = part.strip()
            if not part:
                continue
            k, sep, v = part.partition("=")
            out[k.strip().lower()] = v if sep else "true"
        return out


@record(frozen=True, slots=True)
class Heredoc:
    name: str
    content: str  # as the instruction receives it (``<<-`` strips leading tabs)
    expand: bool
    chomp: bool
    span: Span  # from the first content line to the end of the terminator line
    file_descriptor: int = 0
    raw_content: str = ""  # content exactly as the BuildKit parser stores it

    def source_offset(self, i: int) -> int:
        """Offset in the file of character ``i`` of :attr:`content` (``len(content)``: just after it).

        ``raw_content`` is a verbatim slice of the file starting at ``span.start``; ``<<-`` only removes the
        leading tabs of each line, which is all this has to account for.
        """
        start = self.span.start
        i = max(i, 0)
        if not self.chomp or self.raw_content == self.content:
            return start + min(i, len(self.raw_content))
        raw = self.raw_content
        line_start = 0  # in raw
        done = 0  # characters of content before this line
        while True:
            nl = raw.find("\n", line_start)
            line_end = len(raw) if nl == -1 else nl + 1
            body = line_start
            while body < line_end and raw[body] == "\t":
                body += 1
            if i < done + (line_end - body) or nl == -1:
                return start + body + (i - done)
            done += line_end - body
            line_start = line_end


@record(frozen=True, slots=True)
class ParseError:
    message: str
    span: Span
    # "syntax": BuildKit's parser rejects the file; "instruction": BuildKit's
    # instruction stage would reject it (unknown instruction, missing FROM ...).
    kind: str = "syntax"


@record(frozen=True, slots=True)
class Instruction:
    keyword: str
    keyword_raw: str
    flags: tuple[Flag, ...]
    value: tuple[str, ...]
    json_form: bool
    original: str
    heredocs: tuple[Heredoc, ...]
    span: Span
    keyword_span: Span
    args_span: Span
    comments: tuple[Comment, ...]
    stage: int
    sub: "Instruction | None" = None
    args_text: str = ""  # arguments after keyword and flags, continuations joined
    # (offset in args_text, offset in the file) wherever the joined text continues on another line
    source_map: tuple[tuple[int, int], ...] = field(default=(), compare=False, repr=False)

    @property
    def end_line(self) -> int:
        return self.span.end_line

    def flag(self, name: str) -> Flag | None:
        """The last flag called ``name`` (BuildKit keeps the last occurrence)."""
        found = None
        for f in self.flags:
            if f.name == name:
                found = f
        return found

    def flags_named(self, name: str) -> list[Flag]:
        return [f for f in self.flags if f.name == name]

    @property
    def shell_text(self) -> str:
        """The shell command text of a shell-form RUN/CMD/ENTRYPOINT/HEALTHCHECK CMD.

        For a heredoc RUN whose command is only the heredoc(s) this is the
        heredoc content; for ``cmd <<EOF`` it is the command followed by the
        heredoc body and terminator, which is what the shell receives.
        """
        if self.sub is not None:
            return self.sub.shell_text
        if self.json_form:
            return ""
        kw = self.keyword
        if kw == "HEALTHCHECK":
            if len(self.value) >= 2 and self.value[0].upper() == "CMD":
                return self.value[1]
            return ""
        if kw not in ("RUN", "CMD", "ENTRYPOINT"):
            return ""
        if not self.value:
            return ""
        text = self.value[0]
        if self.heredocs:
            words = text.split()
            if words and all(heredoc_word(w) for w in words):
                return "".join(h.content for h in self.heredocs)
            return text + "\n" + "".join(h.content + h.name + "\n" for h in self.heredocs)
        return text

    def source_offset(self, i: int) -> int:
        """Offset in the file of character ``i`` of :attr:`args_text`.

        Exact across continuation lines, comment and blank lines inside them, either escape character, CRLF
        and a BOM. ``i == len(args_text)`` gives the offset just after the last character; an instruction
        without arguments maps everything to ``args_span.start``.
        """
        m = self.source_map
        n = len(self.args_text)
        if not m or n == 0:
            return self.args_span.start
        if i >= n:
            return self.source_offset(n - 1) + 1
        if i < 0:
            i = 0
        k = bisect_right(m, (i, _INF)) - 1
        joined, file_offset = m[k]
        return file_offset + (i - joined)

    def shell_source_offset(self, i: int) -> int:
        """Offset in the file of character ``i`` of :attr:`shell_text`.

        For ``cmd <<EOF`` the shell text is the command, a newline, then each heredoc's body, name and a
        newline; the added newlines are not in the file: the first maps to the end of the command, the others
        to the end of the terminator line. Heredoc names map to their terminator.
        """
        if self.sub is not None:
            return self.sub.shell_source_offset(i)
        text = self.shell_text
        if not self.heredocs:
            # the shell text is a suffix of the arguments (after ``CMD`` for HEALTHCHECK)
            return self.source_offset(len(self.args_text) - len(text) + i)
        i = max(i, 0)
        words = self.value[0].split() if self.value else []
        only_heredocs = bool(words) and all(heredoc_word(w) for w in words)
        if not only_heredocs:
            head = len(self.value[0]) if self.value else 0
            if i <= head:
                return self.source_offset(i)
            i -= head + 1
        for h in self.heredocs:
            if i < len(h.content):
                return h.source_offset(i)
            i -= len(h.content)
            if not only_heredocs:
                tail = len(h.name) + 1
                if i < tail:
                    return h.span.end - len(h.name) + i
                i -= tail
        last = self.heredocs[-1]
        return last.span.end if not only_heredocs else last.source_offset(len(last.content))

    def key_values(self) -> tuple[tuple[str, str | None], ...]:
        """ENV/LABEL pairs and ARG name/default pairs with static quote removal."""
        kw = self.keyword
        if kw in ("ENV", "LABEL"):
            v = self.value
            return tuple((_static(v[i]), _static(v[i + 1])) for i in range(0, len(v) - 1, 2))
        if kw == "ARG":
            out = []
            for w in self.value:
                k, sep, d = w.partition("=")
                out.append((_static(k), _static(d) if sep else None))
            return tuple(out)
        return ()


@record(frozen=True, slots=True)
class Stage:
    index: int
    name: str | None
    name_raw: str | None
    base: str
    base_resolved: str
    from_instruction: Instruction
    instructions: tuple[Instruction, ...]
    parent: int | None
    platform: str | None = None

    @property
    def is_external(self) -> bool:
        return self.parent is None and self.base_resolved.lower() != "scratch"


@record(frozen=True, slots=True)
class Dockerfile:
    text: str
    directives: tuple[Directive, ...]
    escape: str
    instructions: tuple[Instruction, ...]
    comments: tuple[Comment, ...]
    stages: tuple[Stage, ...]
    global_args: tuple[Instruction, ...]
    errors: tuple[ParseError, ...]
    line_index: "LineIndex | None" = field(default=None, compare=False, repr=False)

    def stage_by_name(self, name: str) -> Stage | None:
        n = name.lower()
        for s in self.stages:
            if s.name == n:
                return s
        if n.isdigit():
            i = int(n)
            if 0 <= i < len(self.stages):
                return self.stages[i]
        return None

    def ancestry(self, stage: Stage) -> list[Stage]:
        out = [stage]
        seen = {stage.index}
        cur = stage
        while cur.parent is not None and cur.parent not in seen:
            cur = self.stages[cur.parent]
            seen.add(cur.index)
            out.append(cur)
        return out

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def directive(self, name: str) -> Directive | None:
        for d in self.directives:
            if d.name == name:
                return d
        return None


def _static(word: str) -> str:
    """BuildKit's quote removal for ENV/LABEL/ARG words (no ``$'...'``, no expansion)."""
    return unquote(word, dollar_quotes=False)


# --------------------------------------------------------------------- positions


class LineIndex:
    """Offsets of line starts for fast offset -> (line, column) conversion."""

    __slots__ = ("text", "starts", "_last")

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = line_starts(text)
        self._last = 0

    def _line0(self, offset: int) -> int:
        starts = self.starts
        ln = self._last
        # offsets are mostly requested in increasing order: try the cached line first
        if starts[ln] <= offset and (ln + 1 == len(starts) or offset < starts[ln + 1]):
            return ln
        ln = bisect_right(starts, offset) - 1
        self._last = ln
        return ln

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        if offset < 0:
            offset = 0
        elif offset > len(self.text):
            offset = len(self.text)
        ln = self._line0(offset)
        return ln + 1, offset - self.starts[ln] + 1

    def span(self, start: int, end: int) -> Span:
        n = len(self.text)
        if start < 0:
            start = 0
        elif start > n:
            start = n
        if end < start:
            end = start
        elif end > n:
            end = n
        starts = self.starts
        l1 = self._line0(start)
        l2 = self._line0(end)
        return Span(l1 + 1, start - starts[l1] + 1, l2 + 1, end - starts[l2] + 1, start, end)


def position_of(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of ``offset`` in ``text``."""
    return LineIndex(text).position(offset)

"""Dockerfile parser for dockyard.

This is a faithful Python port of BuildKit's Dockerfile front-end parser
(moby/buildkit ``frontend/dockerfile/parser``: ``parser.go``,
``line_parsers.go``, ``split_command.go``, ``directives.go``; Apache License
2.0): the grammar of BuildKit v0.12, the version the test oracle wraps, plus the
``# check=`` directive of v0.14 (see THIRD_PARTY_NOTICES.md).  It is ported
rather than wrapped because the only Python binding of that parser (the
``dockerfile`` package on PyPI) is archived and drops comments and source
positions, both of which dockyard needs for findings and fixes.  The binding is
still used by the test-suite as a differential oracle.

Differences from the Go code are deliberate and limited to:

* parse failures are returned as :class:`ParseError` values and parsing
  continues with the next instruction (BuildKit stops at the first error);
* extra checks BuildKit performs in later stages (unknown instruction, missing
  arguments, ``FROM`` missing) are reported as errors of kind ``"instruction"``;
* every comment and every span is kept.

The parser is linear in the size of the input and never raises.
"""

from __future__ import annotations

from bisect import bisect_right

from dockyard.lines import line_starts
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
    "parse_dockerfile",
    "position_of",
]

# Go's unicode.IsSpace (Latin-1 part plus the Unicode White_Space property).
# Python's str.isspace() differs (it also accepts U+001C..U+001F).
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
_GO_SPACE_SET = frozenset(_GO_SPACE)
# Characters of BuildKit's reWhitespace / tokenWhitespace: [\t\v\f\r ]
_TOKEN_WS = "\t\v\f\r "
_TOKEN_WS_SET = frozenset(_TOKEN_WS)

_KNOWN = frozenset(
    {
        "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from",
        "healthcheck", "label", "maintainer", "onbuild", "run", "shell",
        "stopsignal", "user", "volume", "workdir",
    }
)
_HEREDOC_DIRECTIVES = frozenset({"add", "copy", "run"})
_VALID_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_MAX_SUBCOMMAND_DEPTH = 64

_regex_cache: dict[str, object] = {}
_INF = float("inf")


def _rx(name: str):
    """Compile the few regular expressions lazily (import cost matters)."""
    r = _regex_cache.get(name)
    if r is None:
        import re

        if name == "directive":
            # Go: ^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$   (Go \s = [\t\n\f\r ])
            r = re.compile(r"#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*([^\n]+?)[\t\n\f\r ]*\Z")
        elif name == "gows":
            r = re.compile("[" + _GO_SPACE + "]+")
        elif name == "ws":
            r = re.compile(r"[\t\v\f\r ]+")
        elif name == "heredoc":
            r = re.compile(r"([0-9]*)<<(-?)([^<]*)\Z")
        elif name == "leadingtabs":
            r = re.compile(r"^\t+", re.MULTILINE)
        elif name == "var":
            r = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")
        else:  # pragma: no cover
            raise KeyError(name)
        _regex_cache[name] = r
    return r


# --------------------------------------------------------------------------- data


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
            if words and all(_heredoc_word(w) for w in words):
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
        only_heredocs = bool(words) and all(_heredoc_word(w) for w in words)
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


# ------------------------------------------------------------------ small helpers


def _static(word: str) -> str:
    """BuildKit's quote removal for ENV/LABEL/ARG words (no ``$'...'``, no expansion)."""
    from dockyard.parsers.shell import unquote

    return unquote(word, dollar_quotes=False)


def _heredoc_word(word: str) -> bool:
    m = _rx("heredoc").match(word)
    return bool(m and m.group(3))


def _go_bytes(s: str) -> str:
    """UTF-8 bytes of ``s`` as a Latin-1 string (Go code that walks bytes)."""
    if s.isascii():
        return s
    return s.encode("utf-8", "surrogatepass").decode("latin-1")


def _from_go_bytes(b: str) -> str:
    if b.isascii():
        return b
    return b.encode("latin-1").decode("utf-8", "replace")


class _ByteMap:
    """Map byte offsets of a Latin-1-as-bytes string back to char offsets."""

    __slots__ = ("table",)

    def __init__(self, s: str) -> None:
        if s.isascii():
            self.table = None
        else:
            t = []
            for ci, ch in enumerate(s):
                t.extend([ci] * len(ch.encode("utf-8", "surrogatepass")))
            t.append(len(s))
            self.table = t

    def __call__(self, b: int) -> int:
        if self.table is None:
            return b
        if b >= len(self.table):
            return self.table[-1]
        return self.table[b]


# ------------------------------------------------------------ BuildKit line parsers


class _LineError(Exception):
    pass


class _NotStringArray(_LineError):
    pass


class _Node:
    """One parsed instruction line (BuildKit's Node, flattened)."""

    __slots__ = ("cmd", "cmd_start", "flags", "values", "json", "sub", "args", "args_start", "node_values")

    def __init__(self) -> None:
        self.cmd = ""
        self.cmd_start = 0
        self.flags: list[tuple[str, int, int]] = []
        self.values: tuple[str, ...] = ()
        self.json = False
        self.sub: _Node | None = None
        self.args = ""
        self.args_start = 0
        # what BuildKit's Next chain holds for this very node
        self.node_values: tuple[str, ...] = ()


def _split_ws(s: str) -> list[str]:
    return _rx("ws").split(s)


def _extract_builder_flags(line: str) -> tuple[int, list[tuple[str, int, int]]]:
    """Port of extractBuilderFlags (BuildKit v0.12, byte-wise like the Go code).

    Returns (offset of the remaining text, [(flag, start, end)]) with char offsets.
    """
    if not line.startswith("--") and (not line or line[0] not in _GO_SPACE_SET):
        return 0, []
    b = _go_bytes(line)
    bmap = _ByteMap(line)
    words: list[tuple[str, int, int]] = []
    n = len(b)
    phase = 0  # 0 spaces, 1 word, 2 quote
    word: list[str] = []
    wstart = 0
    quote = ""
    blank_ok = False
    pos = 0
    while pos <= n:
        ch = b[pos] if pos != n else ""
        if phase == 0:
            if pos == n:
                break
            if ch in _GO_SPACE_SET:
                pos += 1
                continue
            if ch != "-" or pos + 1 == n or b[pos + 1] != "-":
                return bmap(pos), words
            phase = 1
            wstart = pos
        if pos == n:  # phase is word or quote
            w = "".join(word)
            if w != "--" and (blank_ok or w):
                words.append((w, bmap(wstart), bmap(pos)))
            break
        if phase == 1:
            if ch in _GO_SPACE_SET:
                phase = 0
                w = "".join(word)
                if w == "--":
                    return bmap(pos), words
                if blank_ok or w:
                    words.append((w, bmap(wstart), bmap(pos)))
                word = []
                blank_ok = False
                pos += 1
                continue
            if ch == "'" or ch == '"':
                quote = ch
                blank_ok = True
                phase = 2
                pos += 1
                continue
            if ch == "\\":
                if pos + 1 == n:
                    pos += 1
                    continue
                pos += 1
                ch = b[pos]
            word.append(ch)
            pos += 1
            continue
        # phase == 2
        if ch == quote:
            phase = 1
            pos += 1
            continue
        if ch == "\\":
            if pos + 1 == n:
                phase = 1
                pos += 1
                continue
            pos += 1
            ch = b[pos]
        word.append(ch)
        pos += 1
    return len(line), words


def _parse_words(rest: str, esc: str) -> list[str]:
    """Port of parseWords (quotes are kept)."""
    if '"' not in rest and "'" not in rest and esc not in rest:
        return [w for w in _rx("gows").split(rest) if w]
    words: list[str] = []
    phase = 0
    word: list[str] = []
    quote = ""
    blank_ok = False
    n = len(rest)
    pos = 0
    while pos <= n:
        ch = rest[pos] if pos != n else ""
        if phase == 0:
            if pos == n:
                break
            if ch in _GO_SPACE_SET:
                pos += 1
                continue
            phase = 1
        if pos == n:
            if blank_ok or word:
                words.append("".join(word))
            break
        if phase == 1:
            if ch in _GO_SPACE_SET:
                phase = 0
                if blank_ok or word:
                    words.append("".join(word))
                word = []
                blank_ok = False
                pos += 1
                continue
            if ch == "'" or ch == '"':
                quote = ch
                blank_ok = True
                phase = 2
            if ch == esc:
                if pos + 1 == n:
                    pos += 1
                    continue
                word.append(ch)
                pos += 1
                ch = rest[pos]
            word.append(ch)
            pos += 1
            continue
        # in quote
        if ch == quote:
            phase = 1
        if ch == esc and quote != "'":
            if pos + 1 == n:
                phase = 1
                pos += 1
                continue
            pos += 1
            word.append(ch)
            ch = rest[pos]
        word.append(ch)
        pos += 1
    return words


_json_decoder = None


def _no_constant(name: str):
    raise ValueError(name)


def _parse_json(rest: str) -> tuple[str, ...] | None:
    """Port of parseJSON: None when not a JSON array; raises _NotStringArray."""
    rest = rest.lstrip(_GO_SPACE)
    if not rest.startswith("["):
        return None
    global _json_decoder
    if _json_decoder is None:
        import json

        _json_decoder = json.JSONDecoder(parse_constant=_no_constant)
    try:
        obj, _ = _json_decoder.raw_decode(rest)
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, list):
        return None
    out = []
    for item in obj:
        if not isinstance(item, str):
            raise _NotStringArray("when using JSON array syntax, arrays must be comprised of strings only")
        if any("\ud800" <= c <= "\udfff" for c in item):
            item = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in item)
        out.append(item)
    return tuple(out)


def _parse_name_val(rest: str, key: str, esc: str) -> tuple[str, ...]:
    words = _parse_words(rest, esc)
    if not words:
        return ()
    if "=" not in words[0]:
        parts = _rx("ws").split(rest, maxsplit=1)
        if len(parts) < 2:
            raise _LineError(f"{key} must have two arguments")
        return (parts[0], parts[1])
    out: list[str] = []
    for w in words:
        if "=" not in w:
            raise _LineError(f'Syntax error - can\'t find = in "{w}". Must be of the form: name=value')
        k, _, v = w.partition("=")
        out.append(k)
        out.append(v)
    return tuple(out)


def _maybe_json(rest: str) -> tuple[tuple[str, ...], bool]:
    if rest == "":
        return (), False
    j = _parse_json(rest)
    if j is not None:
        return j, True
    return (rest,), False


def _maybe_json_to_list(rest: str) -> tuple[tuple[str, ...], bool]:
    j = _parse_json(rest)
    if j is not None:
        return j, True
    if rest == "":
        return (), False
    return tuple(_split_ws(rest)), False


def _health(rest: str) -> tuple[tuple[str, ...], bool]:
    b = _go_bytes(rest)
    n = len(b)
    sep = 0
    while sep < n and b[sep] not in _GO_SPACE_SET:
        sep += 1
    nxt = sep
    while nxt < n and b[nxt] in _GO_SPACE_SET:
        nxt += 1
    if sep == 0:
        return (), False
    typ = _from_go_bytes(b[:sep])
    cmd, js = _maybe_json(_from_go_bytes(b[nxt:]))
    return (typ,) + cmd, js


def _new_node(line: str, esc: str, depth: int = 0, base_off: int = 0) -> _Node:
    """Port of newNodeFromLine + splitCommand. Raises _LineError."""
    node = _Node()
    stripped = line.strip(_GO_SPACE)
    lead = len(line) - len(line.lstrip(_GO_SPACE))
    i = 0
    n = len(stripped)
    while i < n and stripped[i] not in _TOKEN_WS_SET:
        i += 1
    cmd = stripped[:i]
    node.cmd = cmd
    node.cmd_start = base_off + lead
    args = ""
    args_start = base_off + lead + i
    if i < n:
        j = i
        while j < n and stripped[j] in _TOKEN_WS_SET:
            j += 1
        rest_line = stripped[j:]
        roff, flags = _extract_builder_flags(rest_line)
        base = base_off + lead + j
        node.flags = [(w, base + s, base + e) for (w, s, e) in flags]
        raw_args = rest_line[roff:]
        args = raw_args.strip(_GO_SPACE)
        args_start = base + roff + (len(raw_args) - len(raw_args.lstrip(_GO_SPACE)))
        if not args:
            args_start = base + roff
    node.args = args
    node.args_start = args_start
    lc = cmd.lower()
    if lc in ("add", "copy", "volume"):
        node.values, node.json = _maybe_json_to_list(args)
    elif lc == "arg":
        node.values = tuple(_parse_words(args, esc))
    elif lc in ("cmd", "entrypoint", "run", "shell"):
        node.values, node.json = _maybe_json(args)
    elif lc == "env":
        node.values = _parse_name_val(args, "ENV", esc)
    elif lc == "label":
        node.values = _parse_name_val(args, "LABEL", esc)
    elif lc in ("expose", "from"):
        node.values = tuple(_split_ws(args)) if args else ()
    elif lc == "healthcheck":
        node.values, node.json = _health(args)
    elif lc in ("maintainer", "stopsignal", "user", "workdir"):
        node.values = (args,) if args else ()
    elif lc == "onbuild":
        if args:
            if depth >= _MAX_SUBCOMMAND_DEPTH:
                raise _LineError("ONBUILD nested too deeply")
            sub = _new_node(args, esc, depth + 1, node.args_start)
            node.sub = sub
            # BuildKit's Node for ONBUILD holds the sub-command as a child: its own
            # value chain is a single empty node and it has no json attribute.
            node.values = sub.node_values
            node.json = False
            node.node_values = ("",)
            return node
        node.values = ()
    else:
        node.values = ("",)
    node.node_values = node.values
    return node


# ---------------------------------------------------------------- heredoc lexing


def _skip_brace_var(line: str, i: int) -> int:
    """``line[i:]`` starts with ``${``: index after the closing brace, -1 on a lexer error."""
    n = len(line)
    j = i + 2
    if j >= n or line[j] == "}":
        return -1
    if line[j].isascii() and (line[j].isalnum() or line[j] == "_"):
        while j < n and line[j].isascii() and (line[j].isalnum() or line[j] == "_"):
            j += 1
    else:
        j += 1
    if j >= n:
        return -1
    c = line[j]
    if c == "}":
        return j + 1
    if c in ":-+?":
        k = line.find("}", j)
        return -1 if k < 0 else k + 1
    return -1


def _shell_words(line: str, raw_quotes: bool, raw_escapes: bool) -> list[str] | None:
    """Minimal port of BuildKit's shell.Lex.ProcessWords without variables.

    Returns None where the Go lexer reports an error (unterminated quote).
    """
    words: list[str] = []
    cur: list[str] = []
    in_word = False
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c in _GO_SPACE_SET:
            if in_word:
                words.append("".join(cur))
                cur = []
                in_word = False
            i += 1
            continue
        in_word = True
        if c == "'":
            j = line.find("'", i + 1)
            if j < 0:
                return None
            cur.append(line[i : j + 1] if raw_quotes else line[i + 1 : j])
            i = j + 1
            continue
        if c == '"':
            if raw_quotes:
                cur.append('"')
            i += 1
            closed = False
            while i < n:
                c = line[i]
                if c == '"':
                    closed = True
                    i += 1
                    break
                if c == "\\":
                    if raw_escapes:
                        cur.append(c)
                        if i + 1 < n:
                            cur.append(line[i + 1])
                        i += 2
                        continue
                    if i + 1 < n and line[i + 1] in '"$\\':
                        cur.append(line[i + 1])
                        i += 2
                        continue
                if c == "$" and i + 1 < n and line[i + 1] == "{":
                    j = _skip_brace_var(line, i)
                    if j < 0:
                        return None
                    cur.append(line[i:j])
                    i = j
                    continue
                cur.append(c)
                i += 1
            if not closed:
                return None
            if raw_quotes:
                cur.append('"')
            continue
        if c == "\\":
            if raw_escapes:
                cur.append(line[i : i + 2])
            elif i + 1 < n:
                cur.append(line[i + 1])
            i += 2
            continue
        if c == "$" and i + 1 < n and line[i + 1] == "{":
            j = _skip_brace_var(line, i)
            if j < 0:
                return None
            cur.append(line[i:j])
            i = j
            continue
        cur.append(c)
        i += 1
    if in_word:
        words.append("".join(cur))
    return words


def _heredocs_from_line(line: str) -> list[tuple[str, int, bool, bool]]:
    """Port of heredocsFromLine: [(name, fd, expand, chomp)]."""
    if "<<" not in line:
        return []
    words = _shell_words(line, True, True)
    if not words:
        return []
    out = []
    rx = _rx("heredoc")
    for w in words:
        if "<<" not in w:
            continue
        m = rx.match(w)
        if not m:
            continue
        fd_s, dash, rest = m.group(1), m.group(2), m.group(3)
        if not rest:
            continue
        plain = _shell_words(rest, False, False)
        if plain is None:
            raise _LineError(f"unterminated quote in heredoc word: {rest}")
        if len(plain) != 1:
            continue
        rawq = _shell_words(rest, True, False) or []
        if len(rawq) != 1:
            continue
        name = plain[0]
        expand = (name.count("'") + name.count('"')) == (rawq[0].count("'") + rawq[0].count('"'))
        try:
            fd = int(fd_s) if fd_s else 0
        except ValueError:
            fd = 0
        out.append((name, fd, expand, dash == "-"))
    return out


# ---------------------------------------------------------------------- the parser


def parse_dockerfile(text: str) -> Dockerfile:
    """Parse Dockerfile ``text`` as BuildKit does. Never raises."""
    if not isinstance(text, str):
        try:
            text = bytes(text).decode("utf-8", "replace")
        except Exception:
            text = str(text)
    try:
        return _Parser(text).run()
    except Exception as exc:  # pragma: no cover - defensive net
        idx = LineIndex(text)
        return Dockerfile(
            text=text,
            directives=(),
            escape="\\",
            instructions=(),
            comments=(),
            stages=(),
            global_args=(),
            errors=(ParseError(f"internal parser error: {exc!r}", idx.span(0, 0)),),
            line_index=idx,
        )


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.idx = LineIndex(text)
        self.errors: list[ParseError] = []
        self.comments: list[Comment] = []
        self.directives: list[Directive] = []
        self.escape = "\\"
        self.dir_done = False
        self.dir_seen: set[str] = set()

    # -- lines
    def _lines(self):
        text = self.text
        starts = self.idx.starts
        n = len(text)
        count = len(starts)
        if n == 0:
            return []
        if text.endswith("\n"):
            count -= 1  # the trailing empty "line" after the last newline is not a line
        out = []
        for k in range(count):
            s = starts[k]
            e = starts[k + 1] - 1 if k + 1 < len(starts) else n
            out.append((s, e))
        return out

    def _span(self, s: int, e: int) -> Span:
        return self.idx.span(s, e)

    def _directive(self, token: str, tok_off: int, line_end: int) -> bool:
        """Port of possibleParserDirective; True when the line is a directive line."""
        if self.dir_done:
            return False
        m = _rx("directive").match(token)
        if not m:
            self.dir_done = True
            return False
        k = m.group(1).lower()
        if k not in _VALID_DIRECTIVES:
            self.dir_done = True
            return False
        sp = self._span(tok_off, line_end)
        if k in self.dir_seen:
            self.errors.append(ParseError(f"only one {k} parser directive can be used", sp))
            return True
        self.dir_seen.add(k)
        v = m.group(2)
        self.directives.append(Directive(k, v, sp))
        if k == "escape":
            if v not in ("`", "\\"):
                self.errors.append(ParseError(f"invalid escape token '{v}' does not match ` or \\", sp))
            else:
                self.escape = v
        return True

    def _trim_cont(self, line: str) -> tuple[str, bool]:
        esc = self.escape
        s = line.rstrip(" \t")
        if s.endswith(esc):
            if len(s) == 1:
                return "", False
            if s[-2] != esc:
                return s[:-1], False
        return line, True

    def _comment(self, s: int, e: int) -> Comment:
        raw = self.text[s:e]
        lead = len(raw) - len(raw.lstrip(_GO_SPACE))
        body = raw[lead + 1 :]
        cs = s + lead
        ce = s + len(raw.rstrip("\r"))
        c = Comment(body.strip(_GO_SPACE), self._span(cs, ce))
        self.comments.append(c)
        return c

    def run(self) -> Dockerfile:
        text = self.text
        lines = self._lines()
        nlines = len(lines)
        nodes: list[tuple] = []
        i = 0
        while i < nlines:
            s, e = lines[i]
            raw = text[s:e]
            if i == 0 and raw.startswith("\ufeff"):
                raw = raw[1:]
                s += 1
            tn = raw.rstrip("\r")
            token = tn.lstrip(_GO_SPACE)
            tok_off = s + (len(tn) - len(token))
            is_directive = self._directive(token, tok_off, s + len(tn))
            is_comment = token.startswith("#")
            if is_comment and not is_directive:
                self._comment(s, e)
            processed = "" if is_comment else token
            i += 1
            start_line_idx = i - 1
            line, eol = self._trim_cont(processed)
            if eol and line == "":
                continue
            segs = [(0, tok_off)]
            inner_comments: list[Comment] = []
            last_end = s + len(tn)
            while not eol and i < nlines:
                s2, e2 = lines[i]
                raw2 = text[s2:e2]
                tn2 = raw2.rstrip("\r")
                i += 1
                t2 = tn2.lstrip(_GO_SPACE)
                if t2.startswith("#"):
                    inner_comments.append(self._comment(s2, e2))
                    last_end = s2 + len(tn2)
                    continue
                if t2 == "":
                    last_end = s2 + len(tn2)
                    continue
                part, eol = self._trim_cont(tn2)
                segs.append((len(line), s2))
                line += part
                last_end = s2 + len(tn2)
            end_line_idx = i - 1
            nodes.append((line, segs, start_line_idx, end_line_idx, last_end, inner_comments))
            # heredocs must be read now (they consume following lines)
            node_info = self._finish(nodes.pop(), lines, i)
            i = node_info[1]
            nodes.append(node_info[0])
        if not nodes:
            at = len(text)
            self.errors.append(ParseError("file with no instructions", self._span(at, at)))
        return self._assemble(nodes)

    def _map(self, segs, off: int, is_end: bool = False) -> int:
        if is_end and off > 0:
            return self._map(segs, off - 1) + 1
        lo = 0
        for k in range(len(segs) - 1, -1, -1):
            if segs[k][0] <= off:
                lo = k
                break
        js, ts = segs[lo]
        return ts + (off - js)

    def _finish(self, item, lines, i):
        line, segs, sli, eli, last_end, inner_comments = item
        text = self.text
        start_off = segs[0][1]
        err: str | None = None
        node: _Node | None
        try:
            node = _new_node(line, self.escape)
        except _LineError as exc:
            err = str(exc)
            node = None
        heredocs: list[Heredoc] = []
        if node is not None:
            target = node.sub if (node.cmd.lower() == "onbuild" and node.sub is not None) else node
            if target.cmd.lower() in _HEREDOC_DIRECTIVES and not target.json:
                try:
                    docs = _heredocs_from_line(line)
                except _LineError as exc:
                    docs = []
                    err = str(exc)
                for name, fd, expand, chomp in docs:
                    content: list[str] = []
                    terminated = False
                    first = None
                    while i < len(lines):
                        s2, e2 = lines[i]
                        i += 1
                        raw = text[s2:e2]
                        has_nl = e2 < len(text)
                        if first is None:
                            first = s2
                        cand = raw.rstrip("\r")
                        if chomp:
                            cand = cand.lstrip("\t")
                        last_end = s2 + len(raw.rstrip("\r"))
                        if cand == name:
                            terminated = True
                            break
                        content.append(raw + ("\n" if has_nl else ""))
                    if first is None:
                        first = last_end
                    rc = "".join(content)
                    cc = _rx("leadingtabs").sub("", rc) if chomp else rc
                    heredocs.append(Heredoc(name, cc, expand, chomp, self._span(first, last_end), fd, rc))
                    if not terminated:
                        err = "unterminated heredoc"
                        break
        eli = self.idx.position(last_end)[0] - 1 if last_end > start_off else sli
        return (line, segs, sli, eli, last_end, inner_comments, node, err, tuple(heredocs), start_off), i

    @staticmethod
    def _source_map(segs, args_start: int) -> tuple[tuple[int, int], ...]:
        """``segs`` (offset in the joined line, file offset) re-based on the arguments' first character."""
        out: list[tuple[int, int]] = []
        for joined, file_offset in segs:
            rel = joined - args_start
            if rel <= 0:
                out = [(0, file_offset - rel)]
            else:
                out.append((rel, file_offset))
        return tuple(out)

    def _flag(self, segs, w: str, s: int, e: int) -> Flag:
        body = w[2:] if w.startswith("--") else w
        name, sep, value = body.partition("=")
        return Flag(name, value if sep else None, self._span(self._map(segs, s), self._map(segs, e, True)), w)

    def _instruction(self, item, node: _Node | None, stage: int) -> Instruction:
        line, segs, sli, eli, last_end, inner_comments, _n, err, heredocs, start_off = item
        sp_end = max(last_end, start_off)
        if node is None:
            stripped = line.strip(_GO_SPACE)
            cmd = stripped.split(None, 1)[0] if stripped.split(None, 1) else ""
            lead = len(line) - len(line.lstrip(_GO_SPACE))
            ks = self._map(segs, lead)
            ke = self._map(segs, lead + len(cmd), True) if cmd else ks
            return Instruction(
                keyword=cmd.upper(), keyword_raw=cmd, flags=(), value=(), json_form=False, original=line,
                heredocs=heredocs, span=self._span(start_off, sp_end), keyword_span=self._span(ks, ke),
                args_span=self._span(ke, sp_end), comments=tuple(inner_comments), stage=stage, sub=None,
                args_text="",
            )
        ks = self._map(segs, node.cmd_start)
        ke = self._map(segs, node.cmd_start + len(node.cmd), True) if node.cmd else ks
        as_ = self._map(segs, node.args_start)
        ae = self._map(segs, node.args_start + len(node.args), True) if node.args else as_
        flags = tuple(self._flag(segs, w, s, e) for (w, s, e) in node.flags)
        sub = None
        if node.sub is not None:
            sub = self._sub_instruction(item, node.sub, stage)
        original = line
        if heredocs and node.sub is None:
            original = line + "\n" + "".join(h.raw_content + h.name + "\n" for h in heredocs)
        span_start = start_off  # BuildKit's StartLine: the instruction's first line
        return Instruction(
            keyword=node.cmd.upper(), keyword_raw=node.cmd, flags=flags, value=node.values,
            json_form=node.sub.json if node.sub is not None else node.json, original=original, heredocs=heredocs,
            span=self._span(span_start, max(sp_end, span_start)), keyword_span=self._span(ks, ke),
            args_span=self._span(as_, ae), comments=tuple(inner_comments), stage=stage, sub=sub,
            args_text=node.args, source_map=self._source_map(segs, node.args_start),
        )

    def _sub_instruction(self, item, node: _Node, stage: int) -> Instruction:
        line, segs, sli, eli, last_end, inner_comments, _n, err, heredocs, start_off = item
        ks = self._map(segs, node.cmd_start)
        ke = self._map(segs, node.cmd_start + len(node.cmd), True) if node.cmd else ks
        as_ = self._map(segs, node.args_start)
        ae = self._map(segs, node.args_start + len(node.args), True) if node.args else as_
        flags = tuple(self._flag(segs, w, s, e) for (w, s, e) in node.flags)
        sub = self._sub_instruction(item, node.sub, stage) if node.sub is not None else None
        sp_end = max(last_end, ks)
        return Instruction(
            keyword=node.cmd.upper(), keyword_raw=node.cmd, flags=flags, value=node.values,
            json_form=node.sub.json if node.sub is not None else node.json,
            original=line[node.cmd_start :].strip(_GO_SPACE), heredocs=heredocs,
            span=self._span(ks, sp_end), keyword_span=self._span(ks, ke), args_span=self._span(as_, ae),
            comments=(), stage=stage, sub=sub, args_text=node.args,
            source_map=self._source_map(segs, node.args_start),
        )

    # -- stages
    def _assemble(self, items) -> Dockerfile:
        instructions: list[Instruction] = []
        stages_data: list[dict] = []
        global_args: list[Instruction] = []
        arg_defaults: dict[str, str | None] = {}
        stage_names: dict[str, int] = {}
        stage = -1
        for item in items:
            node = item[6]
            err = item[7]
            kw = node.cmd.lower() if node is not None else ""
            if kw == "from":
                stage += 1
            ins = self._instruction(item, node, stage)
            instructions.append(ins)
            if err:
                sp = self._span(ins.span.start, ins.span.end)
                self.errors.append(ParseError(err, sp))
            if node is None:
                continue
            if kw and kw not in _KNOWN:
                self.errors.append(
                    ParseError(f"unknown instruction: {node.cmd}", ins.keyword_span, "instruction")
                )
            elif kw == "" and node is not None:
                self.errors.append(ParseError("empty instruction", ins.span, "instruction"))
            elif not ins.value and kw not in ("onbuild",) and kw in _KNOWN and not ins.json_form:
                self.errors.append(
                    ParseError(f"{ins.keyword} requires at least one argument", ins.span, "instruction")
                )
            elif kw == "onbuild" and node.sub is None:
                self.errors.append(ParseError("ONBUILD requires at least one argument", ins.span, "instruction"))
            if kw == "from":
                v = ins.value
                name_raw = None
                if len(v) == 3 and v[1].lower() == "as":
                    name_raw = v[2]
                elif len(v) != 1:
                    if v:
                        self.errors.append(
                            ParseError("FROM requires either one or three arguments", ins.span, "instruction")
                        )
                base = v[0] if v else ""
                resolved = _expand(base, arg_defaults)
                parent = stage_names.get(resolved.lower())
                plat = ins.flag("platform")
                name = name_raw.lower() if name_raw is not None else None
                stages_data.append(
                    dict(index=stage, name=name, name_raw=name_raw, base=base, base_resolved=resolved,
                         from_instruction=ins, instructions=[], parent=parent,
                         platform=plat.value if plat else None)
                )
                if name is not None and name not in stage_names:
                    stage_names[name] = stage
            elif stage < 0:
                if kw and kw not in _KNOWN:
                    pass  # already reported as an unknown instruction
                elif kw == "arg":
                    global_args.append(ins)
                    for k, d in ins.key_values():
                        arg_defaults[k] = d
                elif kw:
                    self.errors.append(
                        ParseError(f"{ins.keyword} instruction before the first FROM", ins.span, "instruction")
                    )
            else:
                stages_data[stage]["instructions"].append(ins)
        if instructions and not stages_data:
            self.errors.append(ParseError("no FROM instruction: the Dockerfile has no build stage",
                                          instructions[0].span, "instruction"))
        stages = tuple(
            Stage(d["index"], d["name"], d["name_raw"], d["base"], d["base_resolved"], d["from_instruction"],
                  tuple(d["instructions"]), d["parent"], d["platform"])
            for d in stages_data
        )
        self.errors.sort(key=lambda e: (e.span.start, e.span.end))
        return Dockerfile(
            text=self.text,
            directives=tuple(self.directives),
            escape=self.escape,
            instructions=tuple(instructions),
            comments=tuple(sorted(self.comments, key=lambda c: c.span.start)),
            stages=stages,
            global_args=tuple(global_args),
            errors=tuple(self.errors),
            line_index=self.idx,
        )


def _expand(word: str, env: dict[str, str | None]) -> str:
    """Substitute ``$V``, ``${V}``, ``${V:-d}``, ``${V-d}``, ``${V:+r}``, ``${V+r}``.

    Unknown variables are left as written so callers can tell they are unresolved.
    """
    if "$" not in word:
        return word

    def repl(m):
        name = m.group(1) or m.group(4)
        op = m.group(2)
        arg = m.group(3) or ""
        known = name in env
        val = env.get(name)
        if op is None:
            return val if val is not None else m.group(0)
        if op == ":-":
            return val if val else arg
        if op == "-":
            return val if known and val is not None else arg
        if op == ":+":
            return arg if val else ""
        if op == "+":
            return arg if known and val is not None else ""
        return m.group(0)

    return _rx("var").sub(repl, word)

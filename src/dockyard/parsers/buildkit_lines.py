"""Instruction lines as BuildKit splits them: keyword, flags, arguments and heredoc words.

A faithful Python port of the line parsers of BuildKit's Dockerfile front-end (moby/buildkit
``frontend/dockerfile/parser``: ``line_parsers.go``, ``split_command.go`` and ``heredocsFromLine`` of
``parser.go``, with the word splitting of ``frontend/dockerfile/shell/lex.go`` it relies on; Apache License
2.0), BuildKit v0.12, the version the test oracle wraps (see THIRD_PARTY_NOTICES.md). Go code that walks bytes
is followed byte for byte, and offsets are mapped back to characters.

:func:`new_node` turns one logical line (continuations joined) into a :class:`Node`; :func:`heredocs_from_line`
names the heredocs it opens. :mod:`dockyard.parsers.buildkit` drives them over a whole file.
"""

from __future__ import annotations

from dockyard.regex import lazy_compile, noting

# Go's unicode.IsSpace (Latin-1 part plus the Unicode White_Space property).
# Python's str.isspace() differs (it also accepts U+001C..U+001F).
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
GO_SPACE_SET = frozenset(GO_SPACE)
# Characters of BuildKit's reWhitespace / tokenWhitespace: [\t\v\f\r ]
_TOKEN_WS = "\t\v\f\r "
_TOKEN_WS_SET = frozenset(_TOKEN_WS)
_MAX_SUBCOMMAND_DEPTH = 64

_GO_SPACES = lazy_compile("[" + GO_SPACE + "]+")
_TOKEN_SPACES = lazy_compile(r"[\t\v\f\r ]+")
_HEREDOC = lazy_compile(r"([0-9]*)<<(-?)([^<]*)\Z")


def heredoc_word(word: str) -> bool:
    """``word`` opens a heredoc: ``<<EOF``, ``<<-EOF``, ``3<<"EOF"``..."""
    m = _HEREDOC.match(word)
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


class LineError(Exception):
    pass


class _NotStringArray(LineError):
    pass


class Node:
    """One parsed instruction line (BuildKit's Node, flattened)."""

    __slots__ = ("cmd", "cmd_start", "flags", "values", "json", "sub", "args", "args_start", "node_values")

    def __init__(self) -> None:
        self.cmd = ""
        self.cmd_start = 0
        self.flags: list[tuple[str, int, int]] = []
        self.values: tuple[str, ...] = ()
        self.json = False
        self.sub: Node | None = None
        self.args = ""
        self.args_start = 0
        # what BuildKit's Next chain holds for this very node
        self.node_values: tuple[str, ...] = ()


def _split_ws(s: str) -> list[str]:
    return _TOKEN_SPACES.split(s)


def _extract_builder_flags(line: str) -> tuple[int, list[tuple[str, int, int]]]:
    """Port of extractBuilderFlags (BuildKit v0.12, byte-wise like the Go code).

    Returns (offset of the remaining text, [(flag, start, end)]) with char offsets.
    """
    if not line.startswith("--") and (not line or line[0] not in GO_SPACE_SET):
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
            if ch in GO_SPACE_SET:
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
            if ch in GO_SPACE_SET:
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
        return [w for w in _GO_SPACES.split(rest) if w]
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
            if ch in GO_SPACE_SET:
                pos += 1
                continue
            phase = 1
        if pos == n:
            if blank_ok or word:
                words.append("".join(word))
            break
        if phase == 1:
            if ch in GO_SPACE_SET:
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

# An array of plain strings (no escape, no control character: JSON's whitespace between them) is what nearly every
# exec form holds. Such an array is read here without the `json` module, whose import costs more than the rest of
# a short Dockerfile's parse; any other text is decoded by `json` as before. On every text this pattern matches,
# both read the same strings (tests/parsers/test_buildkit_json.py).
_PLAIN_STRING = r'"[^"\\\x00-\x1f]*"'
_PLAIN_ARRAY = lazy_compile(rf"\[[ \t\n\r]*(?:{_PLAIN_STRING}[ \t\n\r]*(?:,[ \t\n\r]*{_PLAIN_STRING}[ \t\n\r]*)*)?\]")
_PLAIN_STRINGS = lazy_compile(r'"([^"\\\x00-\x1f]*)"')


def _no_constant(name: str):
    raise ValueError(name)


def _decode_json(rest: str):
    """The JSON value ``rest`` starts with (text after it is left, as Go's ``json.Decoder`` leaves it); raises
    ValueError when it starts with none."""
    global _json_decoder
    if _json_decoder is None:
        _json_decoder = _json().JSONDecoder(parse_constant=_no_constant)
    return _json_decoder.raw_decode(rest)[0]


def _json():
    import importlib

    return noting(importlib.import_module, "json")  # its patterns are fixed ones: kept across runs


def _parse_json(rest: str) -> tuple[str, ...] | None:
    """Port of parseJSON: None when not a JSON array; raises _NotStringArray."""
    rest = rest.lstrip(GO_SPACE)
    if not rest.startswith("["):
        return None
    plain = _PLAIN_ARRAY.match(rest)
    if plain is not None:
        obj = _PLAIN_STRINGS.findall(plain.group())
    else:
        try:
            obj = _decode_json(rest)
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


def json_string(value: str) -> str:
    """``json.dumps(value)``: how an exec form's word is written in JSON (its quotes included), without importing
    `json` for a plain word (printable ASCII, no quote or backslash)."""
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    return _json().dumps(value)


def _parse_name_val(rest: str, key: str, esc: str) -> tuple[str, ...]:
    words = _parse_words(rest, esc)
    if not words:
        return ()
    if "=" not in words[0]:
        parts = _TOKEN_SPACES.split(rest, maxsplit=1)
        if len(parts) < 2:
            raise LineError(f"{key} must have two arguments")
        return (parts[0], parts[1])
    out: list[str] = []
    for w in words:
        if "=" not in w:
            raise LineError(f'Syntax error - can\'t find = in "{w}". Must be of the form: name=value')
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
    while sep < n and b[sep] not in GO_SPACE_SET:
        sep += 1
    nxt = sep
    while nxt < n and b[nxt] in GO_SPACE_SET:
        nxt += 1
    if sep == 0:
        return (), False
    typ = _from_go_bytes(b[:sep])
    cmd, js = _maybe_json(_from_go_bytes(b[nxt:]))
    return (typ,) + cmd, js


def new_node(line: str, esc: str, depth: int = 0, base_off: int = 0) -> Node:
    """Port of newNodeFromLine + splitCommand. Raises LineError."""
    node = Node()
    stripped = line.strip(GO_SPACE)
    lead = len(line) - len(line.lstrip(GO_SPACE))
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
        args = raw_args.strip(GO_SPACE)
        args_start = base + roff + (len(raw_args) - len(raw_args.lstrip(GO_SPACE)))
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
                raise LineError("ONBUILD nested too deeply")
            sub = new_node(args, esc, depth + 1, node.args_start)
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
        if c in GO_SPACE_SET:
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


def heredocs_from_line(line: str) -> list[tuple[str, int, bool, bool]]:
    """Port of heredocsFromLine: [(name, fd, expand, chomp)]."""
    if "<<" not in line:
        return []
    words = _shell_words(line, True, True)
    if not words:
        return []
    out = []
    rx = _HEREDOC
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
            raise LineError(f"unterminated quote in heredoc word: {rest}")
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

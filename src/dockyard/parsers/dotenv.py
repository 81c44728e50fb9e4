"""``.env`` files parsed exactly as docker compose parses them (compose-go's ``dotenv`` package, v2.9.1).

python-dotenv is deliberately not used: its grammar differs from compose's in ways that change values
(escape sequences, inline comments, ``KEY`` without ``=``, ``KEY: value``, expansion order, what an
unterminated quote does). Since dockyard must predict what compose will do, this is a faithful port of
compose-go's hand-written scanner (Apache License 2.0; see THIRD_PARTY_NOTICES.md), quirks included:

* statements start at the first non-space character; ``#`` lines are comments;
* an optional ``export`` prefix; keys are letters, digits, ``_ . - [ ]``; ``=`` or ``:`` separates;
* a key alone on its line (``KEY``) is inherited from the environment (omitted when unset);
* unquoted values end at the newline, are cut at the first `` #`` and right-trimmed;
* ``'...'`` and ``"..."`` may span lines; a backslash before the quote character escapes it; inside
  double quotes ``\\a \\b \\c? \\f \\n \\r \\t \\v \\" \\\\ \\$`` and ``\\0ooo`` (octal) are decoded;
* unquoted and double-quoted values are interpolated (``${X}``, ``${X:-d}``...): the lookup (shell
  environment, then earlier env files) wins over keys defined earlier in the same file;
* the first error stops the parse (entries before it are kept);
* interpolation is bounded (dockyard's limit, not compose's): past 4 MiB of interpolated values in one file
  (values copying each other double at each line) the parse stops with an error at that value.

API: ``parse_env(text, lookup=None) -> EnvFile`` (never raises), ``parse_env_bytes(data, lookup=None)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dockyard.lines import byte_position, line_col, line_starts, utf8_error
from dockyard.parsers.interpolation import Budget, InterpolationError, go_quote, substitute
from dockyard.records import field, record

Lookup = Callable[[str], str | None]

_GO_SPACE_EXTRA = frozenset("\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                            "\u2028\u2029\u202f\u205f\u3000")
_UNICODE_SPACE = frozenset("\t\n\v\f\r \x85\xa0") | _GO_SPACE_EXTRA  # Go's unicode.IsSpace
_LINE_SPACE = frozenset("\t\v\f\r \x85\xa0")  # compose's isSpace: a space that is not a line break
_EXPORT = re.compile(r"export[\t\n\f\r ]")
_ESCAPE = re.compile(r'\\(?:[abcfnrtv$"\\]|0[0-9]{0,3})')
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
                   '"': '"', "\\": "\\"}


@record(frozen=True, slots=True)
class EnvEntry:
    """One ``KEY=value`` statement. Lines/columns are 1-based; ``end_*`` is exclusive (end of the value as
    written, closing quote included). ``raw_value`` is the text as written (without quotes); ``value`` the
    result compose uses (``None`` for an inherited ``KEY`` that the lookup does not know). ``quoted`` is
    ``"'"``, ``'"'`` or ``None``."""

    key: str
    value: str | None
    raw_value: str
    quoted: str | None
    line: int
    column: int
    value_line: int
    value_column: int
    end_line: int
    end_column: int
    inherited: bool = False
    exported: bool = False
    start: int = 0  # character offsets of the whole statement in the text
    end: int = 0


@record(frozen=True, slots=True)
class EnvError:
    message: str  # compose's message text
    line: int
    column: int = 1
    end_line: int = 0
    end_column: int = 0
    kind: str = "syntax"  # syntax | interpolation | budget | encoding
    # the message without the text of the file it quotes (a value, a line): what dockyard prints
    redacted: str | None = None

    @property
    def safe_message(self) -> str:
        return self.message if self.redacted is None else self.redacted


@record(frozen=True, slots=True)
class EnvFile:
    entries: tuple[EnvEntry, ...]
    errors: tuple[EnvError, ...] = ()
    warnings: tuple[EnvError, ...] = field(default=())

    def as_dict(self) -> dict[str, str]:
        """What compose would load: later keys win, unresolved inherited keys are absent."""
        out: dict[str, str] = {}
        for e in self.entries:
            if e.value is not None:
                out[e.key] = e.value
        return out

    @property
    def ok(self) -> bool:
        return not self.errors

    def duplicates(self) -> dict[str, tuple[EnvEntry, ...]]:
        """Keys defined more than once, with every defining entry (in file order)."""
        seen: dict[str, list[EnvEntry]] = {}
        for e in self.entries:
            seen.setdefault(e.key, []).append(e)
        return {k: tuple(v) for k, v in seen.items() if len(v) > 1}

    def get(self, key: str) -> EnvEntry | None:
        found = None
        for e in self.entries:
            if e.key == key:
                found = e
        return found

    def keys(self) -> list[str]:
        return list(dict.fromkeys(e.key for e in self.entries))


class _Stop(Exception):
    def __init__(self, error: EnvError) -> None:
        self.error = error


def _expand_escapes(s: str) -> str:
    def repl(m: re.Match[str]) -> str:
        match = m.group(0)
        if match == "\\$":
            return "$$"
        c = match[1]
        if c in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[c]
        if c == "c":  # not a Go escape: UnquoteChar fails, the text is kept
            return match
        # "\0ddd" -> Go's "\ddd": exactly three octal digits, value <= 255
        digits = match[2:]
        rewritten = "\\" + digits
        if len(digits) == 3 and all(d in "01234567" for d in digits):
            v = int(digits, 8)
            if v <= 255:
                return chr(v)
        return rewritten

    return _ESCAPE.sub(repl, s)


class _Parser:
    def __init__(self, text: str, lookup: Lookup) -> None:
        self.src = text
        self.n = len(text)
        self.line = 1
        self.lookup = lookup
        self.out: dict[str, str] = {}
        self.entries: list[EnvEntry] = []
        self.budget = Budget()  # every interpolated value of the file together
        self._starts = line_starts(text)

    def pos(self, offset: int) -> tuple[int, int]:
        return line_col(self._starts, offset)

    def err(self, message: str, offset: int, end: int | None = None, kind: str = "syntax",
            redacted: str | None = None) -> _Stop:
        line, col = self.pos(offset)
        el, ec = self.pos(end if end is not None else offset)
        return _Stop(EnvError(message, line, col, el, ec, kind, redacted))

    def expand(self, value: str, offset: int, end: int) -> str:
        if "$" not in value:
            return value
        def mapping(name: str) -> str | None:
            v = self.lookup(name)
            if v is not None:
                return v
            return self.out.get(name)

        try:
            return substitute(value, mapping, self.budget)
        except InterpolationError as e:
            if e.kind == "budget":
                message = f"line {self.pos(offset)[0]}: {e.message}"
                raise self.err(message, offset, end, "budget", message) from None
            raise self.err(e.message, offset, end, "interpolation",
                           None if e.kind == "required" else f"line {self.line}: {e.safe_message()}") from None

    def statement_start(self, i: int) -> int:
        src, n = self.src, self.n
        while True:
            while i < n and src[i] in _UNICODE_SPACE:
                if src[i] == "\n":
                    self.line += 1
                i += 1
            if i >= n:
                return n
            if src[i] != "#":
                return i
            j = src.find("\n", i)
            if j < 0:
                return n
            i = j

    def run(self) -> None:
        i = self.statement_start(0)
        while i < self.n:
            i = self.statement(i)
            i = self.statement_start(i)

    def statement(self, start: int) -> int:
        src = self.src
        i = start
        exported = False
        if _EXPORT.match(src, i):
            exported = True
            i += 6
            while i < self.n and src[i] in _LINE_SPACE:
                i += 1
        key_start = i
        # scan key end
        key_end = -1
        inherited = False
        j = i
        while j < self.n:
            c = src[j]
            if c in _LINE_SPACE:
                j += 1
                continue
            if c in "=:\n":
                key_end = j
                inherited = c == "\n"
                break
            if c in "_.-[]" or c.isalpha() or c.isnumeric():
                j += 1
                continue
            first_line = src[i:].split("\n", 1)[0]
            raise self.err(f"line {self.line}: unexpected character {go_quote(c)} in variable name "
                           f"{go_quote(first_line)}", j, j + 1,
                           redacted=f"line {self.line}: unexpected character {go_quote(c)} in variable name")
        if i >= self.n:
            raise self.err("zero length string", i)
        if key_end < 0:
            # compose-go quirk: no terminator before the end of the text -> empty key, whole rest is value
            key_raw = ""
            after = i
        else:
            key_raw = src[i:key_end]
            after = key_end + 1
        if inherited and " " not in key_raw:
            self.line += 1
        key = key_raw.rstrip("".join(_UNICODE_SPACE))
        while after < self.n and src[after] in _LINE_SPACE:
            after += 1
        if " " in key:
            raise self.err(f"line {self.line}: key cannot contain a space", key_start, key_start + len(key))
        kl, kc = self.pos(key_start)
        if inherited:
            value = self.lookup(key)
            if value is not None:
                self.out[key] = value
            el, ec = self.pos(key_start + len(key))
            self.entries.append(EnvEntry(key, value, "", None, kl, kc, el, ec, el, ec, True, exported,
                                         start, key_end))
            return after
        value, raw, quote, vend, rest = self.value(after)
        self.out[key] = value
        vl, vc = self.pos(after)
        el, ec = self.pos(vend)
        self.entries.append(EnvEntry(key, value, raw, quote, kl, kc, vl, vc, el, ec, False, exported,
                                     start, vend))
        return rest

    def value(self, i: int) -> tuple[str, str, str | None, int, int]:
        src = self.src
        if i >= self.n or src[i] not in "\"'":
            nl = src.find("\n", i)
            line_end = self.n if nl < 0 else nl
            rest = self.n if nl < 0 else nl + 1
            self.line += 1
            raw = src[i:line_end]
            cut = raw.find(" #")
            if cut >= 0:
                raw = raw[:cut]
            raw = raw.rstrip("".join(_UNICODE_SPACE))
            vend = i + len(raw)
            return self.expand(raw, i, vend), raw, None, vend, rest
        quote = src[i]
        chars: list[str] = []
        escape = False
        j = i + 1
        while j < self.n:
            c = src[j]
            if c == "\n":
                self.line += 1
            if escape:
                escape = False
                if c != quote:
                    chars.append("\\")
                chars.append(c)
            elif c == "\\":
                escape = True
            elif c == quote:
                raw = "".join(chars)
                value = raw
                if quote == '"':
                    value = self.expand(_expand_escapes(raw), i, j + 1)
                return value, raw, quote, j + 1, j + 1
            else:
                chars.append(c)
            j += 1
        nl = src.find("\n", i)
        end = self.n if nl < 0 else nl
        raise self.err(f"line {self.line}: unterminated quoted value {src[i:end]}", i, end,
                       redacted=f"line {self.line}: unterminated quoted value")


def _no_lookup(_name: str) -> str | None:
    return None


def parse_env(text: str, lookup: Lookup | None = None) -> EnvFile:
    """Parse an env file's text. ``lookup(name)`` gives values from outside the file (the shell
    environment, earlier env files) or ``None``. Never raises: problems are :class:`EnvError` values."""
    if text.startswith("\ufeff"):
        text = text[1:]
    p = _Parser(text, lookup or _no_lookup)
    errors: tuple[EnvError, ...] = ()
    try:
        p.run()
    except _Stop as stop:
        errors = (stop.error,)
    except RecursionError:
        errors = (EnvError("value nested too deeply", p.line),)
    return EnvFile(tuple(p.entries), errors)


def parse_env_bytes(data: bytes, lookup: Lookup | None = None) -> EnvFile:
    """Decode (UTF-8, BOM stripped) and parse. Bytes that are not UTF-8 are kept (surrogate-escaped) so
    positions stay right, and reported once as an ``encoding`` error; NUL bytes likewise."""
    text = data.decode("utf-8", errors="surrogateescape")
    result = parse_env(text, lookup)
    extra: list[EnvError] = []
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        message, line, col = utf8_error(data, e)
        extra.append(EnvError(message, line, col, kind="encoding"))
    if b"\x00" in data:
        line, _ = byte_position(data, data.index(b"\x00"))
        extra.append(EnvError("file contains NUL bytes (binary?)", line, kind="encoding"))
    if extra:
        return EnvFile(result.entries, tuple(extra) + result.errors, result.warnings)
    return result

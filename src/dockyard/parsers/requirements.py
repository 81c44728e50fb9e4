"""pip requirements and lock files (``requirements.txt``, ``requirements.lock.txt``) with positions.

The line grammar follows pip's own reader (``pip._internal.req.req_file``):

* a physical line ending in ``\\`` continues on the next one, unless the line is a comment;
* ``#`` starts a comment at the start of a line or after whitespace (``pkg @ https://h/x#egg=pkg`` keeps its
  fragment);
* the line is split on spaces; the words before the first one starting with ``-`` form the requirement, the
  rest are options, split like a shell would (``shlex``) and read with pip's one option table for every line;
* on a requirement line only the per-requirement options take effect (``--hash``, ``--config-settings``,
  ``--global-option``); pip accepts and ignores the others there (``pkg==1.0 --no-binary lxml``);
* a line without a requirement is an options line: ``-r``/``--requirement`` and ``-c``/``--constraint``
  (includes), ``-e``/``--editable``, ``-i``/``--index-url``, ``--extra-index-url``, ``-f``/``--find-links``,
  ``--no-index``, ``--no-binary``, ``--only-binary``, ``--prefer-binary``, ``--require-hashes``, ``--pre``,
  ``--trusted-host``, ``--use-feature``; a per-requirement option there (``--hash`` alone) is ignored, as pip
  does with a warning;
* an unknown option, a missing or unexpected option value, a ``--hash`` that is not ``sha256|sha384|sha512:
  digest`` and an unterminated quote make pip reject the line: they are errors here (the first one of the
  line, as pip stops there); words left over after the options are ignored, as pip ignores them.

The requirement itself is parsed by ``packaging.requirements.Requirement`` (PEP 508). Because importing
``packaging.requirements`` costs tens of milliseconds, the common lock-file line ``name==version`` (optionally with
extras, optionally with a simple environment marker) takes an exact fast path that yields the same fields ``packaging`` would; everything else imports
``packaging`` on first use. Bare URLs and paths (``./pkg``, ``git+https://...#egg=name``) are accepted as pip does.

Positions are 1-based; ``end_column`` is exclusive. :func:`parse_requirements` never raises: problems are
:class:`ReqError` values in ``RequirementsFile.errors``.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

from dockyard.records import record
from dockyard.regex import lazy_compile

__all__ = [
    "Include",
    "OptionLine",
    "ReqError",
    "ReqLine",
    "RequirementsFile",
    "canonicalize_name",
    "parse_requirements",
]


@record(frozen=True, slots=True)
class ReqLine:
    """One requirement. ``name`` is as written ("" for an unnamed path/URL); ``key`` is its canonical form.

    ``specifier`` is the normalised specifier set (``"==1.16.0"``, ``">=1,<2"``, ``""``); ``pinned_version`` is set
    for an exact ``==``/``===`` pin without wildcard. ``hashes`` are ``"algo:hexdigest"`` strings. The position
    (``line``, ``column`` .. ``end_line``, ``end_column``) covers the requirement text itself, not its options.
    """

    name: str
    specifier: str
    pinned_version: str | None
    hashes: tuple[str, ...]
    markers: str | None
    line: int
    column: int
    end_column: int
    end_line: int = 0
    extras: tuple[str, ...] = ()
    url: str | None = None
    editable: bool = False
    text: str = ""  # the requirement as written (continuations joined)

    @property
    def key(self) -> str:
        return canonicalize_name(self.name)


class Include(NamedTuple):
    """``-r FILE`` / ``-c FILE`` (target as written, relative to the including file)."""

    target: str
    line: int


@record(frozen=True, slots=True)
class OptionLine:
    """A global option line. ``name`` is the long form (``--index-url``); ``value`` is None for flags."""

    name: str
    value: str | None
    line: int
    column: int
    end_column: int


@record(frozen=True, slots=True)
class ReqError:
    message: str
    line: int
    column: int = 1
    end_column: int = 0


@record(frozen=True, slots=True)
class RequirementsFile:
    path: str
    entries: tuple[ReqLine, ...] = ()
    includes: tuple[Include, ...] = ()
    errors: tuple[ReqError, ...] = ()
    options: tuple[OptionLine, ...] = ()  # every options line, includes and editables among them


_CANON_RE = lazy_compile(r"[-_.]+")


def canonicalize_name(name: str) -> str:
    """PEP 503 normalisation (same result as ``packaging.utils.canonicalize_name``)."""
    return _CANON_RE.sub("-", name).lower()


# Options pip accepts in a requirements file: long name -> takes a value. pip builds one parser with both
# tables for every line; which options take effect depends on whether the line holds a requirement.
_GLOBAL_OPTIONS: dict[str, bool] = {
    "--index-url": True,
    "--extra-index-url": True,
    "--no-index": False,
    "--constraint": True,
    "--requirement": True,
    "--editable": True,
    "--find-links": True,
    "--no-binary": True,
    "--only-binary": True,
    "--prefer-binary": False,
    "--require-hashes": False,
    "--pre": False,
    "--trusted-host": True,
    "--use-feature": True,
}
_PER_REQ_OPTIONS: dict[str, bool] = {"--hash": True, "--config-settings": True, "--global-option": True}
_ALL_OPTIONS: dict[str, bool] = {**_GLOBAL_OPTIONS, **_PER_REQ_OPTIONS}
_SHORT = {"-i": "--index-url", "-c": "--constraint", "-r": "--requirement", "-e": "--editable", "-f": "--find-links"}
_STRONG_HASHES = ("sha256", "sha384", "sha512")  # pip's --hash accepts these algorithms only

_COMMENT_RE = lazy_compile(r"(^|\s+)#.*$")
_LINE_COMMENT_RE = lazy_compile(r"^\s*#")  # a comment line never continues (pip's COMMENT_RE.match)
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
# name[extras]==version, where version is a plain PEP 440 version: what packaging yields is known exactly.
_FAST = (
    rf"(?P<name>{_NAME})[ \t]*(?:\[[ \t]*(?P<extras>{_NAME}(?:[ \t]*,[ \t]*{_NAME})*)?[ \t]*\])?"
    r"[ \t]*==[ \t]*(?P<version>[0-9]+(?:\.[0-9]+)*(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?"
    r"(?:\+[a-z0-9]+(?:\.[a-z0-9]+)*)?)"
)
# An environment marker after such a pin, restricted to a flat chain of ``variable op 'value'`` items whose
# serialisation by packaging is known exactly: canonical variable names (no ``extra``, whose value packaging
# normalises, and no ``python_implementation`` alias), comparison operators, plain quoted values.
_MARKER_VAR = (
    r"(?:python_version|python_full_version|os_name|sys_platform|platform_release|platform_system"
    r"|platform_version|platform_machine|platform_python_implementation|implementation_name"
    r"|implementation_version)"
)
_FAST_MARKER_RE = lazy_compile(_FAST + r"(?:[ \t]*;[ \t]*(?P<marker>\S.*))?")
_MARKER_ITEM_RE = lazy_compile(
    rf"(?P<var>{_MARKER_VAR})[ \t]*(?P<op>===|==|~=|!=|<=|>=|<|>)[ \t]*"
    r"(?:'(?P<v1>[A-Za-z0-9._+ -]*)'|\"(?P<v2>[A-Za-z0-9._+ -]*)\")"
)
_MARKER_BOOL_RE = lazy_compile(r"[ \t]+(and|or)[ \t]+")
_URLISH_RE = lazy_compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://|\.{0,2}[/\\]|[A-Za-z]:[/\\]|~)")
_EGG_RE = lazy_compile(r"[#&]egg=([^&\s]+)")


class _Logical:
    """A logical line (continuations joined) with a map back to physical positions."""

    __slots__ = ("text", "line", "_starts", "_segs")

    def __init__(self, line: int) -> None:
        self.text = ""
        self.line = line
        self._starts: list[int] = []  # logical offset where each segment starts
        self._segs: list[tuple[int, int]] = []  # (physical line, 0-based column) of each segment start

    def add(self, piece: str, line: int, col0: int) -> None:
        self._starts.append(len(self.text))
        self._segs.append((line, col0))
        self.text += piece

    def pos(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a logical offset (an end offset maps to just past the previous char)."""
        if not self._starts:
            return self.line, 1
        i = bisect.bisect_right(self._starts, offset) - 1
        if i > 0 and offset == self._starts[i]:
            i -= 1  # an end offset at a segment boundary belongs to the previous segment
        i = max(i, 0)
        line, col0 = self._segs[i]
        return line, col0 + (offset - self._starts[i]) + 1


def _logical_lines(text: str):
    lines = text.splitlines()
    current: _Logical | None = None
    for number, raw in enumerate(lines, start=1):
        if raw.endswith("\\") and not _LINE_COMMENT_RE.match(raw):
            # pip strips backslashes from both ends of a continued line
            lead = len(raw) - len(raw.lstrip("\\"))
            piece = raw.strip("\\")
            if current is None:
                current = _Logical(number)
            current.add(piece, number, lead)
            continue
        if current is None:
            current = _Logical(number)
        if _LINE_COMMENT_RE.match(raw) and current.text:
            raw = " " + raw  # pip: a comment ends the continued line; it is dropped below
            current.add(raw, number, -1)
        else:
            current.add(raw, number, 0)
        yield current
        current = None
    if current is not None:
        yield current


_WS_RE = lazy_compile(r"\s*")
_PLAIN_RE = lazy_compile(r"[^\s'\"\\]+")  # a run with no whitespace, quote or backslash: copied as is


def _tokens(text: str, start: int):
    """Split ``text[start:]`` like shlex (quotes, backslash escapes), yielding (value, begin, end) offsets.

    Runs of plain characters are taken by one regex match, so a lock file with thousands of ``--hash`` options
    is split in linear time; quotes and escapes are handled a character at a time. Where shlex would fail (an
    unterminated quote, a backslash at the very end) the last item's value is None.
    """
    i, n = start, len(text)
    ws, plain = _WS_RE.match, _PLAIN_RE.match
    while True:
        i = ws(text, i).end()
        if i >= n:
            return
        begin = i
        out: list[str] = []
        quote = ""
        while i < n:
            if not quote:
                m = plain(text, i)
                if m is not None:
                    out.append(m.group())
                    i = m.end()
                    continue
            ch = text[i]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == "\\" and quote == '"' and i + 1 < n and text[i + 1] in '"\\$`':
                    i += 1
                    out.append(text[i])
                else:
                    out.append(ch)
            elif ch in "'\"":
                quote = ch
            elif ch == "\\":
                if i + 1 >= n:
                    yield None, begin, n
                    return
                i += 1
                out.append(text[i])
            elif ch.isspace():
                break
            else:
                out.append(ch)
            i += 1
        if quote:
            yield None, begin, n
            return
        yield "".join(out), begin, i


def _egg_name(url: str) -> str:
    m = _EGG_RE.search(url)
    if m:
        return m.group(1).split("[", 1)[0]
    base = url.split("#", 1)[0].split("?", 1)[0].rstrip("/\\")
    base = re.split(r"[/\\]", base)[-1]
    if base.lower().endswith(".whl"):
        return base.split("-", 1)[0]
    return ""


_PACKAGING = None


def _requirement_cls():
    global _PACKAGING
    if _PACKAGING is None:
        from packaging.requirements import InvalidRequirement, Requirement

        _PACKAGING = (Requirement, InvalidRequirement)
    return _PACKAGING


def _fast_marker(text: str) -> str | None:
    """``str(Marker(text))`` when ``text`` is a flat chain of simple items (``var op "value"`` joined by
    ``and``/``or``), else None (packaging decides)."""
    out = []
    pos, n = 0, len(text)
    while True:
        m = _MARKER_ITEM_RE.match(text, pos)
        if m is None:
            return None
        value = m.group("v1") if m.group("v1") is not None else m.group("v2")
        out.append(f'{m.group("var")} {m.group("op")} "{value}"')
        pos = m.end()
        if pos == n:
            return " ".join(out)
        b = _MARKER_BOOL_RE.match(text, pos)
        if b is None:
            return None
        out.append(b.group(1))
        pos = b.end()


def _parse_req(text: str):
    """-> (name, specifier, pinned, markers, extras, url) or an error message."""
    m = _FAST_MARKER_RE.fullmatch(text)
    markers = _fast_marker(m.group("marker")) if m and m.group("marker") else None
    if m and (markers is not None or m.group("marker") is None):
        extras = m.group("extras")
        names = tuple(sorted({e.strip() for e in extras.split(",")})) if extras else ()
        version = m.group("version")
        return m.group("name"), f"=={version}", version, markers, names, None
    requirement, invalid = _requirement_cls()
    try:
        req = requirement(text)
    except invalid as exc:
        if _URLISH_RE.match(text):
            return _egg_name(text), "", None, None, (), text
        return f"invalid requirement {text!r}: {str(exc).splitlines()[0]}"
    specs = list(req.specifier)
    pinned = None
    if len(specs) == 1 and specs[0].operator in ("==", "===") and not specs[0].version.endswith(".*"):
        pinned = specs[0].version
    return (
        req.name,
        str(req.specifier),
        pinned,
        str(req.marker) if req.marker is not None else None,
        tuple(sorted(req.extras)),
        req.url,
    )


def _long_option(token: str) -> tuple[str, str | None] | None:
    """Resolve ``--opt``, ``--opt=value``, ``-x``, ``-xVALUE`` (with optparse's unique-prefix matching)."""
    if token.startswith("--"):
        name, eq, value = token.partition("=")
        if name not in _ALL_OPTIONS:
            matches = [o for o in _ALL_OPTIONS if o.startswith(name)]
            if len(matches) != 1:
                return None
            name = matches[0]
        return name, (value if eq else None)
    if len(token) >= 2 and token[:2] in _SHORT:
        return _SHORT[token[:2]], (token[2:] or None)
    return None


def _requirement_end(stripped: str, begin: int, end: int) -> int:
    """Offset of the first word starting with ``-`` (pip's ``break_args_options``: words are split on spaces
    only), or ``end`` when the line has no options."""
    pos = begin
    for word in stripped[begin:end].split(" "):
        if word.startswith("-"):
            return pos
        pos += len(word) + 1
    return end


def parse_requirements(text: str | bytes, path: str = "requirements.txt") -> RequirementsFile:
    """Parse a requirements or lock file. Never raises."""
    try:
        return _parse(text, path)
    except Exception as exc:  # defensive: a parser bug must become a value, not an escape
        return RequirementsFile(path=path, errors=(ReqError(f"cannot parse: {type(exc).__name__}: {exc}", 1),))


def _parse(text: str | bytes, path: str) -> RequirementsFile:
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    entries: list[ReqLine] = []
    includes: list[Include] = []
    options: list[OptionLine] = []
    errors: list[ReqError] = []

    for logical in _logical_lines(text):
        stripped = _COMMENT_RE.sub("", logical.text)
        if not stripped.strip():
            continue
        body_start = len(stripped) - len(stripped.lstrip())
        body_end = len(stripped.rstrip())
        opt_start = _requirement_end(stripped, body_start, body_end)
        req_text = stripped[body_start:opt_start].strip()

        per_req: dict[str, list[str]] = {}
        line_options: list[OptionLine] = []
        failed = len(errors)
        editable: tuple[str, int, int] | None = None
        split = list(_tokens(stripped[:body_end], opt_start))
        if split and split[-1][0] is None:  # pip splits the options with shlex before reading any of them
            line, col = logical.pos(split[-1][1])
            _, end_col = logical.pos(split[-1][2])
            errors.append(ReqError("options cannot be split: unterminated quote or trailing backslash",
                                   line, col, end_col))
            split = []
        toks = iter(split)
        for value, b, e in toks:
            line, col = logical.pos(b)
            _, end_col = logical.pos(e)
            if not value.startswith("-") or value == "-":
                continue  # pip ignores words left over after the options
            if value == "--":
                break  # the rest are positional words, ignored as well
            resolved = _long_option(value)
            if resolved is None:
                where = "after a requirement" if req_text else "in a requirements file"
                errors.append(ReqError(f"unsupported option {value!r} {where}", line, col, end_col))
                break
            name, arg = resolved
            val_b, val_e = e - len(arg or ""), e  # the value's span (attached values: the option's tail)
            if _ALL_OPTIONS[name] and arg is None:
                following = next(toks, None)
                if following is None:
                    errors.append(ReqError(f"option {name} needs a value", line, col, end_col))
                    break
                arg, val_b, val_e = following
            if not _ALL_OPTIONS[name] and arg is not None:
                errors.append(ReqError(f"option {name} takes no value", line, col, end_col))
                break
            if name == "--config-settings" and "=" not in arg:
                _, end_col = logical.pos(val_e)
                errors.append(ReqError(f"option --config-settings needs KEY=VALUE, not {arg!r}", line, col, end_col))
                break
            if name in ("--no-binary", "--only-binary") and arg.startswith("-"):
                errors.append(ReqError(f"option {name} needs a value", line, col, end_col))
                break
            if name == "--hash" and (":" not in arg or arg.split(":", 1)[0] not in _STRONG_HASHES):
                _, end_col = logical.pos(val_e)
                errors.append(ReqError(f"--hash {arg!r} must be algorithm:hexdigest with algorithm one of "
                                       f"{', '.join(_STRONG_HASHES)}", line, col, end_col))
                break
            _, end_col = logical.pos(val_e)
            if name in _PER_REQ_OPTIONS:
                per_req.setdefault(name, []).append(arg or "")
                continue
            line_options.append(OptionLine(name, arg, line, col, end_col))
            if name == "--editable" and editable is None:
                editable = (arg or "", val_b, val_e)

        if req_text or len(errors) > failed:
            pass  # global options after a requirement have no effect on it; pip rejects a line with an error
        elif editable is not None:
            # pip: a line with -e is one editable requirement (the first -e); its other options do nothing
            options.extend(line_options)
            entries.append(_editable(editable[0], logical, editable[1], editable[2]))
        else:
            options.extend(line_options)
            for o in line_options:
                if o.name in ("--requirement", "--constraint"):
                    includes.append(Include(o.value or "", o.line))

        if not req_text:
            continue
        req_begin = body_start
        req_end = body_start + len(req_text)
        line, col = logical.pos(req_begin)
        end_line, end_col = logical.pos(req_end)
        parsed = _parse_req(req_text)
        if isinstance(parsed, str):
            errors.append(ReqError(parsed, line, col, end_col if end_line == line else col + 1))
            continue
        name, spec, pinned, markers, extras, url = parsed
        hashes = tuple(per_req.get("--hash", ()))
        entries.append(
            ReqLine(
                name=name,
                specifier=spec,
                pinned_version=pinned,
                hashes=hashes,
                markers=markers,
                line=line,
                column=col,
                end_column=end_col,
                end_line=end_line,
                extras=extras,
                url=url,
                text=req_text,
            )
        )
    return RequirementsFile(
        path=path,
        entries=tuple(entries),
        includes=tuple(includes),
        errors=tuple(errors),
        options=tuple(options),
    )


def _editable(target: str, logical: _Logical, begin: int, end: int) -> ReqLine:
    line, col = logical.pos(begin)
    end_line, end_col = logical.pos(end)
    written, name, extras = target, _egg_name(target), ()
    m = re.fullmatch(r"(.*?)\[([^\]]*)\]", target)
    if m and not _EGG_RE.search(target):
        target, extras = m.group(1), tuple(sorted(x.strip() for x in m.group(2).split(",") if x.strip()))
    return ReqLine(
        name=name,
        specifier="",
        pinned_version=None,
        hashes=(),
        markers=None,
        line=line,
        column=col,
        end_column=end_col,
        end_line=end_line,
        extras=extras,
        url=target,
        editable=True,
        text=written,
    )

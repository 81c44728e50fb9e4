""".dockerignore parsing and matching with Docker's own semantics.

A port of the two pieces of Go code that decide what enters a build context, from moby/patternmatcher v0.6.1
(Apache License 2.0; see THIRD_PARTY_NOTICES.md):

* ``moby/patternmatcher/ignorefile.ReadAll`` (BuildKit reads ignore files with it): a line that *starts*
  with ``#`` is a comment (an indented ``#`` is a pattern), surrounding whitespace is trimmed, a leading
  ``!`` marks an exception, the rest goes through ``filepath.Clean`` and loses a leading ``/``;
* ``moby/patternmatcher.PatternMatcher`` (``New`` + ``MatchesOrParentMatches``): each pattern becomes an
  exact, prefix, suffix or regular-expression match anchored at the context root, later patterns override
  earlier ones, and a pattern matching a parent directory matches everything inside it.

It is ported rather than approximated with gitignore rules (:mod:`dockyard.parsers.ignorefile`) because
the two formats disagree exactly where it matters: ``*.pyc`` or ``__pycache__`` in a ``.dockerignore``
match only at the root of the context, and an exception can re-include a file inside an excluded folder.
Positions of every pattern are kept so that findings can point at the line that decides a path's fate.
"""

from __future__ import annotations

import re

from dockyard.records import field, record

__all__ = ["DockerIgnore", "IgnorePattern", "IgnoreError", "clean_path", "parse_dockerignore"]

# Go's unicode.IsSpace, as strings.TrimSpace uses it.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
# patternmatcher.shouldEscape: regexp metacharacters that mean nothing in a filepath.Match pattern.
_ESCAPE = frozenset(".+()|{}$")

_EXACT, _PREFIX, _SUFFIX, _REGEXP = "exact", "prefix", "suffix", "regexp"


def clean_path(p: str) -> str:
    """Go's ``filepath.Clean`` on a slash-separated path."""
    if p == "":
        return "."
    rooted = p.startswith("/")
    parts: list[str] = []
    for seg in p.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(seg)
    out = "/".join(parts)
    if rooted:
        return "/" + out
    return out or "."


def _bad_pattern(p: str) -> bool:
    """True when Go's ``filepath.Match`` rejects the pattern (``ErrBadPattern``)."""

    def esc(i: int) -> int:  # Go's getEsc: returns the index after one (escaped) class character, or -1
        if i >= len(p) or p[i] in "-]":
            return -1
        if p[i] == "\\":
            i += 1
            if i >= len(p):
                return -1
        i += 1
        return -1 if i >= len(p) else i

    i, n = 0, len(p)
    while i < n:
        c = p[i]
        if c == "\\":
            if i + 1 >= n:
                return True
            i += 2
            continue
        if c == "[":
            i += 1
            if i < n and p[i] == "^":
                i += 1
            ranges = 0
            while True:
                if i < n and p[i] == "]" and ranges > 0:
                    i += 1
                    break
                i = esc(i)
                if i < 0:
                    return True
                if p[i] == "-":
                    i = esc(i + 1)
                    if i < 0:
                        return True
                ranges += 1
            continue
        i += 1
    return False


def _compile(pattern: str) -> tuple[str, "re.Pattern | None"]:
    """Port of ``Pattern.compile`` for '/' separators: the match type and, for regexp matches, the regex."""
    out = ["^"]
    kind = _EXACT
    i, n = 0, len(pattern)
    first = True
    while i < n:
        ch = pattern[i]
        i += 1
        if ch == "*":
            if i < n and pattern[i] == "*":
                i += 1
                if i < n and pattern[i] == "/":  # treat '**/' as '**'
                    i += 1
                if i >= n:  # '**' at the end: everything
                    if kind == _EXACT:
                        kind = _PREFIX
                    else:
                        out.append(".*")
                        kind = _REGEXP
                else:
                    out.append("(.*/)?")
                    kind = _REGEXP
                if first:
                    kind = _SUFFIX
            else:
                out.append("[^/]*")
                kind = _REGEXP
        elif ch == "?":
            out.append("[^/]")
            kind = _REGEXP
        elif ch in _ESCAPE:
            out.append("\\" + ch)
        elif ch == "\\":
            if i < n:
                out.append("\\" + pattern[i])
                i += 1
                kind = _REGEXP
            else:
                out.append("\\\\")
        elif ch in "[]":
            out.append(ch)
            kind = _REGEXP
        else:
            out.append(ch)
        first = False
    if kind != _REGEXP:
        return kind, None
    out.append(r"\Z")
    try:
        return kind, re.compile("".join(out), re.DOTALL)
    except re.error:
        return kind, None


@record(frozen=True, slots=True)
class IgnoreError:
    message: str
    line: int
    column: int
    end_column: int


@record(frozen=True, slots=True)
class IgnorePattern:
    """One pattern line: ``text`` as written (trimmed), ``pattern`` as Docker uses it (cleaned, no '!')."""

    text: str
    pattern: str
    exclusion: bool  # a '!' exception: re-includes what it matches
    line: int
    column: int
    end_column: int
    start: int  # character offsets of ``text`` in the file
    end: int
    kind: str = _EXACT
    regex: "re.Pattern | None" = field(default=None, compare=False, repr=False)
    valid: bool = True

    def matches(self, path: str) -> bool:
        """``Pattern.match`` on a cleaned, slash-separated path relative to the context root."""
        if not self.valid:
            return False
        p = self.pattern
        if self.kind == _EXACT:
            return path == p
        if self.kind == _PREFIX:
            return path.startswith(p[:-2])
        if self.kind == _SUFFIX:
            suffix = p[2:]
            if path.endswith(suffix):
                return True
            return suffix[:1] == "/" and path == suffix[1:]
        return self.regex is not None and self.regex.match(path) is not None

    def matches_or_parent(self, path: str) -> bool:
        if self.matches(path):
            return True
        parent = path.rsplit("/", 1)[0] if "/" in path else "."
        if parent == ".":
            return False
        dirs = parent.split("/")
        return any(self.matches("/".join(dirs[: i + 1])) for i in range(len(dirs)))


@record
class DockerIgnore:
    text: str
    patterns: list[IgnorePattern]
    errors: list[IgnoreError]

    def deciding(self, path: str) -> IgnorePattern | None:
        """The pattern whose match last changed ``path``'s state (``MatchesOrParentMatches``), or None."""
        path = clean_path(path.replace("\\", "/")).lstrip("/") or "."
        if path == ".":
            return None
        matched = False
        decided: IgnorePattern | None = None
        for pat in self.patterns:
            if pat.exclusion != matched:
                continue
            if pat.matches_or_parent(path):
                matched = not pat.exclusion
                decided = pat
        return decided

    def excluded(self, path: str) -> bool:
        """True when ``path`` (relative to the context root) is left out of the build context."""
        pat = self.deciding(path)
        return pat is not None and not pat.exclusion

    def excluding_pattern(self, path: str) -> IgnorePattern | None:
        pat = self.deciding(path)
        return pat if pat is not None and not pat.exclusion else None


def parse_dockerignore(text: str) -> DockerIgnore:
    """Parse an ignore file's text. Never raises; bad patterns become ``errors`` (BuildKit rejects them)."""
    patterns: list[IgnorePattern] = []
    errors: list[IgnoreError] = []
    offset = 0
    for lineno, raw in enumerate(text.split("\n"), 1):
        line_start = offset
        offset += len(raw) + 1
        if raw.endswith("\r"):
            raw = raw[:-1]
        lead = 0
        if lineno == 1 and raw.startswith("\ufeff"):
            raw = raw[1:]
            lead = 1
        if raw.startswith("#"):
            continue
        stripped = raw.strip(_GO_SPACE)
        if not stripped:
            continue
        col0 = lead + len(raw) - len(raw.lstrip(_GO_SPACE))
        start = line_start + col0
        end = start + len(stripped)
        column, end_column = col0 + 1, col0 + 1 + len(stripped)
        body = stripped
        exclusion = body[0] == "!"
        if exclusion:
            body = body[1:].strip(_GO_SPACE)
        if body:
            body = clean_path(body)
            if len(body) > 1 and body[0] == "/":
                body = body[1:]
        # New() trims and cleans once more; both are idempotent here except for the '!' it strips.
        if exclusion and not body:
            errors.append(IgnoreError('illegal exclusion pattern: "!"', lineno, column, end_column))
            patterns.append(IgnorePattern(stripped, body, True, lineno, column, end_column, start, end, valid=False))
            continue
        if _bad_pattern(body):
            errors.append(IgnoreError(f"syntax error in pattern `{stripped}`", lineno, column, end_column))
            patterns.append(IgnorePattern(stripped, body, exclusion, lineno, column, end_column, start, end, valid=False))
            continue
        kind, regex = _compile(body)
        patterns.append(IgnorePattern(stripped, body, exclusion, lineno, column, end_column, start, end, kind, regex,
                                      kind != _REGEXP or regex is not None))
    return DockerIgnore(text, patterns, errors)

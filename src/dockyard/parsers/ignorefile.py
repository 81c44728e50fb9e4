"""``.gitignore`` matching with git's semantics (used to skip ignored files and to judge EN-GITIGNORE).

Written here rather than taken from ``pathspec`` because that library costs ~40 ms to import and
dockyard's whole cold run has a budget of a few tens of milliseconds; the translation below follows
gitignore(5): anchoring by an inner slash, ``**`` forms, directory-only patterns, negation, and the rule
that nothing inside an excluded directory can be re-included.
"""

from __future__ import annotations

import re

from dockyard.records import record


@record(frozen=True, slots=True)
class GitPattern:
    text: str  # the pattern as written (trailing spaces removed)
    line: int
    negated: bool
    dir_only: bool
    regex: re.Pattern


def _translate(body: str) -> str:
    """A gitignore glob (without leading '!' or trailing '/') as a regex over a relative POSIX path."""
    anchored = "/" in body.rstrip("/")
    if body.startswith("/"):
        body = body[1:]
    i, n, out = 0, len(body), []
    while i < n:
        c = body[i]
        if c == "*":
            if body.startswith("**", i):
                at_start = i == 0 or body[i - 1] == "/"
                at_end = i + 2 == n or body[i + 2] == "/"
                if at_start and at_end:
                    if i + 2 == n:  # trailing '/**': everything inside
                        out.append(".*")
                        i += 2
                    else:  # leading '**/' or inner '/**/': zero or more directories
                        out.append("(?:.*/)?")
                        i += 3
                    continue
                out.append("[^/]*")
                i += 2
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = i + 1
            if j < n and body[j] in "!^":
                j += 1
            if j < n and body[j] == "]":
                j += 1
            while j < n and body[j] != "]":
                j += 1
            if j >= n:
                out.append(re.escape(c))
            else:
                inner = body[i + 1 : j]
                if inner[:1] in ("!", "^"):
                    inner = "^" + inner[1:]
                out.append("[" + inner.replace("\\", "\\\\") + "]")
                i = j
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(body[i]))
        else:
            out.append(re.escape(c))
        i += 1
    core = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    return f"^{prefix}{core}$"


class GitIgnore:
    def __init__(self, patterns: list[GitPattern]) -> None:
        self.patterns = patterns

    @classmethod
    def parse(cls, text: str) -> "GitIgnore":
        patterns = []
        for lineno, raw in enumerate(text.splitlines(), 1):
            line = raw
            if not line or line.startswith("#"):
                continue
            # trailing spaces are ignored unless escaped with a backslash
            stripped = line.rstrip(" ")
            if stripped.endswith("\\") and len(stripped) < len(line):
                stripped += " "
            line = stripped
            if not line:
                continue
            negated = line.startswith("!")
            if negated:
                line = line[1:]
            elif line.startswith("\\!") or line.startswith("\\#"):
                line = line[1:]
            dir_only = line.endswith("/")
            body = line.rstrip("/") if dir_only else line
            if not body:
                continue
            try:
                regex = re.compile(_translate(body))
            except re.error:
                continue
            patterns.append(GitPattern(raw.rstrip(" "), lineno, negated, dir_only, regex))
        return cls(patterns)

    def _match(self, path: str, is_dir: bool) -> GitPattern | None:
        found = None
        for pattern in self.patterns:
            if pattern.dir_only and not is_dir:
                continue
            if pattern.regex.match(path):
                found = pattern
        return found

    def ignored(self, path: str, is_dir: bool = False) -> bool:
        parts = path.strip("/").split("/")
        for i in range(1, len(parts)):  # an excluded parent directory excludes everything below it
            m = self._match("/".join(parts[:i]), True)
            if m is not None and not m.negated:
                return True
        m = self._match("/".join(parts), is_dir)
        return m is not None and not m.negated

    def deciding_pattern(self, path: str, is_dir: bool = False) -> GitPattern | None:
        """The pattern that decides a path's fate (the last match), for explanations."""
        parts = path.strip("/").split("/")
        for i in range(1, len(parts)):
            m = self._match("/".join(parts[:i]), True)
            if m is not None and not m.negated:
                return m
        return self._match("/".join(parts), is_dir)


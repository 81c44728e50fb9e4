"""How compose splits a command written as one string (``command: uvicorn app.main:app``): compose-go v2.9.1's
``ShellCommand`` calls ``shellwords.Parse``, ported here from mattn/go-shellwords v1.0.12 (MIT License; see
THIRD_PARTY_NOTICES.md) with the defaults compose uses: no environment expansion, no backtick execution.

It is not POSIX word splitting (``shlex``):

* a backslash escapes the next character inside double quotes too (``"a\\r"`` is ``ar``);
* the words end at the first unquoted ``;``, ``&``, ``|``, ``<`` or ``>``, and the rest is dropped
  (``echo a && echo b`` runs ``echo a``; in ``a 2>/dev/null`` the ``2`` goes too);
* an unquoted ``(`` is refused unless it follows ``$``, and so are an unbalanced ``)``, quote or backtick and a
  trailing backslash; backticks and ``$( )`` keep their text and the spaces in it.
"""

from __future__ import annotations

_SPACES = frozenset(" \t\r\n")
_STOPS = frozenset(";&|<>")


def split(line: str) -> list[str] | None:
    """The words of ``line`` as compose splits it; None where compose refuses it ("invalid command line
    string")."""
    args: list[str] = []
    buf: list[str] = []
    escaped = double = single = back = dollar = False
    got = False  # a word is started (go-shellwords' argSingle / argQuoted)
    for r in line:
        if escaped:
            buf.append(r)
            escaped = False
            got = True
            continue
        if r == "\\":
            if single:
                buf.append(r)
            else:
                escaped = True
            continue
        if r in _SPACES:
            if single or double or back or dollar:
                buf.append(r)
            elif got:
                args.append("".join(buf))
                buf = []
                got = False
            continue
        if r == "`":
            if not single and not double and not dollar:
                back = not back
        elif r == ")":
            if not single and not double and not back:
                dollar = not dollar
        elif r == "(":
            if not single and not double and not back:
                if dollar or not buf or buf[-1] != "$":
                    return None
                dollar = True
                buf.append(r)
                continue
        elif r == '"':
            if not single and not dollar:
                if double:
                    got = True
                double = not double
                continue
        elif r == "'":
            if not double and not dollar:
                if single:
                    got = True
                single = not single
                continue
        elif r in _STOPS:
            if not (single or double or back or dollar):
                if r == ">" and buf and "0" <= buf[0] <= "9":
                    got = False  # `2>`: the descriptor is no word
                break
        got = True
        buf.append(r)
    if got:
        args.append("".join(buf))
    if escaped or single or double or back or dollar:
        return None
    return args


def words(line: str) -> list[str]:
    """The words compose splits ``line`` into; where compose refuses it (see :func:`split`; the loader reports
    that), its blank-separated words, for the rules to read."""
    found = split(line)
    return line.split() if found is None else found

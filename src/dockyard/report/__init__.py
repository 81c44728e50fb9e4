"""Reporters: each turns a :class:`dockyard.engine.Result` into text. They never look the rules up: what they
show of a rule (SARIF's rule descriptors) comes from the rules the result carries.

Every report is valid UTF-8. A file name that is not (bytes the file system's encoding cannot decode, which
Python keeps as lone surrogates ``\\udcxx``) is shown with U+FFFD REPLACEMENT CHARACTER for each such byte in
every format, so that any JSON parser, terminal or annotation API accepts the report; SARIF artifact URIs
percent-encode the original bytes instead (RFC 3986), which names the file exactly.
"""

from __future__ import annotations

import importlib

from dockyard.regex import lazy_compile

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")

_SURROGATE = lazy_compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with each lone surrogate (an undecodable byte of a file name) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def render(result, fmt: str, *, color: bool = False) -> str:
    module = importlib.import_module(f"dockyard.report.{fmt}_report")
    return printable(module.render(result, color=color))


def write(result, fmt: str, out, *, color: bool = False) -> None:
    """Write the report to the text stream ``out``: piece by piece for a format whose module yields ``chunks``
    (the text report), so a long report is never held whole; at once for the others."""
    module = importlib.import_module(f"dockyard.report.{fmt}_report")
    chunks = getattr(module, "chunks", None)
    if chunks is None:
        out.write(printable(module.render(result, color=color)))
        return
    for chunk in chunks(result, color=color):
        out.write(printable(chunk))

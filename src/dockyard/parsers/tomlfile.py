"""TOML as uv, pip and the Python packaging tools read it: TOML 1.1, with ``tomli``. The standard library's
``tomllib`` (Python 3.11) is TOML 1.0 and refuses what TOML 1.1 formatters write, such as an inline table over
several lines (``sdist = {`` ... ``}`` in a ``uv.lock``). Every TOML file dockyard reads goes through
:func:`parse_toml`.
"""

from __future__ import annotations


class TOMLError(ValueError):
    """Text that is not TOML; the message is the parser's (``... (at line 3, column 7)``)."""


def parse_toml(text: str) -> dict:
    """The document ``text`` holds; :class:`TOMLError` when it is not TOML."""
    import tomli  # only a run that reads a TOML file pays for the parser

    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise TOMLError(str(exc)) from None

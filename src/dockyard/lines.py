"""Lines of a text: where each one starts, the line and column of an offset, and where bytes stop being UTF-8.

Positions are 1-based, columns count characters; a line ends after its ``\\n`` (a ``\\r`` before it belongs to
the line).
"""

from __future__ import annotations

from bisect import bisect_right


def line_starts(text: str) -> list[int]:
    """The offset at which each line of ``text`` starts: ``[0]`` and one more after every ``\\n``."""
    starts = [0]
    find = text.find
    i = find("\n")
    while i != -1:
        starts.append(i + 1)
        i = find("\n", i + 1)
    return starts


def line_col(starts: list[int], offset: int) -> tuple[int, int]:
    """(line, column) of a character offset, given the text's :func:`line_starts`."""
    i = bisect_right(starts, offset) - 1
    return i + 1, offset - starts[i] + 1


def byte_position(data: bytes, index: int) -> tuple[int, int]:
    """(line, column) of byte ``index`` of ``data`` read as UTF-8 (a byte that is not UTF-8 counts as one
    character)."""
    prefix = data[:index].decode("utf-8", errors="surrogateescape")
    return prefix.count("\n") + 1, len(prefix) - (prefix.rfind("\n") + 1) + 1


def utf8_error(data: bytes, error: UnicodeDecodeError) -> tuple[str, int, int]:
    """What to say about ``data``, which ``data.decode("utf-8")`` refused with ``error``, and where: (message, line,
    column) of its first byte that is not UTF-8."""
    line, column = byte_position(data, error.start)
    return f"file is not valid UTF-8 (byte 0x{data[error.start]:02x})", line, column

"""Atomic writes: a temporary file in the same directory, fsync, then rename over the target.

The target's permission bits are kept; a new file gets ``mode`` (default 0644, or 0600 for secrets).
Text is written exactly as given (no newline translation), so line endings survive.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def atomic_write(path: str | os.PathLike, data: str | bytes, mode: int | None = None) -> None:
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        current = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        current = None
    final_mode = current if current is not None and mode is None else (mode if mode is not None else 0o644)
    folder = target.parent if str(target.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, final_mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def create_exclusive(path: str | os.PathLike, data: str | bytes, mode: int = 0o644) -> None:
    """Write a new file atomically; refuse (FileExistsError) when it already exists, never overwriting."""
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.link(tmp, target)  # fails if the target exists: no silent overwrite, even in a race
    finally:
        os.unlink(tmp)

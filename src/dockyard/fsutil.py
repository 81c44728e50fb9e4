"""Atomic writes: a temporary file in the same directory, fsync, then rename over the target.

The target's permission bits and ownership are kept (ownership as far as the process may give it); a new file
gets ``mode`` (default 0644, or 0600 for secrets). A symbolic link is followed: the file it points to is
replaced, in that file's directory, and the link stays a link. Text is written exactly as given (no newline
translation), so line endings survive.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def atomic_write(path: str | os.PathLike, data: str | bytes, mode: int | None = None) -> None:
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    current = stat.S_IMODE(st.st_mode) if st is not None else None
    final_mode = current if current is not None and mode is None else (mode if mode is not None else 0o644)
    folder = target.parent if str(target.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        if st is not None and (st.st_uid, st.st_gid) != _owner(tmp):
            try:
                os.chown(tmp, st.st_uid, st.st_gid)
            except OSError:
                pass  # only root may give a file away; the group, to a group the process is in
        os.chmod(tmp, final_mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _owner(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_uid, st.st_gid


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

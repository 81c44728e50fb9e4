"""Reading regular files only, and atomic writes (a temporary file in the same directory, fsync, then rename
over the target).

Reads never open anything but a regular file: opening a named pipe blocks until a writer comes, a socket cannot be
opened, and a device may never end. :func:`read_regular` checks the file type before opening (following links,
as a read does) and again on the open descriptor, so a file swapped for a pipe in between never blocks.

Writes:

The target's permission bits and ownership are kept (ownership as far as the process may give it); a new file
gets ``mode`` (default 0644, or 0600 for secrets). A symbolic link is followed: the file it points to is
replaced, in that file's directory, and the link stays a link. Text is written exactly as given (no newline
translation), so line endings survive.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotRegularFile(OSError):
    """A path that names something other than a regular file or a directory (a pipe, a socket, a device)."""

    def __init__(self, path: str | os.PathLike, mode: int) -> None:
        self.what = file_type(mode)
        super().__init__(f"{self.what}, not a regular file")
        self.filename = os.fspath(path)
        self.strerror = f"{self.what}, not a regular file"


_TYPES = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory"), (stat.S_ISREG, "a regular file"))


def file_type(mode: int) -> str:
    """What a ``st_mode`` says a file is, in words: ``a named pipe (FIFO)``, ``a socket``..."""
    return next((name for test, name in _TYPES if test(mode)), "a special file")


def is_special(mode: int) -> bool:
    """Whether a file of this mode is something a read must not open: neither a regular file nor a directory."""
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def read_regular(path: str | os.PathLike, limit: int | None = None) -> bytes:
    """The bytes of a regular file (a symbolic link is followed to one). Anything else is never opened:
    :class:`NotRegularFile` for a pipe, a socket or a device, :class:`IsADirectoryError` for a directory.
    With ``limit``, a file larger than that raises :class:`FileTooLarge` unread."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(21, "Is a directory", os.fspath(path))
        raise NotRegularFile(path, st.st_mode)
    # O_NONBLOCK: should the path have become a pipe since the stat, the open returns at once instead of waiting
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(path, st.st_mode)
        if limit is not None and st.st_size > limit:
            raise FileTooLarge(path, st.st_size, limit)
        chunks = []
        while True:
            chunk = os.read(fd, max(st.st_size + 1, 65536))
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


class FileTooLarge(OSError):
    def __init__(self, path: str | os.PathLike, size: int, limit: int) -> None:
        super().__init__(f"file is too large to check ({size} bytes; limit {limit})")
        self.filename, self.size, self.limit = os.fspath(path), size, limit
        self.strerror = f"file is too large to check ({size} bytes; limit {limit})"


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
    import tempfile

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
    import tempfile

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

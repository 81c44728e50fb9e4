"""A check's report kept across runs, and replayed while nothing it read has changed.

A ``dockyard check`` run records, as it runs, everything its report depends on:

- its key: the command line, the working directory, the environment (compose interpolates the shell's
  variables), whether stdout and stderr are terminals and how wide, the Python build and executable;
- every path it opened, listed or asked about (``stat``, ``exists``, ``is_file``...), each with its identity
  (type and permissions, size, inode, device, modification and change times) or, when absent, the error that
  said so. A directory's times change when an entry is added, removed or renamed in it;
- the files of every module that ran, dockyard's own and the libraries' (the standard library is keyed by the
  Python build).

At its end the run keeps its exit code and what it wrote to stdout, under a digest of the key: the cache holds
no value of the environment and nothing a report does not show. The next run with the same key stats each
recorded path, and when every one is as recorded it writes the kept report and exits with the kept code, without
importing anything of the checker. As git does with its index, a report is not kept when a recorded path changed
within :data:`RACY_NS` of the run's end (a file written in the same clock tick as it was read can keep its size
and times), nor when a path changed during the run.

Never kept: a run that writes to stderr (an error, a warning), ends with another exit code than 0 or 1 (an
interrupted run may have written half its report), writes its report to a file (``--output``) or a baseline, or
starts a process other than ``git ls-files`` (whose answer the index's identity stands for).
``--no-cache`` or ``DOCKYARD_NO_CACHE=1`` turn the cache off; entries live in ``check/`` under
:func:`dockyard.cache.directory`, the newest :data:`KEEP` of them.

Written with :mod:`os` and builtin modules alone: the warm path runs before anything else is imported.
"""

from __future__ import annotations

import marshal
import os
import sys
import time

from dockyard.cache import directory

FORMAT = 1
RACY_NS = 2_000_000_000
KEEP = 64
# environment variables a shell changes between two commands without changing what a check sees
VOLATILE = frozenset({"_", "OLDPWD", "SHLVL", "PWD"})
OPT_OUT = "--no-cache"

_stat = os.stat  # the real functions: recording puts wrappers in their place
# the frequent events that say nothing of what a run reads (an import's `.pyc` is opened, and noted as ignored)
_IGNORED_EVENTS = frozenset({"builtins.id", "exec", "marshal.loads", "import", "sys._getframe", "compile",
                             "object.__getattr__", "object.__setattr__"})


def wanted(argv: list[str]) -> bool:
    """Whether this command line may be replayed or recorded: a ``check`` with the cache on."""
    words = [a for a in argv if not a.startswith("-")]
    return (bool(words) and words[0] == "check" and OPT_OUT not in argv
            and os.environ.get("DOCKYARD_NO_CACHE", "") in ("", "0") and sys.implementation.name == "cpython")


# how a path was asked about
STAT, LSTAT, LIST = 0, 1, 2


def _identity(path: str, how: int = STAT):
    """What a run learnt of ``path``: a file's identity, with its size and times (its content); a directory's
    type and inode when it was only looked at (``exists``, ``is_dir``, a step of resolving a path), and with its
    times when it was listed; the error number when it is absent."""
    try:
        st = _stat(path, follow_symlinks=how != LSTAT)
    except OSError as exc:
        return exc.errno
    except ValueError:  # a NUL in the path
        return -1
    if how != LIST and st.st_mode & 0o170000 == 0o040000:
        return (st.st_mode, st.st_ino, st.st_dev)
    return (st.st_mode, st.st_size, st.st_ino, st.st_dev, st.st_mtime_ns, st.st_ctime_ns)


def _columns(fd: int) -> int:
    try:
        return os.get_terminal_size(fd).columns
    except (OSError, ValueError):
        return 0


def entry_path(argv: list[str]) -> str:
    """Where the report of this command line, in this folder and environment, is kept: computed once per run, as
    it starts (a replay that misses hands it to the recording)."""
    try:
        from _sha256 import sha256
    except ImportError:  # Python 3.12 and later
        try:
            from _sha2 import sha256
        except ImportError:
            from hashlib import sha256
    ttys = tuple(os.isatty(fd) for fd in (1, 2))
    key = (FORMAT, sys.version, sys.executable, os.getcwd(), tuple(argv),
           tuple(sorted((k, v) for k, v in os.environ.items() if k not in VOLATILE)),
           ttys, tuple(_columns(fd) if tty else 0 for fd, tty in zip((1, 2), ttys)))
    digest = sha256(marshal.dumps(key)).hexdigest()[:40]
    return os.path.join(directory(), "check", digest + ".bin")


def replay(entry: str) -> int | None:
    """Write the kept report at ``entry`` (:func:`entry_path`) and return its exit code; None when there is none, or
    when anything it read has changed."""
    try:
        with open(entry, "rb") as fh:
            fmt, watched, out, code = marshal.loads(fh.read())
        if fmt != FORMAT:
            return None
        for path, how, identity in watched:
            if _identity(path, how) != identity:
                return None
    except Exception:  # no entry, another format, a damaged file: the run checks as usual
        return None
    sys.stdout.write(out)
    return code


class _Tee:
    """A text stream that keeps what is written through it; ``on_bypass`` is told when something takes a way
    around :meth:`write` (the byte buffer, ``writelines``), whose output would not be kept."""

    def __init__(self, stream, on_write, on_bypass) -> None:
        self._stream = stream
        self._on_write = on_write
        self._on_bypass = on_bypass

    def write(self, text):
        self._on_write(text)
        return self._stream.write(text)

    def __getattr__(self, name):
        if name in ("buffer", "writelines", "detach", "fileno"):
            self._on_bypass()
        return getattr(self._stream, name)


class Recording:
    """What a run reads, from :meth:`start` to :meth:`finish`."""

    def __init__(self, entry: str) -> None:
        self.approved = False  # set by the check command once its arguments allow a replay (see :func:`approve`)
        self.spoiled = False
        self.watched: dict[tuple[str, int], object] = {}
        self.out: list[str] = []
        self._cwd = os.getcwd()
        self._entry = entry  # the key as the run started, before anything could set a variable
        self._skip = os.path.abspath(directory())
        self._skip_below = os.path.join(self._skip, "")
        self._saved = None

    def spoil(self) -> None:
        self.spoiled = True

    def note(self, path, how: int = STAT) -> None:
        # called for every stat and open of the run: the common case (an absolute or relative `str`) first
        if path.__class__ is not str:
            if isinstance(path, os.PathLike):
                path = os.fspath(path)
            if isinstance(path, bytes):
                path = os.fsdecode(path)
            if not isinstance(path, str):
                return  # a file descriptor: its path was noted when it was opened
        if path[:1] != "/":
            path = os.path.join(self._cwd, path)
        key = (path, how)
        if key in self.watched or path.endswith(".pyc") or path.startswith(self._skip_below) or path == self._skip:
            return
        self.watched[key] = _identity(path, how)

    def _hook(self, event: str, args) -> None:
        if self._saved is None:
            return  # finished: the hook cannot be removed, only silenced
        if event in _IGNORED_EVENTS:
            return
        if event == "open":
            self.note(args[0])
        elif event == "os.scandir" or event == "os.listdir":
            if sys._getframe(1).f_code.co_filename.startswith("<frozen importlib"):
                return  # the import system looking for a module: the modules that ran are noted as files
            self.note(args[0] if args[0] is not None else ".", LIST)
        elif event == "subprocess.Popen":
            argv = [os.fsdecode(a) if isinstance(a, (str, bytes)) else a
                    for a in (args[1] if isinstance(args[1], (list, tuple)) else [args[1]])]
            # `git -C TREE ls-files`: its answer is the index's, whose identity the run noted when it asked
            index = os.path.join(self._cwd, argv[2], ".git", "index") if len(argv) > 3 else None
            if not (argv[:2] == ["git", "-C"] and argv[3:4] == ["ls-files"]
                    and isinstance(self.watched.get((index, STAT)), tuple)):
                self.spoiled = True
        elif event == "os.chdir":
            self.spoiled = True

    def start(self) -> "Recording":
        real_stat, real_lstat = os.stat, os.lstat

        def stat(path, *, dir_fd=None, follow_symlinks=True):
            if dir_fd is None:
                self.note(path, STAT if follow_symlinks else LSTAT)
            else:
                self.spoiled = True
            return real_stat(path, dir_fd=dir_fd, follow_symlinks=follow_symlinks)

        def lstat(path, *, dir_fd=None):
            if dir_fd is None:
                self.note(path, LSTAT)
            else:
                self.spoiled = True
            return real_lstat(path, dir_fd=dir_fd)

        def on_error(text) -> None:
            if text and not text.startswith("\r"):  # the progress line rewrites itself with \r: not a message
                self.spoiled = True

        self._saved = (real_stat, real_lstat, sys.stdout, sys.stderr)
        os.stat, os.lstat = stat, lstat
        sys.stdout = _Tee(sys.stdout, self.out.append, self.spoil)
        sys.stderr = _Tee(sys.stderr, on_error, self.spoil)
        sys.addaudithook(self._hook)
        return self

    def finish(self, code: int) -> bool:
        """Stop recording; keep the report when it may be replayed. Whether it was kept."""
        if self._saved is None:
            return False
        os.stat, os.lstat, sys.stdout, sys.stderr = self._saved
        self._saved = None
        if not self.approved or self.spoiled or code not in (0, 1):
            return False  # (an interrupted run, 130, may have written half its report)
        try:
            return self._store(code)
        except Exception:  # an unwritable cache: the next run checks again
            return False

    def _store(self, code: int) -> bool:
        stdlib = os.path.join(os.path.dirname(os.__file__), "")
        for module in list(sys.modules.values()):
            file = getattr(module, "__file__", None)
            if isinstance(file, str) and not (file.startswith(stdlib) and "-packages" not in file):
                self.note(file)
        recent = time.time_ns() - RACY_NS
        watched = []
        for (path, how), identity in self.watched.items():
            if _identity(path, how) != identity:
                return False  # changed while the run read it
            if isinstance(identity, tuple) and len(identity) == 6 and max(identity[4], identity[5]) >= recent:
                return False  # racy: changed too recently for its times to tell a later change
            watched.append((path, how, identity))
        _write(self._entry, marshal.dumps((FORMAT, watched, "".join(self.out), int(code))))
        _prune(os.path.dirname(self._entry))
        return True


_current: Recording | None = None


def record(entry: str) -> Recording:
    global _current
    _current = Recording(entry).start()
    return _current


def approve() -> None:
    """Called by the check command when its arguments allow the report to be replayed: it goes to stdout, and no
    baseline is written."""
    if _current is not None:
        _current.approved = True


def _write(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all, readable by the user alone (a report names the checked
    files): a temporary file beside it, then renamed over it. Not synced: an entry a crash cuts short fails to
    load and is checked afresh."""
    folder = os.path.dirname(path)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    tmp = os.path.join(folder, f".{os.getpid()}.{time.monotonic_ns()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _prune(folder: str) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.stat().st_mtime_ns, reverse=True)
    except OSError:
        return
    for entry in entries[KEEP:]:
        try:
            os.unlink(entry.path)
        except OSError:
            pass

"""Regular expressions compiled when first used, not when their module is imported.

A module-level ``_NAME = lazy_compile(r"...")`` reads like ``re.compile`` and is used the same way
(``_NAME.match(text)``, ``.search``, ``.sub``, ``.finditer``, ``.pattern``...), but a run that never uses it
never compiles it: checking one Dockerfile imports modules holding some seventy patterns and uses a few.
After the first use each method is looked up on the instance directly, at the cost of a plain attribute.
Hand the compiled pattern (``.compiled``) to APIs that need a real ``re.Pattern``.
"""

from __future__ import annotations

import itertools
import re


class LazyPattern:
    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = (pattern, flags)

    @property
    def compiled(self) -> re.Pattern:
        return self.__getattr__("_compiled")

    def __getattr__(self, name: str):
        # only reached for what is not yet on the instance: compile once, then keep each attribute asked for
        compiled = self.__dict__.get("_compiled")
        if compiled is None:
            compiled = self.__dict__["_compiled"] = re.compile(*self._source)
            _static.add((self._source[0], int(self._source[1])))
        if name == "_compiled":
            return compiled
        value = getattr(compiled, name)
        self.__dict__[name] = value
        return value

    def __repr__(self) -> str:
        return f"lazy_compile({self._source[0]!r}, {self._source[1]!r})"


def lazy_compile(pattern: str, flags: int = 0) -> LazyPattern:
    return LazyPattern(pattern, flags)


# Compiled patterns kept across runs.
#
# Compiling a regular expression runs the `re` module's parser and compiler, written in Python: 50 to 600 us a
# pattern, and a short run compiles some forty (dockyard's own, PyYAML's resolver): about a sixth of dockyard's
# own time in a check of one Dockerfile. What the compiler produces is a list of integers that `_sre.compile`
# turns into a pattern object in microseconds. :func:`remember` keeps, at the end of a run, the compiler's output
# for the fixed patterns the run compiled; :func:`preload`, at the start of the next, rebuilds them and places
# them in the `re` module's own cache, where `re.compile` (whoever calls it) finds them. Each entry is kept only
# when the pattern it rebuilds compares equal to the one `re` compiled (pattern equality compares flags and code),
# and the store is keyed by the Python build and `_sre`'s code version; anything unexpected (another Python, a
# changed private API, a damaged file) leaves `re` to compile as it always does. CPython only.
#
# Only fixed patterns are kept: those of :func:`lazy_compile`, those a module compiles when it is imported
# (:func:`noting`) and those compiled before the command line is parsed (:func:`note_fixed`). A pattern built at
# run time from what a repository holds (a `.dockerignore` line, the secret values a redactor hides) is never
# written: the store holds nothing of the files checked.

STORE_LIMIT = 400  # below re's own cache size (512), so preloading never evicts what it loads
KEEP_STORES = 3  # other Python builds' stores kept beside this one's


def _store_path() -> str:
    import os
    import sys

    import _sre

    from dockyard import cache  # lazy: only the console script's start and end read the store

    # the file also holds sys.version, checked on reading: two builds of one Python version never share a store
    return os.path.join(cache.directory(), f"regex_{sys.implementation.cache_tag}_{_sre.MAGIC}_{_sre.CODESIZE}.bin")


_loaded: dict = {}
_static: set[tuple[str, int]] = set()  # (pattern, flags) of the fixed patterns this run compiled


def noting(run, *args):
    """``run(*args)``, noting the patterns it compiles as fixed ones (see :func:`remember`): for an import
    (``noting(importlib.import_module, "yaml")``) or generated code run once, which never read a repository."""
    cache = getattr(re, "_cache", None)
    if not isinstance(cache, dict):
        return run(*args)
    before = len(cache)
    result = run(*args)
    added = len(cache) - before  # re appends to its cache; a full cache evicts, and then nothing is noted
    if 0 < added and len(cache) < STORE_LIMIT:
        for kind, pattern, flags in itertools.islice(reversed(cache), added):
            if kind is str:
                _static.add((pattern, flags))
    return result


def note_fixed() -> None:
    """Note every pattern compiled so far as a fixed one. Called once the command line is parsed, before anything
    of a repository is read: what is compiled by then is the libraries' and the command line parser's own."""
    global _noted_start
    cache = getattr(re, "_cache", None)
    if _noted_start or not isinstance(cache, dict):
        return
    _noted_start = True
    _static.update((pattern, flags) for kind, pattern, flags in cache if kind is str)


_noted_start = False


def preload() -> int:
    """Place the patterns of the store in ``re``'s cache; how many."""
    import marshal
    import sys

    import _sre

    cache = getattr(re, "_cache", None)
    if sys.implementation.name != "cpython" or not isinstance(cache, dict):
        return 0
    try:
        with open(_store_path(), "rb") as fh:
            version, entries = marshal.loads(fh.read())
        if version != sys.version:
            return 0
        for (pattern, flags), (final, code, groups, groupindex, indexgroup) in entries.items():
            key = (str, pattern, flags)
            if key not in cache:
                cache[key] = _sre.compile(pattern, final, code, groups, groupindex, indexgroup)
            _loaded[pattern, flags] = (final, code, groups, groupindex, indexgroup)
    except Exception:  # no store yet, another format, a damaged file: re compiles as usual
        return 0
    return len(_loaded)


def _entry(pattern: str, flags: int, compiled: re.Pattern):
    """What `_sre.compile` needs to rebuild ``compiled``, or None when the rebuilt pattern would differ."""
    import _sre

    from re import _compiler, _parser

    parsed = _parser.parse(pattern, flags)
    code = [int(op) for op in _compiler._code(parsed, flags)]
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    entry = (int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex, tuple(indexgroup))
    return entry if _sre.compile(pattern, *entry) == compiled else None


def remember() -> int:
    """Add to the store the fixed patterns this run compiled that it does not hold; how many were added."""
    import marshal
    import sys

    cache = getattr(re, "_cache", None)
    if sys.implementation.name != "cpython" or not isinstance(cache, dict):
        return 0
    try:
        new = {}
        for pattern, flags in _static - _loaded.keys():
            if not flags & re.DEBUG:
                entry = _entry(pattern, flags, re.compile(pattern, flags))
                if entry is not None:
                    new[pattern, flags] = entry
        if not new:
            return 0
        kept = dict(list(_loaded.items())[: max(0, STORE_LIMIT - len(new))])
        kept.update(list(new.items())[:STORE_LIMIT])
        from dockyard.fsutil import atomic_write  # lazy: only a run that compiled something new writes

        path = _store_path()
        atomic_write(path, marshal.dumps((sys.version, kept)))
        _prune(path)
        _loaded.update(new)
    except Exception:  # an unwritable cache, a changed private API: the next run compiles again
        return 0
    return len(new)


def _prune(kept: str) -> None:
    """Keep this store and the newest few others (other Python builds in use beside this one)."""
    import glob
    import os

    stores = sorted(glob.glob(os.path.join(glob.escape(os.path.dirname(kept)), "regex_*.bin")),
                    key=lambda p: (p == kept, os.stat(p).st_mtime_ns), reverse=True)
    for other in stores[KEEP_STORES:]:
        try:
            os.unlink(other)
        except OSError:
            pass

"""Where dockyard keeps what it computes once and reuses across runs (compiled schema validators, compiled
regular expressions): ``$DOCKYARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/dockyard``, else ``~/.cache/dockyard``.
Written with :mod:`os.path` alone: the console script reads it before anything has imported :mod:`pathlib`."""

from __future__ import annotations

import os


def directory() -> str:
    return os.environ.get("DOCKYARD_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "dockyard")

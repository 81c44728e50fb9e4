"""Regular expressions compiled when first used, not when their module is imported.

A module-level ``_NAME = lazy_compile(r"...")`` reads like ``re.compile`` and is used the same way
(``_NAME.match(text)``, ``.search``, ``.sub``, ``.finditer``, ``.pattern``...), but a run that never uses it
never compiles it: checking one Dockerfile imports modules holding some seventy patterns and uses a few.
After the first use each method is looked up on the instance directly, at the cost of a plain attribute.
Hand the compiled pattern (``.compiled``) to APIs that need a real ``re.Pattern``.
"""

from __future__ import annotations

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
        if name == "_compiled":
            return compiled
        value = getattr(compiled, name)
        self.__dict__[name] = value
        return value

    def __repr__(self) -> str:
        return f"lazy_compile({self._source[0]!r}, {self._source[1]!r})"


def lazy_compile(pattern: str, flags: int = 0) -> LazyPattern:
    return LazyPattern(pattern, flags)

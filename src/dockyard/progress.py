"""A progress line for long runs: on a terminal only (stderr), only once a check walks more than a few hundred
files, rewritten in place with ``\\r`` and cleared when the run ends. Never written when stderr is not a
terminal (CI logs, pipes, files), so no report and no log ever holds it."""

from __future__ import annotations

import sys
import time

THRESHOLD = 300  # files walked before the line appears
INTERVAL = 0.1  # seconds between two updates


class Progress:
    def __init__(self, stream=None, threshold: int = THRESHOLD, interval: float = INTERVAL) -> None:
        self.stream = sys.stderr if stream is None else stream
        try:
            self.enabled = bool(self.stream.isatty())
        except (AttributeError, ValueError, OSError):
            self.enabled = False
        self.threshold = threshold
        self.interval = interval
        self.shown = False
        self._width = 0
        self._last = 0.0
        self._long = False  # this tree has more files than the threshold

    def walked(self, files: int) -> None:
        """Discovery has seen ``files`` files of the current tree."""
        if self.enabled and files > self.threshold:
            self._long = True
            self._show(f"dockyard: discovering files: {files}")

    def checking(self, done: int, total: int) -> None:
        """``done`` of the current tree's ``total`` rules have run."""
        if self.enabled and self._long:
            self._show(f"dockyard: checking: rule {done}/{total}")

    def tree_done(self) -> None:
        self._long = False

    def _show(self, text: str) -> None:
        now = time.monotonic()
        if self.shown and now - self._last < self.interval:
            return
        line = text.ljust(self._width)  # spaces over the rest of a longer line before it
        self.stream.write("\r" + line)
        self.stream.flush()
        self.shown, self._width, self._last = True, len(line), now

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self.shown = False

"""The standard's ``wheelhouse-build`` job: ``python -m pip wheel --wheel-dir DIR -r LOCK``, package by package.

:func:`build_wheelhouse` runs pip, reads its output as it comes and reports each package collected, saved or
built from source through a callback; it prints nothing and returns a :class:`WheelhouseResult`: the wheels
built, or the package pip failed at with pip's own error lines.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from dockyard.deps.indexes import DepsError, probe_indexes, read_pip_config, requirement_options
from dockyard.deps.lock import DEFAULT_LOCK
from dockyard.model import UsageError
from dockyard.parsers.requirements import parse_requirements
from dockyard.records import record
from dockyard.regex import lazy_compile

_COLLECTING = lazy_compile(r"^(?:Collecting|Processing) (\S+)")
_SAVED = lazy_compile(r"^(?:Saved|File was already downloaded) (.+)$")
_BUILDING = lazy_compile(r"^\s*Building wheel for (\S+)")
_CREATED = lazy_compile(r"^\s*Created wheel for (\S+?): filename=(\S+)")
_FAILED = [
    re.compile(r"Failed building wheel for (\S+)"),
    re.compile(r"No matching distribution found for (\S+)"),
    re.compile(r"Could not find a version that satisfies the requirement (\S+)"),
    re.compile(r"Failed to build ('[^']+'|\S+)"),
    re.compile(r"^\s+(\S+?==\S+) from https?://\S+:"),  # hash mismatch report
]


def _requirement_name(text: str) -> str:
    """``six==1.0`` -> ``six``; ``'file:///src/pkg'`` or ``./pkg`` -> ``pkg``."""
    text = text.strip().strip("'\"")
    if "/" in text or "\\" in text:
        return re.split(r"[/\\]", text.split("#", 1)[0].rstrip("/\\"))[-1]
    return re.split(r"[\s;\[<>=!~@(]", text, maxsplit=1)[0]


@record(frozen=True)
class WheelhouseResult:
    """What :func:`build_wheelhouse` did: the wheels in the directory, or where pip failed."""

    wheel_dir: Path
    pip_code: int
    wheels: tuple[str, ...] = ()  # wheel file names in the directory once pip succeeded
    failing: str | None = None  # the package pip failed at, when its output names one
    pip_output: str = ""  # pip's error lines (or the last lines it printed) when it failed
    index_error: str | None = None  # the failure is an index that cannot be reached (a DepsError's message)

    @property
    def ok(self) -> bool:
        return self.pip_code == 0


def _quiet(done: int, total: int, message: str) -> None:
    pass


def build_wheelhouse(
    wheel_dir: Path | None = None,
    lock_path: Path | None = None,
    *,
    directory: Path | None = None,
    progress: Callable[[int, int, str], None] = _quiet,
) -> WheelhouseResult:
    """``python -m pip wheel --wheel-dir DIR -r LOCK``; ``progress(done, total, message)`` follows each package.

    Raises :class:`UsageError` when the lock file is missing and :class:`DepsError` when pip cannot run.
    """
    import subprocess

    directory = directory or Path.cwd()
    lock_path = lock_path or Path(DEFAULT_LOCK)
    if not lock_path.is_absolute():
        lock_path = directory / lock_path
    wheel_dir = wheel_dir or Path("wheels")
    if not wheel_dir.is_absolute():
        wheel_dir = directory / wheel_dir
    if not lock_path.is_file():
        raise UsageError(f"lock file {lock_path} not found (run `dockyard deps lock` first)")
    parsed = parse_requirements(lock_path.read_text(encoding="utf-8", errors="replace"), str(lock_path))
    total = len(parsed.entries)
    wheel_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "wheel", "--wheel-dir", str(wheel_dir), "-r", str(lock_path),
           "--progress-bar", "off", "--disable-pip-version-check", "--no-input"]
    env = dict(os.environ, PYTHONUNBUFFERED="1", NO_COLOR="1")
    done = 0
    current: str | None = None
    failing: str | None = None
    tail: list[str] = []
    errors: list[str] = []
    try:
        proc = subprocess.Popen(cmd, cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env=env, errors="replace")
    except OSError as exc:
        raise DepsError(f"cannot run pip: {exc}") from None
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip("\n")
        tail = (tail + [line])[-30:]
        if m := _COLLECTING.match(line):
            current = m.group(1)
            progress(done, total, f"collecting {current}")
        elif m := _SAVED.match(line):
            done += 1
            progress(done, total, f"saved {os.path.basename(m.group(1).strip())}")
        elif m := _CREATED.match(line):
            progress(done, total, f"built {m.group(2)}")
        elif m := _BUILDING.match(line):
            progress(done, total, f"building {m.group(1)} from source")
        if line.startswith("ERROR:") or "error:" in line[:10]:
            errors.append(line)
        if failing is None:
            for pattern in _FAILED:
                if m := pattern.search(line):
                    failing = _requirement_name(m.group(1))
                    break
    code = proc.wait()
    if code != 0:
        failing = failing or (_requirement_name(current) if current else None)
        index_error = None
        try:
            probe_indexes(read_pip_config().with_lock_options(requirement_options(lock_path)))
        except DepsError as exc:
            index_error = str(exc)
        return WheelhouseResult(wheel_dir, code, failing=failing, pip_output="\n".join(errors or tail),
                                index_error=index_error)
    return WheelhouseResult(wheel_dir, code, tuple(sorted(p.name for p in wheel_dir.glob("*.whl"))))

"""The standard's ``lock-deps`` job: resolve ``requirements.in`` or ``pyproject.toml`` into a pinned lock file.

:func:`lock` resolves ``requirements.in`` (or ``pyproject.toml`` ``[project].dependencies``) into a pinned
``requirements.lock.txt`` with ``uv pip compile`` (pip-tools' ``pip-compile`` when uv is not installed), honouring
the user's pip configuration, and writes it atomically. It prints nothing: it reports progress through a callback
and returns a :class:`LockResult`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

from dockyard.deps.indexes import DepsError, IndexConfig, probe_indexes, read_pip_config, requirement_options
from dockyard.model import UsageError
from dockyard.parsers.requirements import parse_requirements
from dockyard.parsers.tomlfile import TOMLError, parse_toml
from dockyard.records import record

DEFAULT_LOCK = "requirements.lock.txt"


@record(frozen=True)
class LockResult:
    """What :func:`lock` did: the lock file it wrote, or the resolver's failure."""

    input: Path
    output: Path
    ok: bool
    pinned: int = 0  # packages the written lock file pins
    resolver_output: str = ""  # what the resolver printed when it failed
    index_error: str | None = None  # the failure is an index that cannot be reached (a DepsError's message)


def find_input(directory: Path) -> Path:
    for name in ("requirements.in", "pyproject.toml"):
        if (directory / name).is_file():
            return directory / name
    raise UsageError(f"no requirements.in or pyproject.toml in {directory}; pass --input FILE")


def _check_pyproject(path: Path) -> None:
    try:
        data = parse_toml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, TOMLError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    project = data.get("project")
    if not isinstance(project, dict):
        raise UsageError(f"{path} has no [project] table to take dependencies from")
    if "dependencies" not in project and "dependencies" not in project.get("dynamic", []):
        raise UsageError(f"{path} declares no [project].dependencies")


def _resolver_command(
    input_name: str, out: str, hashes: bool, python: str | None, config: IndexConfig
) -> tuple[list[str], str | None]:
    """The resolver's command line, and a note for the user about it (or None)."""
    try:
        from uv import find_uv_bin

        uv = find_uv_bin()
    except (ImportError, FileNotFoundError):
        import shutil

        uv = shutil.which("uv")
    if uv:
        cmd = [uv, "pip", "compile", input_name, "--output-file", out, "--quiet", "--no-progress"]
        cmd += ["--custom-compile-command", "dockyard deps lock" + (" --hashes" if hashes else "")]
        cmd += ["--index-strategy", "unsafe-best-match"]  # like pip: best version across all indexes
        cmd += ["--python", sys.executable]
        if python:
            cmd += ["--python-version", python]
        if hashes:
            cmd.append("--generate-hashes")
        if config.no_index:
            cmd.append("--no-index")
        if config.index_url:
            cmd += ["--index-url", config.index_url]
        for url in config.extra_index_urls:
            cmd += ["--extra-index-url", url]
        for link in config.find_links:
            cmd += ["--find-links", link]
        return cmd, None
    import importlib.util

    if importlib.util.find_spec("piptools") is None:
        raise DepsError("no resolver: install uv (pip install uv) or pip-tools")
    # pip-compile reads pip's configuration itself
    cmd = [sys.executable, "-m", "piptools", "compile", input_name, "--output-file", out, "--quiet"]
    cmd += ["--strip-extras", "--no-emit-index-url"]
    if hashes:
        cmd.append("--generate-hashes")
    note = f"pip-tools resolves for the running Python {sys.version.split()[0]}, not {python}" if python else None
    return cmd, note


def _quiet(message: str) -> None:
    pass


def lock(
    input_path: Path | None = None,
    output: Path | None = None,
    *,
    hashes: bool = False,
    python: str | None = None,
    directory: Path | None = None,
    progress: Callable[[str], None] = _quiet,
) -> LockResult:
    """Resolve the input into a pinned lock file, written atomically.

    ``progress`` receives a line for the user before the resolver runs. Raises :class:`UsageError` for bad
    arguments and :class:`DepsError` when no resolver can run.
    """
    import subprocess
    import tempfile

    directory = directory or Path.cwd()
    if python is not None and not re.fullmatch(r"3\.\d{1,2}", python):
        raise UsageError(f"--python must look like 3.12, not {python!r}")
    if input_path is None:
        input_path = find_input(directory)
    elif not input_path.is_absolute():
        input_path = directory / input_path
    if not input_path.is_file():
        raise UsageError(f"input file {input_path} not found")
    if input_path.name == "pyproject.toml" or input_path.suffix == ".toml":
        _check_pyproject(input_path)
    output = output or Path(DEFAULT_LOCK)
    if not output.is_absolute():
        output = directory / output
    if not output.parent.is_dir():
        raise UsageError(f"output directory {output.parent} does not exist")

    config = read_pip_config()
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=output.parent)
    os.close(fd)
    try:
        if output.is_file():  # the current pins are the resolver's preferences, as with pip-compile
            Path(tmp).write_bytes(output.read_bytes())
        cmd, note = _resolver_command(os.path.relpath(input_path, input_path.parent), tmp, hashes, python, config)
        if note:
            progress(note)
        env = dict(os.environ, UV_PYTHON_DOWNLOADS="never", NO_COLOR="1")
        progress(f"resolving {input_path.name} -> {output.name}")
        try:
            proc = subprocess.run(cmd, cwd=input_path.parent, capture_output=True, text=True, env=env, check=False)
        except OSError as exc:
            raise DepsError(f"cannot run {cmd[0]}: {exc}") from None
        if proc.returncode != 0:
            if input_path.suffix != ".toml":
                config = config.with_lock_options(requirement_options(input_path))
            index_error = None
            try:
                probe_indexes(config)  # an index that cannot be reached is exit 2, as in wheels-check
            except DepsError as exc:
                index_error = str(exc)
            return LockResult(input_path, output, False, resolver_output=proc.stderr or proc.stdout,
                              index_error=index_error)
        if output.exists():
            os.chmod(tmp, output.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, output)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    pins = parse_requirements(output.read_text(encoding="utf-8"), str(output)).entries
    return LockResult(input_path, output, True, pinned=len(pins))

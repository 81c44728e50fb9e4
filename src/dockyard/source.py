"""A file as dockyard reads it: its kind (what it is called, what parses it), decoded text (line endings kept),
and offset <-> position mapping."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path

from dockyard import TYPE_CHECKING
from dockyard.fsutil import FileTooLarge, NotRegularFile, read_regular
from dockyard.lines import line_col, line_starts
from dockyard.model import Position
from dockyard.records import field, record
from dockyard.regex import lazy_compile

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

MAX_FILE_BYTES = 16 * 1024 * 1024  # larger files are reported, not read


class FileKind:
    DOCKERFILE = "dockerfile"
    DOCKERIGNORE = "dockerignore"
    COMPOSE = "compose"
    ENV = "env"
    GITIGNORE = "gitignore"
    PYTHON = "python"
    REQUIREMENTS = "requirements"
    MAKEFILE = "makefile"
    WORKFLOW = "workflow"
    GITLAB_CI = "gitlab-ci"
    PYPROJECT = "pyproject"
    PYTHON_LOCK = "python-lock"  # uv.lock, poetry.lock, pdm.lock, pylock.toml (PEP 751)
    TILTFILE = "tiltfile"  # Tilt's Starlark build file: its `docker_build` calls name build contexts
    OTHER = "other"


# What a file of each kind dockyard reads is called in messages.
KIND_WORDS = {
    FileKind.DOCKERFILE: "a Dockerfile", FileKind.COMPOSE: "a compose file", FileKind.DOCKERIGNORE: "a .dockerignore",
    FileKind.ENV: "an env file", FileKind.GITIGNORE: "a .gitignore", FileKind.PYTHON: "a Python source",
    FileKind.REQUIREMENTS: "a requirements file", FileKind.MAKEFILE: "a Makefile",
    FileKind.WORKFLOW: "a GitHub Actions workflow", FileKind.GITLAB_CI: "a GitLab CI pipeline",
    FileKind.PYPROJECT: "a pyproject.toml", FileKind.PYTHON_LOCK: "a lock file", FileKind.TILTFILE: "a Tiltfile",
}


@record(frozen=True, slots=True)
class Parsing:
    """How the rules' model of a kind of file is made: ``module.function(text)`` (imported when first used: a tree
    without env files never imports the env file parser); ``rule``: the rule that reports a file of the kind that
    cannot be read (None: the unreadable-file rule). The model has ``errors``: what does not parse."""

    module: str
    function: str
    rule: str | None = None


PARSING = {
    FileKind.DOCKERFILE: Parsing("dockyard.parsers.buildkit", "parse_dockerfile", "DF001"),
    FileKind.DOCKERIGNORE: Parsing("dockyard.parsers.dockerignore", "parse_dockerignore"),
    FileKind.COMPOSE: Parsing("dockyard.parsers.yamlpos", "load_yaml", "CO001"),
    FileKind.ENV: Parsing("dockyard.parsers.dotenv", "parse_env", "EN001"),
}


def parser_of(kind: str) -> Callable[[str], Any] | None:
    """The parser of a kind of file (see :data:`PARSING`), or None for a kind the rules read otherwise."""
    parsing = PARSING.get(kind)
    if parsing is None:
        return None
    return getattr(importlib.import_module(parsing.module), parsing.function)


# Lock files of Python project managers, read as TOML (see dockyard.locks); ``pylock.<name>.toml`` as well.
PYTHON_LOCK_NAMES = {"uv.lock": "uv", "poetry.lock": "poetry", "pdm.lock": "pdm", "pylock.toml": "pylock"}


def python_lock_tool(name: str) -> str | None:
    """The tool whose lock file ``name`` is (``uv``, ``poetry``, ``pdm``, ``pylock``), or None."""
    if name in PYTHON_LOCK_NAMES:
        return PYTHON_LOCK_NAMES[name]
    if name.startswith("pylock.") and name.endswith(".toml") and len(name) > len("pylock..toml"):
        return "pylock"
    return None


# `.env.<suffix>` names that are not env files: patches and merge leftovers, templates of other engines, and
# files of other languages that happen to start with `.env.` (`.env.example` and `.env.prod` are env files).
NOT_ENV_SUFFIXES = (
    ".patch", ".diff", ".rej", ".orig", ".swp", ".swo", "~",
    ".j2", ".jinja", ".jinja2",
    ".py", ".js", ".mjs", ".cjs", ".ts", ".json", ".yml", ".yaml", ".toml", ".sh", ".bash", ".ps1", ".md", ".rst",
    ".html", ".xml", ".lock",
)


def is_env_name(name: str) -> bool:
    """``.env`` and ``.env.<something>``, except names that say the file is something else (``.env.patch``)."""
    if name == ".env":
        return True
    return name.startswith(".env.") and not name.lower().endswith(NOT_ENV_SUFFIXES)


def service_env_files(documents) -> list[str]:
    """The files a compose file's services load with ``env_file:`` (a path, a list of paths, or entries with
    ``path:``), as written: relative to the compose file's folder. ``documents`` are the file's parsed YAML
    documents; paths that are interpolated (``${ENV}.env``) or absolute are left out."""
    out: list[str] = []
    for root in documents:
        services = root.get("services") if isinstance(root, dict) else None
        if not isinstance(services, dict):
            continue
        for svc in services.values():
            value = svc.get("env_file") if isinstance(svc, dict) else None
            for item in value if isinstance(value, list) else [value]:
                path = item.get("path") if isinstance(item, dict) else item
                if isinstance(path, str) and path and "$" not in path and not path.startswith(("/", "~")):
                    out.append(path)
    return list(dict.fromkeys(out))


_DIFF_START = ("diff ", "--- ", "+++ ", "@@ ", "Index: ")
_ENV_LINE = lazy_compile(r"^\s*(?:export\s+)?[^\s=#]+\s*=")  # a key (however badly named) and `=`


def looks_like_env(text: str) -> bool:
    """Whether the content reads as ``KEY=VALUE`` lines: not a diff, not a Jinja template (``{% if %}`` lines,
    ``{{ var }}`` in key names), and at least one assignment when the file has anything but comments."""
    meaningful = 0
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        meaningful += 1
        if meaningful == 1 and stripped.startswith(_DIFF_START):
            return False
        if stripped.startswith(("{%", "{{")):
            return False
        if _ENV_LINE.match(line):
            return True
    return meaningful == 0


def classify(name: str, parent_parts: tuple[str, ...] = ()) -> str:
    """The kind of a file, from its name (and for CI files, its folder)."""
    lower = name.lower()
    if name in ("Dockerfile", "Containerfile") or name.startswith(("Dockerfile.", "Containerfile.")) or (
        lower.endswith(".dockerfile") and not lower.endswith(".dockerignore")
    ):
        if lower.endswith(".dockerignore"):
            return FileKind.DOCKERIGNORE
        return FileKind.DOCKERFILE
    if name == ".dockerignore" or lower.endswith(".dockerignore"):
        return FileKind.DOCKERIGNORE
    if lower.endswith((".yml", ".yaml")):
        if parent_parts[-2:] == (".github", "workflows"):
            return FileKind.WORKFLOW
        if lower in (".gitlab-ci.yml", ".gitlab-ci.yaml"):
            return FileKind.GITLAB_CI
        stem = lower.rsplit(".", 1)[0]
        if stem in ("compose", "docker-compose") or stem.startswith(("compose.", "docker-compose.")):
            return FileKind.COMPOSE
        return FileKind.OTHER
    if is_env_name(name):
        return FileKind.ENV
    if name == ".gitignore":
        return FileKind.GITIGNORE
    if name in ("Makefile", "makefile", "GNUmakefile"):
        return FileKind.MAKEFILE
    if name == "Tiltfile":
        return FileKind.TILTFILE
    if name == "pyproject.toml":
        return FileKind.PYPROJECT
    if python_lock_tool(name) is not None:
        return FileKind.PYTHON_LOCK
    if lower.endswith(".py"):
        return FileKind.PYTHON
    if lower.startswith("requirements") and lower.endswith((".txt", ".in")):
        return FileKind.REQUIREMENTS
    return FileKind.OTHER


def explicit_kind(path: Path) -> str:
    """The kind of a file named on the command line: its name's kind, and an env file for ``*.env`` too
    (``env/app.env``: discovery finds such files through the compose ``env_file:`` that names them)."""
    kind = classify(path.name, path.parent.parts)
    if kind == FileKind.OTHER and path.name.lower().endswith(".env") and len(path.name) > len(".env"):
        return FileKind.ENV
    return kind


@record(eq=False)
class SourceFile:
    """One file of the checked tree. ``text`` is None when it could not be read; ``error`` says why."""

    path: str  # relative to the project root, POSIX
    abspath: Path
    kind: str
    text: str | None = None
    error: str | None = None
    bom: bool = False  # read with a byte-order mark (the text has none): written back with it
    encoding: str = "utf-8"  # "utf-16-le" / "utf-16-be" for a compose file compose reads as UTF-16
    _line_starts: list[int] | None = field(default=None, repr=False)

    @classmethod
    def load(cls, abspath: Path, relpath: str, kind: str) -> "SourceFile":
        sf = cls(relpath, abspath, kind)
        try:
            data = read_regular(abspath, MAX_FILE_BYTES)  # a pipe, a socket or a device is never opened
        except IsADirectoryError:
            sf.error = "is a directory"
            return sf
        except (FileTooLarge, NotRegularFile) as exc:
            sf.error = exc.strerror
            return sf
        except OSError as exc:
            sf.error = f"cannot read file: {exc.strerror or exc}"
            return sf
        sf.set_bytes(data)
        if kind == FileKind.ENV and sf.text is not None and not looks_like_env(sf.text):
            sf.kind = FileKind.OTHER  # named like an env file, but a diff, a template or another format
        return sf

    def set_bytes(self, data: bytes) -> None:
        if self.kind == FileKind.COMPOSE and data[:2] in (b"\xff\xfe", b"\xfe\xff") and data[:4] != b"\xff\xfe\x00\x00":
            # compose (go-yaml) reads UTF-16 when a byte-order mark says so (not UTF-32, not without a mark)
            encoding = "utf-16-le" if data[:2] == b"\xff\xfe" else "utf-16-be"
            try:
                self.text = data[2:].decode(encoding)
            except UnicodeDecodeError as exc:
                self.error = f"not valid UTF-16 (byte {exc.start + 2})"
                return
            self.bom, self.encoding = True, encoding
            return
        if b"\x00" in data[:8192]:
            self.error = "binary file (contains NUL bytes)"
            return
        if data.startswith(b"\xef\xbb\xbf"):
            self.bom = True
            data = data[3:]
        try:
            self.text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.error = f"not valid UTF-8 (byte {exc.start})"

    def encode(self, text: str) -> bytes:
        """``text`` as the file's bytes: in the encoding it was read in, with its byte-order mark if it had one."""
        return (("\ufeff" + text) if self.bom else text).encode(self.encoding)

    @classmethod
    def from_text(cls, relpath: str, text: str, kind: str | None = None) -> "SourceFile":
        p = Path(relpath)
        return cls(relpath, p, kind or classify(p.name, p.parent.parts), text)

    # -- positions -----------------------------------------------------------------------------
    @property
    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            self._line_starts = line_starts(self.text or "")
        return self._line_starts

    def line_col(self, offset: int) -> tuple[int, int]:
        return line_col(self.line_starts, offset)

    def offset(self, line: int, column: int) -> int:
        starts = self.line_starts
        line = max(1, min(line, len(starts)))
        return starts[line - 1] + column - 1

    def span(self, start: int, end: int) -> Position:
        line, col = self.line_col(start)
        end_line, end_col = self.line_col(end)
        return Position(line, col, end_line, end_col)

    def line_text(self, line: int) -> str:
        starts = self.line_starts
        if not 1 <= line <= len(starts):
            return ""
        text = self.text or ""
        end = starts[line] if line < len(starts) else len(text)
        return text[starts[line - 1] : end].rstrip("\r\n")

    def line_position(self, line: int) -> Position:
        """The whole of one line, for findings about a line."""
        content = self.line_text(line)
        return Position(line, 1, line, len(content) + 1)


def relpath(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(path, root)).as_posix()

"""The records every part of dockyard exchanges: positions, edits, fixes, findings.

All of them are frozen records (:mod:`dockyard.records`): a rule produces them, the engine enriches them, reporters read them.
Positions are 1-based; ``end_column`` is exclusive (one past the last character), as in SARIF.
"""

from __future__ import annotations

import enum

from dockyard.records import field, record


class Severity(enum.IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or info)") from None


@record(frozen=True, slots=True)
class Position:
    line: int = 1
    column: int = 1
    end_line: int = 0
    end_column: int = 0

    def __post_init__(self) -> None:
        # A point position ends where it starts; normalising here keeps every producer simple.
        if self.end_line < self.line or (self.end_line == self.line and self.end_column < self.column):
            object.__setattr__(self, "end_line", self.line)
            object.__setattr__(self, "end_column", self.column)

    @classmethod
    def whole_file(cls) -> "Position":
        return cls(1, 1, 1, 1)


@record(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` (character offsets into the file's decoded text) with ``replacement``."""

    start: int
    end: int
    replacement: str


class Applicability(enum.Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"


@record(frozen=True, slots=True)
class Fix:
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE
    path: str | None = None  # the file the edits apply to; defaults to the finding's path


def directory_path(folder: str) -> str:
    """How a finding names a directory: its relative POSIX path with a trailing slash (``backend/``), ``./`` for
    the root. A finding about something absent points at the folder it belongs in, never at a file that does not
    exist; reports show such a finding without a line (text, github) or region (SARIF)."""
    folder = folder.strip("/")
    return "./" if folder in ("", ".") else folder + "/"


def is_directory_path(path: str) -> bool:
    return path.endswith("/")


@record(frozen=True, slots=True)
class Problem:
    """What a rule yields. The engine turns it into a :class:`Finding` with the rule's metadata."""

    message: str
    position: Position = field(default_factory=Position.whole_file)
    path: str | None = None  # relative POSIX path; defaults to the file the rule was run on
    fix: Fix | None = None
    # the compose service the problem is about: problems of one rule at one place that differ only in it
    # (text several services share through a YAML anchor, merge key or ``x-`` field) are reported once
    service: str | None = None
    # the environment the problem is about, when it names one (``dockyard env check`` files it there)
    environment: str | None = None


@record(frozen=True, slots=True)
class Finding:
    code: str
    rule: str
    severity: Severity
    message: str
    path: str
    position: Position
    standard: tuple[str, ...] = ()
    fix: Fix | None = None
    # what the finding flags, hashed without its line number (see dockyard.baseline): it survives lines moving
    fingerprint: str = field(default="", compare=False)
    # the environment the finding is about, when it names one (see Problem.environment)
    environment: str | None = None
    # what ``dockyard env check`` files the finding under: its rule's category (see dockyard.rules.base.rule)
    category: str | None = None

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    @property
    def sort_key(self) -> tuple:
        p = self.position
        return (self.path, p.line, p.column, self.code, self.message)

    def to_dict(self) -> dict:
        p = self.position
        return {
            "code": self.code,
            "rule": self.rule,
            "severity": self.severity.label,
            "message": self.message,
            "path": self.path,
            "line": p.line,
            "column": p.column,
            "end_line": p.end_line,
            "end_column": p.end_column,
            "standard": list(self.standard),
            "fixable": self.fixable,
        }


class UsageError(Exception):
    """Bad arguments or configuration: reported on stderr, exit code 2."""

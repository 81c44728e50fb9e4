"""Baselines: adopt dockyard on a repository full of legacy findings, and fail only on new ones.

``dockyard check --write-baseline FILE`` records today's findings; ``--baseline FILE`` (or ``baseline = "FILE"``
in the configuration) reports only the findings the file does not hold. A finding is matched by its code, its
path and a fingerprint of what it flags, never by its line number: the flagged line's text (indentation
aside), the flagged characters and the message (digits aside), hashed. Lines moving when others are inserted or
removed above leave a finding matched; editing the flagged line itself makes it new. Identical findings in one
file (the same line copied twice) are matched by count: a third copy is new.

The file is JSON, sorted, and holds codes, paths, messages (masked as in every report) and hashes: no text of
the checked files. Paths are relative to the baseline file's folder, so the same file serves whichever folder
dockyard is run from.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path

from dockyard.fsutil import atomic_write
from dockyard.model import Finding, UsageError, directory_path, is_directory_path
from dockyard.records import replace
from dockyard.regex import lazy_compile
from dockyard.source import SourceFile

FORMAT_VERSION = 1
_DIGITS = lazy_compile(r"\d+")


# -- fingerprints -----------------------------------------------------------------------------------------
def context_of(finding: Finding, text: str | None) -> str:
    """What a finding's fingerprint hashes: the flagged line without its indentation, the flagged characters
    on it, and the message with its numbers blanked (a message that names a line or a count stays the same
    when lines move)."""
    message = _DIGITS.sub("#", finding.message)
    if text is None or is_directory_path(finding.path):
        return f"\0\0{message}"
    p = finding.position
    lines = text.splitlines()
    if not 1 <= p.line <= len(lines):
        return f"\0\0{message}"
    line = lines[p.line - 1]
    end = p.end_column - 1 if p.end_line == p.line else len(line)
    flagged = line[p.column - 1:max(end, p.column - 1)]
    return f"{line.strip()}\0{flagged.strip()}\0{message}"


def fingerprint(finding: Finding, text: str | None) -> str:
    data = f"{finding.code}\0{context_of(finding, text)}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:32]


def add_fingerprints(project, findings: list[Finding]) -> list[Finding]:
    """``findings`` of ``project`` (paths relative to its root) with their fingerprints."""
    texts: dict[str, str | None] = {sf.path: sf.text for sf in project.files}
    out = []
    for f in findings:
        if f.path not in texts:
            texts[f.path] = None
            candidate = project.root / f.path
            if not is_directory_path(f.path) and candidate.is_file() and not candidate.is_symlink():
                texts[f.path] = SourceFile.load(candidate, f.path, "other").text
        elif texts[f.path] is None:  # a Python source no rule read: read it now
            sf = project.file(f.path)
            if sf is not None and sf.error is None and sf.abspath.is_file():
                texts[f.path] = SourceFile.load(sf.abspath, f.path, sf.kind).text
        out.append(replace(f, fingerprint=fingerprint(f, texts[f.path])))
    return out


# -- the baseline file ------------------------------------------------------------------------------------
def _key_path(path: str, folder: Path) -> str:
    """A finding's path (relative to the working directory) relative to the baseline's folder, POSIX."""
    rel = Path(os.path.relpath(Path.cwd() / path, folder)).as_posix()
    return directory_path(rel) if is_directory_path(path) else rel


def _entry(f: Finding, folder: Path) -> dict:
    return {"code": f.code, "path": _key_path(f.path, folder), "fingerprint": f.fingerprint, "message": f.message}


def write_baseline(path: str | Path, findings: list[Finding]) -> int:
    """Record ``findings`` in ``path`` (atomically); returns how many."""
    folder = Path(path).resolve().parent
    entries = sorted((_entry(f, folder) for f in findings),
                     key=lambda e: (e["path"], e["code"], e["fingerprint"], e["message"]))
    doc = {"dockyard_baseline": FORMAT_VERSION, "findings": entries}
    try:
        atomic_write(str(path), json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    except OSError as exc:
        raise UsageError(f"cannot write baseline {path}: {exc.strerror or exc}") from None
    return len(entries)


class Baseline:
    """The recorded findings of a baseline file, as counts of (path, code, fingerprint)."""

    def __init__(self, path: Path, keys: Counter) -> None:
        self.path = path
        self.folder = path.resolve().parent
        self.remaining = keys

    @classmethod
    def load(cls, path: str | Path) -> "Baseline":
        path = Path(path)
        hint = f"write one with `dockyard check --write-baseline {path}`"
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UsageError(f"baseline file not found: {path} ({hint})") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read baseline {path}: {getattr(exc, 'strerror', None) or exc}") from None
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}: not a dockyard baseline: invalid JSON ({exc.msg} at line {exc.lineno}); "
                             f"{hint}") from None
        if not isinstance(doc, dict) or doc.get("dockyard_baseline") != FORMAT_VERSION \
                or not isinstance(doc.get("findings"), list):
            raise UsageError(f"{path}: not a dockyard baseline (expected {{\"dockyard_baseline\": {FORMAT_VERSION}, "
                             f"\"findings\": [...]}}); {hint}")
        keys: Counter = Counter()
        for i, e in enumerate(doc["findings"]):
            if not (isinstance(e, dict) and all(isinstance(e.get(k), str) for k in ("code", "path", "fingerprint"))):
                raise UsageError(f"{path}: findings[{i}] is not a recorded finding (code, path, fingerprint); {hint}")
            keys[(e["path"], e["code"], e["fingerprint"])] += 1
        return cls(path, keys)

    def filter(self, findings: list[Finding]) -> tuple[list[Finding], int]:
        """The findings the baseline does not hold, and how many it held. Each recorded finding matches once."""
        new, known = [], 0
        for f in findings:
            key = (_key_path(f.path, self.folder), f.code, f.fingerprint)
            if self.remaining[key] > 0:
                self.remaining[key] -= 1
                known += 1
            else:
                new.append(f)
        return new, known

    def fixed(self, checked: list[Path]) -> int:
        """Recorded findings that no longer occur (after :meth:`filter`), among those in ``checked`` (the trees
        discovered and the files named, absolute): a baseline of a whole repository is not stale because only a
        folder of it was checked."""
        n = 0
        for (path, _code, _fp), left in self.remaining.items():
            if left <= 0:
                continue
            target = Path(os.path.normpath(self.folder / path))
            if any(target == c or c in target.parents for c in checked):
                n += left
        return n

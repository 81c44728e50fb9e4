"""Apply fixes: sorted, non-overlapping text edits, re-checked until stable, written atomically.

One write-back mode drives writing, ``--diff`` and ``--check`` through the same code path. A fix is applied
whole or not at all; a fix that overlaps one already taken waits for the next pass. After each pass the
tree is checked again (bounded number of passes); a file whose fixed text no longer parses is left as it
was. Line endings of the file are kept (a replacement's ``\\n`` becomes ``\\r\\n`` in a CRLF file).
"""

from __future__ import annotations

import difflib
import enum
from dataclasses import dataclass, field
from pathlib import Path

from dockyard.fsutil import atomic_write
from dockyard.model import Applicability, Edit, Finding
from dockyard.source import FileKind, SourceFile, classify

MAX_PASSES = 10


class WriteBack(enum.Enum):
    WRITE = "write"
    DIFF = "diff"
    CHECK = "check"


@dataclass
class FixReport:
    applied: dict[str, int] = field(default_factory=dict)  # path -> number of fixes applied
    remaining: list[Finding] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    abandoned: list[str] = field(default_factory=list)  # paths whose fixed text no longer parsed
    passes: int = 0

    @property
    def total(self) -> int:
        return sum(self.applied.values())


def apply_edits(text: str, edits: list[Edit]) -> str:
    crlf = "\r\n" in text
    out, last = [], 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(text[last : e.start])
        rep = e.replacement
        if crlf:
            rep = rep.replace("\r\n", "\n").replace("\n", "\r\n")
        out.append(rep)
        last = e.end
    out.append(text[last:])
    return "".join(out)


def _select_fixes(findings: list[Finding], unsafe: bool) -> dict[str, list[tuple[Finding, list[Edit]]]]:
    """Per file, the fixes of one pass: whole fixes whose edits overlap none already chosen."""
    chosen: dict[str, list[tuple[Finding, list[Edit]]]] = {}
    taken: dict[str, list[tuple[int, int]]] = {}
    for f in findings:
        fix = f.fix
        if fix is None or (fix.applicability is Applicability.UNSAFE and not unsafe):
            continue
        path = fix.path or f.path
        ranges = taken.setdefault(path, [])
        edits = list(fix.edits)
        if any(_overlaps(e, r) for e in edits for r in ranges):
            continue
        if any(_overlaps(a, (b.start, b.end)) for i, a in enumerate(edits) for b in edits[i + 1 :]):
            continue
        ranges.extend((e.start, e.end) for e in edits)
        chosen.setdefault(path, []).append((f, edits))
    return chosen


def _overlaps(edit: Edit, other: tuple[int, int]) -> bool:
    a0, a1 = edit.start, edit.end
    b0, b1 = other
    if a0 == a1 == b0 == b1:
        return True  # two insertions at the same point: order would be ambiguous
    return a0 < b1 and b0 < a1


def _still_parses(path: str, before: str, after: str) -> bool:
    kind = classify(Path(path).name, Path(path).parent.parts)
    if kind == FileKind.DOCKERFILE:
        from dockyard.parsers.dockerfile import parse_dockerfile

        return len(parse_dockerfile(after).errors) <= len(parse_dockerfile(before).errors)
    if kind == FileKind.COMPOSE:
        from dockyard.parsers.yamlpos import load_yaml

        return len(load_yaml(after).errors) <= len(load_yaml(before).errors)
    if kind == FileKind.ENV:
        from dockyard.parsers.dotenv import parse_env

        return len(parse_env(after).errors) <= len(parse_env(before).errors)
    return True


def fix_project(make_project, mode: WriteBack, unsafe: bool = False, prefix: str = "") -> FixReport:
    """``make_project()`` builds a fresh Project (re-discovered each pass, so fixed files are re-read)."""
    from dockyard.engine import run_rules

    report = FixReport()
    originals: dict[str, str] = {}
    current: dict[str, str] = {}  # in DIFF/CHECK modes edits accumulate in memory only
    read_as: dict[str, SourceFile] = {}  # how each fixed file was read (encoding, byte-order mark): written back so
    for _ in range(MAX_PASSES):
        project = make_project()
        if current:
            for sf in project.files:
                if sf.path in current:
                    sf.text, sf.error = current[sf.path], None
            known = {sf.path for sf in project.files}
            for path, text in current.items():
                if path not in known:
                    project.files.append(SourceFile(path, project.root / path, classify(Path(path).name, Path(path).parent.parts), text))
        result = run_rules(project)
        report.remaining = result.findings
        chosen = _select_fixes(result.findings, unsafe)
        if not chosen:
            break
        report.passes += 1
        progressed = False
        for path, fixes in chosen.items():
            if path in report.abandoned:
                continue
            target = project.root / path
            if path in current:
                before = current[path]
            else:
                sf = project.file(path)
                if sf is not None and sf.text is not None:
                    before = sf.text
                    read_as.setdefault(path, sf)
                elif target.exists():
                    continue  # unreadable file: never rewrite what could not be read
                else:
                    before = ""
            originals.setdefault(path, before)
            after = apply_edits(before, [e for _, edits in fixes for e in edits])
            if after == before:
                continue
            if not _still_parses(path, before, after):
                report.abandoned.append(path)
                continue
            current[path] = after
            report.applied[path] = report.applied.get(path, 0) + len(fixes)
            progressed = True
        if not progressed:
            break
    for path, text in current.items():
        if text == originals.get(path):
            continue
        if mode is WriteBack.WRITE:
            atomic_write(make_project().root / path, read_as[path].encode(text) if path in read_as else text)
        else:
            shown = prefix + path
            report.diffs.append("".join(difflib.unified_diff(
                originals.get(path, "").splitlines(keepends=True), text.splitlines(keepends=True),
                fromfile=f"a/{shown}", tofile=f"b/{shown}")))
    return report

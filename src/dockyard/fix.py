"""Apply fixes: sorted, non-overlapping text edits, re-checked until stable, written atomically.

One write-back mode drives writing, ``--diff`` and ``--check`` through the same code path. A fix is applied
whole or not at all; a fix that overlaps one already taken waits for the next pass. After each pass the
tree is checked again (bounded number of passes) on the texts fixed so far, in memory: the tree is discovered
once per run. A file whose fixed text no longer parses, or where a RUN's shell no longer parses, is left as it
was. Line endings of the file are kept (a replacement's ``\\n`` becomes ``\\r\\n`` in a CRLF file).

Writing never loses a change made meanwhile: just before a file is replaced its content is hashed again and
compared with what the fixes were computed from; a file that changed is skipped with a message. A symbolic link
is followed (its target is edited, the link stays); a read-only file is left alone unless forced; mode and
ownership are kept (:func:`dockyard.fsutil.atomic_write`); a file that cannot be written is reported by name.
"""

from __future__ import annotations

import difflib
import enum
import hashlib
import os
from pathlib import Path

from dockyard.analysis.shell import run_scripts
from dockyard.engine import run_rules
from dockyard.fsutil import atomic_write, create_exclusive, read_regular
from dockyard.model import Applicability, Edit, Finding
from dockyard.project import Project
from dockyard.records import field, record
from dockyard.source import FileKind, SourceFile, classify, parser_of

MAX_PASSES = 10


class WriteBack(enum.Enum):
    WRITE = "write"
    DIFF = "diff"
    CHECK = "check"


@record
class FixReport:
    applied: dict[str, int] = field(default_factory=dict)  # path -> number of fixes applied (written, in WRITE)
    remaining: list[Finding] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    abandoned: list[str] = field(default_factory=list)  # paths whose fixed text no longer parsed
    not_written: dict[str, str] = field(default_factory=dict)  # path -> why its fixes were not written
    unwritten: int = 0  # fixes computed for the files of ``not_written``

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
    parse = parser_of(kind)
    if parse is None:
        return True
    old, new = parse(before), parse(after)
    if len(new.errors) > len(old.errors):
        return False
    return kind != FileKind.DOCKERFILE or _shell_errors(new) <= _shell_errors(old)


def _shell_errors(df) -> int:
    """How many RUN instructions hold shell that does not parse."""
    return sum(1 for script in run_scripts(df, df.instructions) if script.has_error)


def _with_texts(project, texts: dict[str, str]):
    """A fresh Project over the files ``project`` discovered, with the fixed ``texts`` in place of theirs (and the
    files fixes created): the next pass re-checks them without walking the tree again."""
    fresh = Project(project.root, project.config)
    fresh.explicit_files = project.explicit_files
    fresh.templates = list(project.templates)
    fresh.problems = list(project.problems)
    for sf in project.files:
        if sf.path in texts:
            fresh.files.append(SourceFile(sf.path, sf.abspath, sf.kind, texts[sf.path], None, sf.bom, sf.encoding))
        else:
            fresh.files.append(SourceFile(sf.path, sf.abspath, sf.kind, sf.text, sf.error, sf.bom, sf.encoding))
    known = {sf.path for sf in project.files}
    for path, text in texts.items():
        if path not in known:
            fresh.files.append(SourceFile(path, project.root / path, classify(Path(path).name, Path(path).parent.parts),
                                          text))
    fresh.files.sort(key=lambda f: f.path)
    return fresh


def fix_project(project, mode: WriteBack, unsafe: bool = False, prefix: str = "", force: bool = False) -> FixReport:
    """Fix ``project`` (a discovered Project, or a function that builds one: called once). ``force`` also writes
    read-only files."""
    if callable(project):
        project = project()
    root = project.root
    report = FixReport()
    originals: dict[str, str] = {}
    current: dict[str, str] = {}  # fixed texts, kept in memory until the end
    read_as: dict[str, SourceFile] = {}  # how each fixed file was read (encoding, byte-order mark): written back so
    created: set[str] = set()  # files the fixes create
    checked = project
    for _ in range(MAX_PASSES):
        result = run_rules(checked)
        report.remaining = result.findings
        chosen = _select_fixes(result.findings, unsafe)
        if not chosen:
            break
        progressed = False
        for path, fixes in chosen.items():
            if path in report.abandoned:
                continue
            if path in current:
                before = current[path]
            else:
                sf = project.file(path)
                if sf is not None:
                    project.read(sf)  # a Python file is read when a rule first asks
                if sf is not None and sf.text is not None:
                    before = sf.text
                    read_as.setdefault(path, sf)
                elif sf is not None:
                    continue  # unreadable file: never rewrite what could not be read
                elif os.path.lexists(root / path):
                    # a file the checked tree did not hold (it appeared since, or was not discovered): never replaced
                    report.not_written.setdefault(path, "exists, but was not there or not read when the tree was "
                                                        "checked; left as it is")
                    continue
                else:
                    before = ""
                    created.add(path)
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
        checked = _with_texts(project, current)
    written: dict[str, tuple[str, str]] = {}  # real path -> (path it was written through, text)
    for path, text in current.items():
        if text == originals.get(path):
            continue
        if mode is WriteBack.WRITE:
            real = os.path.realpath(root / path)
            if real in written:  # two paths of one file (a link and its target): written once
                first, first_text = written[real]
                why = None if first_text == text else f"the same file as `{prefix}{first}` (a link), fixed through it"
            else:
                why = _write_back(root, path, originals[path], text, read_as.get(path), path in created, force)
                if why is None:
                    written[real] = (path, text)
            if why is not None:
                report.not_written[path] = why
                report.unwritten += report.applied.pop(path, 0)
        else:
            shown = prefix + path
            report.diffs.append("".join(difflib.unified_diff(
                originals.get(path, "").splitlines(keepends=True), text.splitlines(keepends=True),
                fromfile=f"a/{shown}", tofile=f"b/{shown}")))
    return report


def _write_back(root: Path, path: str, before: str, after: str, read_as: SourceFile | None, created: bool,
                force: bool) -> str | None:
    """Replace the file at ``path`` (relative to ``root``) with ``after``, unless it no longer holds ``before``;
    None when written, else why not. ``read_as`` is the file as it was read: its encoding and byte-order mark are
    kept."""
    target = root / path
    encode = read_as.encode if read_as is not None else (lambda text: text.encode("utf-8"))
    data = encode(after)
    try:
        if created:
            try:
                create_exclusive(target, data)
            except FileExistsError:
                return "created by something else since it was checked; left as it is (run `dockyard fix` again)"
            return None
        real = Path(os.path.realpath(target))  # a link is followed: its target is edited, the link stays
        try:
            real.relative_to(root)
        except ValueError:
            return "a link that now points out of the checked tree; not followed"
        if not force and not os.stat(real).st_mode & 0o222:
            return "read-only; left as it is (`--force` writes it anyway)"
        expected = hashlib.sha256(encode(before)).digest()
        if hashlib.sha256(read_regular(real)).digest() != expected:
            return "changed since it was checked; left as it is (run `dockyard fix` again)"
        atomic_write(real, data)
    except OSError as exc:
        return f"cannot be written: {exc.strerror or exc}"
    return None

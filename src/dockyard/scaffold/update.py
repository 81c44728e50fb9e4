"""Writing a render to disk: conflict detection, backups, atomic writes, and ``--update`` merges.

Why not copier: copier would bring jinja2, a git dependency for updates and its own answers format, and
its update needs the *old template version* to be available (a git tag of the template). Here the template
ships inside dockyard, so the old version is gone once dockyard is upgraded. Instead the generated project
keeps the pristine render it received (``.dockyard/pristine.json``); ``--update`` three-way merges
base = that pristine render, ours = the files on disk, theirs = the new render. That needs only difflib.
"""

from __future__ import annotations

import difflib
import json
import stat
import time
from pathlib import Path

import yaml

from dockyard import __version__
from dockyard.fsutil import atomic_write
from dockyard.records import field, record
from dockyard.scaffold.render import TEMPLATE_VERSION, Answers, Rendered

ANSWERS_FILE = ".dockyard-answers.yml"
PRISTINE_FILE = ".dockyard/pristine.json"


# ----------------------------------------------------------------------------------------------- merge
def merge3(base: str, ours: str, theirs: str, labels: tuple[str, str] = ("yours", "template")) -> tuple[str, int]:
    """diff3-style line merge. Returns (text, number of conflicts); conflicts carry git-style markers."""
    if ours == theirs or theirs == base:
        return ours, 0
    if ours == base:
        return theirs, 0
    b = base.splitlines(keepends=True)
    hunks = sorted(
        [(s, e, rep, 0) for s, e, rep in _hunks(b, ours.splitlines(keepends=True))]
        + [(s, e, rep, 1) for s, e, rep in _hunks(b, theirs.splitlines(keepends=True))],
        key=lambda h: (h[0], h[1], h[3]),
    )
    out: list[str] = []
    conflicts = 0
    pos = 0
    i = 0
    while i < len(hunks):
        # a cluster: hunks whose base ranges overlap (or that insert at the same place)
        start, end = hunks[i][0], hunks[i][1]
        group = [hunks[i]]
        i += 1
        while i < len(hunks) and (hunks[i][0] < end or hunks[i][0] == start):
            end = max(end, hunks[i][1])
            group.append(hunks[i])
            i += 1
        out.extend(b[pos:start])
        versions = [_apply(b, start, end, [h for h in group if h[3] == side]) for side in (0, 1)]
        if {h[3] for h in group} != {0, 1} or versions[0] == versions[1]:
            out.extend(versions[0] if any(h[3] == 0 for h in group) else versions[1])
        else:
            conflicts += 1
            out.append(f"<<<<<<< {labels[0]}\n")
            out.extend(_terminated(versions[0]))
            out.append("=======\n")
            out.extend(_terminated(versions[1]))
            out.append(f">>>>>>> {labels[1]}\n")
        pos = end
    out.extend(b[pos:])
    return "".join(out), conflicts


def _hunks(base: list[str], other: list[str]) -> list[tuple[int, int, list[str]]]:
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    return [(i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _apply(base: list[str], start: int, end: int, hunks: list) -> list[str]:
    result, cur = [], start
    for s, e, rep, _ in hunks:
        result.extend(base[cur:s])
        result.extend(rep)
        cur = e
    result.extend(base[cur:end])
    return result


def _terminated(lines: list[str]) -> list[str]:
    if lines and not lines[-1].endswith("\n"):
        return [*lines[:-1], lines[-1] + "\n"]
    return lines


# ----------------------------------------------------------------------------------------------- writes
def write_atomic(path: Path, text: str, mode: int | None = None) -> None:
    """Write via a temporary file and rename (:func:`dockyard.fsutil.atomic_write`); keep an existing file's mode."""
    atomic_write(path, text.encode("utf-8", "surrogateescape"), mode)


def backup(path: Path, stamp: str) -> Path:
    target = path.with_name(f"{path.name}.dockyard-bak-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.dockyard-bak-{stamp}-{n}")
        n += 1
    atomic_write(target, path.read_bytes(), stat.S_IMODE(path.stat().st_mode))  # a byte-exact copy
    return target


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (UnicodeDecodeError, IsADirectoryError):
        return "\0<unreadable>"  # never equal to a render: always a conflict


# ----------------------------------------------------------------------------------------------- records
def answers_text(answers: Answers) -> str:
    data = {"_dockyard_version": __version__, "_template_version": TEMPLATE_VERSION, **answers.to_dict()}
    return (
        "# Answers given to `dockyard init`; `dockyard init --update` re-renders the template with them.\n"
        + yaml.safe_dump(data, sort_keys=False)
    )


def read_answers(root: Path) -> dict:
    text = _read(root / ANSWERS_FILE)
    if text is None:
        return {}
    data = yaml.safe_load(text)
    return data if isinstance(data, dict) else {}


def pristine_text(rendered: Rendered) -> str:
    return json.dumps({"dockyard_version": __version__, "template_version": TEMPLATE_VERSION,
                       "files": rendered.files}, indent=1, sort_keys=True) + "\n"


def read_pristine(root: Path) -> dict[str, str]:
    text = _read(root / PRISTINE_FILE)
    if not text:
        return {}
    try:
        files = json.loads(text).get("files", {})
    except (ValueError, AttributeError):
        return {}
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}


# ----------------------------------------------------------------------------------------------- plans
@record
class Plan:
    writes: dict[str, str] = field(default_factory=dict)  # path -> new text
    unchanged: list[str] = field(default_factory=list)
    conflicts: dict[str, str] = field(default_factory=dict)  # path -> reason
    merged: list[str] = field(default_factory=list)  # paths whose text combines the user's edits and the template's
    kept: list[str] = field(default_factory=list)  # paths the user deleted or changed that the template did not
    notes: list[str] = field(default_factory=list)


def plan_init(root: Path, rendered: Rendered, answers: Answers) -> Plan:
    plan = Plan()
    files = dict(rendered.files)
    files[ANSWERS_FILE] = answers_text(answers)
    files[PRISTINE_FILE] = pristine_text(rendered)
    for rel, text in sorted(files.items()):
        current = _read(root / rel)
        if current is None:
            plan.writes[rel] = text
        elif current == text:
            plan.unchanged.append(rel)
        else:
            plan.writes[rel] = text
            plan.conflicts[rel] = "exists with different content"
    return plan


def plan_update(root: Path, rendered: Rendered, answers: Answers) -> Plan:
    plan = Plan()
    base = read_pristine(root)
    if not base:
        plan.notes.append(f"no {PRISTINE_FILE}: every differing file is treated as a conflict")
    for rel, theirs in sorted(rendered.files.items()):
        ours = _read(root / rel)
        old = base.get(rel)
        if ours is None:
            if old is not None and old == theirs:
                plan.kept.append(rel)  # the user deleted it and the template did not change it: respect that
            elif old is not None:
                plan.writes[rel] = theirs
                plan.conflicts[rel] = "deleted locally but changed in the template"
            else:
                plan.writes[rel] = theirs  # new in this template version
            continue
        if ours == theirs:
            plan.unchanged.append(rel)
            continue
        if old is None:
            plan.writes[rel] = theirs
            plan.conflicts[rel] = "exists and was not generated by dockyard"
            continue
        text, conflicts = merge3(old, ours, theirs)
        if text == ours:
            plan.kept.append(rel)
            continue
        plan.writes[rel] = text
        if conflicts:
            plan.conflicts[rel] = f"{conflicts} conflicting hunk(s) between your edits and the template"
        elif ours != old:
            plan.merged.append(rel)
    for rel in sorted(set(base) - set(rendered.files)):
        if (root / rel).exists():
            plan.notes.append(f"{rel}: no longer part of the template; left in place")
    plan.writes[ANSWERS_FILE] = answers_text(answers)
    plan.writes[PRISTINE_FILE] = pristine_text(rendered)
    return plan


def apply(root: Path, plan: Plan, *, force: bool) -> list[tuple[str, str]]:
    """Write the plan. Files that already exist and change are backed up first when ``force`` is set.

    Returns (path, backup path) pairs. Call only when there are no conflicts or ``force`` is set.
    """
    stamp = time.strftime("%Y%m%d%H%M%S")
    backups = []
    for rel, text in plan.writes.items():
        path = root / rel
        if force and rel in plan.conflicts and path.is_file():
            backups.append((rel, str(backup(path, stamp).relative_to(root))))
        write_atomic(path, text)
    return backups

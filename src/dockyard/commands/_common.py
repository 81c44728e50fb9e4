"""Argument handling shared by the commands that check a tree (check, fix, env check)."""

from __future__ import annotations

import os
from pathlib import Path

from dockyard.config import Config, _closest, check_environment_files, find_config, load_config
from dockyard.fsutil import file_type, is_special
from dockyard.model import Severity, UsageError
from dockyard.records import replace
from dockyard.source import KIND_WORDS, FileKind, classify, explicit_kind


def add_config_arguments(parser) -> None:
    parser.add_argument("--config", metavar="FILE", help="configuration file (default: nearest dockyard.toml or "
                        "pyproject.toml with [tool.dockyard])")
    parser.add_argument("--select", metavar="CODES", help="comma-separated codes or prefixes to enable (replaces the configured selection)")
    parser.add_argument("--ignore", metavar="CODES", help="comma-separated codes or prefixes to disable (added to the configured ones)")
    parser.add_argument("--fail-on", choices=("error", "warning", "info"), help="lowest severity that makes the run fail (default: info)")
    parser.add_argument("--level", choices=("required", "recommended", "all"),
                        help="checklist levels to enforce: required (REQ), recommended (REQ and REC) or all (default)")


def resolve_config(args, root: Path, *, tree: bool = True) -> Config:
    """The configuration for checking ``root``; with ``tree`` (a discovered tree, not named files), the compose
    files its environments name must exist there."""
    if getattr(args, "config", None):
        path = Path(args.config)
        if not path.is_file():
            raise UsageError(f"configuration file not found: {args.config}")
    else:
        path = find_config(root)
    codes: list[str] = []
    if path is not None or getattr(args, "select", None) or getattr(args, "ignore", None):
        from dockyard.rules.base import all_rules  # lazy: `env render` runs without it

        codes = [r.code for r in all_rules()]  # only needed to validate the codes a user wrote
    cfg = load_config(path, codes)

    def split(text: str, flag: str) -> tuple[str, ...]:
        out = []
        for c in text.split(","):
            c = c.strip().upper()
            if not c:
                continue
            c = "" if c == "ALL" else c
            if c and not any(code.startswith(c) for code in codes):
                raise UsageError(f"{flag}: unknown rule code {c!r}{_closest(c, codes)}")
            out.append(c)
        return tuple(out)

    if getattr(args, "select", None):
        cfg = replace(cfg, select=split(args.select, "--select"))
    if getattr(args, "ignore", None):
        cfg = replace(cfg, ignore=cfg.ignore + split(args.ignore, "--ignore"))
    if getattr(args, "fail_on", None):
        cfg = replace(cfg, fail_on=Severity.parse(args.fail_on))
    if getattr(args, "level", None):
        cfg = replace(cfg, level=args.level)
    if cfg.level != "all":  # the rules of the levels left out are ignored, as `--ignore` would
        from dockyard.levels import codes_outside  # lazy: a check of a compose file runs without it
        from dockyard.rules.base import all_rules  # lazy: `env render` runs without it

        cfg = replace(cfg, ignore=cfg.ignore + tuple(codes_outside(cfg.level, all_rules())))
    if tree:
        check_environment_files(cfg, root)
    return cfg


def display_prefix(root: Path) -> str:
    """How paths under ``root`` are shown: relative to the working directory (``../`` when outside it), so
    findings of several checked trees never look alike."""
    rel = Path(os.path.relpath(root.resolve(), Path.cwd().resolve())).as_posix()
    return "" if rel == "." else rel + "/"


def load_projects(paths: list[str], args, progress=None):
    """(Project, display prefix) pairs for the PATH arguments: directories are discovered, files checked alone.

    Each tree and file is checked once, however it is named (``. .``, ``./svc`` and ``svc``, ``. Dockerfile``):
    paths are compared resolved, a directory inside another named one is part of it, and a named file its
    directory's discovery already found is judged there. Every argument is validated before any work: one that
    does not exist, or a file of no kind dockyard checks alone (``README.md``, a workflow), is a usage error.

    A generator: each directory is discovered only when the previous one has been checked and released, so
    checking many repositories in one run keeps one repository's files in memory at a time.
    """
    from dockyard.project import Project  # lazy: `env render` runs without it

    if not paths:
        paths = ["."]
    dirs: list[Path] = []
    files: list[tuple[Path, str]] = []  # (the path as named, its kind)
    seen: set[Path] = set()
    unknown: list[str] = []
    for p in paths:  # validate every argument before doing any work
        path = Path(p)
        if not os.path.lexists(path):
            raise UsageError(f"no such file or directory: {p}")
        if path.is_dir() and not _is_named_file(path):
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                dirs.append(key)
            continue
        special = _special_file(path)
        if special is not None:  # never opened: a pipe would block the run until something writes to it
            unknown.append(f"{p}: {special}, not a regular file: dockyard reads regular files only")
            continue
        key = _file_key(path)
        if key in seen:
            continue
        seen.add(key)
        kind = explicit_kind(path)
        if kind not in CHECKED_ALONE:
            unknown.append(_not_checked(p, kind))
            continue
        files.append((path, kind))
    if unknown:
        raise UsageError("; ".join(unknown))
    for root in outermost(dirs):
        project = Project.discover(root, resolve_config(args, root), progress)
        if files:  # a named file this tree's discovery already judges is not judged twice
            found = {root / sf.path for sf in (*project.files, *project.templates)}
            found.update(root / rel for rel, _ in project.problems)
            files = [(f, k) for f, k in files if _file_key(f) not in found]
        yield project, display_prefix(root)
    if files:
        root = Path.cwd().resolve()
        named = [f for f, _ in files]
        yield (Project.from_files(root, named, resolve_config(args, named[0].resolve().parent, tree=False),
                                  kinds=[k for _, k in files]), "")


def outermost(dirs: list[Path]) -> list[Path]:
    """Resolved directories once each, in order, without those inside another one (part of that tree).

    Looks up each directory's parents among the others: a thousand repositories named in one run cost a
    thousand look-ups, not a million comparisons."""
    unique = list(dict.fromkeys(dirs))
    named = set(unique)
    return [d for d in unique if not any(parent in named for parent in d.parents)]


def _file_key(path: Path) -> Path:
    """A named file, absolute: its folder resolved, its own name kept (a link is a file of its own)."""
    return path.absolute().parent.resolve() / path.name


# Kinds a named file is judged as on its own; the others (workflows, Makefiles, requirements, Python sources...)
# are judged with the repository they belong to.
CHECKED_ALONE = frozenset({FileKind.DOCKERFILE, FileKind.DOCKERIGNORE, FileKind.COMPOSE, FileKind.ENV})


def _not_checked(named: str, kind: str) -> str:
    if kind in KIND_WORDS:
        return (f"{named}: {KIND_WORDS[kind]} is judged only with the repository around it: "
                "check its directory instead")
    return (f"{named}: not a file dockyard checks (a Dockerfile, a .dockerignore, a compose file or an env file; "
            "or a directory to discover)")


def _special_file(path: Path) -> str | None:
    """What ``path`` is in words when it is a pipe, a socket or a device (a link followed), else None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # a broken link: reported as unreadable when checked
    return file_type(mode) if is_special(mode) else None


def _is_named_file(path: Path) -> bool:
    # A directory named like a checked file (e.g. a folder called "Dockerfile") is checked as that file,
    # which reports it as unreadable instead of silently discovering inside it.
    return classify(path.name, path.parent.parts) in (FileKind.DOCKERFILE, FileKind.COMPOSE, FileKind.ENV,
                                                      FileKind.DOCKERIGNORE)

"""Argument handling shared by the commands that check a tree (check, fix, env check)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from dockyard.config import Config, find_config, load_config
from dockyard.model import Severity, UsageError


def add_config_arguments(parser) -> None:
    parser.add_argument("--config", metavar="FILE", help="configuration file (default: nearest dockyard.toml or "
                        "pyproject.toml with [tool.dockyard])")
    parser.add_argument("--select", metavar="CODES", help="comma-separated codes or prefixes to enable (replaces the configured selection)")
    parser.add_argument("--ignore", metavar="CODES", help="comma-separated codes or prefixes to disable (added to the configured ones)")
    parser.add_argument("--fail-on", choices=("error", "warning", "info"), help="lowest severity that makes the run fail (default: info)")


def resolve_config(args, root: Path) -> Config:
    from dockyard.config import _closest

    if args.config:
        path = Path(args.config)
        if not path.is_file():
            raise UsageError(f"configuration file not found: {args.config}")
    else:
        path = find_config(root)
    codes: list[str] = []
    if path is not None or getattr(args, "select", None) or getattr(args, "ignore", None):
        from dockyard.rules.base import all_rules

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
    return cfg


def display_prefix(root: Path) -> str:
    """How paths under ``root`` are shown: relative to the working directory (``../`` when outside it), so
    findings of several checked trees never look alike."""
    rel = Path(os.path.relpath(root.resolve(), Path.cwd().resolve())).as_posix()
    return "" if rel == "." else rel + "/"


def load_projects(paths: list[str], args):
    """(Project, display prefix) pairs for the PATH arguments: directories are discovered, files checked alone.

    A generator: each directory is discovered only when the previous one has been checked and released, so
    checking many repositories in one run keeps one repository's files in memory at a time.
    """
    from dockyard.project import Project

    if not paths:
        paths = ["."]
    dirs, files = [], []
    for p in paths:  # validate every argument before doing any work
        path = Path(p)
        if not os.path.lexists(path):
            raise UsageError(f"no such file or directory: {p}")
        (dirs if path.is_dir() and not _is_named_file(path) else files).append(path)
    for d in dirs:
        root = d.resolve()
        yield Project.discover(root, resolve_config(args, root)), display_prefix(root)
    if files:
        root = Path.cwd().resolve()
        yield Project.from_files(root, files, resolve_config(args, files[0].resolve().parent)), ""


def _is_named_file(path: Path) -> bool:
    # A directory named like a checked file (e.g. a folder called "Dockerfile") is checked as that file,
    # which reports it as unreadable instead of silently discovering inside it.
    from dockyard.source import FileKind, classify

    return classify(path.name, path.parent.parts) in (FileKind.DOCKERFILE, FileKind.COMPOSE, FileKind.ENV,
                                                      FileKind.DOCKERIGNORE)

"""Test helpers: write a small tree, run the real engine on it, and look at exact findings."""

from __future__ import annotations

import os
from pathlib import Path

from dockyard.config import Config
from dockyard.engine import run_rules
from dockyard.model import Finding
from dockyard.project import Project


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.write(content)
    return root


def check_tree(root: Path, config: Config | None = None) -> list[Finding]:
    return run_rules(Project.discover(root, config)).findings


def run_files(tmp_path: Path, files: dict[str, str | bytes], select: str | tuple[str, ...] = "",
              config: Config | None = None) -> list[Finding]:
    """Findings for a tree made of ``files``; ``select`` keeps only codes with these prefixes."""
    write_tree(tmp_path, files)
    found = check_tree(tmp_path, config)
    prefixes = (select,) if isinstance(select, str) else tuple(select)
    return [f for f in found if any(f.code.startswith(p) for p in prefixes)]


def syntax_errors(dockerfile) -> list:
    """The errors of a parsed Dockerfile that BuildKit's parser itself raises (not those of its instruction stage)."""
    return [e for e in dockerfile.errors if e.kind == "syntax"]


def triples(findings: list[Finding]) -> list[tuple[str, int, int]]:
    """(code, line, column) of each finding, in report order: what rule tests assert."""
    return [(f.code, f.position.line, f.position.column) for f in findings]


def described(findings: list[Finding], path: bool = False, message: bool = True) -> list[tuple]:
    """(code, line, column, message) of each finding, in report order, each led by its path with ``path`` and
    without the message when not ``message``: what a rule test asserts when one file is not the whole story."""
    return [((f.path,) if path else ()) + (f.code, f.position.line, f.position.column) + ((f.message,) if message
            else ()) for f in findings]


def at(findings: list[Finding], path: str) -> list[tuple[str, int, int]]:
    return triples([f for f in findings if f.path == path])


def chdir(path: Path):
    class _Cd:
        def __enter__(self):
            self.old = os.getcwd()
            os.chdir(path)

        def __exit__(self, *exc):
            os.chdir(self.old)

    return _Cd()

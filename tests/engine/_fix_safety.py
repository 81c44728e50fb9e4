"""What a fix must keep, checked with the real tools: BuildKit parses every fixed Dockerfile (the ``dockerfile``
package wraps BuildKit's own parser), every RUN body is valid shell for ``sh -n`` (dash here), the other fixed
files still load, and fixing a fixed tree changes nothing. Nor may a fix make the build or the container newly
fail: no RUN installs from apt lists an earlier RUN of its lineage removed, no exec-form command starts with a
shell built-in, no COPY source is newly excluded by the context's ignore file (DF060).

:func:`assert_fix_is_safe` runs ``dockyard fix`` on a tree (in place) and asserts all of it; the property tests
and the corpus-shaped cases of ``test_fix_safety.py`` call it.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import dockerfile

from dockyard.fix import WriteBack, fix_project
from dockyard.parsers.dockerignore import parse_dockerignore
from dockyard.parsers.dotenv import parse_env
from dockyard.parsers.yamlpos import load_yaml
from dockyard.project import Project
from dockyard.source import FileKind, classify


def buildkit(text: str) -> tuple:
    """BuildKit's parse of a Dockerfile (raises ``dockerfile.GoParseError`` when BuildKit rejects it)."""
    return dockerfile.parse_string(text)


def run_bodies(commands: tuple) -> list[str]:
    """The shell each shell-form RUN hands to `/bin/sh -c`, as BuildKit parsed it (heredoc RUNs left out: their
    bodies may be any interpreter's)."""
    return [c.value[0] for c in commands
            if c.cmd.upper() == "RUN" and not c.json and not c.heredocs and c.value]


def shell_ok(script: str) -> bool:
    """Whether ``sh -n`` (dash: POSIX shell, no bash extensions) accepts ``script``."""
    return subprocess.run(["sh", "-n"], input=script.encode(), capture_output=True).returncode == 0


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _loads(rel: str, data: bytes) -> str | None:
    """Why a file of the tree no longer loads as its kind, or None."""
    name = rel.rsplit("/", 1)[-1]
    kind = classify(name, tuple(rel.split("/")[:-1]))
    if kind not in (FileKind.DOCKERFILE, FileKind.COMPOSE, FileKind.DOCKERIGNORE, FileKind.ENV) \
            and not name.endswith(".py"):
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "not UTF-8"
    if kind == FileKind.DOCKERFILE:
        try:
            commands = buildkit(text)
        except dockerfile.GoParseError as exc:
            return f"BuildKit rejects it: {exc}"
        bad = [b for b in run_bodies(commands) if not shell_ok(b)]
        return f"`sh -n` rejects RUN {bad[0]!r}" if bad else None
    if kind == FileKind.COMPOSE:
        return "; ".join(str(e) for e in load_yaml(text).errors) or None
    if kind == FileKind.ENV:
        return "; ".join(str(e) for e in parse_env(text).errors) or None
    if kind == FileKind.DOCKERIGNORE:
        return "; ".join(e.message for e in parse_dockerignore(text).errors) or None
    if name.endswith(".py"):
        try:
            ast.parse(text)
        except SyntaxError as exc:
            return f"no longer Python: {exc}"
    return None


BUILTINS = frozenset({"exec", "cd", "source", ".", "export", "set", "eval", "ulimit", "umask", "trap", ":"})


def runtime_breaks(text: str) -> list[str]:
    """What in a Dockerfile (BuildKit's parse) makes its build or container fail for reasons dockyard's fixes could
    cause: a RUN that installs from apt lists an earlier RUN of its stage lineage removed, without updating them
    first; an exec-form CMD/ENTRYPOINT that starts with a shell built-in."""
    out = []
    ends: dict[str, bool] = {}  # stage name and index -> whether the apt lists are gone at the stage's end
    gone, keys, index = False, [], -1
    for c in buildkit(text):
        kw = c.cmd.upper()
        if kw == "FROM":
            ends.update((k, gone) for k in keys)
            index += 1
            gone = ends.get(c.value[0].lower(), False) if c.value else False
            keys = [str(index)] + ([c.value[2].lower()] if len(c.value) >= 3 and c.value[1].lower() == "as" else [])
        elif kw == "RUN" and not c.json and c.value and not any(
                "type=cache" in f and "target=/var/lib/apt" in f for f in c.flags):  # a mount, not the layer
            body = c.value[0]
            update = re.search(r"apt(?:-get)? update", body)
            install = re.search(r"apt(?:-get)? (?:-\S+ )*(?:install|upgrade)", body)
            if install and gone and (update is None or install.start() < update.start()):
                out.append(f"RUN {body!r} installs from apt lists an earlier RUN removed")
            if "rm -rf /var/lib/apt/lists" in body:
                gone = True
            elif update:
                gone = False
        elif kw in ("CMD", "ENTRYPOINT") and c.json and c.value and c.value[0] in BUILTINS:
            out.append(f"{kw} {list(c.value)} starts with the shell built-in `{c.value[0]}`")
    return out


def assert_fix_is_safe(root: Path, unsafe: bool = False) -> dict[str, bytes]:
    """Fix ``root`` in place; assert that what loaded before still loads (Dockerfiles: BuildKit and `sh -n` on every
    RUN), and that a second fix changes nothing. Returns the fixed tree's files."""
    before = snapshot(root)
    broken_before = {rel: why for rel, data in before.items() if (why := _loads(rel, data)) is not None}
    ignored_before = _copies_ignored(root)
    fix_project(lambda: Project.discover(root), WriteBack.WRITE, unsafe)
    after = snapshot(root)
    for rel, data in after.items():
        if rel in broken_before or before.get(rel) == data:
            continue
        shown = f"\n--- before:\n{before.get(rel, b'').decode()}\n--- after:\n{data.decode()}"
        why = _loads(rel, data)
        assert why is None, f"{rel} after fix: {why}{shown}"
        if classify(rel.rsplit("/", 1)[-1], tuple(rel.split("/")[:-1])) == FileKind.DOCKERFILE and rel in before:
            breaks, breaks_before = runtime_breaks(data.decode()), runtime_breaks(before[rel].decode())
            assert len(breaks) <= len(breaks_before), f"{rel} after fix: {breaks}{shown}"
    newly_ignored = _copies_ignored(root) - ignored_before
    assert not newly_ignored, f"the fixed ignore files exclude COPY sources: {sorted(newly_ignored)}"
    again = fix_project(lambda: Project.discover(root), WriteBack.WRITE, unsafe)
    changed = {rel for rel, data in snapshot(root).items() if after.get(rel) != data}
    assert again.total == 0 and not changed, (
        f"a second fix changed {sorted(changed) or sorted(again.applied)}:\n"
        + "\n".join(f"--- {rel}:\n{after.get(rel, b'').decode()}" for rel in sorted(changed or again.applied)))
    return after


def _copies_ignored(root: Path) -> set[tuple[str, int, int]]:
    """DF060's findings: COPY sources the build context's ignore file excludes."""
    from dockyard.engine import run_rules

    return {(f.path, f.position.line, f.position.column) for f in run_rules(Project.discover(root)).findings
            if f.code == "DF060"}

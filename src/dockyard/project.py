"""Discover a repository's files once, and parse each on first use.

Discovery skips ``.git``, virtualenvs, ``node_modules`` and caches, honours the root ``.gitignore``
(git's own matching, via :mod:`dockyard.parsers.ignorefile`), never follows a symlink out of the tree,
and records files it cannot read so that the engine can report them instead of crashing. A symbolic link to a
Dockerfile or an ignore file of the tree is another name for that file: the file is judged once, at its own path
(the one a user edits), and the link's name stays known to what builds it (:meth:`Project.names_of`).
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from dockyard import TYPE_CHECKING
from dockyard.config import Config
from dockyard.fsutil import file_type, is_special
from dockyard.model import directory_path
from dockyard.source import KIND_WORDS, FileKind, SourceFile, classify, parser_of, relpath, service_env_files
from dockyard.templates import has_template_markers, template_path

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "node_modules", "__pycache__",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis", "site-packages", ".eggs",
    }
)
# Kinds whose files are read during discovery; Python files are only read when a rule asks.
INTERESTING = frozenset(
    {
        FileKind.DOCKERFILE, FileKind.DOCKERIGNORE, FileKind.COMPOSE, FileKind.ENV, FileKind.GITIGNORE,
        FileKind.PYTHON, FileKind.REQUIREMENTS, FileKind.MAKEFILE, FileKind.WORKFLOW, FileKind.GITLAB_CI,
        FileKind.PYPROJECT, FileKind.PYTHON_LOCK, FileKind.TILTFILE,
    }
)
MAX_DEPTH = 12
# Kinds whose text, when it carries Jinja/cookiecutter markers, makes the file a template (see dockyard.templates)
TEMPLATE_KINDS = frozenset({FileKind.DOCKERFILE, FileKind.DOCKERIGNORE, FileKind.COMPOSE, FileKind.ENV})
# Kinds whose link is folded into the file it points to (see Project._fold_links): a link to a Dockerfile or an
# ignore file is another name for one file, which is judged once. Compose and env files are not folded: their
# names are what compose reads (the default and override files, `.env`, environments by name).
FOLDED_KINDS = frozenset({FileKind.DOCKERFILE, FileKind.DOCKERIGNORE})
# Directories named like a file docker reads (a folder called `Dockerfile`, or the `docker-compose.override.yml/`
# docker creates when it bind-mounts a file that is missing) are reported, as unreadable inputs are. Not env
# files: a virtualenv is often called `.env/`.
NAMED_LIKE_A_FILE = frozenset({FileKind.DOCKERFILE, FileKind.COMPOSE, FileKind.DOCKERIGNORE})


def special_file_problem(what: str, kind: str) -> str:
    """The message for a pipe, a socket or a device named like a file dockyard reads: such a file is never opened
    (opening a pipe blocks until something writes to it) and is reported as unreadable instead."""
    return f"{what} named like {KIND_WORDS.get(kind, 'a file dockyard reads')}: only regular files are read"


class Project:
    """The checked tree: its files by kind, parsed models (cached), and facts from git."""

    def __init__(self, root: Path, config: Config | None = None) -> None:
        self.root = root.resolve()
        self.config = config or Config()
        self.files: list[SourceFile] = []
        # files set aside as templates (a path or text with Jinja/cookiecutter markers): never judged
        self.templates: list[SourceFile] = []
        self.problems: list[tuple[str, str]] = []  # (relative path, message) for files that could not be visited
        self._parsed: dict[tuple[str, str], Any] = {}
        self._cache: dict[str, Any] = {}
        self._by_path: dict[str, SourceFile] = {}  # self.files by path (see file())
        # True when the user named files: only those files are judged, not the repository around them
        self.explicit_files = False
        self._progress = None  # a dockyard.progress.Progress for long walks, set by discover()
        self._folders: frozenset[str] | None = None  # the only folders discover() lists, when it is told some
        # link path -> path of the file it points to, for the links folded into their file (see _fold_links)
        self.links: dict[str, str] = {}
        self._link_targets: dict[str, str] = {}  # every link to a regular file of the tree the walk kept
        # compose file of a folder whose compose files all copy another folder's -> the file it copies: never
        # judged (see _set_aside_copies)
        self.copies: dict[str, str] = {}

    # -- discovery -------------------------------------------------------------------------------
    @classmethod
    def discover(cls, root: Path, config: Config | None = None, progress=None,
                 folders: Iterable[str] | None = None) -> "Project":
        """``progress``: a :class:`dockyard.progress.Progress` told how many files the walk has seen. ``folders``
        (relative POSIX paths, ``""`` for the root): only the files directly in these folders are discovered, and
        only the directories that lead to them are walked."""
        project = cls(root, config)
        project._progress = progress
        project._folders = None if folders is None else frozenset(folders)
        project._walk()
        project._add_service_env_files()
        project._fold_links()
        project._set_aside_copies()
        return project

    @classmethod
    def from_files(cls, root: Path, paths: list[Path], config: Config | None = None,
                   kinds: list[str] | None = None) -> "Project":
        """A project made of explicitly named files, each checked as the kind its name says (or ``kinds``)."""
        project = cls(root, config)
        project.explicit_files = True
        for i, path in enumerate(paths):
            rel = relpath(path.resolve() if not path.is_symlink() else path, project.root)
            kind = kinds[i] if kinds is not None else classify(path.name, path.parent.parts)
            project._add(SourceFile.load(path, rel, kind))
        return project

    def _add(self, sf: SourceFile) -> None:
        """Keep a discovered file: judged, or set aside when it is a template."""
        if template_path(sf.path) is not None or (
                sf.kind in TEMPLATE_KINDS and sf.text is not None and has_template_markers(sf.text)):
            self.templates.append(sf)
        else:
            self.files.append(sf)

    def _walk(self) -> None:
        root = self.root
        folders = self._folders
        gitignore = None
        gi_path = root / ".gitignore"
        if gi_path.is_file():
            from dockyard.parsers.ignorefile import GitIgnore  # lazy: a check of a compose file runs without it

            try:
                gitignore = GitIgnore.parse(gi_path.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                gitignore = None
        exclude = self.config.excluded
        stack: list[tuple[Path, str, int]] = [(root, "", 0)]
        seen_dirs: set[tuple[int, int]] = set()
        walked, progress = 0, self._progress
        while stack:
            folder, prefix, depth = stack.pop()
            try:
                st = folder.stat()
                if (st.st_dev, st.st_ino) in seen_dirs:
                    continue
                seen_dirs.add((st.st_dev, st.st_ino))
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError as exc:
                self.problems.append((prefix or ".", f"cannot list directory: {exc.strerror or exc}"))
                continue
            subdirs = []
            for entry in entries:
                rel = f"{prefix}{entry.name}"
                try:
                    is_link = entry.is_symlink()
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    continue
                if is_dir:
                    if entry.name in SKIP_DIRS or entry.name.endswith(".egg-info"):
                        continue
                    if gitignore is not None and gitignore.ignored(rel, is_dir=True):
                        continue
                    if exclude(rel) or depth >= MAX_DEPTH:
                        continue
                    if folders is not None and not any(f == rel or f.startswith(rel + "/") for f in folders):
                        continue
                    named = classify(entry.name, tuple(prefix.rstrip("/").split("/")) if prefix else ())
                    if named in NAMED_LIKE_A_FILE:  # what docker would read as a file: it cannot
                        self.problems.append((directory_path(rel), f"a directory named like "
                                              f"{KIND_WORDS[named]}: docker cannot read it as one"))
                    subdirs.append((Path(entry.path), rel + "/", depth + 1))
                    continue
                if folders is not None and prefix.rstrip("/") not in folders:
                    continue
                walked += 1
                if progress is not None:
                    progress.walked(walked)
                parts = tuple(prefix.rstrip("/").split("/")) if prefix else ()
                kind = classify(entry.name, parts)
                if kind not in INTERESTING or exclude(rel):
                    continue
                if gitignore is not None and kind != FileKind.ENV and gitignore.ignored(rel, is_dir=False):
                    # env files are kept even when ignored: whether they are ignored is itself checked
                    continue
                if is_link:
                    target = self._link_target(Path(entry.path))
                    if target is None:
                        self.problems.append((rel, "symbolic link that is broken, loops, or points outside the checked tree"))
                        continue
                    try:
                        mode = target.stat().st_mode
                    except OSError:
                        continue
                    if stat.S_ISDIR(mode):
                        continue
                    if is_special(mode):
                        self.problems.append((rel, special_file_problem("a symbolic link to " + file_type(mode), kind)))
                        continue
                    self._link_targets[rel] = relpath(target, root)
                elif not entry.is_file(follow_symlinks=False):  # the type from the listing: no open, no stat
                    try:
                        what = file_type(entry.stat(follow_symlinks=False).st_mode)
                    except OSError:
                        continue
                    self.problems.append((rel, special_file_problem(what, kind)))
                    continue
                sf = SourceFile(rel, Path(entry.path), kind)
                if kind != FileKind.PYTHON:
                    sf = SourceFile.load(Path(entry.path), rel, kind)
                self._add(sf)
            stack.extend(reversed(subdirs))
        self.files.sort(key=lambda f: f.path)
        self.templates.sort(key=lambda f: f.path)

    def _set_aside_copies(self) -> None:
        """Set aside the compose files of a folder whose two or more compose files are, name for name and byte for
        byte, files of another folder (``cli/.../embedded/docker_compose/``, a copy a tool embeds, made from some
        of ``deployment/docker_compose/``): the same environments, judged once, in the folder copied. Of two
        folders that copy each other, the one nearest the root (then the first by path) is judged."""
        sets: dict[str, dict[str, str]] = {}
        for sf in self.files:
            if sf.kind == FileKind.COMPOSE and sf.text is not None:
                sets.setdefault(posixpath.dirname(sf.path), {})[posixpath.basename(sf.path)] = sf.text
        if len(sets) < 2:
            return
        holders: dict[tuple[str, str], list[str]] = {}  # (name, text) -> the folders holding that file
        for folder, texts in sets.items():
            for item in texts.items():
                holders.setdefault(item, []).append(folder)
        order = {f: (f.count("/") + (f != ""), f) for f in sets}
        for folder, texts in sets.items():
            if len(texts) < 2:
                continue
            # the folders holding every one of this folder's files, this one aside
            common = set.intersection(*(set(holders[item]) for item in texts.items())) - {folder}
            # copied from one that holds more, or from a twin nearer the root
            originals = [f for f in common if len(sets[f]) > len(texts) or order[f] < order[folder]]
            if originals:
                original = min(originals, key=lambda f: (-len(sets[f]), order[f]))
                for name in texts:
                    self.copies[posixpath.join(folder, name)] = posixpath.join(original, name)
        if self.copies:
            self.files = [f for f in self.files if f.path not in self.copies]

    def _add_service_env_files(self) -> None:
        """Files a compose service loads with ``env_file:`` (``env/app.env``) are env files whatever their name:
        compose reads them as such. Kept when git ignores them, as other env files; not when excluded, outside
        the tree, or when their content is not ``KEY=VALUE`` lines."""
        naming = [c for c in self.files_of(FileKind.COMPOSE) if c.text is not None and "env_file" in c.text]
        if not naming:
            return
        known = {sf.path for sf in (*self.files, *self.templates)}
        for compose in naming:
            doc = self.parsed(compose, parser_of(FileKind.COMPOSE))
            folder = posixpath.dirname(compose.path)
            for written in service_env_files(doc.documents):
                rel = posixpath.normpath(posixpath.join(folder, written))
                if rel in known or rel.startswith("../") or rel == ".." or self.config.excluded(rel):
                    continue
                known.add(rel)
                target = self._link_target(self.root / rel)
                if target is None or relpath(target, self.root) != rel:
                    continue  # absent, or a link: compose reports what it cannot read
                try:
                    mode = target.stat().st_mode
                except OSError:
                    continue
                if is_special(mode):  # a pipe would block the run: never opened
                    self.problems.append((rel, special_file_problem(file_type(mode), FileKind.ENV)))
                    continue
                if not stat.S_ISREG(mode):
                    continue  # a folder
                sf = SourceFile.load(target, rel, FileKind.ENV)
                if sf.kind == FileKind.ENV:
                    self._add(sf)
        self.files.sort(key=lambda f: f.path)
        self.templates.sort(key=lambda f: f.path)

    def _fold_links(self) -> None:
        """A link to a Dockerfile or an ignore file that the walk also kept under its own path is dropped: the file
        is judged once, at its own path, which is what a user edits, what git shows with the file's lines (a
        link's blob is one line, its target's path) and what ``fix`` rewrites, leaving the link as it is. The
        link's name is kept in :attr:`links`: compose, CI or a plain ``docker build`` may build the file by it.
        A link whose file the walk did not keep (excluded, ignored, or named like nothing dockyard reads) stays
        the one name the file is judged by; a link read as another kind (``.dockerignore`` -> ``.gitignore``) is
        another reading of the file, and is judged as such."""
        if not self._link_targets:
            return
        kept = {sf.path: sf for sf in (*self.files, *self.templates)}
        for link, real in self._link_targets.items():
            named, target = kept.get(link), kept.get(real)
            if named is not None and target is not None and named.kind in FOLDED_KINDS and target.kind == named.kind:
                self.links[link] = real
        if self.links:
            self.files = [f for f in self.files if f.path not in self.links]
            self.templates = [f for f in self.templates if f.path not in self.links]

    def _link_target(self, path: Path) -> Path | None:
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        try:
            target.relative_to(self.root)
        except ValueError:
            return None
        return target

    # -- access --------------------------------------------------------------------------------
    def files_of(self, kind: str) -> list[SourceFile]:
        return [f for f in self.files if f.kind == kind]

    def real_path(self, rel: str) -> str:
        """The path of the file ``rel`` names: the file a folded link points to, else ``rel`` itself."""
        return self.links.get(rel, rel)

    def names_of(self, rel: str) -> list[str]:
        """Every name the file at ``rel`` goes by in the tree: its own path, then the folded links to it."""
        return [rel, *sorted(link for link, real in self.links.items() if real == rel)]

    def file(self, rel: str) -> SourceFile | None:
        """The file at ``rel``; for a folded link, the file it points to (whose ``path`` is its own)."""
        if rel in self.links:
            rel = self.links[rel]
        index = self._by_path
        if len(index) != len(self.files):  # files were added (discovery, include): index them again
            index.clear()
            for f in reversed(self.files):  # the first file of a path wins, as a scan would find it
                index[f.path] = f
            if len(index) != len(self.files):  # a path twice: never happens in a discovered project; scan
                return next((f for f in self.files if f.path == rel), None)
        return index.get(rel)

    def is_template(self, rel: str) -> bool:
        """Whether ``rel`` was set aside as a Jinja/cookiecutter template (see :mod:`dockyard.templates`)."""
        rel = self.real_path(rel)
        return template_path(rel) is not None or any(t.path == rel for t in self.templates)

    def include(self, rel: str, kind: str = FileKind.OTHER) -> SourceFile | None:
        """A file named by another one (``-r base.txt``, ``extends: file:``), loaded on demand.

        Stays inside the checked tree: a path that leaves it, or a link pointing out of it, gives None.
        """
        existing = self.file(rel)
        if existing is not None:
            return existing
        path = (self.root / rel)
        try:
            resolved = path.resolve(strict=True)
            resolved.relative_to(self.root)
        except (OSError, RuntimeError, ValueError):
            return None
        if not resolved.is_file():
            return None
        clean = relpath(resolved, self.root)
        existing = self.file(clean)
        if existing is not None:
            return existing
        sf = SourceFile.load(resolved, clean, kind)
        self.files.append(sf)
        return sf

    def is_dir(self, rel: str) -> bool:
        """Whether ``rel`` is a folder inside the checked tree (a link out of the tree is not)."""
        try:
            resolved = (self.root / rel).resolve(strict=True)
            resolved.relative_to(self.root)
        except (OSError, RuntimeError, ValueError):
            return False
        return resolved.is_dir()

    def read(self, sf: SourceFile) -> SourceFile:
        """Make sure a lazily discovered file (Python sources) has been read."""
        if sf.text is None and sf.error is None:
            loaded = SourceFile.load(sf.abspath, sf.path, sf.kind)
            sf.text, sf.error, sf.bom, sf.encoding = loaded.text, loaded.error, loaded.bom, loaded.encoding
        return sf

    def parsed(self, sf: SourceFile, parser: Callable[[str], Any], key: str | None = None) -> Any:
        """``parser(text)`` for a file, computed once per run."""
        k = (sf.path, key or getattr(parser, "__qualname__", repr(parser)))
        if k not in self._parsed:
            self.read(sf)
            self._parsed[k] = parser(sf.text) if sf.text is not None else None
        return self._parsed[k]

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """A per-run cache for derived facts (environments, build contexts, git state...)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def release(self) -> None:
        """Drop the parsed models and derived facts once the project has been checked (they are computed again if
        asked for). Many of them refer back to the project (an environment's view, the roles of its files): a
        cycle that only a full garbage collection frees, so a run over many trees would hold most of them."""
        self._parsed.clear()
        self._cache.clear()

    # -- parsed models of the common kinds ---------------------------------------------------------
    def model(self, sf: SourceFile) -> Any:
        """The parsed model of a Dockerfile, ``.dockerignore``, compose or env file (see
        :data:`dockyard.source.PARSING`), computed once per run."""
        return self.parsed(sf, parser_of(sf.kind))

    def compose_services(self, sf: SourceFile) -> dict:
        """The ``services`` mapping of a compose file's first document, as written (``{}`` when the file cannot be
        read or holds none)."""
        root = getattr(self.parsed(sf, parser_of(FileKind.COMPOSE)), "root", None)
        services = root.get("services") if isinstance(root, dict) else None
        return services if isinstance(services, dict) else {}

    def dockerfile(self, sf: SourceFile):
        """``sf`` parsed as a Dockerfile (whatever its name: compose may name any file as one)."""
        return self.parsed(sf, parser_of(FileKind.DOCKERFILE))

    def dockerfiles(self) -> list[SourceFile]:
        return self.files_of(FileKind.DOCKERFILE)

    # -- facts from git ------------------------------------------------------------------------------
    def git_tracked(self) -> set[str] | None:
        """Paths (relative to the root) that git tracks, or None when the tree is not in a git work tree."""

        def compute() -> set[str] | None:
            work_tree = _work_tree(self.root)
            if work_tree is None:
                return None  # no repository above: no process to spawn
            tracked = _tracked_in(work_tree)
            if tracked is None:
                return None
            rel = relpath(self.root, work_tree)
            if rel == ".":
                return set(tracked)
            prefix = rel + "/"
            return {n[len(prefix):] for n in tracked if n.startswith(prefix)}

        return self.memo("git_tracked", compute)


# One `git ls-files` per work tree while its index is unchanged: checking many trees of one repository in a
# run spawns git once, and a `git add` in between (a new index) is always seen.
_TRACKED: dict[tuple, frozenset[str] | None] = {}


def _work_tree(root: Path) -> Path | None:
    for folder in (root, *root.parents):
        if (folder / ".git").exists():  # a directory, or a file for worktrees and submodules
            return folder
    return None


def _tracked_in(work_tree: Path) -> frozenset[str] | None:
    try:
        st = (work_tree / ".git" / "index").stat()
        key: tuple | None = (work_tree, st.st_mtime_ns, st.st_size, st.st_ino)
    except OSError:
        key = None  # no index yet, or .git is a file (worktree): ask git every time
    if key is not None and key in _TRACKED:
        return _TRACKED[key]
    import subprocess

    try:
        out = subprocess.run(["git", "-C", str(work_tree), "ls-files", "-z"],
                             capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    tracked = (frozenset(n for n in out.stdout.decode("utf-8", "replace").split("\0") if n)
               if out.returncode == 0 else None)
    if key is not None:
        if len(_TRACKED) > 64:
            _TRACKED.clear()
        _TRACKED[key] = tracked
    return tracked

"""What locks a Python project, and what a build context holds of it: one answer for every rule that asks.

A *lock* pins every package of a project to one version (and usually to the hashes of its files):

* ``uv.lock``, ``poetry.lock``, ``pdm.lock`` and ``pylock.toml`` / ``pylock.<name>.toml`` (PEP 751), read with
  ``tomli`` (TOML 1.1: inline tables over several lines, as uv reads them) only as far as package names,
  versions, sources and hashes; nothing is executed;
* a requirements file whose name says so (``requirements.lock.txt``, ``requirements-lock.txt`` ...);
* a requirements file whose every requirement is pinned with ``==`` and carries ``--hash`` (what
  ``pip-compile --generate-hashes`` / ``uv pip compile --generate-hashes`` write), whatever its name;
* a requirements file a resolver wrote (pip-compile, ``uv pip compile``, ``uv export``...) that pins every
  requirement;
* for what an image installs, a fully pinned requirements file (see :func:`requirements_state`): DF009 accepts it
  as the lock of that install, although a file that pins only top-level packages by hand leaves their
  dependencies unpinned, and cannot take hashes (pip's hash-checking mode asks a hash of every dependency).

A lock counts for a Dockerfile when it lies in that Dockerfile's build context (:func:`context_locks`).
The rules that ask "is this install pinned / locked / hashed" (DF008, DF009, DF011, PY008, PY009) read it here.
"""

from __future__ import annotations

import posixpath
import re

from dockyard import TYPE_CHECKING
from dockyard.analysis.build_contexts import contexts_of_dockerfile
from dockyard.analysis.shell import PipOption, manager_call, pip_call, run_script
from dockyard.analysis.stages import lineage_instructions
from dockyard.manifests import declared, normalized_name
from dockyard.parsers.tomlfile import TOMLError, parse_toml
from dockyard.records import record
from dockyard.regex import lazy_compile
from dockyard.source import FileKind, python_lock_tool

if TYPE_CHECKING:  # pragma: no cover
    from dockyard.parsers.requirements import ReqLine, RequirementsFile
    from dockyard.project import Project
    from dockyard.source import SourceFile

# requirements files that are locks by name
REQUIREMENTS_LOCK_NAMES = ("requirements.lock.txt", "requirements.lock", "requirements-lock.txt",
                           "requirements.lock.in")


def is_lock_name(path: str) -> bool:
    """A file name that says it is a lock (``requirements.lock.txt``, ``prod.lock``, ``uv.lock``, ``pylock.toml``)."""
    return "lock" in posixpath.basename(path).lower()


# -------------------------------------------------------------------------------------------- TOML locks
@record(frozen=True, slots=True)
class LockedPackage:
    """One package of a TOML lock. ``source`` is ``registry`` (an index), ``url`` (an archive), ``git``,
    ``path`` (a local file or directory), ``editable`` or ``virtual`` (the project itself, a workspace member)."""

    name: str
    version: str | None
    hashes: tuple[str, ...]
    source: str
    line: int = 1  # the line of its ``name = "..."``

    @property
    def is_project(self) -> bool:
        """The project itself or a local member: neither a version pin nor a hash applies to it."""
        return self.source in ("path", "editable", "virtual")

    @property
    def pinned(self) -> bool:
        return self.is_project or self.source == "git" or self.version is not None

    @property
    def needs_hashes(self) -> bool:
        return self.source in ("registry", "url")


@record(frozen=True, slots=True)
class TomlLock:
    path: str
    tool: str  # "uv" | "poetry" | "pdm" | "pylock"
    packages: tuple[LockedPackage, ...] = ()
    error: str | None = None  # the file is not valid TOML (or not a lock of its tool)
    error_line: int = 1
    error_column: int = 1


_NAME_LINE_RE = lazy_compile(r"""^[ \t]*name[ \t]*=[ \t]*(?:"([^"\n]*)"|'([^'\n]*)')""", re.MULTILINE)
_TOML_ERROR_AT_RE = lazy_compile(r"\(at line (\d+), column (\d+)\)")


def _name_lines(text: str) -> dict[str, list[int]]:
    """Line numbers of ``name = "..."`` lines, in order, per name (TOML keeps no positions)."""
    out: dict[str, list[int]] = {}
    line, last = 1, 0
    for m in _NAME_LINE_RE.finditer(text):
        line += text.count("\n", last, m.start())
        last = m.start()
        out.setdefault(m.group(1) if m.group(1) is not None else m.group(2), []).append(line)
    return out


def _hash_values(value) -> list[str]:
    """``"sha256:..."`` strings from a ``hash = "algo:hex"`` value or a PEP 751 ``hashes = {algo = hex}`` table."""
    if isinstance(value, str):
        return [value] if ":" in value else []
    if isinstance(value, dict):
        return [f"{algo}:{digest}" for algo, digest in value.items() if isinstance(digest, str)]
    return []


def _file_hashes(entries) -> list[str]:
    out: list[str] = []
    if isinstance(entries, dict):
        entries = [entries]
    for item in entries if isinstance(entries, list) else ():
        if isinstance(item, dict):
            out += _hash_values(item.get("hash"))
            out += _hash_values(item.get("hashes"))
    return out


def _uv_package(pkg: dict) -> tuple[str, list[str]]:
    source = pkg.get("source")
    kind = "registry"
    if isinstance(source, dict):
        if "registry" in source:
            kind = "registry"
        elif "git" in source:
            kind = "git"
        elif "url" in source:
            kind = "url"
        elif "editable" in source:
            kind = "editable"
        elif "virtual" in source:
            kind = "virtual"
        elif "directory" in source or "path" in source:
            kind = "path"
    hashes = _file_hashes(pkg.get("sdist")) + _file_hashes(pkg.get("wheels"))
    return kind, hashes


def _poetry_package(pkg: dict, legacy_files: dict) -> tuple[str, list[str]]:
    source = pkg.get("source")
    kind = "registry"
    if isinstance(source, dict):
        stype = str(source.get("type", ""))
        kind = {"git": "git", "url": "url", "file": "path", "directory": "path"}.get(stype, "registry")
        if kind == "path" and pkg.get("develop"):
            kind = "editable"
    files = pkg.get("files")
    if files is None:  # poetry < 1.5 kept the hashes in [metadata.files]
        files = legacy_files.get(pkg.get("name"), [])
    return kind, _file_hashes(files)


def _pdm_package(pkg: dict, legacy_files: dict) -> tuple[str, list[str]]:
    if pkg.get("editable"):
        kind = "editable"
    elif "git" in pkg or "ref" in pkg and "revision" in pkg:
        kind = "git"
    elif "path" in pkg:
        kind = "path"
    elif "url" in pkg:
        kind = "url"
    else:
        kind = "registry"
    files = pkg.get("files")
    if files is None:  # pdm < 2.8 kept the hashes in [metadata.files], keyed "name version"
        files = legacy_files.get(f"{pkg.get('name')} {pkg.get('version')}", [])
    return kind, _file_hashes(files)


def _pylock_package(pkg: dict) -> tuple[str, list[str]]:
    if "vcs" in pkg:
        return "git", []
    if "directory" in pkg:
        directory = pkg["directory"]
        return ("editable" if isinstance(directory, dict) and directory.get("editable") else "path"), []
    if "archive" in pkg:
        archive = pkg["archive"]
        kind = "path" if isinstance(archive, dict) and "path" in archive and "url" not in archive else "url"
        return kind, _file_hashes(archive)
    return "registry", _file_hashes(pkg.get("sdist")) + _file_hashes(pkg.get("wheels"))


def parse_toml_lock(text: str, path: str, tool: str) -> TomlLock:
    """Package names, versions, sources and hashes of a ``uv.lock`` / ``poetry.lock`` / ``pdm.lock`` /
    ``pylock.toml``. Never raises: a file that is not valid TOML gives a :class:`TomlLock` with ``error``."""
    try:
        data = parse_toml(text)
    except TOMLError as exc:
        message = str(exc)
        m = _TOML_ERROR_AT_RE.search(message)
        line, column = (int(m.group(1)), int(m.group(2))) if m else (1, 1)
        return TomlLock(path, tool, error=_TOML_ERROR_AT_RE.sub("", message).strip(), error_line=line,
                        error_column=column)
    except (ValueError, RecursionError) as exc:
        return TomlLock(path, tool, error=f"cannot read: {exc}")
    items = data.get("packages" if tool == "pylock" else "package", [])
    if not isinstance(items, list):
        return TomlLock(path, tool, error="the `package` entries are not a list of tables")
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    legacy_files = metadata.get("files") if isinstance(metadata.get("files"), dict) else {}
    lines = _name_lines(text)
    seen: dict[str, int] = {}
    packages = []
    for pkg in items:
        if not isinstance(pkg, dict) or not isinstance(pkg.get("name"), str):
            continue
        name = pkg["name"]
        if tool == "uv":
            kind, hashes = _uv_package(pkg)
        elif tool == "poetry":
            kind, hashes = _poetry_package(pkg, legacy_files)
        elif tool == "pdm":
            kind, hashes = _pdm_package(pkg, legacy_files)
        else:
            kind, hashes = _pylock_package(pkg)
        version = pkg.get("version")
        index = seen.get(name, 0)
        seen[name] = index + 1
        found = lines.get(name, [])
        line = found[index] if index < len(found) else 1
        packages.append(LockedPackage(name, str(version) if version is not None else None, tuple(hashes), kind,
                                      line))
    return TomlLock(path, tool, tuple(packages))


def toml_lock(project: "Project", sf: "SourceFile") -> TomlLock | None:
    """The parsed TOML lock (once per run), or None when the file could not be read."""
    tool = python_lock_tool(posixpath.basename(sf.path)) or "uv"
    return project.parsed(sf, lambda text: parse_toml_lock(text, sf.path, tool), key="toml-lock")


# ------------------------------------------------------------------------------------ requirements files
def requirements(project: "Project", sf: "SourceFile") -> "RequirementsFile | None":
    """A requirements file as pip reads it (once per run)."""
    from dockyard.parsers.requirements import parse_requirements  # lazy: a check of a lone Dockerfile runs without it

    return project.parsed(sf, lambda text: parse_requirements(text, sf.path), key="requirements")


@record(frozen=True, slots=True)
class RequirementsState:
    """How well a requirements file pins what it installs. Local paths and editables (the project itself)
    are not counted; nor are direct references to one archive or one commit, which are exact."""

    total: int  # requirements counted
    loose: int  # of those, not pinned exactly
    unhashed: int  # of those, without --hash
    loose_includes: int  # `-r`/`-c` includes whose name does not say lock

    @property
    def pinned(self) -> bool:
        return self.total > 0 and self.loose == 0 and self.loose_includes == 0

    @property
    def hashed(self) -> bool:
        return self.pinned and self.unhashed == 0


_ARCHIVE_RE = lazy_compile(r"\.(whl|tar\.gz|tgz|tar\.bz2|tar\.xz|zip)(?:[#?].*)?$", re.IGNORECASE)
_COMMIT_RE = lazy_compile(r"@[0-9a-f]{40}(?:[#?].*)?$")


def exact_reference(url: str) -> bool:
    """A direct reference that names one artifact: an archive URL, or a VCS URL at a full commit id."""
    return bool(_ARCHIVE_RE.search(url) or _COMMIT_RE.search(url))


_VCS_RE = lazy_compile(r"^(?:git|hg|svn|bzr)\+", re.IGNORECASE)
_REMOTE_RE = lazy_compile(r"^(?:https?|ftp)://", re.IGNORECASE)


def hashable(entry: "ReqLine") -> bool:
    """Whether pip's hash-checking mode can install a requirement: not an editable, a VCS requirement or a local
    path that is no archive (pip refuses them all: "there is no single file to hash"). A pin, an archive URL or
    a local archive can carry ``--hash``."""
    if entry.editable:
        return False
    url = entry.url
    if url is None:
        return True
    if _VCS_RE.match(url):
        return False
    return bool(_REMOTE_RE.match(url) or _ARCHIVE_RE.search(url))


def requirements_state(req: "RequirementsFile") -> RequirementsState:
    total = loose = unhashed = 0
    for e in req.entries:
        if e.editable or (e.url is not None and not e.name):
            continue  # the project itself or a local path
        total += 1
        if e.pinned_version is None and not (e.url and exact_reference(e.url)):
            loose += 1
        if not e.hashes:
            unhashed += 1
    loose_includes = sum(1 for i in req.includes if not is_lock_name(i.target))
    return RequirementsState(total, loose, unhashed, loose_includes)


# What a resolver writes at the top of a requirements file, or beside each pin (`# via fastapi`).
_RESOLVED_RE = lazy_compile(r"(?im)^#.*\b(?:autogenerated|@generated)\b|^#\s*(?:pip-compile|uv pip compile|uv export|"
                          r"poetry export|pdm export)\b|^\s+#\s+via\b")


def written_by_resolver(text: str) -> bool:
    """A requirements file written by pip-compile, `uv pip compile`, `uv export`, `poetry export` or `pdm export`
    (their header, or the `# via` lines that name who needs each pin)."""
    return _RESOLVED_RE.search(text) is not None


def requirements_is_lock(project: "Project", sf: "SourceFile") -> bool:
    """A requirements file that is a lock on its own: by its name, hashed throughout, or written by a resolver
    and pinned throughout. A file that pins a few top-level packages by hand is not: their dependencies are
    resolved afresh on every build, and hashes cannot be added to it (see :func:`requirements_state`)."""
    if is_lock_name(sf.path):
        return True
    if sf.text is None or ("--hash" not in sf.text and not written_by_resolver(sf.text)):
        return False  # neither hashed nor resolved: no lock, and it need not be parsed
    req = requirements(project, sf)
    if req is None:
        return False
    state = requirements_state(req)
    return state.hashed or state.pinned


# ------------------------------------------------------------------------------------------ project locks
def project_locks(project: "Project") -> list["SourceFile"]:
    """Every lock file of the tree, in path order: TOML locks and requirements files that are locks on their
    own (by name, or pinned and hashed)."""

    def compute() -> list["SourceFile"]:
        found = [sf for sf in project.files_of(FileKind.PYTHON_LOCK) if sf.text is not None]
        for sf in project.files:
            if sf.text is None or sf in found:
                continue
            name = posixpath.basename(sf.path)
            if sf.kind == FileKind.REQUIREMENTS and requirements_is_lock(project, sf):
                found.append(sf)
            elif sf.kind == FileKind.OTHER and name in REQUIREMENTS_LOCK_NAMES:
                found.append(sf)
        return sorted(found, key=lambda f: f.path)

    return project.memo("locks.project", compute)


def _inside(path: str, folder: str) -> bool:
    return not folder or path == folder or path.startswith(folder.rstrip("/") + "/")


def context_locks(project: "Project", folder: str) -> list["SourceFile"]:
    """The lock files inside a build context (``folder`` relative to the root; "" for the root)."""
    return [sf for sf in project_locks(project) if _inside(sf.path, folder)]


def context_tools(project: "Project", folder: str) -> set[str]:
    """The tools whose lock files a build context holds: ``uv``, ``poetry``, ``pdm``, ``pylock``,
    ``requirements``."""
    out = set()
    for sf in context_locks(project, folder):
        out.add(python_lock_tool(posixpath.basename(sf.path)) or "requirements")
    return out


def dockerfile_context_dirs(project: "Project", dockerfile_path: str) -> list[str]:
    """The build contexts a Dockerfile is built in (its own folder when nothing else names it)."""
    dirs = [c.dir for c in contexts_of_dockerfile(project, dockerfile_path)]
    return dirs or [posixpath.dirname(dockerfile_path)]


def context_guessed(project: "Project", dockerfile_path: str) -> bool:
    """Whether nothing (a compose service, a Tiltfile) names the build context of a Dockerfile: the folder it is
    taken to be built from is an assumption, and a file missing there may be in the context a build really uses."""
    return all(c.guessed for c in contexts_of_dockerfile(project, dockerfile_path))


# ------------------------------------------------------------------------- what an image installs from
# Where a file an image reads (`pip install -r FILE`) comes from:
CONTEXT = "context"  # a file of the build context, found in the tree
ABSENT = "absent"  # it would come from the build context, but the tree has no such file
OUTSIDE = "outside"  # another stage or image, a build argument, a URL: not readable here
EXPORTED = "exported"  # written during the build by `uv export` / `poetry export` / `pdm export` from a lock
COMPILED = "compiled"  # written during the build by a resolver (`pip-compile`, `uv pip compile`)

_EXPORTERS = {"uv": "export", "poetry": "export", "pdm": "export"}


def _clean(path: str) -> str:
    return posixpath.normpath(path) if path else path


def _workdirs(df, instructions) -> dict[int, str]:
    """The working directory each instruction runs in (by id), "" when a variable makes it unknown."""
    out: dict[int, str] = {}
    wd = "/"
    for ins in instructions:
        out[id(ins)] = wd
        if ins.keyword == "WORKDIR" and ins.value:
            target = ins.value[0]
            if "$" in target:
                wd = ""
            elif wd or target.startswith("/"):
                wd = _clean(posixpath.join(wd or "/", target))
    return out


def _copy_parts(ins) -> tuple[list[str], str] | None:
    values = [v for v in ins.value if v]
    if len(values) < 2:
        return None
    return values[:-1], values[-1]


def _written_by(rs, path: str, workdir: str) -> str | None:
    """EXPORTED / COMPILED when a command of the script writes ``path`` (``-o FILE`` or ``> FILE``)."""
    text = rs.text
    for cmd in rs.commands:
        argv = [w.text for w in cmd.argv]
        if not argv:
            continue
        call = manager_call(cmd)
        name = posixpath.basename(argv[0])
        kind = None
        if call is not None and call.subcommand == "export":
            kind = EXPORTED
        elif name == "pip-compile" or (name == "uv" and argv[1:3] == ["pip", "compile"]):
            kind = COMPILED
        if kind is None:
            continue
        targets = []
        for i, a in enumerate(argv):
            if a in ("-o", "--output", "--output-file") and i + 1 < len(argv):
                targets.append(argv[i + 1])
            elif a.startswith(("--output=", "--output-file=")):
                targets.append(a.split("=", 1)[1])
        m = re.match(r"[ \t]*>[ \t]*([^\s;&|]+)", text[cmd.end:])
        if m:
            targets.append(m.group(1).strip("\"'"))
        for t in targets:
            if _clean(posixpath.join(workdir or "/", t)) == path:
                return kind
    return None


def image_file_source(df, stage, upto, path: str, is_file=lambda rel: False) -> tuple[str, str | None]:
    """Where the file ``path`` that the RUN ``upto`` of ``stage`` reads comes from: ``(CONTEXT, path in the
    build context)``, ``(OUTSIDE, None)``, ``(EXPORTED, None)`` or ``(COMPILED, None)``; ``(ABSENT, None)``
    when no instruction put it there (then it is looked up beside the Dockerfile). ``is_file(rel)`` tells
    whether a COPY source without a trailing slash is a file of the context (else it is taken for a folder)."""
    if "$" in path:
        return OUTSIDE, None
    instructions = []
    for ins in lineage_instructions(df, stage):
        instructions.append(ins)
        if ins is upto:
            break
    workdirs = _workdirs(df, instructions)
    wd = workdirs.get(id(upto), "/")
    if not path.startswith("/") and not wd:
        return OUTSIDE, None
    target = _clean(posixpath.join(wd or "/", path))
    # a bind mount of the RUN itself
    for flag in upto.flags_named("mount"):
        opts = flag.options()
        if opts.get("type", "bind") != "bind":
            continue
        mount_target = opts.get("target") or opts.get("dst") or opts.get("destination") or ""
        mount_target = _clean(posixpath.join(wd or "/", mount_target)) if mount_target else ""
        if mount_target and (target == mount_target or target.startswith(mount_target.rstrip("/") + "/")):
            if "from" in opts or "$" in (opts.get("source") or ""):
                return OUTSIDE, None
            source = opts.get("source") or opts.get("src") or "."
            rest = target[len(mount_target):].lstrip("/")
            return CONTEXT, _clean(posixpath.join(source.lstrip("/"), rest)) if rest else _clean(source.lstrip("/"))
    for ins in reversed(instructions):
        if ins.keyword == "RUN":  # the installing RUN itself may have written it (`uv export -o r.txt && ...`)
            rs = run_script(df, ins)
            if rs is not None:
                kind = _written_by(rs, target, workdirs.get(id(ins), "/"))
                if kind is not None:
                    return kind, None
            continue
        if ins is upto or ins.keyword not in ("COPY", "ADD"):
            continue
        parts = _copy_parts(ins)
        if parts is None:
            continue
        sources, dest = parts
        iwd = workdirs.get(id(ins), "/")
        if not dest.startswith("/") and not iwd:
            continue
        dest_abs = _clean(posixpath.join(iwd or "/", dest))
        into_dir = dest.endswith("/") or len(sources) > 1
        for src in sources:
            hit = None
            base = posixpath.basename(src.rstrip("/"))
            src_is_dir = src.rstrip("/") in ("", ".") or src.endswith("/") or (
                "*" not in src and "$" not in src and "." not in base and not is_file(_clean(src).lstrip("/")))
            if src_is_dir:
                if target == dest_abs or target.startswith(dest_abs.rstrip("/") + "/"):
                    hit = _clean(posixpath.join(src, target[len(dest_abs):].lstrip("/")))
            elif (into_dir and target == _clean(posixpath.join(dest_abs, base))) or (not into_dir and target == dest_abs):
                hit = _clean(src)
            elif not into_dir and target == _clean(posixpath.join(dest_abs, base)):
                hit = _clean(src)  # `COPY requirements.txt /app` into an existing folder
            if hit is None:
                continue
            if ins.flag("from") is not None or "$" in src or "://" in src or src.startswith("git@"):
                return OUTSIDE, None
            return CONTEXT, hit.lstrip("/")
    return ABSENT, None


def _candidates(project: "Project", dockerfile_path: str, rel: str | None, fallback: str | None) -> list[str]:
    """The paths of the tree where :func:`context_file` looks, in order."""
    candidates: list[str] = []
    if rel is not None:
        candidates += [_clean(posixpath.join(d, rel)) for d in dockerfile_context_dirs(project, dockerfile_path)]
    elif fallback:
        clean = fallback.strip("\"'")
        folder = posixpath.dirname(dockerfile_path)
        if not clean.startswith("/"):
            candidates.append(_clean(posixpath.join(folder, clean)))
        candidates.append(_clean(posixpath.join(folder, posixpath.basename(clean))))
    return list(dict.fromkeys(c for c in candidates if not c.startswith("..")))


def context_file(project: "Project", dockerfile_path: str, rel: str | None, fallback: str | None = None):
    """The tree's file at ``rel`` inside one of the Dockerfile's build contexts; when ``rel`` is None, the file
    ``fallback`` names beside the Dockerfile (its path, then its base name), as the checks did before."""
    for c in _candidates(project, dockerfile_path, rel, fallback):
        sf = project.file(c) or project.include(c, FileKind.REQUIREMENTS)
        if sf is not None:
            return sf
    return None


@record(frozen=True, slots=True)
class RequirementsLookup:
    """Where a requirements file an image installs comes from (:func:`resolve_requirements_file`)."""

    origin: str  # CONTEXT, ABSENT, OUTSIDE, EXPORTED, COMPILED
    file: "SourceFile | None"  # the file in the tree, when found
    looked: tuple[str, ...] = ()  # the paths of the tree looked at, when it was not found there


def resolve_requirements_file(project: "Project", dockerfile: "SourceFile", df, stage, ins,
                              value: str) -> RequirementsLookup:
    """Where the requirements file ``value`` that the RUN ``ins`` installs comes from, and the file of the tree
    it is (ABSENT, with the paths looked at, when the tree has none there)."""
    value = value.strip("\"'")

    def is_file(rel: str) -> bool:
        return context_file(project, dockerfile.path, rel) is not None

    origin, rel = image_file_source(df, stage, ins, value, is_file)
    if origin == CONTEXT:
        looked = _candidates(project, dockerfile.path, rel, None)
    elif origin == ABSENT:
        looked = _candidates(project, dockerfile.path, None, value)
    else:
        return RequirementsLookup(origin, None)
    found = context_file(project, dockerfile.path, rel, None if origin == CONTEXT else value)
    return RequirementsLookup(CONTEXT, found) if found is not None else RequirementsLookup(ABSENT, None, tuple(looked))


@record
class InstalledRequirements:
    """A ``pip install -r FILE`` (or ``uv pip sync FILE``) of a Dockerfile and the file it reads."""

    dockerfile: "SourceFile"
    call: object  # PipCall
    option: object  # PipOption whose value is the file
    origin: str  # CONTEXT, ABSENT, OUTSIDE, EXPORTED, COMPILED
    file: "SourceFile | None"  # the file in the tree, when found
    looked: tuple[str, ...] = ()  # the paths of the tree looked at, when it was not found there


def requirement_options(call) -> list:
    """The requirements files a pip call installs: ``-r FILE`` values, and the files of ``uv pip sync``."""
    options = list(call.values("--requirement"))
    if call.subcommand == "sync":  # uv pip sync FILE...
        options += [PipOption("--requirement", w, w.text, w) for w in call.targets]
    return options


def installed_requirements(project: "Project", dockerfile: "SourceFile") -> list[InstalledRequirements]:
    """Every requirements file a Dockerfile installs, resolved through COPY/ADD, bind mounts and WORKDIR to the
    file of its build context (computed once per run)."""

    def compute() -> list[InstalledRequirements]:
        if dockerfile.text is None:
            return []
        df = project.dockerfile(dockerfile)
        out = []
        for stage in df.stages:
            for ins in stage.instructions:
                rs = run_script(df, ins)
                if rs is None:
                    continue
                for cmd in rs.commands:
                    call = pip_call(rs, cmd)
                    if call is None or call.subcommand not in ("install", "wheel", "download", "sync"):
                        continue
                    for opt in requirement_options(call):
                        lookup = resolve_requirements_file(project, dockerfile, df, stage, ins, opt.value or "")
                        out.append(InstalledRequirements(dockerfile, call, opt, lookup.origin, lookup.file,
                                                         lookup.looked))
        return out

    return project.memo(f"locks.installed:{dockerfile.path}", compute)


# ------------------------------------------------------------------------------------- declared packages
def declares(project: "Project", package: str, folders: list[str] | None = None) -> bool:
    """Whether a dependency file (a lock, a requirements file, ``pyproject.toml``, a ``Pipfile``) inside one of
    ``folders`` (relative to the root; the whole tree when None) declares ``package`` (any spelling of its name)."""
    wanted = normalized_name(package)
    found: list["SourceFile"] = [sf for sf in project.files if sf.kind in (
        FileKind.REQUIREMENTS, FileKind.PYPROJECT, FileKind.PYTHON_LOCK)]
    for folder in folders if folders is not None else [""]:
        for name in (*REQUIREMENTS_LOCK_NAMES, "Pipfile"):
            sf = project.include(posixpath.join(folder, name) if folder else name)
            if sf is not None and sf not in found:
                found.append(sf)
    for sf in found:
        if sf.text is None or (folders is not None and not any(_inside(sf.path, f) for f in folders)):
            continue
        base = posixpath.basename(sf.path)
        if wanted in project.parsed(sf, lambda text: declared(text, base), key="roles.dependencies"):
            return True
    return False

"""What one load of a compose project reads and records: the :class:`LoadContext` every step shares, the files it
reads (compose files, each parsed once per load; env files, as compose-go's ``GetEnvFromFile`` reads them) and
the records that locate a problem where it was written (:func:`record_origins`, :func:`record_names`,
:func:`refuse`).

``Reader``: ``reader(path) -> bytes | str``, raising ``OSError`` for a file it cannot or will not give.
``Parser``: ``parse(path, data) -> YamlDocument``, the YAML of a compose file's data; it may return a tree
shared with others (a project parses each file once for its rules and its loads): the load changes only copies.

Ported from compose-go v2.9.1's ``loader`` package (Apache License 2.0; see THIRD_PARTY_NOTICES.md).
"""

from __future__ import annotations

import os
from pathlib import Path

from dockyard import TYPE_CHECKING
from dockyard.compose.merge import merge_models
from dockyard.compose.model import InterpolationIssue, LoadProblem
from dockyard.fsutil import read_regular
from dockyard.model import Position
from dockyard.parsers.dotenv import parse_env, parse_env_bytes
from dockyard.parsers.yamlpos import YamlDocument, YMap, YSeq, copy_tree, load_yaml, load_yaml_bytes
from dockyard.source import SourceFile

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any, Callable, Mapping

    Reader = Callable[[Path], "bytes | str"]
    Parser = Callable[[Path, "bytes | str"], YamlDocument]


def read_disk(p: Path) -> bytes:
    """The default reader: the bytes of a regular file."""
    return read_regular(p)  # a pipe, a socket or a device named as an input is never opened


def parse_yaml(p: Path, data: bytes | str) -> YamlDocument:
    """The default parser of a compose file's data."""
    return load_yaml(data) if isinstance(data, str) else load_yaml_bytes(data)


def parse_env_data(data: bytes | str, lookup: Any) -> Any:
    """An env file's data parsed as compose parses it (:mod:`dockyard.parsers.dotenv`)."""
    return parse_env(data, lookup) if isinstance(data, str) else parse_env_bytes(data, lookup)


def exists(p: Path, reader: Reader) -> bool:
    """Whether ``reader`` gives a file at ``p`` (compose's default ``.env``, an included project's)."""
    if reader is read_disk:  # a pipe or a socket exists too: reading it then says what it is, without opening it
        return os.path.exists(p) and not os.path.isdir(p)
    try:
        reader(p)
    except OSError:
        return False
    return True


def read_env_files(paths: list[Path], environ: Mapping[str, str],
                   problems: list[LoadProblem] | None = None, reader: Reader | None = None) -> dict[str, str]:
    """Values of ``--env-file`` files (later files win); each file's expansions see the shell first,
    then earlier files (compose-go's GetEnvFromFile)."""
    reader = reader or read_disk
    env: dict[str, str] = {}
    for p in paths:
        try:
            data = reader(Path(p))
        except OSError as e:
            if problems is not None:
                problems.append(LoadProblem(f"couldn't read env file {p}: {e.strerror}", Path(p), kind="env-file"))
            continue

        def lookup(k: str) -> str | None:
            v = environ.get(k)
            return v if v is not None else env.get(k)

        parsed = parse_env_data(data, lookup)
        for err in parsed.errors:
            if problems is not None:
                problems.append(LoadProblem(f"failed to read {p}: {err.message}", Path(p),
                                            Position(err.line, err.column),
                                            kind="budget" if err.kind == "budget" else "env-file",
                                            redacted=f"failed to read {p}: {err.safe_message}"))
        env.update(parsed.as_dict())
    return env


class LoadContext:
    """The state of one load, shared by every file it reads: the interpolation ``environment`` and the
    ``working_dir`` (an included project has its own: :meth:`sub`), the ``problems`` met, the ``origins`` of
    model paths (``(file, Position)``), the interpolation ``issues`` and each file's text (with ``track``), the
    include chain and the cycles reported. ``reader`` and ``parse`` give the compose files' YAML: each file is
    read and parsed once per load (:meth:`yaml`)."""

    def __init__(self, environment: dict[str, str], problems: list[LoadProblem],
                 origins: dict, working_dir: Path, reader: Reader = read_disk, track: bool = False,
                 label: Callable[[Path], str] = str, parse: Parser | None = None) -> None:
        self.environment = environment
        self.problems = problems
        self.origins = origins
        self.working_dir = working_dir
        self.reader = reader
        self.parse = parse or parse_yaml
        self.track = track
        self.label = label
        self.issues: list[InterpolationIssue] = []
        self.texts: dict[Path, Any] = {}  # SourceFile per path (positions)
        # (services, name, key, named) -> (file, Position) of the list item naming a service or network
        self.names: dict[tuple, tuple[Path, Position]] = {}
        self.including: list[Path] = []  # the files being loaded, each included by the one before (resolved)
        self.cycles: set[frozenset] = set()  # include/extends cycles reported (one problem per cycle)
        self.parsed: dict[Path, Any] = {}  # path -> (data, YamlDocument), or the OSError reading it raised

    def sub(self, environment: dict[str, str], working_dir: Path) -> "LoadContext":
        """The context of an included project: its own environment, working directory and names; the rest shared."""
        ctx = LoadContext(environment, self.problems, self.origins, working_dir, self.reader, self.track,
                          self.label, self.parse)
        ctx.issues, ctx.texts, ctx.including, ctx.cycles = self.issues, self.texts, self.including, self.cycles
        ctx.parsed = self.parsed
        return ctx

    def cycle(self, members: frozenset, message: str, file: Path, position: Position | None, kind: str) -> None:
        """Record an include or extends cycle once, however many of its members the load starts from: compose
        refuses the project (``include cycle detected``, ``Circular reference``)."""
        if members not in self.cycles:
            self.cycles.add(members)
            self.problems.append(LoadProblem(message, file, position or Position(), kind=kind))

    def yaml(self, p: Path) -> Any:
        """``(data, YamlDocument)`` of a compose file, read and parsed once per load (a file extended or included
        again is not parsed again), or the ``OSError`` reading it raised. The tree may be shared with the caller
        of the load: whoever changes it works on a copy (:func:`read_documents`)."""
        got = self.parsed.get(p)
        if got is None:
            try:
                data = self.reader(p)
            except OSError as e:
                got = e
            else:
                got = (data, self.parse(p, data))
            self.parsed[p] = got
        return got


def refuse(refusal: Any, ctx: LoadContext, file: Path | None) -> bool:
    """Record a :class:`dockyard.compose.validate.Refusal` as a problem located at what it names (the nearest
    recorded ancestor); True when there was none."""
    if refusal is None:
        return True
    target = tuple(refusal.path) + ((refusal.key,) if refusal.key is not None else ())
    origin = ctx.names.get(target)  # a service named in a list (`depends_on: [db]`): the item that names it
    while origin is None and target and target not in ctx.origins:
        target = target[:-1]
    origin = origin or ctx.origins.get(target)
    ctx.problems.append(LoadProblem(refusal.message, origin[0] if origin else file,
                                    origin[1] if origin else Position.whole_file(), kind=refusal.kind))
    return False


_NAMING_LISTS = ("depends_on", "links", "volumes_from", "networks", "models")


def record_names(root: Any, file: Path, ctx: LoadContext) -> None:
    """Where each service's list form names another service or a network (``links: [db:database]`` names
    ``db``), for a refusal about that name to point at it."""
    services = root.get("services") if isinstance(root, YMap) else None
    for sname, svc in services.items() if isinstance(services, YMap) else ():
        for key in _NAMING_LISTS:
            items = svc.get(key) if isinstance(svc, YMap) else None
            for i, item in enumerate(items) if isinstance(items, YSeq) else ():
                pos = items.item_pos(i)
                if isinstance(item, str) and pos is not None:
                    ctx.names[("services", sname, key, item.partition(":")[0])] = (file, pos)


def record_origins(node: Any, path: tuple, file: Path, origins: dict) -> None:
    """Record where each entry of a positioned tree was written: ``origins[path] = (file, Position)``, a
    mapping entry from its key to the end of its value."""
    stack = [(node, path)]
    while stack:
        n, p = stack.pop()
        if isinstance(n, YMap):
            for k, v in n.items():
                kp = n.key_pos(k)
                vp = n.value_pos(k)
                if kp is not None and vp is not None:
                    origins[p + (k,)] = (file, Position(kp.line, kp.column, vp.end_line, vp.end_column))
                stack.append((v, p + (k,)))
        elif isinstance(n, YSeq):
            for i, v in enumerate(n):
                ip = n.item_pos(i)
                if ip is not None:
                    origins[p + (i,)] = (file, ip)
                stack.append((v, p + (i,)))


def read_documents(p: Path, ctx: LoadContext) -> list | None:
    """The documents of a compose file, each a mapping, in order: compose reads every document of a file and
    merges them as if they were files given one after the other. None when the file cannot be read or parsed, or
    a document is not a mapping (compose's "Top-level object must be a mapping", an empty ``---`` document too);
    the problems are recorded. A file with no document at all reads as an empty mapping. Each document is the
    caller's own copy (the load changes it in place; the parse is shared)."""
    got = ctx.yaml(p)
    if isinstance(got, OSError):
        reason = got.strerror or "no such file or directory"  # as Go words it: `no such file or directory`
        ctx.problems.append(LoadProblem(f"open {p}: {reason[:1].lower()}{reason[1:]}", p, kind="load"))
        return None
    data, doc = got
    if ctx.track and p not in ctx.texts:
        text = data if isinstance(data, str) else _decoded(data)
        ctx.texts[p] = SourceFile.from_text(str(p), text, "compose")
    for err in doc.errors:
        ctx.problems.append(LoadProblem(err.message, p, err.position, kind="yaml"))
    if not doc.ok:
        return None
    if not doc.documents:
        return [YMap()]
    for root, pos in zip(doc.documents, doc.positions):
        if not isinstance(root, dict):
            ctx.problems.append(LoadProblem("Top-level object must be a mapping", p, pos, kind="yaml"))
            return None
    return [copy_tree(root) for root in doc.documents]


def _decoded(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    return data.decode("utf-8-sig", "replace")


def read_yaml(p: Path, ctx: LoadContext, document: int | None = None) -> Any:
    """One document of a compose file (``document``), or the whole file: its documents merged in order."""
    documents = read_documents(p, ctx)
    if documents is None:
        return None
    if document is not None and document < len(documents):
        return documents[document]
    root = documents[0]
    for extra in documents[1:]:
        merge_models(root, extra)
    return root

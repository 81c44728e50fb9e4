"""Build contexts of a project and the ignore file each one uses.

A context is named by a compose service's ``build`` or a Tiltfile's ``docker_build(ref, context, dockerfile=...)``;
a Dockerfile that something names is judged with those contexts only. A Dockerfile nothing names is assumed to be
built from the folder of the name it is built by (``docker build .`` beside it): its own folder, or, when links of
the tree point to it, the folders of those links (a link is made so that the file is found under that name, there);
when what it copies is not in that folder but all of it is in one above, the nearest such folder.
Such a context is a guess (``guessed``): rules do not state what it holds, or lacks, as fact. BuildKit prefers
``<Dockerfile name>.dockerignore`` beside the Dockerfile over ``<context>/.dockerignore``.
"""

from __future__ import annotations

import os
import posixpath

from dockyard.model import Position
from dockyard.records import record, replace
from dockyard.regex import lazy_compile
from dockyard.source import FileKind


@record(frozen=True)
class BuildContext:
    dir: str  # relative POSIX folder of the context; "" is the project root
    dockerfile: str | None  # relative path of the Dockerfile built in it, when known
    origin: str  # the file that names this context (a compose file, a Tiltfile), or the Dockerfile for a guess
    position: Position  # where in ``origin``
    services: tuple[tuple[str, str], ...] = ()  # (compose file, service) of each service that builds it
    guessed: bool = False  # nothing names this context: the folder a plain `docker build .` would send
    filtered: bool = False  # what names it also filters what it sends (Tilt's `only=`/`ignore=`)

    def rel(self, path: str) -> str:
        return posixpath.join(self.dir, path) if self.dir else path


def _norm(path: str) -> str | None:
    p = posixpath.normpath(path)
    if p == ".":
        return ""
    if p.startswith("..") or p.startswith("/"):
        return None
    return p


def _compose_contexts(project) -> list[BuildContext]:
    out = []
    for sf in project.files_of(FileKind.COMPOSE):
        services = project.compose_services(sf)
        folder = posixpath.dirname(sf.path)
        for name, svc in services.items():
            if not isinstance(svc, dict) or "build" not in svc:
                continue
            build = svc["build"]
            pos = svc.value_pos("build") if hasattr(svc, "value_pos") else None
            if isinstance(build, str):
                context, dockerfile = build, "Dockerfile"
            elif isinstance(build, dict):
                context = build.get("context", ".")
                dockerfile = build.get("dockerfile", "Dockerfile")
                if hasattr(build, "value_pos") and build.value_pos("context") is not None:
                    pos = build.value_pos("context")
            else:
                continue
            if not isinstance(context, str) or not isinstance(dockerfile, str):
                continue
            if "$" in context or "://" in context or context.startswith("git@") or "$" in dockerfile:
                continue
            cdir = _norm(posixpath.join(folder, context))
            if cdir is None:
                continue
            dpath = _norm(posixpath.join(cdir, dockerfile)) if not dockerfile.startswith("/") else None
            if dpath is not None:
                dpath = project.real_path(dpath)  # a link to the Dockerfile builds the file it points to
            out.append(BuildContext(cdir, dpath, sf.path, pos or Position.whole_file(), ((sf.path, str(name)),)))
    return out


def _tilt_contexts(project) -> list[BuildContext]:
    """The contexts of the ``docker_build`` calls of every Tiltfile (see :mod:`dockyard.parsers.tiltfile`): the
    context and the Dockerfile are both relative to the Tiltfile's folder."""
    out = []
    for sf in project.files_of(FileKind.TILTFILE):
        if sf.text is None or "docker_build" not in sf.text:
            continue
        from dockyard.parsers.tiltfile import parse_tiltfile  # lazy: `ast` is imported only for a Tiltfile

        folder = posixpath.dirname(sf.path)
        for build in project.parsed(sf, parse_tiltfile):
            if build.context.startswith("/") or build.dockerfile.startswith("/"):
                continue
            cdir = _norm(posixpath.join(folder, build.context))
            dpath = _norm(posixpath.join(folder, build.dockerfile))
            if cdir is None or dpath is None:
                continue
            out.append(BuildContext(cdir, project.real_path(dpath), sf.path, build.position, filtered=build.filtered))
    return out


def build_contexts(project) -> list[BuildContext]:
    def compute() -> list[BuildContext]:
        contexts = _compose_contexts(project) + _tilt_contexts(project)
        named = {c.dockerfile for c in contexts}
        for sf in project.files_of(FileKind.DOCKERFILE):
            if sf.path in named:
                continue
            links = project.names_of(sf.path)[1:]
            for folder in dict.fromkeys(posixpath.dirname(n) for n in links or [sf.path]):
                folder = _holding_folder(project, sf.path, folder)
                contexts.append(BuildContext(folder, sf.path, sf.path, Position.whole_file(), guessed=True))
        unique: dict[tuple, BuildContext] = {}
        for c in contexts:
            key = (c.dir, c.dockerfile)
            first = unique.get(key)
            unique[key] = c if first is None else replace(first, services=first.services + c.services)
        return list(unique.values())

    return project.memo("dockerignore.build_contexts", compute)


def _holding_folder(project, dockerfile: str, folder: str) -> str:
    """The folder a Dockerfile nothing names is built from: ``folder`` (its own), unless what it copies is not
    there but is all in a folder above it (`integrations/mcp/Dockerfile` copying the root's `pyproject.toml` and
    `uv.lock` is built from the root); then the nearest such folder."""
    sources = copy_sources(project, BuildContext(folder, dockerfile, dockerfile, Position.whole_file(), guessed=True))
    if not sources or _holds(project, folder, sources):
        return folder
    above = folder
    while above:
        above = posixpath.dirname(above)
        if _holds(project, above, sources):
            return above
    return folder


def _holds(project, folder: str, sources: list[str]) -> bool:
    base = os.path.join(project.root, folder)
    return all(os.path.lexists(os.path.join(base, src)) for src in sources)


def contexts_of_dockerfile(project, path: str) -> list[BuildContext]:
    return [c for c in build_contexts(project) if c.dockerfile == path]


def ignore_file(project, context: BuildContext):
    """The ignore file BuildKit uses for a context (SourceFile), or None."""
    if context.dockerfile:
        specific = project.file(context.dockerfile + ".dockerignore")
        if specific is not None:
            return specific
    return project.file(context.rel(".dockerignore"))


def ignore_model(project, sf):
    from dockyard.parsers.dockerignore import parse_dockerignore  # lazy: a check of a compose file runs without it

    if sf is None or sf.text is None:
        return None
    return project.parsed(sf, parse_dockerignore)


def wholesale_copy(project, context: BuildContext):
    """(instruction, source) of the first COPY/ADD or bind mount that takes more than named files from the build
    context: ``.``, a folder, a wildcard or a variable; None when the Dockerfile copies named files only. An
    unknown Dockerfile (compose names one the tree does not have) counts as copying the folder."""
    sf = project.file(context.dockerfile) if context.dockerfile else None
    if sf is None or sf.text is None:
        return "", "."
    df = project.dockerfile(sf)

    def whole(src: str) -> bool:
        if src.startswith("<<") or "://" in src or src.startswith("git@"):
            return False  # a heredoc or a remote source: nothing of the context
        if any(ch in src for ch in "$*?["):
            return True
        clean = posixpath.normpath(src.lstrip("/"))
        return clean in (".", "") or src.endswith("/") or project.is_dir(context.rel(clean))

    for ins in df.instructions:
        if ins.keyword in ("COPY", "ADD") and ins.flag("from") is None:
            for src in [v for v in ins.value if v][:-1]:
                if whole(src):
                    return ins, src
        elif ins.keyword == "RUN":
            for flag in ins.flags_named("mount"):
                opts = flag.options()
                if opts.get("type", "bind") == "bind" and "from" not in opts and whole(opts.get("source") or
                                                                                       opts.get("src") or "."):
                    return ins, opts.get("source") or opts.get("src") or "."
    return None


_WILDCARD = lazy_compile(r"\[[^\]]*\]|[*?]")  # a glob's wildcard, for a path that stands for its matches


def copy_sources(project, context: BuildContext) -> list[str]:
    """What the context's Dockerfile takes from it: the COPY/ADD sources and RUN bind-mount sources (no `--from`,
    URL or heredoc), as paths relative to the context root, cleaned. A wildcard stands for a name it matches
    (`dist/*.whl` -> `dist/x.whl`); a source with a variable, or the whole context (`.`), is left out."""
    from dockyard.parsers.dockerignore import clean_path  # lazy: a check of a compose file runs without it

    sf = project.file(context.dockerfile) if context.dockerfile else None
    if sf is None or sf.text is None:
        return []
    df = project.dockerfile(sf)
    raw: list[str] = []
    for ins in df.instructions:
        if ins.keyword in ("COPY", "ADD") and ins.flag("from") is None:
            raw.extend(v for v in ins.value[:-1] if v)
        elif ins.keyword == "RUN":
            for flag in ins.flags_named("mount"):
                opts = flag.options()
                if opts.get("type", "bind") == "bind" and "from" not in opts:
                    raw.append(opts.get("source") or opts.get("src") or ".")
    out = []
    for src in raw:
        if src.startswith("<<") or "://" in src or src.startswith("git@") or "$" in src:
            continue
        rel = clean_path(_WILDCARD.sub("x", src)).lstrip("/")
        if rel not in ("", ".") and rel not in out:
            out.append(rel)
    return out


def sources_through(project, ignore_path: str) -> list[str]:
    """The COPY sources (:func:`copy_sources`) of every build that reads the ignore file at ``ignore_path`` (which
    need not exist yet: a `.dockerignore` about to be written serves the contexts that have no other)."""

    def compute() -> dict[str, list[str]]:
        by_file: dict[str, list[str]] = {}
        for c in build_contexts(project):
            sf = ignore_file(project, c)
            out = by_file.setdefault(sf.path if sf is not None else c.rel(".dockerignore"), [])
            out.extend(s for s in copy_sources(project, c) if s not in out)
        return by_file

    return project.memo("contexts.sources_through", compute).get(ignore_path, [])

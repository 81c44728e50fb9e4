"""Compose files that compose itself would refuse or warn about: YAML errors, documents outside the Compose
Specification, and its obsolete `version` key."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard.compose.context import environment_views
from dockyard.model import Edit, Fix, Position, Problem
from dockyard.parsers.yamlpos import YMap, YSeq, load_yaml
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.compose._schema import validate


@rule(
    code="CO001", name="compose-parse-error", scope=Scope.COMPOSE, category="refused",
    summary="Compose files are valid YAML mappings compose can load",
    why="Compose refuses a file with a YAML syntax error, a duplicate key, an alias bomb or a top level that "
        "is not a mapping, so nothing in it can be started or checked.",
    notes="Also reported here: a file whose interpolated values exceed 4 MiB (a value copying a huge or doubling env value again "
          "and again), where dockyard stops and compose would take gigabytes.",
    standard=("CO-SCHEMA",), section="Docker Compose Orchestration",
    example="services:\n  app:\n    image: python:3.12-slim\n    image: python:3.13-slim\n",
    use_instead="services:\n  app:\n    image: python:3.12-slim\n",
)
def parse_error(ctx: Context) -> Iterator[Problem]:
    doc = ctx.model  # one document of the file (compose merges a file's documents in order, as several files)
    if doc is None:
        return
    if doc.index == 0:  # the file's errors, once
        for err in doc.errors:
            yield Problem(err.message, err.position)
        yield from _load_problems(ctx)
    if doc.errors:
        return
    if doc.count == 1 and doc.root is None:
        yield Problem("compose file is empty: it needs at least a top-level `services:` mapping")
    elif doc.root is None:
        yield Problem(f"document {doc.index + 1} of {doc.count} is empty: compose stops with `top-level object "
                      "must be a mapping`; remove its `---`", _separator(ctx.file, doc.root_pos))
    elif not isinstance(doc.root, dict):
        kind = "list" if isinstance(doc.root, list) else "scalar"
        where = "top level" if doc.count == 1 else f"document {doc.index + 1} of {doc.count}"
        yield Problem(f"{where} is a {kind}, not a mapping of `services:`, `volumes:`...", doc.root_pos)


def _load_problems(ctx: Context) -> Iterator[Problem]:
    """What stopped loading the environments this file is the first compose file of (interpolation past its
    budget), where it is: this file, or a file it includes or extends (which
    discovery may not judge on its own). Once however many environments meet it."""
    seen = set()
    for view in environment_views(ctx.project):
        if not view.compose_files or view.compose_files[0].path != ctx.file.path:
            continue
        for path, position, message in view.load_problems:
            if (path, position, message) not in seen:
                seen.add((path, position, message))
                yield Problem(message, position, path=path)


def _separator(sf, pos: Position) -> Position:
    """The `---` line an empty document starts with (its value has no text of its own to point at)."""
    for line in range(min(pos.line, len(sf.line_starts)), 0, -1):
        if sf.line_text(line).startswith("---"):
            return Position(line, 1, line, 4)
    return Position.whole_file()


def _position_of(root, path: tuple, keys: tuple) -> Position:
    """The key (or item) at ``path`` in a positioned YAML tree; an offending key when ``keys`` names one."""
    node = root
    pos = getattr(root, "pos", None) or Position()
    for step in path:
        if isinstance(node, YMap) and step in node:
            pos = node.key_pos(step) or pos
            node = node[step]
        elif isinstance(node, YSeq) and isinstance(step, int) and 0 <= step < len(node):
            pos = node.item_pos(step) or pos
            node = node[step]
        else:
            break
    if keys and isinstance(node, YMap):
        for k in keys:
            for real in node:
                if str(real) == k:
                    return node.key_pos(real) or pos
    return pos


def file_schema_ok(ctx: Context, sf) -> tuple[bool, object]:
    """Whether one compose file passes the schema, every document of it, and the first error (computed once per
    run and file)."""
    def compute():
        doc = ctx.project.parsed(sf, load_yaml)
        if doc is None or doc.errors or not doc.documents or not all(isinstance(d, dict) for d in doc.documents):
            return False, None
        for index in range(len(doc.documents)):
            err = document_schema_error(ctx, sf, doc, index)
            if err is not None:
                return False, err
        return True, None

    return ctx.project.memo(f"compose.schema.{sf.path}", compute)


def document_schema_error(ctx: Context, sf, doc, index: int):
    """The schema's first error in one document of a compose file, or None."""
    return ctx.project.memo(f"compose.schema.{sf.path}.{index}", lambda: validate(doc.documents[index]))


@rule(
    code="CO002", name="compose-schema", scope=Scope.COMPOSE, category="refused",
    summary="Each compose file is valid against the Compose Specification",
    why="Compose validates every file against its JSON schema before doing anything; a misspelt key, a "
        "wrong type or an unknown option is a hard error at `docker compose up` (or, for some keys, silently "
        "ignored by older tools).",
    standard=("CO-SCHEMA",), section="Docker Compose Orchestration",
    example="services:\n  app:\n    image: python:3.12-slim\n    restrat: unless-stopped\n",
    use_instead="services:\n  app:\n    image: python:3.12-slim\n    restart: unless-stopped\n",
)
def file_schema(ctx: Context) -> Iterator[Problem]:
    doc = ctx.model  # one document of the file: each is validated, as compose validates each
    if doc is None or doc.errors or not isinstance(doc.root, dict):
        return
    err = document_schema_error(ctx, ctx.file, ctx.project.parsed(ctx.file, load_yaml), doc.index)
    if err is None:
        return
    yield Problem(f"not valid Compose: {err.message}", _position_of(doc.root, err.path, err.keys))


@rule(
    code="CO003", name="compose-merged-schema", scope=Scope.ENVIRONMENT, category="refused",
    summary="Each environment's merged, interpolated configuration is valid against the Compose Specification",
    why="Files that are valid one by one can still combine into an invalid configuration, and interpolated "
        "values (a port, a memory size, a restart policy from `.env`) are only checked once substituted: "
        "compose rejects the environment at start-up.",
    standard=("CO-SCHEMA",), section="Docker Compose Orchestration; Compose File Overrides",
    example={
        "docker-compose.base.yml": "services:\n  app:\n    image: python:3.12-slim\n",
        "docker-compose.dev.yml": "services:\n  app:\n    container_name: \"${APP_NAME:-app}\"\n",
        ".env.dev.example": "APP_NAME=_\n",
    },
    use_instead={
        "docker-compose.base.yml": "services:\n  app:\n    image: python:3.12-slim\n",
        "docker-compose.dev.yml": "services:\n  app:\n    restart: unless-stopped\n",
        ".env.dev.example": "",
    },
    notes="Checked only when every file of the environment is itself valid (CO001, CO002 report those).",
)
def merged_schema(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    if not view.usable or not view.compose_files:
        return
    if not all(file_schema_ok(ctx, sf)[0] for sf in view.compose_files):
        return
    err = validate(view.model)
    if err is None:
        return
    path = err.path
    if err.keys:
        path = path + (err.keys[0],)
    o = view.origin_record(path)
    problem = Problem(f"merged configuration is not valid Compose: {err.message}",
                      o.key if o else Position(), path=o.path if o else view.compose_files[0].path)
    yield problem



def _version_line_deletion(sf, root) -> Fix | None:
    """Delete the ``version: "3.8"`` line when that is all the line holds (plus, at the top of the file, the
    blank line after it); None for a value spanning lines, an anchor, a tag or a flow mapping."""
    kpos, vpos = root.key_pos("version"), root.value_pos("version")
    if sf is None or sf.text is None or kpos is None or vpos is None or kpos.column != 1 or \
            vpos.line != kpos.line or vpos.end_line != kpos.line or isinstance(root["version"], (dict, list)):
        return None
    line = sf.line_text(kpos.line)
    between = line[kpos.end_column - 1: vpos.column - 1]
    after = line[vpos.end_column - 1:].strip()
    value = line[vpos.column - 1: vpos.end_column - 1]
    if between.strip() != ":" or value[:1] in ("&", "*", "!") or (after and not after.startswith("#")):
        return None
    start = sf.offset(kpos.line, 1)
    starts = sf.line_starts
    end = starts[kpos.line] if kpos.line < len(starts) else len(sf.text)
    if kpos.line == 1 and kpos.line + 1 < len(starts) and not sf.line_text(kpos.line + 1).strip():
        end = starts[kpos.line + 1]
    return Fix((Edit(start, end, ""),))


@rule(
    code="CO034", name="compose-obsolete-version", scope=Scope.COMPOSE,
    summary="Compose files do not set the obsolete top-level `version`",
    why="The Compose Specification has no file versions: compose ignores `version` and warns on every command "
        "(`docker compose config` prints `the attribute `version` is obsolete, it will be ignored, please remove "
        "it to avoid potential confusion`), while readers take `3.8` to mean a file format and feature set that "
        "is not what compose applies.",
    standard=("CO-NO-VERSION",), section="Basic Compose File", severity="warning", fix="safe",
    example="version: \"3.8\"\nservices:\n  app:\n    image: python:3.12-slim\n",
    use_instead="services:\n  app:\n    image: python:3.12-slim\n",
    notes="The fix deletes the `version` line (and, at the top of the file, the blank line after it); comments "
          "elsewhere stay. A value spanning lines, carrying an anchor or a tag, or written inside a flow mapping "
          "is left for a person.",
)
def obsolete_version(ctx: Context) -> Iterator[Problem]:
    doc = ctx.model
    root = getattr(doc, "root", None)
    if doc is None or doc.errors or not isinstance(root, YMap) or "version" not in root:
        return
    yield Problem("obsolete top-level `version`: compose ignores it and warns (`the attribute `version` is "
                  "obsolete`); remove it", root.key_pos("version") or Position(),
                  fix=_version_line_deletion(ctx.file, root))


@rule(
    code="CO035", name="compose-invalid-project", scope=Scope.ENVIRONMENT, category="refused",
    summary="Compose accepts each environment's merged project: every reference defined, no dependency cycle",
    why="Files that are each valid can still make a project compose refuses to load: a service that depends on, "
        "links to or shares the network of a service no file defines, a network, volume, secret or config used but "
        "never declared, a service with neither `image` nor `build`, `depends_on` that loops back, two services "
        "with one `container_name`, a volume or port written in a form compose cannot parse, an `include` or "
        "`extends` that loops back to itself (reported once, at the entry that closes the loop). `docker compose up` "
        "and `config` stop on the first of these, for every service of the environment.",
    standard=("CO-SCHEMA",), section="Docker Compose Orchestration; Compose File Overrides",
    example={
        "docker-compose.base.yml": "services:\n  app:\n    image: python:3.12-slim\n    depends_on: [db]\n",
        "docker-compose.dev.yml": "services:\n  app:\n    restart: unless-stopped\n",
    },
    use_instead={
        "docker-compose.base.yml": "services:\n  app:\n    image: python:3.12-slim\n    depends_on: [db]\n"
                                   "  db:\n    image: postgres:17\n",
        "docker-compose.dev.yml": "services:\n  app:\n    restart: unless-stopped\n",
    },
    notes="The message is compose's own (`docker compose config` prints it); the finding points at what it names, "
          "in the file that wrote it. Compose stops at its first error, so a project shows one at a time. Checked "
          "only when every file of the environment passes the schema (CO001, CO002 report those).",
)
def invalid_project(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    if not view.usable or not view.compose_files:
        return
    for refusal in view.refusals:
        yield Problem(f"compose refuses environment `{view.name}`: {refusal.safe_message}", refusal.position,
                      path=refusal.file or view.compose_files[0].path, environment=view.name)

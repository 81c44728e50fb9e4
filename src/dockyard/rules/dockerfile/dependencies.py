"""DF008-DF012: how Python dependencies get into the image.

DF008 manifests before source, DF009 installs from a lock file, DF010 pip cache mounts, DF011 wheelhouse install in
the runtime stage, DF012 a virtual environment rather than `/root/.local`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.shell import ManagerCall, PipCall, manager_call, package_name, pip_call, run_script
from dockyard.analysis.stages import (
    arg_tokens,
    boolean_value,
    cache_mount_targets,
    env_key_position,
    env_value_at,
    is_archive_target,
    is_pip_cache_target,
    is_project_target,
    lineage_instructions,
    position,
    run_as,
    span_position,
    synced_environments,
    uv_installs_locked,
)
from dockyard.analysis.stages import lineage
from dockyard.model import Problem
from dockyard.records import record
from dockyard.parsers.tomlfile import TOMLError, parse_toml
from dockyard.analysis.image_stage import runtime_stages
from dockyard.rules.base import Context, Scope, rule
from dockyard.source import FileKind

LOCK_EXAMPLE = "requirements.lock.txt"


def _call_position(call: PipCall):
    rs = call.run
    first = call.command.argv[0]
    start = rs.offset(first.start)
    end = rs.offset(call.sub_word.end - 1) + 1
    return position(rs.df, start, end)


def _word_span(rs, first, last):
    start = rs.offset(first.start)
    end = rs.offset(last.end - 1) + 1
    return position(rs.df, start, end)


def _shown(call: PipCall) -> str:
    return ("uv pip " if call.tool == "uv" else "pip ") + call.subcommand


# ------------------------------------------------------------------------------------ DF008
_NOT_SOURCE = frozenset({"wheels", "wheelhouse", "dist", "requirements", "constraints", "locks", "vendor"})
_MANIFEST_NAMES = frozenset({"pipfile", "makefile", "license", "readme", "dockerfile", "procfile", "notice"})


def _is_source_tree(src: str) -> bool:
    s = src.strip("\"'")
    if s in (".", "./", "*", "./*", "./.", "/", ""):
        return True
    if s.startswith("$") or "://" in s:
        return False
    base = posixpath.basename(s.rstrip("/"))
    if base.lower() in _NOT_SOURCE:
        return False
    if s.endswith("/"):
        return True
    return "." not in base and "*" not in base and base.lower() not in _MANIFEST_NAMES and base == base.lower()


# what to copy before the install, and how to install without the project, by the tool that installs
_MANIFESTS = {
    "uv": "`pyproject.toml` and `uv.lock`, run `uv sync --locked --no-install-project`",
    "poetry": "`pyproject.toml` and `poetry.lock`, run `poetry install --no-root`",
    "pdm": "`pyproject.toml` and `pdm.lock`, run `pdm install --no-self`",
    "pipenv": "`Pipfile` and `Pipfile.lock`, run `pipenv install --deploy`",
}


def _dependency_install(df, ins, synced: frozenset = frozenset()) -> bool:
    return _install_tool(df, ins, synced) is not None


def _install_tool(df, ins, synced: frozenset = frozenset()) -> str | None:
    """The tool a RUN installs the dependencies with (`pip`, `uv`, `poetry`, `pdm`, `pipenv`), or None. A manager's
    install of what a builder already synced into the environment copied from it (``synced``:
    :func:`synced_environments`) only adds the project, and is not one."""
    rs = run_script(df, ins)
    if rs is None:
        return None
    for cmd in rs.commands:
        managed = manager_call(cmd)
        if managed is not None and managed.installs_dependencies and managed.selection not in synced:
            return managed.tool
    return "pip" if _pip_dependency_install(rs) else None


def _pip_dependency_install(rs) -> bool:
    for cmd in rs.commands:
        call = pip_call(rs, cmd)
        if call is not None:
            if call.subcommand not in ("install", "wheel", "sync", "download"):
                continue
            if call.values("--requirement", "--constraint") or call.subcommand == "sync":
                return True
            for w in call.targets:
                if not is_project_target(w.text) or not call.has("--no-deps"):
                    return True
            for _ in call.values("--editable"):
                if not call.has("--no-deps"):
                    return True
            continue
        if cmd.name == "pip-sync":
            return True
    return False


def _source_copy(df, ins):
    """(source, start, end) of the first source-tree argument of a COPY/ADD from the build context."""
    if ins.keyword not in ("COPY", "ADD") or ins.flag("from") is not None or ins.json_form:
        return None
    toks = arg_tokens(df, ins)
    for tok, start, end in toks[:-1]:
        if _is_source_tree(tok):
            return tok, start, end
    return None


@rule(
    code="DF008",
    name="dependencies-before-source",
    scope=Scope.DOCKERFILE, applies=roles.PYTHON_IMAGES,
    summary="Dependency manifests are copied and installed before the application source",
    why="Docker reuses a layer only while everything before it is unchanged. Copying the source first means "
    "every code edit re-runs the whole dependency install; copying the lock file first keeps that layer cached.",
    standard=("DF-DEPS-FIRST",),
    section="Dependency Installation; Source Code Copying; Layer Caching",
    severity="error",
    example="FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.lock.txt\n",
    use_instead="FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.lock.txt ./\n"
    "RUN pip install -r requirements.lock.txt\nCOPY . .\n",
    notes="Installing the project itself with `--no-deps` (or `poetry install --only-root`) after the source is "
    "copied is fine once the dependencies were installed earlier, and so is a project manager's install that "
    "repeats, with the same groups and extras, what a builder stage synced into the environment the runtime "
    "copies from it (`COPY --from=builder /app/.venv ...`, then `poetry install --only main`): the lock's "
    "packages are all there, and only the project is added. Folders such as `wheels/` are not source. In a uv "
    "workspace (the build context's `pyproject.toml` declares `[tool.uv.workspace]`) the advice is `uv sync --locked "
    "--no-install-workspace` with every member's `pyproject.toml` copied first: `--no-install-project` would "
    "still install the members, whose source is not there yet.",
)
def check_deps_first(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if df is None:
        return
    reported: set[int] = set()
    for stage in df.stages:
        first_copy = None
        synced: frozenset = frozenset()  # what the environments copied from builder stages already hold
        for ins in lineage_instructions(df, stage):
            synced |= synced_environments(df, ins)
            if first_copy is None:
                hit = _source_copy(df, ins)
                if hit is not None:
                    first_copy = (ins, hit)
                    continue
                if _dependency_install(df, ins, synced):
                    break  # dependencies come first in this lineage
            elif (tool := _install_tool(df, ins, synced)) is not None:
                copy_ins, (src, start, end) = first_copy
                manifests = _MANIFESTS.get(tool, f"(`{LOCK_EXAMPLE}`), install")
                if tool == "uv" and (members := _uv_workspace_members(ctx)) is not None:
                    shown = ", ".join(f"`{m}`" for m in members) or "its members"
                    manifests = ("`pyproject.toml`, `uv.lock` and the `pyproject.toml` of every workspace member "
                                 f"({shown}), run `uv sync --locked --no-install-workspace`")
                if copy_ins.span.start not in reported:
                    reported.add(copy_ins.span.start)
                    yield Problem(
                        f"the application source (`{src}`) is copied before the dependencies are installed on "
                        f"line {ins.span.line}; copy the manifests {manifests}, then copy the "
                        "source so code edits keep the install layer cached",
                        position(df, start, end),
                    )
                break


def _uv_workspace_members(ctx: Context) -> list[str] | None:
    """The `members` globs of the `[tool.uv.workspace]` that the `pyproject.toml` at the root of a build context
    declares, None when it declares none (or cannot be read). In a workspace `--no-install-project` still
    installs the members, whose source is not there yet; `--no-install-workspace` leaves them all out."""
    from dockyard.locks import dockerfile_context_dirs  # lazy: `env check` runs without it

    if ctx.file is None:
        return None
    for folder in dockerfile_context_dirs(ctx.project, ctx.file.path):
        sf = ctx.project.file(posixpath.join(folder, "pyproject.toml") if folder else "pyproject.toml")
        if sf is not None:
            members = ctx.project.parsed(sf, _workspace_members, key="uv-workspace")
            if members is not None:
                return members
    return None


def _workspace_members(text: str) -> list[str] | None:
    if "workspace" not in text:
        return None  # most pyproject.toml files: no need to parse them
    try:
        workspace = parse_toml(text).get("tool", {}).get("uv", {}).get("workspace")
    except (TOMLError, AttributeError):
        return None
    if not isinstance(workspace, dict):
        return None
    members = workspace.get("members", [])
    return [m for m in members if isinstance(m, str)] if isinstance(members, list) else []


# ------------------------------------------------------------------------------------ DF009
def _lock_tools(ctx: Context) -> set[str]:
    """The tools whose lock files the Dockerfile's build context(s) hold (see :mod:`dockyard.locks`)."""
    from dockyard.locks import context_tools, dockerfile_context_dirs  # lazy: `env check` runs without it

    if ctx.file is None:
        return set()
    tools: set[str] = set()
    for folder in dockerfile_context_dirs(ctx.project, ctx.file.path):
        tools |= context_tools(ctx.project, folder)
    return tools


_LOCK_FILE_OF = {"poetry": "poetry.lock", "pdm": "pdm.lock"}


def _judge_manager(ctx: Context, df, stage, ins, rs, call: ManagerCall, tools: set[str]) -> Problem | None:
    """None when the manager installs from the lock without resolving again, else the problem."""
    where = rs.word_position(call.sub_word)
    shown = f"{call.tool} {call.subcommand}"
    if call.tool == "uv":
        if uv_installs_locked(df, stage, ins, call):
            return None
        return Problem("`uv sync` may re-resolve and rewrite `uv.lock`; use `uv sync --locked` (or `--frozen`)", where)
    if call.tool in _LOCK_FILE_OF:
        if call.tool in tools:
            return None
        lock = _LOCK_FILE_OF[call.tool]
        from dockyard.locks import context_guessed, context_tools  # lazy: `env check` runs without it

        if ctx.file is not None and context_guessed(ctx.project, ctx.file.path):
            if call.tool in context_tools(ctx.project, ""):
                return None  # the tree has one, maybe in the context the build really uses: only the folder is assumed
            return Problem(f"`{shown}` resolves the dependencies afresh: the tree has no `{lock}`; commit it and copy "
                           "it in before installing", where)
        return Problem(f"`{shown}` resolves the dependencies afresh: the build context has no `{lock}`; commit it "
                       "and copy it in before installing", where)
    if call.subcommand == "sync" or call.has("--deploy", "--ignore-pipfile"):  # pipenv
        return None
    return Problem("`pipenv install` may re-resolve and rewrite `Pipfile.lock`; use `pipenv install --deploy` "
                   "(or `pipenv sync`)", where)


def _scan_stage(ctx: Context, df, stage, locked_before: bool, tools: set[str]) -> tuple[list[Problem], bool]:
    """The DF009 problems of one stage, and whether it installs dependencies from a lock."""
    problems: list[Problem] = []
    locked = locked_before
    locks_here = False
    for ins in stage.instructions:
        rs = run_script(df, ins)
        if rs is None:
            continue
        for cmd in rs.commands:
            managed = manager_call(cmd)
            if managed is not None:
                if not managed.installs:
                    continue
                problem = _judge_manager(ctx, df, stage, ins, rs, managed, tools)
                if problem is not None:
                    problems.append(problem)
                elif managed.installs_dependencies:
                    locked = locks_here = True
                continue
            call = pip_call(rs, cmd)
            if call is None or call.subcommand not in ("install", "wheel", "download", "sync"):
                continue
            found, locks = _judge_call(ctx, df, stage, call, locked)
            locked = locked or locks
            locks_here = locks_here or locks
            problems.extend(found)
    return problems, locks_here


@rule(
    code="DF009",
    name="install-from-lock-file",
    scope=Scope.DOCKERFILE, applies=roles.PYTHON_IMAGES,
    summary="Python packages are installed from a pinned lock file, not from unpinned names or a loose "
    "requirements file",
    why="`pip install fastapi` or a `requirements.txt` with ranges resolves again on every build: two builds "
    "of the same commit can ship different libraries, and a bad upstream release breaks production silently.",
    standard=("DF-LOCKFILE",),
    section="Dependency Installation",
    severity="error",
    example="FROM python:3.12-slim\nRUN pip install fastapi uvicorn\n",
    use_instead="FROM python:3.12-slim\nCOPY requirements.lock.txt ./\nRUN pip install -r requirements.lock.txt\n",
    notes="A requirements file counts as a lock when its name says so (`requirements.lock.txt`), when the install "
    "uses `--require-hashes`, or when the file it reads (followed through COPY, bind mounts and WORKDIR into the "
    "build context) pins every requirement with `==`, together with the files it includes (`-r`/`-c`, read "
    "relative to the including file as pip does; an include whose name says lock counts as pinned, one that "
    "cannot be read leaves the file loose); a file exported from a lock during the build (`uv export`, "
    "`poetry export`, `pdm export`) counts too, and one that comes from another stage or a build argument is not "
    "judged. A requirements file the tree does not hold where the build would read it is not called loose: when "
    "nothing names the Dockerfile's build context (no compose service, no Tiltfile; its folder is only assumed) it "
    "is not judged, since the context the build really uses may hold it; when one is named, the install is reported "
    "as one that nothing shows pinned, with the paths looked at. `uv sync --locked`/`--frozen` (or `UV_LOCKED`/`UV_FROZEN`), `poetry install` and `pdm install|sync` "
    "with their lock file in the build context (anywhere in the tree when nothing names the context), `pipenv install --deploy` and `pipenv sync` install from a lock. "
    "Names pinned inline (`pip==24.0`) and installs from a local wheelhouse (`--no-index`) are accepted. The project "
    "itself (`pip install .`) is accepted with `--no-deps` or after a lock-file install: a lock file merely lying "
    "in the build context does not pin what `pip install .` resolves. The standard's own examples install "
    "`requirements.txt` and `pip install --upgrade pip`; the item wins.",
)
def check_lockfile(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if df is None:
        return
    tools = _lock_tools(ctx)
    scanned: dict[int, tuple[list[Problem], bool]] = {}

    def scan(stage, locked_before: bool):
        key = (stage.index, locked_before)
        if key not in scanned:
            scanned[key] = _scan_stage(ctx, df, stage, locked_before, tools)
        return scanned[key]

    for stage in df.stages:
        locked_before = any(scan(st, False)[1] for st in lineage(df, stage)[:-1])
        yield from scan(stage, locked_before)[0]


def _judge_call(ctx: Context, df, stage, call: PipCall, locked_before: bool) -> tuple[list[Problem], bool]:
    from dockyard.locks import ABSENT, COMPILED, CONTEXT, EXPORTED, context_guessed, is_lock_name, \
        requirement_options, resolve_requirements_file  # lazy: `env check` runs without it

    out: list[Problem] = []
    hashes = call.has("--require-hashes")
    wheelhouse = call.has("--no-index")
    has_lock = False
    for opt in requirement_options(call):
        value = opt.value or ""
        if "$" in value or hashes or is_lock_name(value):
            has_lock = True
            continue
        lookup = resolve_requirements_file(ctx.project, ctx.file, df, stage, call.run.instruction, value)
        origin, found = lookup.origin, lookup.file
        if origin == EXPORTED:
            has_lock = True
            continue
        if origin == COMPILED:
            out.append(Problem(
                f"`{_shown(call)} -r {value}` installs a file resolved during the build (`pip-compile` / "
                f"`uv pip compile`), which picks new versions on every build; commit the lock file and install it",
                call.value_position(opt),
            ))
            continue
        if origin != CONTEXT and origin != ABSENT:
            continue  # from another stage or image, or named by a build argument: not readable here
        if found is None:
            if context_guessed(ctx.project, ctx.file.path):
                continue  # not where it was looked for, in a context that is only assumed: nothing to judge
            looked = " or ".join(f"`{p}`" for p in lookup.looked) or "the build context"
            out.append(Problem(
                f"`{_shown(call)} -r {value}` installs a file the tree does not hold (looked for {looked}), so "
                f"nothing shows it pinned; commit a pinned lock such as `{LOCK_EXAMPLE}` to the build context and "
                "install it",
                call.value_position(opt),
            ))
            continue
        pins = _requirements_pins(ctx.project, found)
        if pins is not None and pins.pinned:
            has_lock = True
            continue
        out.append(Problem(
            f"`{_shown(call)} -r {value}` installs from a loose requirements file{_pins_detail(pins)}; install "
            "from a pinned "
            f"lock such as `{LOCK_EXAMPLE}` (`pip-compile` / `uv pip compile` generate it)",
            call.value_position(opt),
        ))
    constrained = any(is_lock_name(o.value or "") for o in call.values("--constraint"))
    if call.subcommand == "sync":
        return out, has_lock
    for w in call.targets:
        text = w.text
        if "$" in text or is_archive_target(text):
            continue
        if is_project_target(text):
            if call.has("--no-deps") or has_lock or constrained or hashes or locked_before or wheelhouse:
                continue
            out.append(Problem(
                f"`{_shown(call)} {text}` resolves the project's dependencies afresh; install the lock file first "
                f"(`-r {LOCK_EXAMPLE}`) or add `--no-deps`",
                call.run.word_position(w),
            ))
            continue
        if wheelhouse or hashes or constrained:
            continue
        if _pinned(text):
            continue
        name = _req_name(text)
        out.append(Problem(
            f"`{name}` is installed without a pinned version (`{text}`); add it to the lock file and "
            f"install with `-r {LOCK_EXAMPLE}` (or pin it: `{name}==<version>`)",
            call.run.word_position(w),
        ))
    for opt in call.values("--editable"):
        text = opt.value or ""
        if "$" in text or call.has("--no-deps") or has_lock or constrained or locked_before or wheelhouse:
            continue
        if is_project_target(text):
            out.append(Problem(
                f"`{_shown(call)} -e {text}` resolves the project's dependencies afresh; install the lock file "
                f"first (`-r {LOCK_EXAMPLE}`) or add `--no-deps`",
                call.value_position(opt),
            ))
    return out, has_lock or hashes


@record(frozen=True, slots=True)
class _Pins:
    """How a requirements file and the files it includes (`-r`/`-c`, followed as pip does) pin what they install."""

    total: int  # requirements counted, in the file and its includes
    loose: int  # of those, not pinned exactly
    loose_in: tuple[str, ...]  # includes (as written) holding loose requirements
    unread: tuple[str, ...]  # includes (as written) that the tree does not hold or that cannot be read here

    @property
    def pinned(self) -> bool:
        return self.total > 0 and self.loose == 0 and not self.unread


def _requirements_pins(project, sf) -> _Pins | None:
    """The pins of the requirements file ``sf`` and, recursively, of its includes; None when it cannot be parsed.

    pip reads an include relative to the including file; it is looked up at that place in the tree. An include
    whose name says lock (`-c constraints.lock.txt`) is taken as pinned, as on the command line."""
    from dockyard.locks import is_lock_name, requirements, requirements_state  # lazy: `env check` runs without it

    total = loose = 0
    loose_in: list[str] = []
    unread: list[str] = []
    seen: set[str] = set()
    todo = [(sf, "")]
    while todo:
        current, shown = todo.pop(0)
        if current.path in seen:
            continue
        seen.add(current.path)
        parsed = requirements(project, current)
        if parsed is None:
            if not shown:
                return None
            unread.append(shown)
            continue
        state = requirements_state(parsed)
        total += state.total
        loose += state.loose
        if state.loose and shown:
            loose_in.append(shown)
        for inc in parsed.includes:
            target = inc.target.strip("\"'")
            if is_lock_name(target):
                continue
            found = None
            if target and "$" not in target and "://" not in target and not target.startswith("/"):
                rel = posixpath.normpath(posixpath.join(posixpath.dirname(current.path), target))
                if not rel.startswith(".."):
                    found = project.file(rel) or project.include(rel, FileKind.REQUIREMENTS)
            if found is None:
                unread.append(target)
            else:
                todo.append((found, target))
    return _Pins(total, loose, tuple(loose_in), tuple(unread))


def _pins_detail(pins: _Pins | None) -> str:
    """What makes a requirements file loose, for the message: never a count of zero on its own."""
    if pins is None:
        return ""
    parts = []
    if pins.loose:
        where = f", in {_names(pins.loose_in)}" if pins.loose_in else ""
        parts.append(f"{pins.loose} of {pins.total} requirements are not pinned with `==`{where}")
    if pins.unread:
        parts.append(f"it includes {_names(pins.unread)}, which cannot be read from the repository")
    return f" ({'; '.join(parts)})" if parts else ""


def _names(names) -> str:
    quoted = [f"`{n}`" for n in dict.fromkeys(names)]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _pinned(spec: str) -> bool:
    s = spec.split(";", 1)[0]
    if "===" in s:
        return True
    if "==" in s:
        return "*" not in s.split("==", 1)[1] and "," not in s
    return " @ " in spec or "@" in s and "://" in s


def _req_name(spec: str) -> str:
    out = []
    for ch in spec:
        if ch.isalnum() or ch in "-_.":
            out.append(ch)
        else:
            break
    return "".join(out) or spec


# ------------------------------------------------------------------------------------ DF010
@rule(
    code="DF010",
    name="pip-cache-mount",
    scope=Scope.DOCKERFILE, applies=roles.PYTHON_IMAGES,
    summary="`pip install`/`pip wheel` runs with a BuildKit cache mount that pip actually uses",
    why="A `--mount=type=cache,target=/root/.cache/pip` keeps downloaded and built wheels between builds "
    "without putting them in a layer. A mount that `--no-cache-dir` or `PIP_NO_CACHE_DIR` switches off does "
    "nothing but suggest it works.",
    standard=("DF-PIP-CACHE-MOUNT",),
    section="BuildKit Cache Mounts; Dependency Installation",
    severity="warning",
    example="FROM python:3.12-slim\nCOPY requirements.lock.txt ./\nRUN pip install -r requirements.lock.txt\n",
    use_instead="# syntax=docker/dockerfile:1\nFROM python:3.12-slim\nCOPY requirements.lock.txt ./\n"
    "RUN --mount=type=cache,target=/root/.cache/pip \\\n    pip install -r requirements.lock.txt\n",
    notes="Installs from a local wheelhouse (`--no-index`), and of built wheels or the project's source with "
    "`--no-deps`, download nothing and need no cache mount; in a "
    "service's runtime stage an install of built wheels (`/wheels/*`, `--find-links`) that lacks `--no-index` is "
    "left to DF011, whose fix downloads nothing. `--no-cache` (pip expands it to `--no-cache-dir`) turns the cache "
    "off like the full option, and so does `PIP_NO_CACHE_DIR` holding any boolean pip reads, `off` and `0` "
    "included (its `--no-cache-dir` acts whatever value it is given): the advice names what to drop or move. "
    "A RUN is one finding however many installs it runs: one mount serves them all. The "
    "standard's Complete Dockerfile Example sets `PIP_NO_CACHE_DIR=1` and then mounts a pip cache in the same "
    "stage, so its mount is never used; set `PIP_NO_CACHE_DIR` only in the runtime stage.",
)
def check_cache_mount(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if df is None:
        return
    # in a service's runtime stage an install of built wheels that still reaches the index is DF011's finding
    # (`--no-index`, which leaves nothing to download or cache)
    service = ctx.role is not None and ctx.role.purpose in roles.SERVICES
    runtime = {st.index for st in runtime_stages(df)} if service else set()
    for stage in df.stages:
        users = None  # who each instruction of the stage runs as, computed once when a finding needs it
        for ins in stage.instructions:
            rs = run_script(df, ins)
            if rs is None:
                continue
            mounts = cache_mount_targets(ins)
            # one finding per RUN and cache: one mount on the RUN serves all its installs
            unmounted: dict[str, list[PipCall]] = {}
            unused: dict[int, tuple[str, object, str]] = {}
            for cmd in rs.commands:
                call = pip_call(rs, cmd)
                if call is None or call.subcommand not in ("install", "wheel", "download", "sync") or not call.downloads:
                    continue
                if (stage.index in runtime or call.has("--no-deps")) and _wheelhouse_install(call) \
                        or _installs_only_the_project(call):
                    continue  # (built wheels, or the project's source, without their dependencies: nothing to fetch)
                matching = [(t, f) for t, f in mounts if is_pip_cache_target(t, call.tool)]
                if not matching:
                    unmounted.setdefault("uv" if call.tool == "uv" else "pip", []).append(call)
                    continue
                off = _cache_disabled(df, stage, ins, call)
                if off:
                    t, flag = matching[0]
                    unused.setdefault(id(flag), (t, flag, off))
            for leaf, found in unmounted.items():
                # the cache is the home of the user the RUN runs as, and a cache mount is root's unless told
                if users is None:
                    users = run_as(df, stage)
                user, home, uid = users.get(id(ins), ("root", "/root", "0"))
                owner = "" if user == "root" else f",uid={uid or '<uid>'}"
                who = "" if user == "root" else f" as `{user}`"
                note = f" (`<uid>`: the uid of `{user}`)" if user != "root" and uid is None else ""
                flags = list(dict.fromkeys(f for call in found if (f := _cache_flag(call))))
                drop = ""
                if flags:
                    shown = " and ".join(f"`{f}`" for f in flags)
                    drop = f" and drop {shown}, which turn{'s' if len(flags) == 1 else ''} {leaf}'s cache off"
                env = _cache_env(df, stage, ins, found[0])
                also = (f"; {env} turns {leaf}'s cache off{' as well' if flags else ''}: set it after the "
                        "installs, or only in the runtime stage") if env else ""
                yield Problem(
                    f"`{_shown(found[0])}` downloads packages{who} without a pip cache mount; add "
                    f"`--mount=type=cache,target={home}/.cache/{leaf}{owner}` to this RUN{drop}{note}{also}",
                    _call_position(found[0]),
                )
            for t, flag, off in unused.values():
                yield Problem(
                    f"the cache mount at `{t}` is never used: {off} turns pip's cache off for this install; "
                    "drop it here (keep `PIP_NO_CACHE_DIR=1` for the runtime stage only)",
                    span_position(flag.span),
                )


def _cache_flag(call: PipCall) -> str:
    """The option, as written, that turns the install's cache off: uv's `--no-cache`/`-n`; pip's
    `--no-cache-dir` or a prefix of it that pip's option parser expands (`--no-cache`)."""
    for opt in call.options:
        if call.tool == "uv":
            if opt.name in ("--no-cache", "-n"):
                return opt.name
        elif len(opt.name) >= len("--no-cache") and "--no-cache-dir".startswith(opt.name.split("=", 1)[0]):
            return opt.name
    return ""


def _wheelhouse_install(call: PipCall) -> bool:
    """An install of built wheels: local archives only (`/wheels/*`, `*.whl`), or `--find-links` to a folder."""
    if call.has("--find-links"):
        return True
    return bool(call.targets) and not call.values("--requirement", "--editable") and all(
        is_archive_target(w.text) for w in call.targets)


def _cache_disabled(df, stage, ins, call: PipCall) -> str:
    """What turns the install's cache off, as written (an option, or the variable and its line), or ''."""
    if flag := _cache_flag(call):
        return f"`{flag}`"
    return _cache_env(df, stage, ins, call)


def _cache_env(df, stage, ins, call: PipCall) -> str:
    """The variable in effect at ``ins`` that turns the install's cache off (`PIP_NO_CACHE_DIR` with any boolean
    pip reads: its `--no-cache-dir` acts whatever the value; `UV_NO_CACHE` with a true one), with its line, or ''."""
    name = "UV_NO_CACHE" if call.tool == "uv" else "PIP_NO_CACHE_DIR"
    v = env_value_at(df, stage, ins, name)
    if v is None or "$" in v[0]:
        return ""
    read = boolean_value(v[0])
    if read is None or (call.tool == "uv" and not read):
        return ""
    return f"`{name}={v[0]}` (line {env_key_position(df, v[1], name).line})"


# ------------------------------------------------------------------------------------ DF011
@rule(
    code="DF011",
    name="wheelhouse-install",
    scope=Scope.DOCKERFILE, applies=roles.PYTHON_IMAGES, purposes=roles.SERVICES,
    summary="The runtime stage installs prebuilt wheels with `--no-index --find-links`, not from the index",
    why="Resolving and downloading in the runtime stage repeats resolver work on every build and lets the "
    "image pick up whatever the index serves that day; a builder-made wheelhouse installs exactly the locked "
    "wheels, offline, without compilers in the runtime image.",
    standard=("DF-WHEELHOUSE",),
    section="Wheelhouse & BuildKit wheel caching",
    severity="warning",
    example="FROM python:3.12-slim AS production\nCOPY requirements.lock.txt ./\n"
    "RUN pip install -r requirements.lock.txt\n",
    use_instead="FROM python:3.12-slim AS builder\nCOPY requirements.lock.txt ./\n"
    "RUN pip wheel --wheel-dir /wheels -r requirements.lock.txt\n"
    "FROM python:3.12-slim AS production\nCOPY --from=builder /wheels /wheels\nCOPY requirements.lock.txt ./\n"
    "RUN pip install --no-index --find-links /wheels -r requirements.lock.txt\n",
    notes="Judged on the final stage and a stage named `production`, including the stages they are built FROM. "
    "A runtime stage that installs nothing (a virtual environment copied from the builder) is accepted, and so "
    "is a project manager's install that repeats, with the same groups and extras, what the builder synced into "
    "the environment copied from it: the lock's packages are all there, and it only adds the project. So is "
    "`pip install --no-deps .` (or `uv pip install --no-deps`) of the project's own folder.",
)
def check_wheelhouse(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if df is None:
        return
    seen: set[int] = set()  # one finding per RUN: the fix (install built wheels) is one for all its installs
    for stage in runtime_stages(df):
        managed_seen: set[int] = set()
        synced: frozenset = frozenset()  # what the environments copied from builder stages already hold
        for ins in lineage_instructions(df, stage):
            synced |= synced_environments(df, ins)
            rs = run_script(df, ins)
            if rs is None or ins.span.start in seen:
                continue
            found, found_tooling = None, False  # a dependency install is the finding rather than `pip install -U pip`
            for cmd in rs.commands:
                managed = manager_call(cmd)
                if managed is not None:
                    if not managed.installs_dependencies or managed.offline or stage.index in managed_seen \
                            or managed.selection in synced:
                        continue  # later syncs of the same lineage, or of a synced environment copied from a
                        # builder, install the project over what is there
                    managed_seen.add(stage.index)
                    # the manager's install of the dependencies is the finding, not the pip install of the manager
                    found = Problem(
                        f"the runtime image runs `{managed.tool} {managed.subcommand}` against the package index; "
                        "build wheels in a builder stage and install them here without the index "
                        "(`--no-index --find-links /wheels`), or copy the environment the builder synced",
                        _word_span(rs, cmd.argv[0], managed.sub_word),
                    )
                    break
                call = pip_call(rs, cmd)
                if call is not None and call.subcommand in ("install", "sync") and call.downloads and (
                        found is None or (found_tooling and not _installs_tooling(call))) \
                        and not _installs_only_the_project(call):
                    found_tooling = _installs_tooling(call)
                    found = Problem(
                        f"the runtime image runs `{_shown(call)}` against the package index; build wheels in a "
                        "builder stage (`pip wheel --wheel-dir /wheels`) and install them here with "
                        "`--no-index --find-links /wheels`",
                        _call_position(call),
                    )
            if found is not None:
                seen.add(ins.span.start)
                yield found


_TOOLING = frozenset({"pip", "setuptools", "wheel", "poetry", "uv", "pipenv", "pdm", "pip-tools", "virtualenv"})


def _installs_only_the_project(call: PipCall) -> bool:
    """`pip install --no-deps .` (or `uv pip install --no-deps ./app`): the project's own source over the
    dependencies already there, nothing taken from the index for it."""
    return call.has("--no-deps") and bool(call.targets) and not call.values("--requirement") and all(
        w.text.startswith((".", "/")) for w in call.targets)


def _installs_tooling(call: PipCall) -> bool:
    """An install of packaging tools only (`pip install --upgrade pip`, `pip install poetry==1.8.3`)."""
    return bool(call.targets) and not call.values("--requirement", "--editable") and all(
        package_name(w.text).split("[", 1)[0] in _TOOLING for w in call.targets)


# ------------------------------------------------------------------------------------ DF012
@rule(
    code="DF012",
    name="virtualenv-not-user-site",
    scope=Scope.DOCKERFILE, applies=roles.PYTHON_IMAGES,
    summary="Runtime dependencies live in a virtual environment (or a wheelhouse install), not in `/root/.local`",
    why="`pip install --user` puts packages under root's home: a non-root runtime user cannot read them, and "
    "copying `/root/.local` or `site-packages` between images drags along whatever else lives there. A venv "
    "copied from the builder is one self-contained directory.",
    standard=("DF-VENV",),
    section="Multi-Stage with Virtual Environment",
    severity="warning",
    example="FROM python:3.12-slim AS builder\nRUN pip install --user -r requirements.lock.txt\n"
    "FROM python:3.12-slim AS production\nCOPY --from=builder /root/.local /root/.local\n",
    use_instead="FROM python:3.12-slim AS builder\nRUN python -m venv /opt/venv && "
    "/opt/venv/bin/pip install -r requirements.lock.txt\n"
    "FROM python:3.12-slim AS production\nCOPY --from=builder /opt/venv /opt/venv\n",
    notes="The standard's Basic Multi-Stage Pattern and Security Scanning examples copy `/root/.local`; the "
    "recommended venv pattern wins.",
)
def check_venv(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if df is None:
        return
    runtime = set()
    for stage in runtime_stages(df):
        for ins in lineage_instructions(df, stage):
            runtime.add(ins.span.start)
    for ins in df.instructions:
        if ins.keyword in ("COPY", "ADD") and ins.span.start in runtime and ins.flag("from") is not None:
            for tok, start, end in arg_tokens(df, ins)[:-1]:
                clean = tok.rstrip("/")
                if clean.endswith("/.local") or "/.local/" in clean:
                    yield Problem(
                        f"the runtime image copies `{tok}` (a `pip install --user` tree) from another stage; "
                        "install into a virtual environment in the builder (`python -m venv /opt/venv`) and copy "
                        "`/opt/venv`",
                        position(df, start, end),
                    )
                elif "site-packages" in clean or "dist-packages" in clean:
                    yield Problem(
                        f"the runtime image copies `{tok}` between images; install into a virtual environment in "
                        "the builder and copy that one directory",
                        position(df, start, end),
                    )
        elif ins.keyword == "RUN":
            rs = run_script(df, ins)
            if rs is None:
                continue
            for cmd in rs.commands:
                call = pip_call(rs, cmd)
                if call is None or call.subcommand not in ("install",):
                    continue
                for opt in call.options:
                    if opt.name == "--user":
                        yield Problem(
                            f"`{_shown(call)} --user` puts packages in root's `~/.local`; create a virtual "
                            "environment (`python -m venv /opt/venv`) and install there",
                            rs.word_position(opt.word),
                        )
                        break

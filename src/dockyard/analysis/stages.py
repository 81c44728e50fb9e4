"""Facts about a parsed Dockerfile that the rules and the lock-file reader share: stage lineage, the final
stage, positions of tokens, cache mounts and pip targets. The shell that RUN/CMD/ENTRYPOINT run is
:mod:`.shell`'s.

Everything here reads :mod:`dockyard.parsers.dockerfile` models; nothing looks at raw lines with regular
expressions.
"""

from __future__ import annotations

import bisect
import posixpath
from collections.abc import Iterator

from dockyard import TYPE_CHECKING, memo
from dockyard.model import Position
from dockyard.parsers.dockerfile import LineIndex
from dockyard.analysis.image_stage import image_stage, lineage_instructions, runtime_stages
from dockyard.roles import PYTHON, roles

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

    from dockyard.parsers.dockerfile import Dockerfile, Instruction, Stage


# --------------------------------------------------------------------------------------------- stages
def lineage(df: "Dockerfile", stage: "Stage") -> list["Stage"]:
    """The stage and the stages it is built FROM, root first."""
    return list(reversed(df.ancestry(stage)))


def python_runtime_stages(ctx) -> list["Stage"]:
    """The runtime stages (:func:`runtime_stages`) whose lineage is a Python image (:mod:`dockyard.roles`): a
    final `tools` stage built on `ubuntu` gets no Python advice."""
    df = ctx.model
    stages = runtime_stages(df)
    if ctx.file is None:
        return stages
    classified = roles(ctx.project).dockerfile_roles(ctx.file).stages
    return [s for s in stages if s.index >= len(classified) or classified[s.index].role == PYTHON]


def vendor_base(df: "Dockerfile", stage: "Stage") -> bool:
    """Whether ``stage`` is built on an image named by a build argument without a default (`FROM ${SENTRY_IMAGE}`):
    a vendor's image chosen at build time, whose settings and contents cannot be seen."""
    root = df.ancestry(stage)[-1]
    return root.parent is None and "$" in root.base_resolved


def stage_label(stage: "Stage") -> str:
    return f"`{stage.name_raw}`" if stage.name_raw else f"#{stage.index} (`FROM {stage.base}`)"


def referenced_stages(df: "Dockerfile", stage: "Stage") -> set[int]:
    """Indices of stages that ``stage`` reads files from (`COPY --from`, `RUN --mount=from=`), transitively,
    plus the stages of its lineage."""
    todo = [stage.index]
    seen: set[int] = set()
    while todo:
        i = todo.pop()
        if i in seen or not 0 <= i < len(df.stages):
            continue
        seen.add(i)
        st = df.stages[i]
        if st.parent is not None:
            todo.append(st.parent)
        for ins in st.instructions:
            for ref in _from_refs(ins):
                other = df.stage_by_name(ref)
                if other is not None:
                    todo.append(other.index)
    return seen


def shipped_stages(df: "Dockerfile") -> set[int]:
    """Indices of the stages whose layers make up an image: every stage that no other stage is built FROM or reads
    files from (the final stage, and any other build target such as `test`), the runtime stages
    (:func:`runtime_stages`), and the stages each of them is built FROM. A stage that other stages only read files
    from (`COPY --from`, `RUN --mount=from=`), such as a builder, is left out: its layers are thrown away."""
    read: set[int] = set()
    for st in df.stages:
        if st.parent is not None:
            read.add(st.parent)
        for ins in st.instructions:
            for ref in _from_refs(ins):
                other = df.stage_by_name(ref)
                if other is not None and other.index != st.index:
                    read.add(other.index)
    targets = [st for st in df.stages if st.index not in read] + runtime_stages(df)
    return {s.index for st in targets for s in df.ancestry(st)}


def _from_refs(ins: "Instruction") -> Iterator[str]:
    if ins.keyword in ("COPY", "ADD"):
        f = ins.flag("from")
        if f is not None and f.value:
            yield f.value
    elif ins.keyword == "RUN":
        for f in ins.flags_named("mount"):
            src = f.options().get("from")
            if src:
                yield src


_BUILT = frozenset({"wheels", "wheelhouse", "dist"})


def synced_environments(df: "Dockerfile", ins: "Instruction") -> frozenset:
    """What the stage a `COPY --from` reads from synced with a project manager (the
    :attr:`~dockyard.analysis.shell.ManagerCall.selection` of each dependency install in its lineage), when the copy
    brings an environment over: not when it copies only built wheels or archives (`/wheels`, `dist/*.whl`)."""
    flag = ins.flag("from") if ins.keyword in ("COPY", "ADD") else None
    source = df.stage_by_name(flag.value) if flag is not None and flag.value else None
    if source is None or source.index >= ins.stage:
        return frozenset()
    copied = [tok for tok, _, _ in arg_tokens(df, ins)[:-1] if not tok.startswith("--")]
    if all(is_archive_target(t) or posixpath.basename(t.rstrip("/")).lower() in _BUILT for t in copied):
        return frozenset()
    from dockyard.analysis.shell import manager_call, run_script  # lazy: dockyard.analysis.shell imports this module

    synced = set()
    for earlier in lineage_instructions(df, source):
        rs = run_script(df, earlier)
        for cmd in rs.commands if rs is not None else ():
            managed = manager_call(cmd)
            if managed is not None and managed.installs_dependencies:
                synced.add(managed.selection)
    return frozenset(synced)


# ------------------------------------------------------------------------------------------ positions
def position(df: "Dockerfile", start: int, end: int) -> Position:
    """A Position for character offsets into the Dockerfile text."""
    idx = df.line_index
    if idx is None:
        idx = LineIndex(df.text)
    sp = idx.span(start, max(start, end))
    return Position(sp.line, sp.column, sp.end_line, sp.end_column)


def span_position(span) -> Position:
    return Position(span.line, span.column, span.end_line, span.end_column)


_GO_SPACE = "\t\n\v\f\r \x85\xa0"


def arg_tokens(df: "Dockerfile", ins: "Instruction") -> list[tuple[str, int, int]]:
    """Whitespace-separated tokens of the arguments with their file offsets (start, end)."""
    want = ins.args_text
    out = []
    i, n = 0, len(want)
    while i < n:
        if want[i] in _GO_SPACE:
            i += 1
            continue
        j = i
        while j < n and want[j] not in _GO_SPACE:
            j += 1
        out.append((want[i:j], ins.source_offset(i), ins.source_offset(j - 1) + 1))
        i = j
    return out


def env_key_position(df: "Dockerfile", ins: "Instruction", name: str) -> Position:
    """Where an ENV/ARG instruction names ``name`` (`NAME=value` or `NAME value`); its arguments when not found."""
    for tok, start, end in arg_tokens(df, ins):
        if tok == name or tok.startswith(name + "="):
            return position(df, start, end)
    return span_position(ins.args_span)


def value_token(df: "Dockerfile", ins: "Instruction", index: int) -> tuple[int, int]:
    """File offsets of the ``index``-th whitespace token of the arguments (falls back to the args span)."""
    toks = arg_tokens(df, ins)
    if 0 <= index < len(toks):
        return toks[index][1], toks[index][2]
    if toks and index < 0 and -index <= len(toks):
        return toks[index][1], toks[index][2]
    return ins.args_span.start, ins.args_span.end


def key_positions(ctx, ins: "Instruction"):
    """(key, value, position of the key) for each pair an ENV/ARG/LABEL sets, in order."""
    text = ctx.model.text
    pos = ins.args_span.start
    for key, value in ins.key_values():
        i = text.find(key, pos, ins.span.end)
        if i < 0 or not key:
            yield key, value, ctx.file.span(ins.args_span.start, ins.args_span.end)
            continue
        pos = i + len(key)
        yield key, value, ctx.file.span(i, i + len(key))


# ------------------------------------------------------------------------------------ the final stage
def final_lineage(df: "Dockerfile") -> list["Stage"]:
    """The image's stage (:func:`dockyard.analysis.image_stage.image_stage`: the final one, unless that is dev tooling) and the
    stages it is built FROM, root first (empty when the file has no stage)."""
    final = image_stage(df)
    return [] if final is None else lineage(df, final)


def final_lineage_instructions(df: "Dockerfile") -> list["Instruction"]:
    final = image_stage(df)
    return [] if final is None else lineage_instructions(df, final)


def root_base(df: "Dockerfile") -> str:
    """The external image the final stage ultimately builds on ('' when unknown)."""
    stages = final_lineage(df)
    return stages[0].base_resolved if stages else ""


def last_of(instructions, keyword: str) -> "Instruction | None":
    found = None
    for ins in instructions:
        if ins.keyword == keyword:
            found = ins
    return found


# ----------------------------------------------------------------------------------- pip and caches
def cache_mount_targets(ins: "Instruction") -> list[tuple[str, object]]:
    """(target, flag) of every `--mount=type=cache` of a RUN."""
    out = []
    for f in ins.flags_named("mount"):
        opts = f.options()
        if opts.get("type") == "cache":
            target = opts.get("target") or opts.get("dst") or opts.get("destination") or ""
            out.append((target, f))
    return out


def is_pip_cache_target(target: str, tool: str = "pip") -> bool:
    t = target.rstrip("/")
    leaf = "uv" if tool == "uv" else "pip"
    return t.endswith("/.cache/" + leaf) or t.endswith("/.cache") or t == "/root/.cache" or (
        leaf == "uv" and t.endswith("/uv-cache"))


def is_project_target(text: str) -> bool:
    """A path to a project directory (`.`, `./pkg`, `/app`, `.[extras]`), not a package name or wheel file."""
    base = text.split("[", 1)[0]
    if base in (".", "..") or base.startswith(("./", "../", "/", "~")):
        return not base.endswith((".whl", ".tar.gz", ".zip")) and "*" not in base
    return False


def is_archive_target(text: str) -> bool:
    base = text.split("[", 1)[0]
    return base.endswith((".whl", ".tar.gz", ".zip", ".tgz")) or ("*" in base and "/" in base)


def env_at(df: "Dockerfile", stage: "Stage", upto: "Instruction | None" = None) -> dict[str, tuple[str, "Instruction"]]:
    """ENV values in effect in ``stage`` (inherited from its lineage) before ``upto`` (or at its end)."""
    env: dict[str, tuple[str, Instruction]] = {}
    for ins in lineage_instructions(df, stage):
        if upto is not None and ins is upto:
            break
        if ins.keyword == "ENV":
            for k, v in ins.key_values():
                env[k] = (v or "", ins)
    return env


# Per Dockerfile and stage, the ENV history of its lineage, for env_value_at: (the position of each instruction,
# {name: (positions of the ENVs setting it, (value, instruction) of each)}). A Dockerfile is immutable, so an
# entry stays right; the identity check guards against a reused id. Emptied when a project's rules have run
# (:mod:`dockyard.memo`), and bounded: a run judges a few files at a time.
_ENV_HISTORY: dict[tuple[int, int], tuple[Any, dict[int, int], dict[str, tuple[list[int], list[tuple]]], int]] = \
    memo.table()


def env_value_at(df: "Dockerfile", stage: "Stage", upto: "Instruction | None", name: str
                 ) -> tuple[str, "Instruction"] | None:
    """``env_at(df, stage, upto).get(name)``, from the stage's ENV history indexed once: asking before every
    install of a long Dockerfile stays linear."""
    key = (id(df), stage.index)
    entry = _ENV_HISTORY.get(key)
    if entry is None or entry[0] is not df:
        if len(_ENV_HISTORY) >= 64:
            _ENV_HISTORY.clear()
        position: dict[int, int] = {}
        history: dict[str, tuple[list[int], list[tuple]]] = {}
        instructions = lineage_instructions(df, stage)
        for i, ins in enumerate(instructions):
            position.setdefault(id(ins), i)
            if ins.keyword == "ENV":
                for k, v in ins.key_values():
                    at, values = history.setdefault(k, ([], []))
                    at.append(i)
                    values.append((v or "", ins))
        entry = _ENV_HISTORY[key] = (df, position, history, len(instructions))
    _, position, history, end = entry
    found = history.get(name)
    if found is None:
        return None
    limit = position.get(id(upto), end) if upto is not None else end
    i = bisect.bisect_left(found[0], limit) - 1
    return found[1][i] if i >= 0 else None


def truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on", "y")


def uv_installs_locked(df: "Dockerfile", stage: "Stage", ins: "Instruction", call) -> bool:
    """Whether a `uv sync` (a :class:`dockyard.analysis.shell.ManagerCall`) installs from `uv.lock` without
    resolving again: `--locked` or `--frozen`, or `UV_LOCKED` / `UV_FROZEN` set in the stage before it."""
    if call.has("--locked", "--frozen"):
        return True
    return any(truthy(v[0]) for k in ("UV_LOCKED", "UV_FROZEN") if (v := env_value_at(df, stage, ins, k)) is not None)


# pip reads a boolean setting (an option, or its `PIP_` variable) with its own strtobool, and uv its `UV_` booleans
# with clap's boolish parser: both take these words in any case; pip stops with an error on any other non-empty value
# (an empty one is ignored)
BOOLEAN_TRUE = frozenset({"y", "yes", "t", "true", "on", "1"})
BOOLEAN_FALSE = frozenset({"n", "no", "f", "false", "off", "0"})


def boolean_value(value: str) -> bool | None:
    """What pip (and uv) read a boolean setting's value as: True, False, or None when they reject the value."""
    v = value.lower()
    return True if v in BOOLEAN_TRUE else False if v in BOOLEAN_FALSE else None


def python_flag_on(value: str) -> bool:
    """Whether CPython (3.7 and later) turns on a flag that a variable such as `PYTHONUNBUFFERED` or
    `PYTHONDONTWRITEBYTECODE` sets: it reads the value as a C integer (`strtol`), and any non-empty value but
    one that reads wholly as zero (`0`, `00`, `+0`) turns the flag on. A word is not a number: `off` and
    `false` turn the flag on."""
    digits = value.lstrip(" \t\n\v\f\r")
    digits = digits[1:] if digits[:1] in ("+", "-") else digits
    return bool(value) and not (digits and set(digits) == {"0"})


# -------------------------------------------------------------------------------------------- users
def home_dir(tool: str, name: str, words) -> str:
    """The home directory a useradd/adduser command gives ``name``: `-d`/`--home-dir` (useradd), `--home`
    (Debian's adduser), `-h` (busybox adduser), else `/home/<name>`."""
    texts = [w.text for w in words[1:]]
    options = {"useradd": ("-d", "--home-dir"), "adduser": ("-h", "--home")}[tool]
    home = None
    for i, t in enumerate(texts):
        if t in options and i + 1 < len(texts):
            home = texts[i + 1]
        elif t.startswith("--") and t.split("=", 1)[0] in options and "=" in t:
            home = t.split("=", 1)[1]
        elif t.startswith(options[0]) and not t.startswith("--") and len(t) > 2:
            home = t[2:]
    return posixpath.normpath(home) if home and home.startswith("/") else f"/home/{name}"


def run_as(df: "Dockerfile", stage: "Stage") -> dict[int, tuple[str, str, str | None]]:
    """For each instruction of the stage's lineage (by ``id``): (user, home, uid) it runs as: the last `USER`
    before it (root when none), that user's home (`/root`, the `useradd -d`/`adduser --home` of the user, else
    `/home/<user>`; `$HOME` for a numeric user) and its numeric uid when known. One pass over the lineage."""
    from dockyard.analysis.shell import run_script  # lazy: dockyard.analysis.shell imports this module

    homes: dict[str, tuple[str, str | None]] = {}  # user -> (home, uid), from the useradd/adduser seen so far
    state: tuple[str, str, str | None] = ("root", "/root", "0")
    out: dict[int, tuple[str, str, str | None]] = {}
    for ins in lineage_instructions(df, stage):
        out[id(ins)] = state
        if ins.keyword == "USER" and ins.value:
            name = ins.value[0].partition(":")[0]
            if not name or name.lower() in ("root", "0"):
                state = ("root", "/root", "0")
            elif name.isdigit():
                state = (name, "$HOME", name)
            else:
                home, uid = homes.get(name, (f"/home/{name}", None))
                state = (name, home, uid)
            continue
        script = run_script(df, ins)
        for cmd in script.commands if script is not None else ():
            if cmd.name not in ("useradd", "adduser"):
                continue
            texts = [w.text for w in cmd.argv]
            uid = None
            for k, t in enumerate(texts):
                if t in ("-u", "--uid") and k + 1 < len(texts) and texts[k + 1].isdigit():
                    uid = texts[k + 1]
                elif t.startswith("--uid=") and t[6:].isdigit():
                    uid = t[6:]
            positional = [t for t in texts[1:] if not t.startswith("-")]
            for name in positional:
                homes[name] = (home_dir(cmd.name, name, cmd.argv), uid)
    return out


_FOREIGN_SHELLS = ("powershell", "pwsh", "cmd")
# Per Dockerfile, each stage's `SHELL` instructions as (offset, whether it is no POSIX shell), in file order: read
# once, so that asking before every RUN of a long Dockerfile stays linear. Emptied when a project's rules have run.
_SHELLS = memo.table()


def _foreign(ins: "Instruction") -> bool:
    name = ins.value[0].replace("\\", "/").rsplit("/", 1)[-1].lower() if ins.value else ""
    return name.removesuffix(".exe") in _FOREIGN_SHELLS


def foreign_shell(df: "Dockerfile", ins: "Instruction") -> bool:
    """Whether a shell form runs under a `SHELL` that is no POSIX shell (PowerShell or cmd, on a Windows image):
    its text is not read as a shell script. The last `SHELL` before it in its stage or the stages it is built FROM
    decides."""
    shells = memo.remembered(_SHELLS, df, lambda: [[(i.span.start, _foreign(i)) for i in stage.instructions
                                                     if i.keyword == "SHELL"] for stage in df.stages])
    if 0 <= ins.stage < len(df.stages):
        for stage in df.ancestry(df.stages[ins.stage]):
            before = [foreign for start, foreign in shells[stage.index] if start < ins.span.start]
            if before:
                return before[-1]
    return False


_WINDOWS_BASES = ("windows", "servercore", "nanoserver")


def windows_image(df: "Dockerfile") -> bool:
    """Whether the image is a Windows container: its final lineage runs a `SHELL` that is PowerShell or cmd, or
    starts FROM a Windows base (`mcr.microsoft.com/windows/servercore`, `python:3.12-windowsservercore`)."""
    stages = final_lineage(df)
    if any(i.keyword == "SHELL" and _foreign(i) for s in stages for i in s.instructions):
        return True
    return bool(stages) and any(w in stages[0].base_resolved.lower() for w in _WINDOWS_BASES)

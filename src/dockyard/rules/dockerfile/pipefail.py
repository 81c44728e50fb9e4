"""A RUN that pipes one command into another fails when any of them fails (`pipefail`)."""

from __future__ import annotations

import os.path
from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.shell import SHELLS, instruction_script, pipe_sides, run_scripts
from dockyard.analysis.stages import lineage_instructions, position, span_position
from dockyard.model import Problem
from dockyard.parsers.shell import parse_shell
from dockyard.records import replace
from dockyard.rules.base import Context, Scope, rule

# commands that cannot fail in a pipeline's left side: `echo "$SHA256 *file" | sha256sum -c -` hides nothing
CANNOT_FAIL = frozenset({"echo", "printf", "true", ":", "yes"})
# shells whose scripts are not POSIX shell: their RUNs are not judged
NON_POSIX_SHELLS = frozenset({"pwsh", "powershell", "cmd"})
SHELL_ADVICE = 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]'
ALPINE_SHELL_ADVICE = 'SHELL ["/bin/ash", "-o", "pipefail", "-c"]'


def _pipefail_switch(args) -> bool | None:
    """What `set`-style options (`-o pipefail`, `-eo pipefail`, `-euxo pipefail`, `+o pipefail`) do to
    pipefail: True (on), False (off) or None (untouched); the last one wins."""
    state = None
    for i, a in enumerate(args[:-1]):
        if len(a) > 1 and a[0] in "-+" and not a.startswith("--") and "o" in a[1:] and args[i + 1] == "pipefail":
            state = a[0] == "-"
    return state


def _shell_state(ins) -> tuple[bool, bool]:
    """(judged, pipefail) for the RUNs that a `SHELL [...]` instruction governs."""
    argv = list(ins.value) if ins.json_form else []
    if not argv:
        return True, False
    name = os.path.basename(argv[0]).lower().removesuffix(".exe")
    if name in NON_POSIX_SHELLS:
        return False, False
    flags = argv[1:argv.index("-c")] if "-c" in argv else argv[1:]
    return True, bool(_pipefail_switch(flags))


@rule(
    code="DF064", name="run-pipefail", scope=Scope.DOCKERFILE, purposes=roles.BUILT,
    summary="A RUN that pipes commands runs with `pipefail` (`set -o pipefail` or a `SHELL` with `-o pipefail`)",
    why="A pipeline's status is its last command's: in `curl -fsSL URL | sh` a failed download hands `sh` an "
        "empty script, which succeeds, and the image builds without what it was meant to install.",
    standard=("DF-PIPEFAIL",), section="Layer Optimization", severity="warning",
    example="FROM python:3.12-slim\nRUN curl -fsSL https://example.org/install.sh | sh\n",
    use_instead='FROM python:3.12-slim\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
                "RUN curl -fsSL https://example.org/install.sh | sh\n",
    notes="hadolint's DL4006. `pipefail` is in effect when the RUN's script sets it before the pipe (`set -o "
          "pipefail`, `set -euxo pipefail`; it does not carry over to the next RUN) or when the `SHELL` in effect "
          "passes `-o pipefail`; a stage built FROM another stage inherits its `SHELL`, as BuildKit does (hadolint "
          "starts every stage afresh). Pipes inside `$(...)` and subshells count, `||` is not a pipe; a pipe "
          "from `echo`, `printf`, `true` or `yes` hides no failure (hadolint flags it), nor does `cat` of files an earlier "
          "COPY or ADD put in the image (`cat /tmp/key.gpg | gpg --dearmor`: a missing file fails the COPY). Exec-form "
          "RUNs other than `[\"sh\", \"-c\", \"...\"]`, heredocs run by another interpreter and RUNs under a "
          "PowerShell or cmd `SHELL` are not judged. The advice fits the shell: Debian's and Ubuntu's `/bin/sh` "
          "is dash, which rejects `set -o pipefail` (dash 0.5.12 on bookworm: `Illegal option -o pipefail`), so "
          "there a bash `SHELL` is advised; Alpine's busybox ash knows `set -o pipefail` and Alpine has no bash.",
)
def pipefail(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    for stage in df.stages:
        own = {id(ins) for ins in stage.instructions}
        judged, shell_pipefail, shell = True, False, ""
        alpine: list[bool] = []  # whether the stage is Alpine, decided once (on the first pipe reported)
        copied: set[str] = set()  # files the COPY and ADD instructions so far put in the image
        for ins in lineage_instructions(df, stage):
            copied.update(_copied_to(ins))
            if ins.keyword == "SHELL":
                judged, shell_pipefail = _shell_state(ins)
                shell = os.path.basename(ins.value[0]).lower() if ins.json_form and ins.value else ""
                continue
            if ins.keyword != "RUN" or id(ins) not in own or not judged or shell_pipefail:
                continue
            problem = _unprotected_pipe(df, ins, lambda: _advice(df, stage, shell, alpine), frozenset(copied))
            if problem is not None:
                yield problem


def _advice(df, stage, shell: str, alpine_memo: list[bool]) -> str:
    """What makes the pipe fail, for the shell that runs it. Debian's and Ubuntu's /bin/sh is dash, which rejects
    `set -o pipefail` (the build would fail): there, a bash SHELL. Alpine's /bin/sh is busybox ash, which knows
    pipefail and has no bash: `set -o pipefail`, or an ash SHELL. A SHELL of bash, ash or zsh knows it too."""
    if shell in ("bash", "ash", "zsh", "ksh", "mksh"):
        return "add `set -o pipefail` before the pipe, or add `-o pipefail` to the `SHELL`"
    if not alpine_memo:
        root = df.ancestry(stage)[-1].base_resolved.lower()
        alpine_memo.append("alpine" in root or any(
            c.name == "apk" for script in run_scripts(df, lineage_instructions(df, stage)) for c in script.commands))
    if alpine_memo[0]:
        return f"add `set -o pipefail` before the pipe, or `{ALPINE_SHELL_ADVICE}` before this RUN"
    return (f"add `{SHELL_ADVICE}` before this RUN (`set -o pipefail` fails under Debian's /bin/sh, dash); "
            "or run the pipe in `bash -o pipefail -c '...'`")


def _scopes(ins, script) -> list[tuple[bool, list[int], list]]:
    """The shells a RUN starts, as (pipefail from their options, their pipes, their commands), in offsets of
    the RUN's script. In `cmd <<EOF` the heredoc body is `cmd`'s input: a script of its own when `cmd` is a
    shell reading it (`bash <<EOF`, `<<EOF sh`), else data. A RUN made only of heredocs runs their body."""
    line = ins.value[0] if ins.heredocs and ins.value else ""
    if not line or not script.text.startswith(line + "\n"):
        return [(False, list(script.script.pipes), list(script.commands))]
    head = len(line)
    commands = [c for c in script.commands if c.start < head]
    scopes = [(False, [p for p in script.script.pipes if p < head], commands)]
    readers = [c for c in commands if c.name in SHELLS and "-c" not in c.args]
    if readers:
        at = head + 1
        for h in ins.heredocs:
            body = parse_shell(h.content)
            shift = [replace(c, start=c.start + at, end=c.end + at) for c in body.commands]
            scopes.append((bool(_pipefail_switch(list(readers[0].args))), [p + at for p in body.pipes], shift))
            at += len(h.content) + len(h.name) + 1
    return scopes


def _unprotected_pipe(df, ins, advice, copied: frozenset[str] = frozenset()) -> Problem | None:
    """The first pipe of a RUN's script that runs without pipefail, as a finding; ``advice`` is a callable that
    gives what to do, asked only for a pipe that is reported; ``copied``: the files earlier COPYs put in place."""
    script = instruction_script(df, ins)
    if script is None:
        return None
    if ins.json_form:
        # `["bash", "-o", "pipefail", "-c", "..."]`: the options before the script
        argv = list(ins.value)
        if _pipefail_switch(argv[1:argv.index("-c")] if "-c" in argv else []):
            return None
    found = [hit for scope in _scopes(ins, script) if (hit := _first_unprotected(*scope, copied)) is not None]
    if not found:
        return None
    pipe, commands, pipes = min(found, key=lambda hit: hit[0])
    before, after = pipe_sides(pipe, commands)
    last = _last_of_pipeline(script.text, after, commands, pipes)
    op = "|&" if script.text.startswith("|&", pipe) else "|"
    r = script.file_range(pipe, pipe + len(op))
    where = position(df, *r) if r is not None else span_position(ins.keyword_span)
    left = f"`{before.name}`" if before is not None and before.name else f"the command before `{op}`"
    right = f"`{after.name}`" if after is not None and after.name else "the next command"
    status = right if last is after else (f"`{last.name}`, the last command of the pipe," if last is not None
                                          and last.name else "the last command of the pipe")
    return Problem(f"{left} is piped (`{op}`) into {right} without `pipefail`: if {left} fails, the RUN still "
                   f"succeeds when {status} does; {advice()}", where)


def _last_of_pipeline(text: str, first, commands: list, pipes: list[int]):
    """The last command of the pipeline that ``first`` starts after a pipe: the pipeline's status is its."""
    cur = first
    while cur is not None:
        nxt = next((p for p in pipes if p >= cur.end), None)
        if nxt is None or text[cur.end:nxt].strip():
            return cur  # no pipe right after this command: it ends the pipeline
        cur_next = next((c for c in commands if c.start > nxt), None)
        if cur_next is None:
            return cur
        cur = cur_next
    return cur


def _copied_to(ins) -> list[str]:
    """The absolute paths a COPY or ADD puts files at: ``COPY key.gpg /tmp/key.gpg``, and ``COPY a b /opt/`` as
    ``/opt/a`` and ``/opt/b``."""
    if ins.keyword not in ("COPY", "ADD") or len(ins.value) < 2 or ins.heredocs:
        return []
    *sources, dest = ins.value
    if not dest.startswith("/") or "$" in dest:
        return []
    if dest.endswith("/") or len(sources) > 1:
        return [os.path.join(dest, os.path.basename(src.rstrip("/"))) for src in sources]
    return [dest]


def _reads_copied_files(before, copied) -> bool:
    """`cat /tmp/key.gpg | gpg --dearmor`: `cat` of files a COPY put in the image reads what the build holds; a
    missing one would have failed the COPY."""
    args = [w.text for w in before.argv[1:]] if before is not None and before.name == "cat" else []
    return bool(args) and all(a in copied for a in args)


def _first_unprotected(on: bool, pipes: list[int], commands: list,
                       copied: frozenset[str] = frozenset()) -> tuple[int, list, list[int]] | None:
    """The first of ``pipes`` that runs without pipefail (``on``: set by the shell's options) and could hide a
    failure (its left side is not `echo`, `printf`, `true`..., nor `cat` of files a COPY put in the image), with
    the scope's commands; `set -o pipefail` / `set +o pipefail` before a pipe switch it."""
    if on:
        return None
    k = 0
    for pipe in pipes:
        while k < len(commands) and commands[k].start < pipe:
            cmd = commands[k]
            if cmd.name == "set":
                switch = _pipefail_switch([w.text for w in cmd.argv[1:]])
                if switch is not None:
                    on = switch
            k += 1
        if on:
            continue
        before = pipe_sides(pipe, commands)[0]
        if (before is None or before.name not in CANNOT_FAIL) and not _reads_copied_files(before, copied):
            return pipe, commands, pipes
    return None

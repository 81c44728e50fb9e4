"""Shared reading of Dockerfile commands for the runtime, package and command rules.

* the final stage's lineage (the final stage and the stages it is built ``FROM``), oldest first;
* shell analysis of ``RUN``/``CMD``/``ENTRYPOINT`` with a map from script offsets back to file offsets,
  so that findings point at the very word (continuation lines and inner comments are skipped the way
  BuildKit joins them);
* package-manager calls (apt-get/apt, apk, pip/uv pip) split into subcommand, options and package words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from dockyard.model import Position

SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh"})


# -- stages ------------------------------------------------------------------------------------------
def lineage(df) -> list:
    """The final stage and its ancestors, oldest first (empty when the file has no stage)."""
    final = df.final_stage
    if final is None:
        return []
    return list(reversed(df.ancestry(final)))


def lineage_instructions(df) -> list:
    return [ins for stage in lineage(df) for ins in stage.instructions]


def root_base(df) -> str:
    """The external image the final stage ultimately builds on ('' when unknown)."""
    stages = lineage(df)
    return stages[0].base_resolved if stages else ""


def last_of(instructions, keyword: str):
    found = None
    for ins in instructions:
        if ins.keyword == keyword:
            found = ins
    return found


def position(sf, start: int, end: int) -> Position:
    return sf.span(start, end)


def span_position(sf, span) -> Position:
    return sf.span(span.start, span.end)


def key_positions(ctx, ins):
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


# -- shell scripts -----------------------------------------------------------------------------------
@dataclass
class Script:
    """A shell script taken from an instruction, with a way back to file positions."""

    ins: object
    text: str
    offsets: list[int] | None  # file offset of each script character (None: positions are approximate)
    commands: tuple
    has_error: bool

    def file_range(self, start: int, end: int) -> tuple[int, int] | None:
        offs = self.offsets
        if offs is None or not offs or start >= len(offs) or end <= start:
            return None
        return offs[start], offs[min(end, len(offs)) - 1] + 1

    def position(self, sf, start: int, end: int) -> Position:
        r = self.file_range(start, end)
        if r is None:
            return span_position(sf, self.ins.keyword_span)
        return sf.span(*r)

    def word_position(self, sf, word) -> Position:
        return self.position(sf, word.start, word.end)


def _script_offsets(text: str, ins, escape: str, script: str) -> list[int] | None:
    """Rebuild the instruction's argument text the way BuildKit joins continuation lines, recording the
    file offset of every character, and locate ``script`` in it."""
    a, b = ins.args_span.start, ins.args_span.end
    chars: list[str] = []
    offs: list[int] = []
    pos, first = a, True
    while pos <= b:
        nl = text.find("\n", pos, b)
        le = b if nl == -1 else nl
        line = text[pos:le]
        if line.endswith("\r"):
            line = line[:-1]
        skip = not first and (not line.strip() or line.lstrip().startswith("#"))
        if not skip:
            s = line.rstrip(" \t")
            keep = line
            if s.endswith(escape) and (len(s) == 1 or s[-2] != escape):
                keep = s[:-1]
            chars.append(keep)
            offs.extend(range(pos, pos + len(keep)))
        first = False
        if nl == -1:
            break
        pos = le + 1
    joined = "".join(chars)
    idx = joined.find(script)
    if idx < 0:
        return None
    return offs[idx : idx + len(script)]


def script_of(df, ins) -> Script | None:
    """The shell script an instruction runs: shell-form RUN/CMD/ENTRYPOINT/HEALTHCHECK CMD, or the script
    of an exec form ``["sh", "-c", "..."]``. None for exec forms that run a program directly."""
    from dockyard.parsers.shell import parse_shell

    if ins.keyword not in ("RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK"):
        return None
    offsets = None
    if ins.keyword == "HEALTHCHECK" and not (ins.value and ins.value[0].upper() == "CMD"):
        return None
    if ins.json_form:
        argv = exec_argv(ins)
        if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in SHELLS and argv[1] in ("-c", "-ec", "-ce", "-lc"):
            text = argv[2]
        else:
            return None
    else:
        text = ins.shell_text
        if not text:
            return None
        if not ins.heredocs:
            try:
                offsets = _script_offsets(df.text, ins, df.escape, text)
            except Exception:  # positions are a convenience; never fail a rule over them
                offsets = None
    parsed = parse_shell(text)
    return Script(ins, text, offsets, parsed.commands, parsed.has_error)


def exec_argv(ins) -> tuple[str, ...]:
    """The argv of an exec-form CMD/ENTRYPOINT/RUN or HEALTHCHECK CMD ([] for shell forms)."""
    if ins.keyword == "HEALTHCHECK":
        # the parser keeps HEALTHCHECK as ("CMD", args...) with json_form set for the exec form
        v = ins.value
        if ins.json_form and v and v[0].upper() == "CMD":
            return tuple(v[1:])
        return ()
    return tuple(ins.value) if ins.json_form else ()


def runs(df, instructions) -> Iterator[tuple[object, Script]]:
    for ins in instructions:
        if ins.keyword == "RUN":
            script = script_of(df, ins)
            if script is not None:
                yield ins, script


# -- package managers --------------------------------------------------------------------------------
@dataclass
class Call:
    """A package-manager invocation: ``tool`` is apt-get/apt/apk/pip; ``words`` follow the subcommand."""

    tool: str
    sub: str
    sub_word: object
    command: object
    words: tuple  # Word objects after the subcommand
    packages: tuple  # Word objects naming packages (option values skipped)


_VALUE_OPTS = {
    "apt": frozenset({"-o", "--option", "-t", "--target-release", "--default-release", "-c", "--config-file"}),
    "apk": frozenset({"-t", "--virtual", "-X", "--repository", "--repositories-file", "-p", "--root", "--arch",
                      "--cache-dir", "--keys-dir", "--cache-max-age"}),
    "pip": frozenset({"-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
                      "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root",
                      "--platform", "--python-version", "--implementation", "--abi", "--src", "--upgrade-strategy",
                      "--progress-bar", "--cache-dir", "--log", "--trusted-host", "--proxy", "--retries",
                      "--timeout", "--no-binary", "--only-binary", "-C", "--config-settings", "--global-option",
                      "--report", "--python", "-w", "--wheel-dir", "--index-strategy", "--extra", "-p"}),
}


def _tool_of(cmd) -> tuple[str, int] | None:
    """(tool, index of the first word after the tool's name) for a package-manager call."""
    argv = cmd.argv
    if not argv:
        return None
    name = cmd.name
    if name in ("apt-get", "apt"):
        return "apt", 1
    if name == "apk":
        return "apk", 1
    if name == "pip" or (name.startswith("pip") and name[3:].replace(".", "").isdigit()):
        return "pip", 1
    if name.startswith("python") and len(argv) >= 3 and argv[1].text == "-m" and argv[2].text in ("pip", "pip3"):
        return "pip", 3
    if name == "uv" and len(argv) >= 2 and argv[1].text == "pip":
        return "pip", 2
    return None


def package_call(cmd) -> Call | None:
    found = _tool_of(cmd)
    if found is None:
        return None
    tool, i = found
    argv = cmd.argv
    value_opts = _VALUE_OPTS[tool]
    sub = None
    while i < len(argv):
        t = argv[i].text
        if t.startswith("-"):
            i += 2 if (t in value_opts and "=" not in t) else 1
            continue
        sub = argv[i]
        break
    if sub is None:
        return None
    rest = tuple(argv[i + 1 :])
    packages = []
    j = 0
    while j < len(rest):
        t = rest[j].text
        if t == "--":
            packages.extend(rest[j + 1 :])
            break
        if t.startswith("-"):
            j += 2 if (t in value_opts and "=" not in t) else 1
            continue
        packages.append(rest[j])
        j += 1
    return Call(cmd.name if tool != "pip" else "pip", sub.text, sub, cmd, rest, tuple(packages))


def calls(script: Script) -> Iterator[Call]:
    for cmd in script.commands:
        call = package_call(cmd)
        if call is not None:
            yield call


def is_install(call: Call) -> bool:
    if call.tool in ("apt-get", "apt"):
        return call.sub == "install"
    if call.tool == "apk":
        return call.sub == "add"
    return call.sub == "install"


def installed_packages(df, instructions) -> set[str]:
    """Names of system packages installed by apt/apk in ``instructions``."""
    names: set[str] = set()
    for _ins, script in runs(df, instructions):
        for call in calls(script):
            if call.tool != "pip" and is_install(call):
                for w in call.packages:
                    names.add(w.text.split("=", 1)[0].split(":", 1)[0])
    return names

"""Shared facts about a parsed Dockerfile for the DF rules: stage lineage, positions of tokens, RUN commands,
pip invocations and package-manager installs.

Everything here reads :mod:`dockyard.parsers.dockerfile` models and :mod:`dockyard.parsers.shell` results; nothing
looks at raw lines with regular expressions. Other rule modules may import it read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator

from dockyard.model import Position

if TYPE_CHECKING:  # pragma: no cover
    from dockyard.parsers.dockerfile import Dockerfile, Instruction, Stage
    from dockyard.parsers.shell import ShellScript, SimpleCommand, Word


# --------------------------------------------------------------------------------------------- stages
def lineage(df: "Dockerfile", stage: "Stage") -> list["Stage"]:
    """The stage and the stages it is built FROM, root first."""
    return list(reversed(df.ancestry(stage)))


def lineage_instructions(df: "Dockerfile", stage: "Stage") -> list["Instruction"]:
    """Every instruction that contributes to ``stage``'s filesystem, in build order (FROM lines excluded)."""
    out: list = []
    for s in lineage(df, stage):
        out.extend(s.instructions)
    return out


def runtime_stages(df: "Dockerfile") -> list["Stage"]:
    """The stages the standard calls the runtime image: the final stage, and a stage named `production`."""
    out = []
    final = df.final_stage
    if final is not None:
        out.append(final)
    prod = df.stage_by_name("production")
    if prod is not None and prod.name == "production" and all(prod.index != s.index for s in out):
        out.append(prod)
    return out


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


def is_dev_dockerfile(path: str) -> bool:
    """`Dockerfile.dev`, `dev.Dockerfile`, `Dockerfile.test` ...: files meant for development or tests only."""
    name = path.rsplit("/", 1)[-1].lower()
    parts = set(name.replace("_", ".").replace("-", ".").split("."))
    return bool(parts & {"dev", "development", "test", "tests", "ci", "local", "debug"})


# ------------------------------------------------------------------------------------------ positions
def position(df: "Dockerfile", start: int, end: int) -> Position:
    """A Position for character offsets into the Dockerfile text."""
    idx = df.line_index
    if idx is None:
        from dockyard.parsers.dockerfile import LineIndex

        idx = LineIndex(df.text)
    sp = idx.span(start, max(start, end))
    return Position(sp.line, sp.column, sp.end_line, sp.end_column)


def span_position(span) -> Position:
    return Position(span.line, span.column, span.end_line, span.end_column)


_GO_SPACE = "\t\n\v\f\r \x85\xa0"


def args_offsets(df: "Dockerfile", ins: "Instruction") -> list[int]:
    """File offset of each character of ``ins.args_text`` (continuations and inner comment lines removed),
    mirroring how the parser joins physical lines."""
    text = df.text
    esc = df.escape
    start = ins.args_span.start
    limit = max(ins.span.end, ins.args_span.end)
    chars: list[str] = []
    offs: list[int] = []
    pos = start
    first = True
    while pos <= limit and pos <= len(text):
        nl = text.find("\n", pos)
        eol = len(text) if nl == -1 else nl
        raw = text[pos:eol].rstrip("\r")
        if not first:
            stripped = raw.lstrip(_GO_SPACE)
            if stripped.startswith("#") or stripped == "":
                pos = eol + 1
                continue
        first = False
        s = raw.rstrip(" \t")
        cont = False
        part = raw
        if s.endswith(esc) and (len(s) == 1 or s[-2] != esc):
            part, cont = s[:-1], True
        for k, ch in enumerate(part):
            chars.append(ch)
            offs.append(pos + k)
        if not cont or nl == -1:
            break
        pos = eol + 1
    joined = "".join(chars)
    want = ins.args_text
    if joined.startswith(want):
        return offs[: len(want)]
    # Unexpected layout: align greedily (still exact for every character that survives joining).
    out: list[int] = []
    j = start
    for ch in want:
        k = text.find(ch, j, limit + 1)
        if k == -1:
            k = j
        out.append(k)
        j = k + 1
    return out


def arg_tokens(df: "Dockerfile", ins: "Instruction") -> list[tuple[str, int, int]]:
    """Whitespace-separated tokens of the arguments with their file offsets (start, end)."""
    want = ins.args_text
    offs = args_offsets(df, ins)
    out = []
    i, n = 0, len(want)
    while i < n:
        if want[i] in _GO_SPACE:
            i += 1
            continue
        j = i
        while j < n and want[j] not in _GO_SPACE:
            j += 1
        if offs:
            out.append((want[i:j], offs[min(i, len(offs) - 1)], offs[min(j - 1, len(offs) - 1)] + 1))
        i = j
    return out


def value_token(df: "Dockerfile", ins: "Instruction", index: int) -> tuple[int, int]:
    """File offsets of the ``index``-th whitespace token of the arguments (falls back to the args span)."""
    toks = arg_tokens(df, ins)
    if 0 <= index < len(toks):
        return toks[index][1], toks[index][2]
    if toks and index < 0 and -index <= len(toks):
        return toks[index][1], toks[index][2]
    return ins.args_span.start, ins.args_span.end


# ------------------------------------------------------------------------------------------ RUN shell
@dataclass
class RunScript:
    """The shell commands of one RUN instruction, with a way back to file positions."""

    df: "Dockerfile"
    instruction: "Instruction"
    script: "ShellScript"
    _offsets: list[int] = field(default_factory=list)

    @property
    def commands(self) -> tuple["SimpleCommand", ...]:
        return self.script.commands

    def offset(self, i: int) -> int:
        offs = self._offsets
        if not offs:
            return self.instruction.args_span.start
        if i < 0:
            i = 0
        if i >= len(offs):
            return offs[-1] + 1
        return offs[i]

    def word_position(self, word: "Word") -> Position:
        start = self.offset(word.start)
        end = self.offset(word.end - 1) + 1 if word.end > word.start else start
        return position(self.df, start, end)

    def subword_position(self, word: "Word", skip: int) -> Position:
        """Position of ``word`` without its first ``skip`` characters (``-rfile``, ``--requirement=file``)."""
        if skip <= 0 or word.raw != word.text:
            return self.word_position(word)
        start = self.offset(word.start + skip)
        end = self.offset(word.end - 1) + 1
        return position(self.df, start, end)


def _heredoc_offsets(ins: "Instruction") -> list[int]:
    """File offsets for each character of the concatenated heredoc contents."""
    out: list[int] = []
    for h in ins.heredocs:
        base = h.span.start
        if h.chomp and h.raw_content != h.content:
            raw_lines = h.raw_content.splitlines(keepends=True)
            pos = base
            for raw in raw_lines:
                tabs = len(raw) - len(raw.lstrip("\t"))
                out.extend(range(pos + tabs, pos + len(raw)))
                pos += len(raw)
        else:
            out.extend(range(base, base + len(h.content)))
    return out


def run_script(df: "Dockerfile", ins: "Instruction") -> RunScript | None:
    """The parsed shell of a shell-form RUN (heredocs included); None for exec form or non-shell heredocs."""
    if ins.keyword != "RUN" or ins.sub is not None:
        return None
    from dockyard.parsers.shell import parse_shell

    if ins.json_form:
        return _exec_form(df, ins)
    text = ins.shell_text
    if not text:
        return None
    if ins.heredocs:
        head = ins.value[0] if ins.value else ""
        if text.startswith("#!") and not text.split("\n", 1)[0].rstrip().endswith(("sh", "bash", "dash", "ash")):
            return None
        if text == "".join(h.content for h in ins.heredocs):
            offs = _heredoc_offsets(ins)
        else:
            offs = args_offsets(df, ins)[: len(head)]
            offs += [offs[-1] + 1 if offs else ins.args_span.end]  # the joining newline
            offs += _heredoc_offsets_with_names(ins)
        return RunScript(df, ins, parse_shell(text), offs)
    return RunScript(df, ins, parse_shell(text), args_offsets(df, ins))


def _heredoc_offsets_with_names(ins: "Instruction") -> list[int]:
    out: list[int] = []
    for h in ins.heredocs:
        base = h.span.start
        out.extend(range(base, base + len(h.content)))
        end = base + len(h.raw_content)
        out.extend(range(end, end + len(h.name) + 1))
    return out


def _exec_form(df: "Dockerfile", ins: "Instruction") -> RunScript | None:
    """``RUN ["pip", "install", "x"]`` as one simple command (positions found in the JSON text)."""
    from dockyard.parsers.shell import ShellScript, SimpleCommand, Word

    args = ins.args_text
    offs = args_offsets(df, ins)
    words = []
    pos = 0
    for v in ins.value:
        import json

        quoted = json.dumps(v)
        k = args.find(quoted, pos)
        if k == -1:
            k = args.find(v, pos)
            s, e = (k, k + len(v)) if k != -1 else (pos, pos)
        else:
            s, e = k + 1, k + len(quoted) - 1
        words.append(Word(v, v, s, e))
        pos = max(pos, e)
    cmd = SimpleCommand(tuple(words), (), 0, len(args), False, False)
    return RunScript(df, ins, ShellScript(args, (cmd,), False), offs)


def run_scripts(df: "Dockerfile", instructions) -> Iterator[RunScript]:
    for ins in instructions:
        rs = run_script(df, ins)
        if rs is not None:
            yield rs


# ---------------------------------------------------------------------------------------------- pip
_PIP_VALUE = frozenset({
    "--requirement", "--constraint", "--editable", "--index-url", "--extra-index-url", "--find-links",
    "--wheel-dir", "--target", "--prefix", "--root", "--src", "--platform", "--python-version",
    "--implementation", "--abi", "--only-binary", "--no-binary", "--progress-bar", "--cache-dir",
    "--trusted-host", "--log", "--log-file", "--timeout", "--retries", "--proxy", "--exists-action", "--cert",
    "--client-cert", "--upgrade-strategy", "--config-settings", "--global-option", "--build-option",
    "--report", "--python", "--root-user-action", "--keyring-provider", "--use-feature", "--hash",
    "--resolution", "--index-strategy", "--extra", "--group", "--prerelease", "--override",
    "--build-constraint", "--index", "--default-index", "--python-platform", "--link-mode",
    "--reinstall-package", "--upgrade-package", "--no-binary-package", "--no-build-package",
})
_PIP_SHORT = {
    "r": "--requirement", "c": "--constraint", "e": "--editable", "i": "--index-url", "f": "--find-links",
    "w": "--wheel-dir", "t": "--target", "U": "--upgrade", "q": "--quiet", "v": "--verbose",
    "I": "--ignore-installed", "C": "--config-settings", "P": "--upgrade-package",
}
_PIP_SHORT_VALUE = frozenset("rcefiwtCP")


@dataclass
class PipOption:
    name: str  # long form, e.g. "--requirement"
    word: "Word"  # the word holding the option
    value: str | None = None
    value_word: "Word | None" = None
    value_skip: int = 0  # characters of value_word before the value (``-rfile`` -> 2)


@dataclass
class PipCall:
    """One `pip <subcommand>` invocation, however it is spelled (pip, pip3, python -m pip, uv pip)."""

    run: RunScript
    command: "SimpleCommand"
    tool: str  # "pip" or "uv"
    subcommand: str
    sub_word: "Word"
    options: list[PipOption]
    targets: list["Word"]  # positional arguments (package specs, paths)

    def has(self, *names: str) -> bool:
        return any(o.name in names for o in self.options)

    def values(self, *names: str) -> list[PipOption]:
        return [o for o in self.options if o.name in names and o.value is not None]

    def value_position(self, opt: PipOption) -> Position:
        if opt.value_word is None:
            return self.run.word_position(opt.word)
        return self.run.subword_position(opt.value_word, opt.value_skip)

    @property
    def is_install(self) -> bool:
        return self.subcommand in ("install", "wheel", "sync", "download")

    @property
    def downloads(self) -> bool:
        """Whether pip may fetch from an index (no `--no-index`)."""
        return not self.has("--no-index")


def _is_python(name: str) -> bool:
    if not name.startswith("python"):
        return False
    rest = name[6:]
    if rest.endswith("m"):
        rest = rest[:-1]
    return rest == "" or all(p.isdigit() for p in rest.split(".")) and not rest.startswith(".")


def _is_pip(name: str) -> bool:
    if not name.startswith("pip"):
        return False
    rest = name[3:]
    return rest == "" or all(p.isdigit() for p in rest.split(".") if p) and rest[0].isdigit()


_WRAPPERS = frozenset({"sudo", "env", "exec", "nice", "nohup", "time", "command", "xargs", "su-exec", "gosu"})


def _unwrap(argv: tuple) -> tuple:
    """Drop wrappers such as `env A=1`, `sudo`, `exec` in front of the real program."""
    i = 0
    import os.path

    while i < len(argv) and os.path.basename(argv[i].text) in _WRAPPERS:
        i += 1
        while i < len(argv) and (argv[i].text.startswith("-") or "=" in argv[i].text):
            i += 1
    return argv[i:]


def pip_call(run: RunScript, cmd: "SimpleCommand") -> PipCall | None:
    import os.path

    argv = _unwrap(cmd.argv)
    if not argv:
        return None
    name = os.path.basename(argv[0].text)
    rest: tuple
    tool = "pip"
    if _is_pip(name):
        rest = argv[1:]
    elif _is_python(name):
        k = 1
        while k < len(argv):
            t = argv[k].text
            if t == "-m":
                if k + 1 < len(argv) and argv[k + 1].text == "pip":
                    break
                return None
            if t == "-mpip":
                k -= 1
                break
            if t in ("-X", "-W"):
                k += 2
                continue
            if not t.startswith("-"):
                return None
            k += 1
        else:
            return None
        rest = argv[k + 2:]
    elif name == "uv":
        k = 1
        while k < len(argv) and argv[k].text.startswith("-"):
            k += 1
        if k < len(argv) and argv[k].text == "pip":
            rest = argv[k + 1:]
            tool = "uv"
        else:
            return None
    else:
        return None
    # global options before the subcommand
    k = 0
    while k < len(rest) and rest[k].text.startswith("-"):
        k += 2 if rest[k].text in _PIP_VALUE else 1
    if k >= len(rest):
        return None
    sub = rest[k]
    options, targets = _pip_args(rest[k + 1:])
    return PipCall(run, cmd, tool, sub.text, sub, options, targets)


def _pip_args(words: tuple) -> tuple[list[PipOption], list]:
    options: list[PipOption] = []
    targets: list = []
    i = 0
    n = len(words)
    only_pos = False
    while i < n:
        w = words[i]
        t = w.text
        if only_pos or not t.startswith("-") or t == "-":
            targets.append(w)
            i += 1
            continue
        if t == "--":
            only_pos = True
            i += 1
            continue
        if t.startswith("--"):
            long, eq, val = t.partition("=")
            if eq:
                options.append(PipOption(long, w, val, w, len(long) + 1))
            elif long in _PIP_VALUE and i + 1 < n:
                options.append(PipOption(long, w, words[i + 1].text, words[i + 1]))
                i += 1
            else:
                options.append(PipOption(long, w))
            i += 1
            continue
        # short options, possibly bundled (-qU, -rfile)
        body = t[1:]
        j = 0
        consumed_next = False
        while j < len(body):
            ch = body[j]
            long = _PIP_SHORT.get(ch, "-" + ch)
            if ch in _PIP_SHORT_VALUE:
                if j + 1 < len(body):
                    options.append(PipOption(long, w, body[j + 1:], w, j + 2))
                elif i + 1 < n:
                    options.append(PipOption(long, w, words[i + 1].text, words[i + 1]))
                    consumed_next = True
                else:
                    options.append(PipOption(long, w))
                break
            options.append(PipOption(long, w))
            j += 1
        i += 2 if consumed_next else 1
    return options, targets


def pip_calls(df: "Dockerfile", instructions) -> Iterator[PipCall]:
    for rs in run_scripts(df, instructions):
        for cmd in rs.commands:
            call = pip_call(rs, cmd)
            if call is not None:
                yield call


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


def truthy(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on", "y")


# ------------------------------------------------------------------------------- package managers
@dataclass
class PackageInstall:
    run: RunScript
    command: "SimpleCommand"
    manager: str
    packages: list["Word"]


_PM_VALUE = {
    "apt-get": {"-o", "-c", "-t", "--target-release", "--option", "--config-file"},
    "apt": {"-o", "-c", "-t", "--target-release", "--option", "--config-file"},
    "apk": {"-X", "--repository", "-t", "--virtual", "-p", "--root", "--repositories-file", "--cache-dir",
            "--arch", "--keys-dir"},
    "yum": {"-c", "--config", "--enablerepo", "--disablerepo", "--setopt", "-x", "--exclude", "--releasever",
            "--installroot"},
}
_PM_VALUE["dnf"] = _PM_VALUE["yum"]
_PM_VALUE["microdnf"] = _PM_VALUE["yum"]
_INSTALL_VERBS = {"apt-get": {"install"}, "apt": {"install"}, "apk": {"add"}, "yum": {"install"},
                  "dnf": {"install"}, "microdnf": {"install"}}
_REMOVE_VERBS = {"apt-get": {"purge", "remove"}, "apt": {"purge", "remove"}, "apk": {"del"},
                 "yum": {"remove", "erase"}, "dnf": {"remove", "erase"}, "microdnf": {"remove"}}


def _pm_split(cmd: "SimpleCommand") -> tuple[str, str, list, dict[str, str]] | None:
    import os.path

    argv = _unwrap(cmd.argv)
    if not argv:
        return None
    mgr = os.path.basename(argv[0].text)
    if mgr not in _INSTALL_VERBS:
        return None
    takes = _PM_VALUE.get(mgr, set())
    verb = ""
    pkgs: list = []
    opts: dict[str, str] = {}
    i = 1
    while i < len(argv):
        t = argv[i].text
        if t.startswith("-"):
            name, eq, val = t.partition("=")
            if not eq and name in takes and i + 1 < len(argv):
                opts[name] = argv[i + 1].text
                i += 2
                continue
            opts[name] = val if eq else ""
            i += 1
            continue
        if not verb:
            verb = t
        else:
            pkgs.append(argv[i])
        i += 1
    return mgr, verb, pkgs, opts


def package_installs(df: "Dockerfile", instructions) -> Iterator[PackageInstall]:
    """System package installs (apt-get/apt/apk/yum/dnf), minus packages removed again in the same RUN."""
    for rs in run_scripts(df, instructions):
        removed: set[str] = set()
        found: list[tuple] = []
        for cmd in rs.commands:
            parts = _pm_split(cmd)
            if parts is None:
                continue
            mgr, verb, pkgs, opts = parts
            if verb in _REMOVE_VERBS.get(mgr, ()):
                removed.update(package_name(w.text) for w in pkgs)
            elif verb in _INSTALL_VERBS[mgr]:
                virtual = opts.get("--virtual") or opts.get("-t")
                found.append((cmd, mgr, pkgs, virtual if mgr == "apk" else None))
        for cmd, mgr, pkgs, virtual in found:
            if virtual and virtual in removed:
                continue
            kept = [w for w in pkgs if package_name(w.text) not in removed]
            yield PackageInstall(rs, cmd, mgr, kept)


def package_name(spec: str) -> str:
    """`gcc=4:12.2.0-3` / `gcc~12` / `gcc>1` -> `gcc`."""
    for sep in ("=", "~", ">", "<"):
        spec = spec.split(sep, 1)[0]
    return spec.lower()

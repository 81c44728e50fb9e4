"""The shell commands Dockerfile instructions run, and the package-manager calls among them.

* :func:`instruction_script`: the parsed shell of a RUN/CMD/ENTRYPOINT/HEALTHCHECK CMD (heredocs included, and
  the script of an exec form ``["sh", "-c", "..."]``), with file positions for every script offset, taken from
  the parser (:meth:`Instruction.shell_source_offset`);
* :func:`run_scripts`: that script for every RUN of a list of instructions;
* :func:`package_call` / :func:`calls`: apt-get/apt/apk/pip invocations split into subcommand and package words;
  :func:`pip_call`: pip and `uv pip` with their options; :func:`package_installs`: system
  package installs minus what the same RUN removes again.

Used by the DF rules, the .dockerignore rules and the CI/Python rules that read RUN instructions, by the
lock-file reader (:mod:`dockyard.locks`) and by ``fix``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from dockyard import TYPE_CHECKING, memo
from dockyard.analysis.stages import foreign_shell, position, span_position
from dockyard.model import Edit, Position
from dockyard.parsers.buildkit_lines import json_string
from dockyard.parsers.shell import ShellScript, SimpleCommand, Word, parse_shell, statement_tail
from dockyard.records import record

if TYPE_CHECKING:  # pragma: no cover
    from dockyard.model import Edit
    from dockyard.parsers.dockerfile import Dockerfile, Instruction
    from dockyard.parsers.shell import ShellScript, SimpleCommand, Tail, Word

SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh"})
_SHELL_FLAGS = frozenset({"-c", "-ec", "-ce", "-lc"})
# Names only a shell runs: POSIX special and regular built-ins that no image ships as a program, bash's and the
# reserved words. An exec-form command cannot start with one (`["exec", "app"]`: "exec: not found").
SHELL_BUILTINS = frozenset({
    ".", ":", "break", "continue", "eval", "exec", "exit", "export", "readonly", "return", "set", "shift", "times",
    "trap", "unset", "alias", "bg", "cd", "command", "fc", "fg", "getopts", "hash", "jobs", "read", "type",
    "ulimit", "umask", "unalias", "wait", "source", "declare", "typeset", "local", "let", "shopt", "builtin",
    "enable", "history", "logout", "popd", "pushd", "dirs", "disown", "suspend", "mapfile", "readarray", "compgen",
    "complete", "caller", "bind", "help", "coproc", "select", "function", "if", "then", "else", "elif", "fi", "for",
    "while", "until", "do", "done", "case", "esac", "in", "time", "!", "{", "}", "[[", "]]",
})


def exec_argv(ins: "Instruction") -> tuple[str, ...]:
    """The argv of an exec-form CMD/ENTRYPOINT/RUN or HEALTHCHECK CMD (() for shell forms)."""
    if ins.keyword == "HEALTHCHECK":
        # the parser keeps HEALTHCHECK as ("CMD", args...) with json_form set for the exec form
        v = ins.value
        if ins.json_form and v and v[0].upper() == "CMD":
            return tuple(v[1:])
        return ()
    return tuple(ins.value) if ins.json_form else ()


# ----------------------------------------------------------------------------------------- scripts
@record
class InstructionScript:
    """The shell an instruction runs, with a way back from script offsets to file offsets."""

    df: "Dockerfile"
    instruction: "Instruction"
    script: "ShellScript"
    # file offset of script offset i (i == len(text): just after the script); None when not known
    source_offset: Callable[[int], int] | None

    @property
    def text(self) -> str:
        return self.script.script

    @property
    def commands(self) -> tuple["SimpleCommand", ...]:
        return self.script.commands

    @property
    def has_error(self) -> bool:
        return self.script.has_error

    def offset(self, i: int) -> int:
        """File offset of script character ``i`` (the start of the arguments when positions are unknown)."""
        if self.source_offset is None:
            return self.instruction.args_span.start
        return self.source_offset(min(max(i, 0), len(self.text)))

    def file_range(self, start: int, end: int) -> tuple[int, int] | None:
        """File offsets of script characters ``start:end`` (None when unknown or empty)."""
        if self.source_offset is None or not self.text or start >= len(self.text) or end <= start:
            return None
        return self.offset(start), self.offset(min(end, len(self.text)) - 1) + 1

    def word_position(self, word: "Word") -> Position:
        r = self.file_range(word.start, word.end)
        if r is None:
            if self.source_offset is None:
                return span_position(self.instruction.keyword_span)
            start = self.offset(word.start)
            return position(self.df, start, start)
        return position(self.df, *r)

    def tail(self) -> "Tail | None":
        """How a shell-form script written in the file ends (:func:`dockyard.parsers.shell.statement_tail`); None
        for exec forms, heredocs, unknown positions, syntax errors and scripts ending in a heredoc."""
        ins = self.instruction
        if self.source_offset is None or ins.json_form or ins.heredocs or self.has_error:
            return None
        return statement_tail(self.text)

    def and_then(self, command: str) -> "Edit | None":
        """An edit that runs ``command`` once the script has succeeded: `&& command` on a continuation line after
        its last statement. A `;` ending the script is dropped (the RUN's status is the statement's either way); a
        comment ending it stays, after the command. None when the script ends in `&` (a background job), or
        :meth:`tail` is unknown."""
        tail = self.tail()
        if tail is None or tail.operator == "&":
            return None
        start, end = self.offset(tail.end - 1) + 1, self.offset(tail.after - 1) + 1
        return Edit(start, end, f" {self.df.escape}\n    && {command}")

    def subword_position(self, word: "Word", skip: int) -> Position:
        """Position of ``word`` without its first ``skip`` characters (``-rfile``, ``--requirement=file``)."""
        if skip <= 0 or word.raw != word.text:
            return self.word_position(word)
        return self.word_position(_shifted(word, skip))


def _shifted(word: "Word", skip: int) -> "Word":
    return Word(word.text[skip:], word.raw[skip:], word.start + skip, word.end)


# Every rule asks for the same scripts and package calls: compute each once (:mod:`dockyard.memo`: emptied when a
# project's rules have run). Only values that carry no file position may be keyed by a parsed command or word
# (``parse_shell`` shares them between every instruction with the same text): a :class:`Call` holds script
# offsets only; a :class:`PipCall` holds its instruction and is cached on it.
_SCRIPTS = memo.table()
_CALLS = memo.table()


def instruction_script(df: "Dockerfile", ins: "Instruction") -> InstructionScript | None:
    """:func:`_instruction_script`, computed once per instruction."""
    return memo.remembered(_SCRIPTS, ins, lambda: _instruction_script(df, ins))


def _instruction_script(df: "Dockerfile", ins: "Instruction") -> InstructionScript | None:
    """The shell script of a RUN/CMD/ENTRYPOINT/HEALTHCHECK CMD; the inner script of an exec form
    ``["sh", "-c", "..."]``; an exec-form RUN as one simple command. None for other exec forms, for other
    instructions and for heredocs with a non-shell interpreter line."""
    kw = ins.keyword
    if kw not in ("RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK") or ins.sub is not None:
        return None
    if kw == "HEALTHCHECK" and not (ins.value and ins.value[0].upper() == "CMD"):
        return None
    if ins.json_form:
        return _exec_form(df, ins)
    text = ins.shell_text
    if not text or foreign_shell(df, ins):
        return None
    if ins.heredocs and text.startswith("#!") and not text.split("\n", 1)[0].rstrip().endswith(
            ("sh", "bash", "dash", "ash")):
        return None
    return InstructionScript(df, ins, parse_shell(text), ins.shell_source_offset)


def _exec_form(df: "Dockerfile", ins: "Instruction") -> InstructionScript | None:
    argv = exec_argv(ins)
    args = ins.args_text
    if len(argv) >= 3 and argv[0].rsplit("/", 1)[-1] in SHELLS and argv[1] in _SHELL_FLAGS:
        # findings in the script of ``["sh", "-c", "..."]`` point at the instruction's keyword
        return InstructionScript(df, ins, parse_shell(argv[2]), None)
    if ins.keyword != "RUN" or not argv:
        return None
    # ``RUN ["pip", "install", "x"]``: one simple command whose words sit in the JSON text
    words = []
    pos = 0
    for v in argv:
        quoted = json_string(v)
        k = args.find(quoted, pos)
        if k == -1:
            k = args.find(v, pos)
            s, e = (k, k + len(v)) if k != -1 else (pos, pos)
        else:
            s, e = k + 1, k + len(quoted) - 1
        words.append(Word(v, v, s, e))
        pos = max(pos, e)
    cmd = SimpleCommand(tuple(words), (), 0, len(args), False, False)
    return InstructionScript(df, ins, ShellScript(args, (cmd,), False), ins.source_offset)


def run_script(df: "Dockerfile", ins: "Instruction") -> InstructionScript | None:
    """:func:`instruction_script` of a RUN (None for any other instruction)."""
    return instruction_script(df, ins) if ins.keyword == "RUN" else None


def run_scripts(df: "Dockerfile", instructions) -> Iterator[InstructionScript]:
    for ins in instructions:
        rs = run_script(df, ins)
        if rs is not None:
            yield rs


# ------------------------------------------------------------------------------ programs and wrappers
_WRAPPERS = frozenset({"sudo", "env", "exec", "nice", "nohup", "time", "command", "xargs", "su-exec", "gosu"})

_UNWRAPPED = memo.table()


def unwrap(argv: tuple) -> tuple:
    """Drop wrappers such as `env A=1`, `sudo`, `exec` in front of the real program."""
    return memo.remembered(_UNWRAPPED, argv, lambda: _unwrap(argv))


def _unwrap(argv: tuple) -> tuple:
    import os.path

    i = 0
    while i < len(argv) and os.path.basename(argv[i].text) in _WRAPPERS:
        i += 1
        while i < len(argv) and (argv[i].text.startswith("-") or "=" in argv[i].text):
            i += 1
    return argv[i:]


def pipe_sides(pipe: int, commands) -> tuple["SimpleCommand | None", "SimpleCommand | None"]:
    """The commands on either side of the pipe at script offset ``pipe``: the outermost one that ends last before
    it (`echo` in `echo "$(date)" | tr`), and the first that starts after it."""
    left = [c for c in commands if c.end <= pipe]
    before = min(left, key=lambda c: (-c.end, c.start)) if left else None
    after = next((c for c in commands if c.start > pipe), None)
    return before, after


# programs that download a URL and can print it for a pipe
FETCHERS = frozenset({"curl", "wget"})


def piped_remote_scripts(script: "InstructionScript") -> list["SimpleCommand"]:
    """The shells of a script that run what a download pipes into them (`curl -fsSL URL | bash -`, `wget -qO- URL
    | sudo -E sh -s -- ARGS`): remote scripts, whose commands cannot be read here. A shell given `-c` runs its
    argument, not its input, and is not one."""
    import os.path

    out = []
    for pipe in script.script.pipes:
        before, after = pipe_sides(pipe, script.commands)
        fetch = unwrap(before.argv) if before is not None else ()
        if after is None or not fetch or os.path.basename(fetch[0].text) not in FETCHERS:
            continue
        argv = unwrap(after.argv)
        if argv and os.path.basename(argv[0].text) in SHELLS and not any(w.text == "-c" for w in argv[1:]):
            out.append(after)
    return out


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


def _pip_words(argv: tuple) -> tuple[str, tuple] | None:
    """("pip" or "uv", the words after `pip`) when ``argv`` runs pip: pip, pip3, python -m pip, uv pip."""
    import os.path

    name = os.path.basename(argv[0].text)
    if _is_pip(name):
        return "pip", argv[1:]
    if _is_python(name):
        k = 1
        while k < len(argv):
            t = argv[k].text
            if t == "-m":
                if k + 1 < len(argv) and argv[k + 1].text in ("pip", "pip3"):
                    return "pip", argv[k + 2:]
                return None
            if t == "-mpip":
                return "pip", argv[k + 1:]
            if t in ("-X", "-W"):
                k += 2
                continue
            if not t.startswith("-"):
                return None
            k += 1
        return None
    if name == "uv":
        k = 1
        while k < len(argv) and argv[k].text.startswith("-"):
            k += 1
        if k < len(argv) and argv[k].text == "pip":
            return "uv", argv[k + 1:]
    return None


# --------------------------------------------------------------------------------------------- pip
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


@record
class PipOption:
    name: str  # long form, e.g. "--requirement"
    word: "Word"  # the word holding the option
    value: str | None = None
    value_word: "Word | None" = None
    value_skip: int = 0  # characters of value_word before the value (``-rfile`` -> 2)


@record
class PipCall:
    """One `pip <subcommand>` invocation, however it is spelled (pip, pip3, python -m pip, uv pip)."""

    run: InstructionScript
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


# What the commands of each script compute once (:func:`pip_call`): parse results are shared by every instruction
# with the same text, so anything that holds a script (and its file positions) is cached per script, keyed by
# command id, here rather than on the script: a PipCall holds its script, and a script holding its PipCalls would
# be a cycle that keeps the whole Dockerfile alive until a full garbage collection.
_PIP_CALLS = memo.table()


def pip_call(run: InstructionScript, cmd: "SimpleCommand") -> PipCall | None:
    """The pip invocation ``cmd`` (one of ``run.commands``) makes in ``run``, computed once per instruction.

    The result holds ``run`` and so the file positions of this instruction: it is cached per ``run``, never by
    the command alone (an identical RUN elsewhere shares the parsed command but not its place in the file)."""
    calls = memo.remembered(_PIP_CALLS, run, dict)
    hit = calls.get(id(cmd))
    if hit is not None and hit[0] is cmd:
        return hit[1]
    call = _pip_call(run, cmd)
    calls[id(cmd)] = (cmd, call)
    return call


def _pip_call(run: InstructionScript, cmd: "SimpleCommand") -> PipCall | None:
    argv = unwrap(cmd.argv)
    if not argv:
        return None
    found = _pip_words(argv)
    if found is None:
        return None
    tool, rest = found
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


# ------------------------------------------------------------------------------------- project managers
# Options of `uv` that take a value (before or after the subcommand), so that their value is not taken for
# the subcommand: `uv --directory app sync`.
_UV_GLOBAL_VALUE = frozenset({"--directory", "--project", "--cache-dir", "--config-file", "--python", "-p",
                              "--color", "--allow-insecure-host", "--index", "--default-index", "--index-url",
                              "--extra-index-url", "--find-links", "-f"})
_MANAGER_SUBCOMMANDS = {"uv": {"sync", "export"}, "poetry": {"install", "sync", "export"},
                        "pdm": {"install", "sync", "export"}, "pipenv": {"install", "sync"}}
# the options that choose what a manager installs from its lock (groups, extras, workspace packages), as (those that
# take a value, those that do not)
_SELECTING = {
    "poetry": ({"--with", "--without", "--only", "-E", "--extras"}, {"--all-extras", "--all-groups", "--no-dev"}),
    "uv": ({"--extra", "--no-extra", "--group", "--no-group", "--only-group", "--package"},
           {"--all-extras", "--all-groups", "--no-dev", "--only-dev", "--dev", "--no-default-groups",
            "--all-packages"}),
    "pdm": ({"-G", "--group", "--without"}, {"--prod", "--production", "-d", "--dev", "--no-default"}),
    "pipenv": ({"--categories"}, {"--dev"}),
}


@record
class ManagerCall:
    """A project manager installing (or exporting) a project's dependencies: ``uv sync``, ``uv export``,
    ``poetry install|sync|export``, ``pdm install|sync|export``, ``pipenv install|sync``."""

    command: "SimpleCommand"
    tool: str
    subcommand: str
    sub_word: "Word"
    words: tuple  # the words after the subcommand

    def has(self, *flags: str) -> bool:
        for w in self.words:
            for f in flags:
                if w.text == f or (f.startswith("--") and w.text.startswith(f + "=")):
                    return True
        return False

    def value(self, *flags: str) -> "Word | None":
        """The word after ``flag`` (or the part after ``flag=``; then the word itself)."""
        for i, w in enumerate(self.words):
            for f in flags:
                if w.text == f and i + 1 < len(self.words):
                    return self.words[i + 1]
                if f.startswith("--") and w.text.startswith(f + "="):
                    return w
        return None

    @property
    def installs(self) -> bool:
        return self.subcommand in ("sync", "install")

    @property
    def installs_project_only(self) -> bool:
        """Installs the project itself and nothing else (``poetry install --only-root``)."""
        return self.tool == "poetry" and self.has("--only-root")

    @property
    def installs_dependencies(self) -> bool:
        return self.installs and not self.installs_project_only

    @property
    def selection(self) -> tuple[str, frozenset]:
        """The tool and what it is told to install from the lock (its group, extra and package options with their
        values): two installs that agree on it install the same packages."""
        valued, flags = _SELECTING.get(self.tool, (set(), set()))
        words = [w.text for w in self.words]
        chosen = set()
        for i, t in enumerate(words):
            name, eq, value = t.partition("=")
            if name in valued:
                chosen.add((name, value if eq else words[i + 1] if i + 1 < len(words) else ""))
            elif t in flags:
                chosen.add((t, ""))
        return self.tool, frozenset(chosen)

    @property
    def offline(self) -> bool:
        """Installs without the package index (a local wheelhouse only)."""
        if self.tool == "uv":
            return self.has("--offline") or (self.has("--no-index") and self.has("--find-links", "-f"))
        return False


def manager_call(cmd: "SimpleCommand") -> ManagerCall | None:
    import os.path

    argv = unwrap(cmd.argv)
    if not argv:
        return None
    tool = os.path.basename(argv[0].text)
    k = 1
    if tool in ("python", "python3") or _is_python(tool):
        if len(argv) > 2 and argv[1].text == "-m" and argv[2].text in ("poetry", "pdm", "pipenv", "uv"):
            tool, k = argv[2].text, 3
        else:
            return None
    if tool not in _MANAGER_SUBCOMMANDS:
        return None
    while k < len(argv) and argv[k].text.startswith("-"):
        k += 2 if argv[k].text in _UV_GLOBAL_VALUE and tool == "uv" else 1
    if k >= len(argv) or argv[k].text not in _MANAGER_SUBCOMMANDS[tool]:
        return None
    return ManagerCall(cmd, tool, argv[k].text, argv[k], tuple(argv[k + 1:]))


# ------------------------------------------------------------------------------- package managers
_SYSTEM_VALUE = {
    "apt-get": frozenset({"-o", "-c", "-t", "--target-release", "--default-release", "--option", "--config-file"}),
    "apk": frozenset({"-X", "--repository", "-t", "--virtual", "-p", "--root", "--repositories-file", "--cache-dir",
                      "--arch", "--keys-dir", "--cache-max-age"}),
    "yum": frozenset({"-c", "--config", "--enablerepo", "--disablerepo", "--setopt", "-x", "--exclude",
                      "--releasever", "--installroot"}),
}
_SYSTEM_VALUE["apt"] = _SYSTEM_VALUE["apt-get"]
_SYSTEM_VALUE["dnf"] = _SYSTEM_VALUE["microdnf"] = _SYSTEM_VALUE["yum"]
_PIP_ALL_VALUE = _PIP_VALUE | {"-" + c for c in _PIP_SHORT_VALUE} | {"-p"}
_INSTALL_VERBS = {"apt-get": {"install"}, "apt": {"install"}, "apk": {"add"}, "yum": {"install"},
                  "dnf": {"install"}, "microdnf": {"install"}}
_REMOVE_VERBS = {"apt-get": {"purge", "remove"}, "apt": {"purge", "remove"}, "apk": {"del"},
                 "yum": {"remove", "erase"}, "dnf": {"remove", "erase"}, "microdnf": {"remove"}}


@record
class Call:
    """A package-manager invocation: ``tool`` is apt-get/apt/apk/pip; ``words`` follow the subcommand."""

    tool: str
    sub: str
    sub_word: "Word"
    command: "SimpleCommand"
    words: tuple  # Word objects after the subcommand
    packages: tuple  # Word objects naming packages (option values skipped)


def package_call(cmd: "SimpleCommand") -> Call | None:
    """The apt-get/apt/apk/pip call ``cmd`` makes (wrappers such as `sudo` or `env A=1` skipped), if any."""
    return memo.remembered(_CALLS, cmd, lambda: _package_call(cmd))


def _package_call(cmd: "SimpleCommand") -> Call | None:
    import os.path

    argv = unwrap(cmd.argv)
    if not argv:
        return None
    name = os.path.basename(argv[0].text)
    if name in ("apt-get", "apt", "apk"):
        tool, rest, value_opts = name, argv[1:], _SYSTEM_VALUE[name]
    else:
        found = _pip_words(argv)
        if found is None:
            return None
        tool, rest, value_opts = "pip", found[1], _PIP_ALL_VALUE
    i = 0
    while i < len(rest) and rest[i].text.startswith("-"):
        t = rest[i].text
        i += 2 if (t in value_opts and "=" not in t) else 1
    if i >= len(rest):
        return None
    sub = rest[i]
    words = tuple(rest[i + 1:])
    packages = []
    j = 0
    while j < len(words):
        t = words[j].text
        if t == "--":
            packages.extend(words[j + 1:])
            break
        if t.startswith("-"):
            j += 2 if (t in value_opts and "=" not in t) else 1
            continue
        packages.append(words[j])
        j += 1
    return Call(tool, sub.text, sub, cmd, words, tuple(packages))


def calls(script: InstructionScript) -> Iterator[Call]:
    for cmd in script.commands:
        call = package_call(cmd)
        if call is not None:
            yield call


def is_install(call: Call) -> bool:
    return call.sub == ("add" if call.tool == "apk" else "install")


def installed_packages(df: "Dockerfile", instructions) -> set[str]:
    """Names of the system packages that ``instructions`` install and leave installed."""
    return {package_name(w.text).split(":", 1)[0]
            for inst in package_installs(df, instructions) for w in inst.packages}


@record
class PackageInstall:
    run: InstructionScript
    command: "SimpleCommand"
    packages: list["Word"]


def _pm_split(cmd: "SimpleCommand") -> tuple[str, str, list, dict[str, str]] | None:
    import os.path

    argv = unwrap(cmd.argv)
    if not argv:
        return None
    mgr = os.path.basename(argv[0].text)
    if mgr not in _INSTALL_VERBS:
        return None
    takes = _SYSTEM_VALUE[mgr]
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
    """System package installs (apt-get/apt/apk/yum/dnf), each with the packages still installed when its RUN
    ends: minus what a later command of the same RUN removes (see :func:`_kept_installs`)."""
    for rs in run_scripts(df, instructions):
        yield from _kept_installs(rs)


def _kept_installs(rs: InstructionScript) -> Iterator[PackageInstall]:
    """The installs of one RUN, replayed in order against what its later commands remove:

    * `apt-get purge/remove/autoremove`, `apk del`, `yum/dnf remove` of named packages; `apk del` of a `--virtual`
      group;
    * apt's auto-removal (`apt-get autoremove`, `purge/remove --auto-remove`) of the packages marked automatic
      by `apt-mark auto` (by name or pattern, e.g. the docker-library idiom `apt-mark auto '.*'` after saving
      `apt-mark showmanual`); `apt-get install` and `apt-mark manual <name>` mark a package manual again, and
      a manual package stays.
    """
    entries: list[tuple["SimpleCommand", str, list, list[bool]]] = []
    live: dict[str, list[tuple[int, int]]] = {}  # package name -> (entry, word) installs still in place
    groups: dict[str, list[tuple[int, int]]] = {}  # apk --virtual group -> its installs
    auto: set[str] = set()  # installed in this RUN and marked automatic since

    def remove(refs) -> None:
        for e, k in refs:
            entries[e][3][k] = True

    for cmd in rs.commands:
        mark = _apt_mark(cmd)
        if mark is not None:
            verb, args = mark
            if verb in ("auto", "markauto"):
                auto.update(_apt_mark_matches(args, live))
            elif verb in ("manual", "unmarkauto"):
                auto.difference_update(_apt_mark_matches(args, live))
            continue
        parts = _pm_split(cmd)
        if parts is None:
            continue
        mgr, verb, pkgs, opts = parts
        if verb in _INSTALL_VERBS[mgr]:
            e = len(entries)
            entries.append((cmd, mgr, pkgs, [False] * len(pkgs)))
            virtual = (opts.get("--virtual") or opts.get("-t")) if mgr == "apk" else None
            for k, w in enumerate(pkgs):
                name = package_name(w.text)
                live.setdefault(name, []).append((e, k))
                auto.discard(name)
                if virtual:
                    groups.setdefault(virtual, []).append((e, k))
            continue
        # `apt-get autoremove NAME` removes NAME too, as `remove --auto-remove NAME` does (apt's DoInstall takes
        # autoremove for a removal)
        if verb in _REMOVE_VERBS.get(mgr, ()) or (mgr in ("apt-get", "apt") and verb in ("autoremove", "auto-remove")):
            for w in pkgs:
                name = package_name(w.text)
                remove(live.pop(name, ()))
                if mgr == "apk":
                    remove(groups.pop(w.text, ()))
        if mgr in ("apt-get", "apt") and (verb == "autoremove" or (
                verb in _REMOVE_VERBS[mgr] and ("--auto-remove" in opts or "--autoremove" in opts))):
            for name in auto:
                remove(live.pop(name, ()))
            auto.clear()
    for cmd, mgr, pkgs, gone in entries:
        yield PackageInstall(rs, cmd, [w for w, g in zip(pkgs, gone) if not g])


def _apt_mark(cmd: "SimpleCommand") -> tuple[str, list[str]] | None:
    """(subcommand, arguments) of an `apt-mark` call (None for anything else)."""
    import os.path

    argv = unwrap(cmd.argv)
    if not argv or os.path.basename(argv[0].text) != "apt-mark":
        return None
    words = [w.text for w in argv[1:] if not w.text.startswith("-")]
    return (words[0], words[1:]) if words else None


_APT_REGEX_CHARS = frozenset(".?+*|[^$")
_APT_ALL_INSTALLED = frozenset({"~i", "?installed"})


def _apt_mark_matches(args: list[str], live: dict) -> set[str]:
    """The packages installed so far that `apt-mark` arguments name: literally, or by a regular expression as
    APT reads one (a name holding one of ``.?+*|[^$`` is searched for, unanchored, in every package name).
    Arguments whose value is only known when the RUN runs (``$savedAptMark``) name no package installed here."""
    import re

    found: set[str] = set()
    for arg in args:
        if "`" in arg or re.search(r"\$[A-Za-z_{(]", arg):
            continue
        if arg in _APT_ALL_INSTALLED:
            found.update(live)
        elif _APT_REGEX_CHARS.intersection(arg):
            try:
                pattern = re.compile(arg, re.IGNORECASE)
            except re.error:
                continue
            found.update(name for name in live if pattern.search(name))
        elif arg.lower() in live:
            found.add(arg.lower())
    return found


def package_name(spec: str) -> str:
    """`gcc=4:12.2.0-3` / `gcc~12` / `gcc>1` -> `gcc`."""
    for sep in ("=", "~", ">", "<"):
        spec = spec.split(sep, 1)[0]
    return spec.lower()

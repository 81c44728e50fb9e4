"""Shell analysis of RUN bodies and shell-form CMD/ENTRYPOINT for dockyard.

Built on tree-sitter-bash; tree-sitter is imported lazily, on the first script that the pure-Python fast
path for simple scripts declines, so that importing this module stays cheap.
"""

from __future__ import annotations

import functools
import os.path

from dockyard.records import record
from dockyard.regex import lazy_compile

__all__ = ["SimpleCommand", "ShellScript", "Tail", "Word", "parse_shell", "statement_tail", "unquote"]


@record(frozen=True, slots=True)
class Word:
    text: str  # static value: quotes and escapes removed, expansions left as written
    raw: str
    start: int  # character offsets into the script
    end: int


@record(frozen=True, slots=True)
class SimpleCommand:
    argv: tuple[Word, ...]
    assignments: tuple[str, ...]
    start: int
    end: int
    background: bool
    negated: bool
    redirects: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        if not self.argv:
            return ""
        return os.path.basename(self.argv[0].text)

    @property
    def args(self) -> tuple[str, ...]:
        return tuple(w.text for w in self.argv[1:])

    def has_flag(self, *flags: str) -> bool:
        """True if any of ``flags`` is present (``-y`` also matches inside ``-qy``)."""
        for a in self.args:
            if a == "--":
                break
            for f in flags:
                if a == f or (f.startswith("--") and a.startswith(f + "=")):
                    return True
                if len(f) == 2 and f[0] == "-" and f[1] != "-" and a.startswith("-") and not a.startswith("--"):
                    if f[1] in a[1:]:
                        return True
        return False


@record(frozen=True, slots=True)
class ShellScript:
    script: str
    commands: tuple[SimpleCommand, ...]
    has_error: bool
    pipes: tuple[int, ...] = ()  # offsets of the pipeline operators `|` and `|&` (in substitutions too)

    def find(self, name: str) -> list[SimpleCommand]:
        return [c for c in self.commands if c.name == name]


def unquote(s: str, dollar_quotes: bool = True) -> str:
    """Static shell quote removal (no expansion).

    ``dollar_quotes``: bash's ``$'..'`` / ``$".."`` lose their ``$``; BuildKit's own lexer (ENV, LABEL, ARG)
    keeps it.
    """
    if "'" not in s and '"' not in s and "\\" not in s:
        return s
    out = []
    i, n = 0, len(s)
    q = ""
    while i < n:
        c = s[i]
        if q == "'":
            if c == "'":
                q = ""
            else:
                out.append(c)
        elif q == '"':
            if c == '"':
                q = ""
            elif c == "\\" and i + 1 < n and s[i + 1] in '"\\$`\n':
                i += 1
                if s[i] != "\n":
                    out.append(s[i])
            else:
                out.append(c)
        else:
            if c in "'\"":
                q = c
            elif c == "\\" and i + 1 < n:
                i += 1
                if s[i] != "\n":
                    out.append(s[i])
            elif dollar_quotes and c == "$" and i + 1 < n and s[i + 1] in "'\"":
                pass  # $'..' / $".." : drop the $ and keep the quoted text
            else:
                out.append(c)
        i += 1
    return "".join(out)


_parser = None


def _get_parser():
    global _parser
    if _parser is None:
        import tree_sitter
        import tree_sitter_bash

        _parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))
    return _parser


_STATEMENT_CONTAINERS = frozenset(
    {"program", "list", "pipeline", "subshell", "compound_statement", "if_statement", "elif_clause",
     "else_clause", "for_statement", "c_style_for_statement", "while_statement", "do_group",
     "case_statement", "case_item", "function_definition", "redirected_statement", "negated_command"}
)


@functools.lru_cache(maxsize=4096)
def parse_shell(script: str) -> ShellScript:
    """Parse ``script`` and list every simple command in source order. Never raises."""
    try:
        fast = _parse_simple(script)
        if fast is not None:
            return fast
        return _parse(script)
    except Exception:  # pragma: no cover - defensive net
        return ShellScript(script, (), True)


# --- fast path ----------------------------------------------------------------------------------------------
# Scripts made only of plain or simply quoted words, the list operators && || ; | & and trailing
# redirections are tokenized directly; the result equals what the tree-sitter walk below reports
# (tests/parsers/test_shell_fastpath.py checks this differentially). Anything else returns None.

# group 1: leading blanks; 2: a word (plain characters, '..' strings, ".." strings without $ ` \\; no control
# characters but tab); 3: an operator; neither: only blanks matched (end of input, or a character the fast path
# declines).
_SIMPLE_TOKEN = lazy_compile(
    r"""([ \t]*)(?:((?:[A-Za-z0-9_./:,+@%^=-]+|'[^'\x00-\x08\n-\x1f\x7f]*'|"[^"$`\\\x00-\x08\n-\x1f\x7f]*")+)"""
    r"""|(&&|\|\||&>>|&>|&|;|\||>>|>&|>|<))?"""
)

# Command names that tree-sitter-bash does not report as simple commands (declaration / unset commands) or
# that start a compound statement; a command starting with one of them goes to tree-sitter.
_NOT_SIMPLE_NAMES = frozenset(
    {"if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "function",
     "select", "in", "time", "coproc", "declare", "typeset", "export", "readonly", "local", "unset", "unsetenv"}
)


# A command name is either plain (these characters, not led by a digit) and may hold quoted parts of the
# same characters, or one quoted string without "=". Other names can lex as something else (``00%``, ``a%``,
# ``a+:`` are errors).
_NAME_STARTS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_./'\"")
_NAME_CHARS = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-'\""
)
_REDIRECT_OPS = frozenset({">", ">>", "<", "&>", "&>>", ">&"})


def _parse_simple(script: str) -> ShellScript | None:
    """The tree-sitter result for a simple script, computed without tree-sitter; None when not simple."""
    match = _SIMPLE_TOKEN.match
    n = len(script)
    pos = 0
    commands: list[SimpleCommand] = []
    pipes: list[int] = []
    group_start = 0  # index in ``commands`` of the first command of the current and-or list
    argv: list[Word] = []
    redirected = False  # the current command has had a redirection: only more redirections may follow
    need_command = False  # after && || |
    while pos < n:
        m = match(script, pos)
        if m is None:
            return None
        pos = m.end()
        word = m.group(2)
        if word is not None:
            nxt = match(script, pos) if pos < n and script[pos] in "<>&" else None
            if nxt is not None and nxt.group(3) in _REDIRECT_OPS:
                # a word glued to a redirection: only a file descriptor number (not 0 or 0-led, which
                # tree-sitter reads differently) before > >> >&, and not after a lone "-", which tree-sitter
                # then drops
                if not (argv and word.isdigit() and word.isascii() and word[0] != "0"
                        and nxt.group(3) in (">", ">>", ">&") and argv[-1].raw != "-"):
                    return None
                pos = _simple_redirect_target(script, nxt.end(), nxt.group(3), match)
                if pos < 0:
                    return None
                redirected = True
                continue
            if redirected:
                return None  # tree-sitter folds words after a redirection into it
            text = word if ("'" not in word and '"' not in word) else unquote(word)
            if argv:
                if word.startswith("==") and (len(word) == 2 or word[2] in "'\""):
                    return None  # "==" is lexed as a test operator ("a ==" is an error, "a ==''" drops it)
            elif text in _NOT_SIMPLE_NAMES or not (
                (word[0] in _NAME_STARTS and _NAME_CHARS.issuperset(word))
                or (word[0] in "'\"" and word.find(word[0], 1) == len(word) - 1 and "=" not in word)
            ):
                return None
            argv.append(Word(text, word, m.start(2), pos))
            continue
        op = m.group(3)
        if op is None:  # trailing blanks
            if pos < n:
                return None
            break
        if op in _REDIRECT_OPS:
            if not argv or op == "&>>":
                return None
            pos = _simple_redirect_target(script, pos, op, match)
            if pos < 0:
                return None
            redirected = True
            continue
        if not argv:
            return None  # empty command: tree-sitter reports an error
        commands.append(SimpleCommand(tuple(argv), (), argv[0].start, argv[-1].end, False, False, ()))
        if op == "|":
            pipes.append(m.start(3))
        argv = []
        redirected = False
        need_command = op not in ("&", ";")
        if op == "&":
            for i in range(group_start, len(commands)):
                c = commands[i]
                commands[i] = SimpleCommand(c.argv, (), c.start, c.end, True, False, ())
        if not need_command:
            group_start = len(commands)
    if argv:
        commands.append(SimpleCommand(tuple(argv), (), argv[0].start, argv[-1].end, False, False, ()))
    elif need_command:
        return None  # dangling && || |
    return ShellScript(script, tuple(commands), False, tuple(pipes))


def _simple_redirect_target(script: str, pos: int, op: str, match) -> int:
    """End of the target word of a redirection whose operator ends at ``pos``; -1 if it is not simple."""
    m = match(script, pos)
    target = m.group(2) if m is not None else None
    if target is None or (op == ">&" and not (target.isdigit() and target.isascii())):
        return -1
    return m.end()


def _parse(script: str) -> ShellScript:
    data = script.encode("utf-8", "surrogatepass")
    if len(data) == len(script):
        def b2c(b: int) -> int:
            return b
    else:
        table: list[int] = []
        for ci, ch in enumerate(script):
            table.extend([ci] * len(ch.encode("utf-8", "surrogatepass")))
        table.append(len(script))

        def b2c(b: int) -> int:
            return table[b] if b < len(table) else len(script)

    tree = _get_parser().parse(data)
    root = tree.root_node
    commands: list[SimpleCommand] = []
    pipes: list[int] = []

    def text_of(node) -> str:
        return script[b2c(node.start_byte) : b2c(node.end_byte)]

    # iterative walk; each stack entry: (node, background, negated)
    stack = [(root, False, False)]
    while stack:
        node, bg, neg = stack.pop()
        t = node.type
        children = node.children
        if t == "command":
            argv: list[Word] = []
            assigns: list[str] = []
            redirects: list[str] = []
            for ch in children:
                ct = ch.type
                if ct == "variable_assignment":
                    if not argv:
                        assigns.append(text_of(ch))
                    else:
                        raw = text_of(ch)
                        argv.append(Word(unquote(raw), raw, b2c(ch.start_byte), b2c(ch.end_byte)))
                elif ct in ("file_redirect", "heredoc_redirect", "herestring_redirect"):
                    redirects.append(text_of(ch))
                elif ct == "command_name" or ch.is_named:
                    if ct == "comment":
                        continue
                    raw = text_of(ch)
                    argv.append(Word(unquote(raw), raw, b2c(ch.start_byte), b2c(ch.end_byte)))
            commands.append(
                SimpleCommand(tuple(argv), tuple(assigns), b2c(node.start_byte), b2c(node.end_byte), bg, neg,
                              tuple(redirects))
            )
            # commands inside command substitutions / process substitutions
            for ch in reversed(children):
                _push_substitutions(ch, stack, bg, neg)
            continue
        if t == "pipeline":
            pipes.extend(b2c(ch.start_byte) for ch in children if ch.type in ("|", "|&"))
        if t == "negated_command":
            neg = True
        # background: a statement directly followed by '&'
        kids = []
        for k, ch in enumerate(children):
            b = bg
            if k + 1 < len(children) and children[k + 1].type == "&":
                b = True
            kids.append((ch, b, neg))
        for item in reversed(kids):
            if item[0].is_named or item[0].child_count:
                stack.append(item)
    commands.sort(key=lambda c: c.start)
    return ShellScript(script, tuple(commands), root.has_error, tuple(sorted(pipes)))


def _push_substitutions(node, stack, bg, neg) -> None:
    todo = [node]
    found = []
    while todo:
        n = todo.pop()
        if n.type in ("command_substitution", "process_substitution"):
            found.append(n)
            continue
        todo.extend(n.children)
    for n in found:
        stack.append((n, bg, neg))


@record(frozen=True, slots=True)
class Tail:
    """How a script ends: where its last statement ends (``end``), the `;` or `&` that terminates it (``operator``,
    "" for none) and where that ends (``after``), and whether a comment follows (``comment``). Character offsets."""

    end: int
    operator: str
    after: int
    comment: bool


@functools.lru_cache(maxsize=1024)
def statement_tail(script: str) -> Tail | None:
    """How ``script`` ends, for a fix that runs something after it (`... && next`): None when the script has a
    syntax error, no statement, or ends in a heredoc (whose body must stay last)."""
    try:
        data = script.encode("utf-8", "surrogatepass")
        root = _get_parser().parse(data).root_node
    except Exception:  # pragma: no cover - defensive net
        return None
    if root.has_error:
        return None
    kids = list(root.children)
    comment = False
    while kids and kids[-1].type == "comment":
        comment = True
        kids.pop()
    operator, after_byte = "", None
    if kids and kids[-1].type in (";", "&"):
        operator, after_byte = kids[-1].type, kids[-1].end_byte
        kids.pop()
    if not kids or not kids[-1].is_named:
        return None
    last = kids[-1]
    todo = [last]
    while todo:
        node = todo.pop()
        if node.type in ("heredoc_body", "heredoc_redirect"):
            return None
        todo.extend(node.children)

    def chars(b: int) -> int:
        return len(data[:b].decode("utf-8", "surrogatepass"))

    end = chars(last.end_byte)
    return Tail(end, operator, chars(after_byte) if after_byte is not None else end, comment)

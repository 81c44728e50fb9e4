"""The pure-Python fast path of the shell parser must agree exactly with the tree-sitter walk."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockyard.parsers.shell import ShellScript, SimpleCommand, Word, _parse, _parse_simple, parse_shell

SETTINGS = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PLAIN = "abcxyzABZ0129_./:,+@%^=-"
NAME = "abcxyzABZ_./"
# text inside quotes may hold characters that are special outside them
QUOTED = "abc xyz019\t-_./=*?#!~()[]{}<>|&;'é中"
KEYWORDS = ["if", "then", "else", "fi", "for", "while", "do", "done", "case", "esac", "function",
            "export", "declare", "local", "unset", "readonly"]

blanks = st.text(alphabet=" \t", max_size=2)
blanks1 = st.text(alphabet=" \t", min_size=1, max_size=2)
plain = st.text(alphabet=PLAIN, min_size=1, max_size=6)
single = st.text(alphabet=QUOTED.replace("'", ""), max_size=5).map(lambda s: f"'{s}'")
double = st.text(alphabet=QUOTED, max_size=5).map(lambda s: f'"{s}"')
segment = st.one_of(plain, single, double)


# "==" alone or before a quote is lexed as a test operator: left to tree-sitter (see test_left_to_tree_sitter)
word = st.lists(segment, min_size=1, max_size=3).map("".join)
word = word.filter(lambda s: s != "==" and s[:3] not in ("=='", '=="'))
name = st.one_of(
    st.tuples(st.sampled_from(NAME), st.text(alphabet=NAME + "0129-", max_size=5)).map("".join)
    .filter(lambda s: s not in KEYWORDS),
    st.sampled_from(["apt-get", "pip", "echo", "test", "/usr/bin/env", "_x", ".venv/bin/x"]),
    double.filter(lambda s: "=" not in s and s[1:-1] not in KEYWORDS),
    single.filter(lambda s: "=" not in s and s[1:-1] not in KEYWORDS),
)
fd = st.sampled_from(["", "1", "2", "12"])
redirect = st.one_of(
    st.tuples(fd, st.sampled_from([">", ">>"]), blanks, word).map("".join),
    st.tuples(st.sampled_from(["<", "&>"]), blanks, word).map("".join),
    st.tuples(fd, st.just(">&"), blanks, st.sampled_from(["1", "2", "10"])).map("".join),
)


@st.composite
def command(draw) -> str:
    parts = [draw(name)]
    for w in draw(st.lists(word, max_size=4)):
        parts.append(draw(blanks1) + w)
    last_word = parts[-1].lstrip(" \t")
    for r in draw(st.lists(redirect, max_size=2)):
        if r[0].isdigit() and last_word == "-":
            continue  # tree-sitter drops a lone "-" before "2>": left to it (see test_left_to_tree_sitter)
        parts.append(draw(blanks1) + r)
    return "".join(parts)


@st.composite
def simple_script(draw) -> str:
    out = [draw(blanks), draw(command())]
    for _ in range(draw(st.integers(0, 4))):
        out += [draw(blanks), draw(st.sampled_from(["&&", "||", "|", ";", "&"])), draw(blanks), draw(command())]
    out.append(draw(st.sampled_from(["", ";", "&", " ;", " &"])))
    out.append(draw(blanks))
    return "".join(out)


NEAR_MISSES = ["$", "$HOME", "${x}", "`", "\\", "(", ")", "{", "}", " # c", "*", "?", "[", "~", "!", "! ",
               "<<", "<<<", "\n", "\r", "=", "X=1 ", "a=", " if ", "if ", "for ", "export ", "done", "|&", ";;",
               "&&", "||", ";", "&", "|", ">", "<", ">&", "2>", "é", "'", '"', " ", "\t", ">x ", "0<", "&>>"]


def _agree(script: str) -> ShellScript | None:
    fast = _parse_simple(script)
    if fast is not None:
        slow = _parse(script)
        assert fast == slow, script
    return fast


@SETTINGS
@given(simple_script())
def test_supported_scripts_take_the_fast_path_and_agree(script: str) -> None:
    fast = _agree(script)
    assert fast is not None, script


@SETTINGS
@given(simple_script(), st.sampled_from(NEAR_MISSES), st.data())
def test_near_misses_fall_back_or_agree(script: str, insert: str, data) -> None:
    at = data.draw(st.integers(0, len(script)))
    _agree(script[:at] + insert + script[at:])


@SETTINGS
@given(st.text(alphabet="ab02 \t;&|<>'\"=-%^@,+:.x$", max_size=16))
def test_arbitrary_text_falls_back_or_agrees(script: str) -> None:
    _agree(script)


def W(text: str, raw: str, start: int) -> Word:
    return Word(text, raw, start, start + len(raw))


@pytest.mark.parametrize(
    ("script", "commands", "pipes"),
    [
        ('echo "step 0" > /tmp/s && test -s /tmp/s',
         [([W("echo", "echo", 0), W("step 0", '"step 0"', 5)], 0, 13, False),
          ([W("test", "test", 26), W("-s", "-s", 31), W("/tmp/s", "/tmp/s", 34)], 26, 40, False)], ()),
        ("a\"b\"c '' \"\" x 2>&1",
         [([W("abc", 'a"b"c', 0), W("", "''", 6), W("", '""', 9), W("x", "x", 12)], 0, 13, False)], ()),
        ("a | b && c || d; e &", [([W("a", "a", 0)], 0, 1, False), ([W("b", "b", 4)], 4, 5, False),
                                 ([W("c", "c", 9)], 9, 10, False), ([W("d", "d", 14)], 14, 15, False),
                                 ([W("e", "e", 17)], 17, 18, True)], (2,)),
        ("a && b & c", [([W("a", "a", 0)], 0, 1, True), ([W("b", "b", 5)], 5, 6, True),
                        ([W("c", "c", 9)], 9, 10, False)], ()),
        ("  pip install 'x y' b=c 2 >/dev/null ;", [([W("pip", "pip", 2), W("install", "install", 6),
                                                     W("x y", "'x y'", 14), W("b=c", "b=c", 20),
                                                     W("2", "2", 24)], 2, 25, False)], ()),
        ("a|b | c", [([W("a", "a", 0)], 0, 1, False), ([W("b", "b", 2)], 2, 3, False),
                     ([W("c", "c", 6)], 6, 7, False)], (1, 4)),
        ("", [], ()),
    ],
)
def test_exact_cases(script: str, commands, pipes) -> None:
    want = ShellScript(
        script, tuple(SimpleCommand(tuple(argv), (), s, e, bg, False, ()) for argv, s, e, bg in commands), False,
        pipes,
    )
    assert _parse_simple(script) == want
    assert _parse(script) == want
    assert parse_shell(script) == want


@pytest.mark.parametrize(
    "script",
    ["echo $HOME", "a >x b", ">x a", "X=1 a", "export A=1", "if true; then a; fi", "a # c", "ls *.py", "a\nb",
     "a b>x", "a 0<x", "00% x", "a && 2", "a%", "a && b@", "a ==", "a ==''", "a+:", "g++ x", "a' 'b", "a - 2>x", "a 0>x", "a 01>x",
     "a 2&>x", "a &>>x", "a >& x", "cat <<EOF", "a; ;", "a &&", "&& a", "! a", "a |& b", "echo é", "a `b`",
     "a \\ b", "(a)", "{ a; }", "a ~", "a [x]", "a ?", "a 'x\x00'"],
)
def test_left_to_tree_sitter(script: str) -> None:
    assert _parse_simple(script) is None

"""Differential tests: dockyard's Dockerfile parser against BuildKit's own parser.

The oracle is the ``dockerfile`` package (BuildKit's Go parser compiled into a
Python extension).  For every input, either both parse and agree on keyword,
values, original text, line range, JSON flag, flags and heredocs, or the oracle
fails and dockyard reports a syntax error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

dockerfile = pytest.importorskip("dockerfile")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from dockyard.parsers.buildkit import parse_dockerfile  # noqa: E402
from tests.helpers import syntax_errors  # noqa: E402

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures" / "dockerfiles").glob("*"))

STATS = {"agree": 0, "both_error": 0}


def _uses_check_directive(text: str) -> bool:
    # The oracle wraps BuildKit v0.12, which predates the `# check=` directive.
    for line in text.splitlines():
        s = line.strip()
        if not s.startswith("#"):
            return False
        if s[1:].lstrip().lower().startswith("check"):
            return True
    return False


def compare(text: str) -> str:
    """Assert agreement; returns "agree" or "both_error"."""
    ours = parse_dockerfile(text)
    try:
        theirs = dockerfile.parse_string(text)
    except UnicodeDecodeError:
        # BuildKit walked bytes and split a character: the oracle cannot return it.
        STATS["undecodable"] = STATS.get("undecodable", 0) + 1
        return "undecodable"
    except dockerfile.GoParseError as exc:
        assert syntax_errors(ours), f"oracle failed ({exc}) but dockyard reported no syntax error"
        STATS["both_error"] += 1
        return "both_error"
    assert not syntax_errors(ours), f"dockyard reported {syntax_errors(ours)} but the oracle parsed"
    assert len(ours.instructions) == len(theirs), (ours.instructions, theirs)
    for mine, cmd in zip(ours.instructions, theirs):
        assert mine.keyword_raw == (cmd.cmd or ""), (mine, cmd)
        assert mine.keyword == (cmd.cmd or "").upper()
        assert mine.original == (cmd.original or ""), (mine.original, cmd.original)
        assert mine.value == cmd.value, (mine.value, cmd.value)
        assert mine.json_form == cmd.json, (mine, cmd)
        assert mine.span.line == cmd.start_line, (mine.span, cmd)
        assert mine.span.end_line == cmd.end_line, (mine.span, cmd)
        assert tuple(f.raw for f in mine.flags) == tuple(cmd.flags), (mine.flags, cmd.flags)
        if mine.sub is not None:
            assert mine.sub.keyword_raw == cmd.sub_cmd
        elif cmd.sub_cmd is not None:
            raise AssertionError(f"oracle has sub command {cmd.sub_cmd}")
        if mine.sub is None:
            assert tuple((h.name, h.file_descriptor, h.raw_content) for h in mine.heredocs) == tuple(
                (h.name, h.file_descriptor, h.content) for h in cmd.heredocs
            )
    STATS["agree"] += 1
    return "agree"


@pytest.mark.parametrize("path", FIXTURES, ids=[p.name for p in FIXTURES])
def test_fixture_agrees_with_buildkit(path: Path) -> None:
    text = path.read_bytes().decode("utf-8")
    if _uses_check_directive(text):
        # The oracle predates `# check=`. Compare the file without that line, and show that the directive
        # changes nothing else in our parse: the same instructions, one line further down.
        lines = text.splitlines(keepends=True)
        idx = next(i for i, line in enumerate(lines) if line.strip()[1:].lstrip().lower().startswith("check"))
        stripped = "".join(lines[:idx] + lines[idx + 1:])
        compare(stripped)
        ours, without = parse_dockerfile(text), parse_dockerfile(stripped)
        assert ours.directive("check") is not None and without.directive("check") is None
        assert [(i.keyword, i.value, i.span.line - 1) for i in ours.instructions] == \
            [(i.keyword, i.value, i.span.line) for i in without.instructions]
        return
    compare(text)


# ----------------------------------------------------------------- generated files

_word = st.text(alphabet="abcxyz019_./:-$@{}", min_size=1, max_size=8)
_quoted = st.one_of(_word, _word.map(lambda w: f'"{w} {w}"'), _word.map(lambda w: f"'{w}'"))
_space = st.sampled_from([" ", "  ", "\t", " \t "])
_keyword = st.sampled_from(
    ["FROM", "RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "ENV", "ARG", "LABEL", "WORKDIR", "USER",
     "EXPOSE", "VOLUME", "SHELL", "HEALTHCHECK", "ONBUILD", "STOPSIGNAL", "MAINTAINER", "run", "From",
     "BOGUS"]
)
_flag = st.one_of(
    st.sampled_from(["--link", "--from=builder", "--chown=1000:1000", "--platform=$BUILDPLATFORM",
                     "--mount=type=cache,target=/root/.cache/pip", "--mount=type=secret,id=x",
                     "--interval=5s", "--retries=3", '--a="b c"', "--network=none", "--"]),
    _word.map(lambda w: f"--{w}"),
)


@st.composite
def _args(draw):
    kind = draw(st.sampled_from(["words", "json", "badjson", "kv", "legacy_env", "empty", "heredoc"]))
    if kind == "words":
        return " ".join(draw(st.lists(_quoted, min_size=1, max_size=4)))
    if kind == "json":
        items = draw(st.lists(_word, max_size=3))
        return "[" + ", ".join(f'"{i}"' for i in items) + "]"
    if kind == "badjson":
        return draw(st.sampled_from(['["a",', "['a']", '["a" "b"]', '[1, "a"]', '{"a": 1}', '[ "x" ] y']))
    if kind == "kv":
        pairs = draw(st.lists(st.tuples(_word, _quoted), min_size=1, max_size=3))
        return " ".join(f"{k}={v}" for k, v in pairs)
    if kind == "legacy_env":
        return draw(_word) + " " + draw(_quoted) + " " + draw(_word)
    if kind == "heredoc":
        return draw(st.sampled_from(["<<EOF", "<<-EOF", '<<"EOF"', "<<'EOF'", "cat <<EOF", "<<A <<B /x",
                                     "2<<EOF", "python3 <<EOF > /x"]))
    return ""


@st.composite
def _instruction(draw, esc: str):
    kw = draw(_keyword)
    parts = [kw]
    if kw == "ONBUILD":
        parts.append(draw(st.sampled_from(["RUN", "COPY", "ENV", "ONBUILD RUN"])))
    if kw == "HEALTHCHECK":
        for f in draw(st.lists(_flag, max_size=2)):
            parts.append(f)
        parts.append(draw(st.sampled_from(["NONE", "CMD", "CMD"])))
    else:
        for f in draw(st.lists(_flag, max_size=2)):
            parts.append(f)
    args = draw(_args())
    if args:
        parts.append(args)
    # join the parts with spaces or continuations (with comment/blank lines inside)
    out = parts[0]
    for p in parts[1:]:
        sep = draw(st.sampled_from(["space", "space", "cont", "cont_comment", "cont_blank"]))
        if sep == "space":
            out += draw(_space) + p
        elif sep == "cont":
            out += " " + esc + draw(st.sampled_from(["", " ", "\t"])) + "\n" + draw(_space) + p
        elif sep == "cont_comment":
            out += " " + esc + "\n" + draw(st.sampled_from(["# c", "  # indented", "#"])) + "\n  " + p
        else:
            out += " " + esc + "\n" + draw(st.sampled_from(["", "   "])) + "\n" + p
    if "<<" in args:
        names = []
        for w in args.split():
            if "<<" in w:
                names.append(w.split("<<", 1)[1].lstrip("-").strip("'\""))
        body = ""
        for n in names:
            body += draw(st.sampled_from(["", "line\n", "\tindented\n", "a\n# not comment\n\n"]))
            body += draw(st.sampled_from(["", "\t"])) if "<<-" in args else ""
            body += n + "\n"
        if draw(st.booleans()):
            out += "\n" + body.rstrip("\n")
        else:
            out += "\n" + body.rstrip("\n")
    return out


@st.composite
def dockerfiles(draw):
    esc = draw(st.sampled_from(["\\", "\\", "`"]))
    lines = []
    if draw(st.booleans()):
        lines.append("# syntax=docker/dockerfile:1")
    if esc == "`":
        lines.append("# escape=`")
    elif draw(st.integers(0, 5)) == 0:
        lines.append(draw(st.sampled_from(["# escape=\\", "# escape=x", "# syntax=a", "#escape = `"])))
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["ins", "ins", "ins", "comment", "blank"]))
        if kind == "ins":
            lines.append(draw(_instruction(esc)))
        elif kind == "comment":
            lines.append(draw(st.sampled_from(["# a comment", "   # indented", "#", "# escape=`"])))
        else:
            lines.append(draw(st.sampled_from(["", "  ", "\t"])))
    nl = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    text = nl.join(lines)
    text += draw(st.sampled_from(["", nl, nl + nl, " " + esc, " " + esc + nl]))
    if draw(st.integers(0, 9)) == 0:
        text = "\ufeff" + text
    return text


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(dockerfiles())
def test_generated_dockerfiles_agree_with_buildkit(text: str) -> None:
    compare(text)


def test_report_agreement_counts(capsys) -> None:
    # Runs last in this module (pytest keeps definition order); prints the tally.
    with capsys.disabled():
        print(f"\n[dockerfile differential] agree={STATS['agree']} both_error={STATS['both_error']}")

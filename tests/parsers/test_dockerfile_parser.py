"""Unit tests for dockyard's Dockerfile parser (exact values and spans)."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockyard.parsers.buildkit import parse_dockerfile
from dockyard.parsers.dockerfile import Span, position_of
from tests.helpers import syntax_errors


def only(text: str):
    d = parse_dockerfile(text)
    assert not syntax_errors(d), d.errors
    return d


# ------------------------------------------------------------------ basic shapes


def test_from_as_and_spans() -> None:
    d = only("FROM python:3.12-slim AS Builder\n")
    ins = d.instructions[0]
    assert ins.keyword == "FROM" and ins.keyword_raw == "FROM"
    assert ins.value == ("python:3.12-slim", "AS", "Builder")
    assert ins.span == Span(1, 1, 1, 33, 0, 32)
    assert ins.keyword_span == Span(1, 1, 1, 5, 0, 4)
    assert ins.args_span == Span(1, 6, 1, 33, 5, 32)
    st0 = d.stages[0]
    assert (st0.name, st0.name_raw, st0.base, st0.parent, st0.is_external) == ("builder", "Builder", "python:3.12-slim", None, True)
    assert d.final_stage is st0
    assert d.stage_by_name("BUILDER") is st0


def test_lowercase_keyword_kept_raw() -> None:
    ins = only("from alpine as base\nrun echo hi\n").instructions[1]
    assert ins.keyword == "RUN" and ins.keyword_raw == "run" and ins.value == ("echo hi",)


def test_continuation_with_comments_and_blank_lines() -> None:
    text = "FROM a\nRUN apt-get update \\\n    # install things\n\n    && apt-get install -y curl\n"
    d = only(text)
    run = d.instructions[1]
    assert run.value == ("apt-get update     && apt-get install -y curl",)
    assert run.original == "RUN apt-get update     && apt-get install -y curl"
    assert (run.span.line, run.span.end_line) == (2, 5)
    assert run.span.end_column == len("    && apt-get install -y curl") + 1
    assert [c.text for c in run.comments] == ["install things"]
    assert run.comments[0].span == Span(3, 5, 3, 21, 32, 48)
    assert text[32:48] == "# install things"
    assert [c.text for c in d.comments] == ["install things"]
    assert run.shell_text == "apt-get update     && apt-get install -y curl"


def test_args_span_across_continuation() -> None:
    text = "FROM a\nRUN echo \\\n  hi\n"
    run = only(text).instructions[1]
    assert run.args_span.line == 2 and run.args_span.column == 5
    assert run.args_span.end_line == 3 and run.args_span.end_column == 5
    assert text[run.args_span.end - 2 : run.args_span.end] == "hi"


def test_escape_directive_backtick_and_crlf() -> None:
    text = '# escape=`\r\nFROM mcr.microsoft.com/windows\r\nRUN Write-Host `\r\n    hello\r\nCOPY C:\\a\\ C:\\b\\\r\n'
    d = only(text)
    assert d.escape == "`"
    assert [(x.name, x.value) for x in d.directives] == [("escape", "`")]
    assert d.instructions[1].value == ("Write-Host     hello",)
    assert (d.instructions[1].span.line, d.instructions[1].span.end_line) == (3, 4)
    assert d.instructions[2].value == ("C:\\a\\", "C:\\b\\")


def test_directives_only_at_top() -> None:
    d = only("# syntax=docker/dockerfile:1\n# Escape = `\n# check=skip=all\nFROM a\n# escape=\\\n")
    assert [(x.name, x.value) for x in d.directives] == [
        ("syntax", "docker/dockerfile:1"), ("escape", "`"), ("check", "skip=all")
    ]
    assert d.directives[1].span == Span(2, 1, 2, 13, 29, 41)
    assert [c.text for c in d.comments] == ["escape=\\"]
    d = only("# comment\n# escape=`\nFROM a\n")
    assert d.directives == () and d.escape == "\\"
    d = only("\n# syntax=x\nFROM a\n")
    assert d.directives == ()


def test_directive_errors() -> None:
    d = parse_dockerfile("# syntax=a\n# syntax=b\nFROM a\n")
    assert [e.message for e in d.errors] == ["only one syntax parser directive can be used"]
    assert d.errors[0].span.line == 2
    d = parse_dockerfile("# escape=x\nFROM a\n")
    assert d.errors[0].message.startswith("invalid escape token")
    assert d.instructions[0].value == ("a",)


def test_bom_and_trailing_whitespace() -> None:
    d = only("\ufeffFROM alpine   \nRUN echo hi   \n")
    assert d.instructions[0].value == ("alpine",)
    assert d.instructions[0].keyword_span.start == 1
    assert d.instructions[1].value == ("echo hi",)
    assert d.instructions[1].original == "RUN echo hi   "


def test_empty_continuation_at_eof() -> None:
    d = only("FROM a\nRUN echo a \\\n")
    assert d.instructions[1].value == ("echo a",)
    assert d.instructions[1].span.end_line == 2


# ------------------------------------------------------------------- JSON / shell


def test_json_and_shell_forms() -> None:
    d = only('FROM a\nCMD ["gunicorn", "-k", "x"]\nCMD gunicorn app\nCMD ["bad",\nENTRYPOINT [ "a" ] tail\n')
    cmds = d.instructions[1:]
    assert (cmds[0].json_form, cmds[0].value) == (True, ("gunicorn", "-k", "x"))
    assert cmds[0].shell_text == ""
    assert (cmds[1].json_form, cmds[1].value, cmds[1].shell_text) == (False, ("gunicorn app",), "gunicorn app")
    assert (cmds[2].json_form, cmds[2].value) == (False, ('["bad",',))
    assert (cmds[3].json_form, cmds[3].value) == (True, ("a",))


def test_json_non_string_is_error() -> None:
    d = parse_dockerfile("FROM a\nCMD [1]\nUSER x\n")
    assert d.errors[0].message == "when using JSON array syntax, arrays must be comprised of strings only"
    assert d.errors[0].span.line == 2
    assert d.instructions[2].value == ("x",)


# ------------------------------------------------------------------------ flags


def test_flags_with_spans_and_options() -> None:
    text = "FROM a\nRUN --mount=type=cache,target=/root/.cache/pip,sharing=locked --network=none pip install x\n"
    run = only(text).instructions[1]
    m = run.flags[0]
    assert (m.name, m.value) == ("mount", "type=cache,target=/root/.cache/pip,sharing=locked")
    assert m.options() == {"type": "cache", "target": "/root/.cache/pip", "sharing": "locked"}
    assert m.span == Span(2, 5, 2, 62, 11, 68)
    assert text[m.span.start : m.span.end] == "--mount=type=cache,target=/root/.cache/pip,sharing=locked"
    assert run.flag("network").value == "none"
    assert run.value == ("pip install x",)
    assert text[run.args_span.start : run.args_span.end] == "pip install x"


def test_copy_flags_link_and_from() -> None:
    ins = only("FROM a\nCOPY --link --from=build --chown=1:1 /src /dst\n").instructions[1]
    assert [(f.name, f.value) for f in ins.flags] == [("link", None), ("from", "build"), ("chown", "1:1")]
    assert ins.value == ("/src", "/dst")
    assert ins.flag("link").options() == {}


def test_mount_option_without_value() -> None:
    ins = only("FROM a\nRUN --mount=type=bind,rw,source=. true\n").instructions[1]
    assert ins.flags[0].options() == {"type": "bind", "rw": "true", "source": "."}


def test_from_platform() -> None:
    d = only("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n")
    assert d.stages[0].platform == "$BUILDPLATFORM" and d.stages[0].base == "golang:1.22"


# ------------------------------------------------------------------- ENV / LABEL


def test_env_forms() -> None:
    d = only('FROM a\nENV A=1 B="two words" C=x\\ y\nENV LEGACY value with spaces\n')
    assert d.instructions[1].value == ("A", "1", "B", '"two words"', "C", "x\\ y")
    assert d.instructions[1].key_values() == (("A", "1"), ("B", "two words"), ("C", "x y"))
    assert d.instructions[2].value == ("LEGACY", "value with spaces")


def test_env_errors() -> None:
    d = parse_dockerfile("FROM a\nENV A\n")
    assert d.errors[0].message == "ENV must have two arguments"
    d = parse_dockerfile("FROM a\nENV a=b c\n")
    assert "can't find = in" in d.errors[0].message


def test_label_and_arg() -> None:
    d = only('ARG V=1 "Q=x y" N\nFROM a\nLABEL "com.x"="ACME" version=1.0\n')
    assert d.instructions[0].value == ("V=1", '"Q=x y"', "N")
    assert d.instructions[0].key_values() == (("V", "1"), ("Q", "x y"), ("N", None))
    assert d.instructions[2].value == ('"com.x"', '"ACME"', "version", "1.0")
    assert d.global_args == (d.instructions[0],)
    assert d.instructions[0].stage == -1 and d.instructions[2].stage == 0


# --------------------------------------------------------------------- heredocs


def test_heredoc_run() -> None:
    text = "FROM a\nRUN <<EOF\nset -eux\napt-get update\nEOF\nUSER x\n"
    d = only(text)
    run = d.instructions[1]
    assert run.value == ("<<EOF",)
    h = run.heredocs[0]
    assert (h.name, h.content, h.expand, h.chomp) == ("EOF", "set -eux\napt-get update\n", True, False)
    assert h.span == Span(3, 1, 5, 4, 17, 44)
    assert (run.span.line, run.span.end_line) == (2, 5)
    assert run.original == "RUN <<EOF\nset -eux\napt-get update\nEOF\n"
    assert run.shell_text == "set -eux\napt-get update\n"
    assert d.instructions[2].span.line == 6


def test_heredoc_chomp_quoted_and_several() -> None:
    d = only("FROM a\nRUN <<-'X' bash\n\techo $HOME\n\tX\nCOPY <<A <<\"B\" /etc/\none\nA\ntwo\nB\n")
    run = d.instructions[1]
    h = run.heredocs[0]
    assert (h.name, h.content, h.raw_content, h.expand, h.chomp) == ("X", "echo $HOME\n", "\techo $HOME\n", False, True)
    assert run.shell_text == "<<-'X' bash\necho $HOME\nX\n"
    copy = d.instructions[2]
    assert [(x.name, x.content, x.expand) for x in copy.heredocs] == [("A", "one\n", True), ("B", "two\n", False)]
    assert copy.value == ("<<A", "<<\"B\"", "/etc/")


def test_heredoc_only_for_run_copy_add_and_not_json() -> None:
    d = only('FROM a\nCMD <<EOF\nRUN ["<<EOF"]\n')
    assert [i.keyword for i in d.instructions] == ["FROM", "CMD", "RUN"]
    assert d.instructions[1].heredocs == ()


def test_unterminated_heredoc() -> None:
    d = parse_dockerfile("FROM a\nRUN <<EOF\necho hi\n")
    assert [e.message for e in d.errors] == ["unterminated heredoc"]
    assert d.errors[0].span.line == 2
    assert d.instructions[1].heredocs[0].content == "echo hi\n"


def test_onbuild_and_healthcheck() -> None:
    d = only("FROM a\nONBUILD RUN --mount=type=cache,target=/x make\nHEALTHCHECK NONE\n"
             "HEALTHCHECK --interval=30s --timeout=3s CMD curl -f http://localhost/ || exit 1\n"
             'HEALTHCHECK CMD ["python", "-c", "ok"]\n')
    ob = d.instructions[1]
    assert ob.keyword == "ONBUILD" and ob.value == ("make",)
    assert ob.sub.keyword == "RUN" and ob.sub.flags[0].name == "mount"
    assert ob.sub.keyword_span.column == 9
    assert d.instructions[2].value == ("NONE",)
    hc = d.instructions[3]
    assert [f.name for f in hc.flags] == ["interval", "timeout"]
    assert hc.value == ("CMD", "curl -f http://localhost/ || exit 1")
    assert hc.shell_text == "curl -f http://localhost/ || exit 1"
    assert (d.instructions[4].json_form, d.instructions[4].value) == (True, ("CMD", "python", "-c", "ok"))


# ----------------------------------------------------------------------- stages


def test_stages_parent_and_arg_resolution() -> None:
    text = ("ARG PY=3.12\nARG VARIANT=\"slim\"\nARG TAG\nFROM python:${PY}-$VARIANT AS builder\n"
            "FROM builder AS test\nFROM nginx:${TAG:-1.27}\nFROM scratch\nFROM $UNKNOWN\n")
    d = only(text)
    s = d.stages
    assert s[0].base_resolved == "python:3.12-slim"
    assert (s[1].parent, s[1].is_external) == (0, False)
    assert s[2].base_resolved == "nginx:1.27"
    assert s[3].is_external is False
    assert s[4].base_resolved == "$UNKNOWN"
    assert [x.index for x in d.ancestry(s[1])] == [1, 0]
    assert s[0].instructions == ()


def test_stage_instructions() -> None:
    d = only("FROM a AS b\nRUN x\nFROM b\nCMD y\n")
    assert [i.keyword for i in d.stages[0].instructions] == ["RUN"]
    assert [i.stage for i in d.instructions] == [0, 0, 1, 1]


# ----------------------------------------------------------------------- errors


def test_errors_are_values() -> None:
    cases = {
        "": "file with no instructions",
        "# only a comment\n\n": "file with no instructions",
        "FROM a\nFOO bar\n": "unknown instruction: FOO",
        "RUN echo\n": "no FROM instruction: the Dockerfile has no build stage",
        "FROM a\nRUN\n": "RUN requires at least one argument",
    }
    for text, message in cases.items():
        d = parse_dockerfile(text)
        assert message in [e.message for e in d.errors], (text, d.errors)
        for e in d.errors:
            assert e.span.line >= 1


def test_binary_garbage_and_large_inputs() -> None:
    d = parse_dockerfile("\x00\x01\x02\xff\ufffd\n" * 10)
    assert d.errors
    big = "FROM a\n" + ("RUN echo " + "x" * 990 + "\n") * 10_000  # ~10 MB
    d = parse_dockerfile(big)
    assert len(d.instructions) == 10_001
    d = parse_dockerfile("FROM a\nRUN a \\\n" + "  b \\\n" * 2000 + "  c\n")
    assert d.instructions[1].span.end_line == 2003


def test_linear_time_800_instructions() -> None:
    text = "FROM python:3.12\n" + "".join(
        f"RUN echo {i} && apt-get install -y x{i}\nENV K{i}=v{i} L{i}=w\n" for i in range(400)
    )
    parse_dockerfile(text)
    best = min(_timed(text) for _ in range(3))
    assert best < 0.05, best


def _timed(text: str) -> float:
    # CPU time of this process: robust against a loaded machine
    t = time.process_time()
    parse_dockerfile(text)
    return time.process_time() - t


def test_position_of() -> None:
    assert position_of("ab\ncd", 0) == (1, 1)
    assert position_of("ab\ncd", 4) == (2, 2)
    assert position_of("ab\ncd", 99) == (2, 3)


# ------------------------------------------------------------------------- fuzz


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text())
def test_fuzz_text_never_raises(text: str) -> None:
    d = parse_dockerfile(text)
    assert isinstance(d.errors, tuple)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary().map(lambda b: b.decode("latin-1")))
def test_fuzz_binary_never_raises(text: str) -> None:
    parse_dockerfile(text)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(["RUN ", "FROM ", "<<EOF", "EOF", "\n", "\\", "`", "# escape=`\n", "[", "]",
                                 '"', "'", "--x=", "ONBUILD ", "ENV ", "a", "=", " ", "\t", "\r", "${", "}"]),
                max_size=60).map("".join))
def test_fuzz_dockerfile_tokens_never_raise(text: str) -> None:
    d = parse_dockerfile(text)
    for ins in d.instructions:
        assert 0 <= ins.span.start <= ins.span.end <= len(text)
        _ = ins.shell_text

"""Instruction.source_offset / shell_source_offset and Heredoc.source_offset: joined text back to the file."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockyard.parsers.buildkit import parse_dockerfile


def _args_exact(text: str, ins) -> None:
    for i, ch in enumerate(ins.args_text):
        assert text[ins.source_offset(i)] == ch, (i, ins.args_text)
    if ins.args_text:
        assert ins.source_offset(len(ins.args_text)) == ins.source_offset(len(ins.args_text) - 1) + 1


def _shell_exact(text: str, ins) -> None:
    shell = ins.shell_text
    words = ins.value[0].split() if ins.value and ins.heredocs else []
    # newlines BuildKit adds after a command that is followed by heredocs and after each terminator
    artefacts = set()
    if words and not all("<<" in w for w in words):
        at = len(ins.value[0])
        artefacts.add(at)
        for h in ins.heredocs:
            at += len(h.content) + len(h.name) + 1
            artefacts.add(at)
    for i, ch in enumerate(shell):
        if i in artefacts:
            continue
        assert text[ins.shell_source_offset(i)] == ch, (i, shell)


# ------------------------------------------------------------------------------------ exact cases


def test_continuations_and_inner_comments() -> None:
    text = "FROM x\nRUN apt-get update \\\n# a comment\n\n    && apt-get install -y curl\n"
    ins = parse_dockerfile(text).instructions[1]
    assert ins.args_text == "apt-get update     && apt-get install -y curl"
    _args_exact(text, ins)
    i = ins.args_text.index("&&")
    assert ins.source_offset(i) == text.index("&&")
    assert ins.source_offset(0) == ins.args_span.start


def test_backtick_escape_crlf_and_bom() -> None:
    text = "\ufeff# escape=`\r\nFROM x\r\nRUN echo a `\r\n  b\r\n"
    d = parse_dockerfile(text)
    ins = d.instructions[1]
    assert d.escape == "`" and ins.args_text == "echo a   b"
    _args_exact(text, ins)
    assert ins.source_offset(ins.args_text.index("b")) == text.index("  b") + 2


def test_flags_healthcheck_and_onbuild() -> None:
    text = ("FROM x\nRUN --mount=type=cache,target=/root/.cache \\\n    pip install fastapi\n"
            "HEALTHCHECK --interval=5s \\\n  CMD curl -f http://x/ || exit 1\n"
            "ONBUILD RUN pip \\\n  install y\n")
    d = parse_dockerfile(text)
    run, hc, onbuild = d.instructions[1:]
    for ins in (run, hc, onbuild, onbuild.sub):
        _args_exact(text, ins)
        _shell_exact(text, ins)
    assert hc.shell_text.startswith("curl")
    assert hc.shell_source_offset(0) == text.index("curl")
    assert onbuild.shell_source_offset(onbuild.shell_text.index("install")) == text.index("install y")


def test_empty_arguments_map_to_the_args_span() -> None:
    ins = parse_dockerfile("FROM x\nRUN\n").instructions[1]
    assert ins.args_text == ""
    assert ins.source_offset(0) == ins.source_offset(5) == ins.args_span.start


def test_heredocs_only_and_chomped() -> None:
    text = "FROM x\nRUN <<-EOF\n\tset -e\n\t\tpip install a\nEOF\n"
    ins = parse_dockerfile(text).instructions[1]
    h = ins.heredocs[0]
    assert h.content == "set -e\npip install a\n"
    for i, ch in enumerate(h.content):
        assert text[h.source_offset(i)] == ch
    _shell_exact(text, ins)
    assert ins.shell_source_offset(ins.shell_text.index("pip")) == text.index("pip")


def test_command_with_heredoc_names_its_terminator() -> None:
    text = "FROM x\nRUN python3 <<EOF\nprint(1)\nEOF\n"
    ins = parse_dockerfile(text).instructions[1]
    assert ins.shell_text == "python3 <<EOF\nprint(1)\nEOF\n"
    _shell_exact(text, ins)
    assert ins.shell_source_offset(len("python3 <<EOF")) == ins.source_offset(len(ins.args_text))
    term = ins.shell_text.rindex("EOF")
    assert ins.shell_source_offset(term) == text.rindex("EOF")


# ------------------------------------------------------------------------------- generated files

_WORD = st.text(alphabet="abcdé$=-_./'\"#&|;é€", min_size=1, max_size=6)
_SPACE = st.sampled_from([" ", "  ", "\t", " \t "])


@st.composite
def _instruction(draw, esc: str):
    keyword = draw(st.sampled_from(["RUN", "CMD", "ENTRYPOINT", "ENV A=1", "LABEL", "COPY", "run",
                                    "HEALTHCHECK CMD", "ONBUILD RUN", "RUN --mount=type=cache,target=/c"]))
    parts = [keyword]
    for _ in range(draw(st.integers(1, 5))):
        words = [draw(_WORD) for _ in range(draw(st.integers(1, 3)))]
        parts.append(draw(_SPACE).join(words))
    out = parts[0] + " " + parts[1]
    for part in parts[2:]:
        joiner = draw(st.sampled_from([" ", " " + esc + "\n", esc + "\n", " " + esc + "  \n",
                                       " " + esc + "\n# note\n", " " + esc + "\n\n  ", " " + esc + "\n \t# x\n  "]))
        out += joiner + part
    return out


@st.composite
def _dockerfile(draw):
    esc = draw(st.sampled_from(["\\", "`"]))
    body = [draw(_instruction(esc)) for _ in range(draw(st.integers(1, 4)))]
    if draw(st.booleans()):
        body.append(draw(st.sampled_from(["RUN <<EOF\nset -e\n  pip install a\nEOF",
                                          "RUN <<-EOT\n\t\tapt-get update\n\techo ok\n\tEOT",
                                          "RUN python3 <<EOF\nprint(1)\nEOF"])))
    text = ("# escape=`\n" if esc == "`" else "") + "FROM python:3.12\n" + "\n".join(body) + "\n"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_dockerfile())
def test_generated_offsets_point_at_the_same_character(text: str) -> None:
    d = parse_dockerfile(text)
    for ins in d.instructions:
        for one in (ins, ins.sub) if ins.sub is not None else (ins,):
            _args_exact(text, one)
            _shell_exact(text, one)
            for h in one.heredocs:
                for i, ch in enumerate(h.content):
                    assert text[h.source_offset(i)] == ch

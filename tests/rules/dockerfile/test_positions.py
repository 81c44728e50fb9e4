"""Every DF finding lies inside its own file, on the text it is about, however many files and instructions share
the same RUN text (the shell parser and the package-call helpers share parse results between them)."""

from __future__ import annotations

import re

from dockyard.parsers.shell import unquote
from tests.helpers import run_files

# RUN bodies that many rules read: pip (DF009-DF012), apt (DF046-DF050), apk, package lists (DF052), build
# dependencies (DF015), user creation (DF062), pipes (DF064)
BODY = (
    "WORKDIR /srv\n"
    "RUN pip install fastapi 'uvicorn>=0.30' -r requirements.txt\n"
    "RUN apt-get update && apt-get install git curl gcc\n"
    "RUN apk add zlib-dev bash\n"
    "RUN python -m pip install --user httpx && uv pip install --system redis\n"
    "RUN curl -fsSL https://example.com/install.sh | sh\n"
    "RUN useradd -m app\n"
)
BODY_LINES = BODY.count("\n")


def _file(padding: int, copies: int) -> tuple[str, list[int]]:
    """A Dockerfile with ``padding`` filler lines before each of ``copies`` copies of BODY, and the line each
    copy starts on."""
    lines = ["FROM python:3.12-slim AS production"]
    starts = []
    for _ in range(copies):
        lines += [f"# filler {k} " + "x" * k for k in range(padding)]
        starts.append(len(lines) + 1)
        lines += BODY.splitlines()
    lines += ["USER app", 'CMD ["uvicorn", "app.main:app"]']
    return "\n".join(lines) + "\n", starts


def _span_text(text: str, f) -> str:
    lines = text.split("\n")
    p = f.position
    assert 1 <= p.line <= p.end_line <= len(lines), (f.code, f.path, p)
    assert 1 <= p.column <= len(lines[p.line - 1]) + 1, (f.code, f.path, p)
    assert 1 <= p.end_column <= len(lines[p.end_line - 1]) + 1, (f.code, f.path, p)
    if p.line == p.end_line:
        return lines[p.line - 1][p.column - 1:p.end_column - 1]
    return "\n".join([lines[p.line - 1][p.column - 1:], *lines[p.line:p.end_line - 1],
                      lines[p.end_line - 1][:p.end_column - 1]])


def test_identical_run_bodies_in_many_files_each_report_their_own_position(tmp_path):
    files = {}
    starts = {}
    for i, (padding, copies) in enumerate([(0, 1), (3, 1), (7, 2), (1, 3), (12, 1), (0, 2)]):
        path = f"svc{i}/Dockerfile"
        files[path], starts[path] = _file(padding, copies)
    found = [f for f in run_files(tmp_path, files, select="DF") if f.path in files]
    assert found
    in_body: dict[tuple[str, int], list] = {}
    for f in found:
        text = files[f.path]
        span = _span_text(text, f)
        p = f.position
        copy = next((k for k, s in enumerate(starts[f.path]) if s <= f.position.line < s + BODY_LINES), None)
        if copy is None:
            continue
        # a finding inside a RUN body: its span is what the message names (a word as the shell reads it, or the
        # command that holds the named `pip install`), or the RUN keyword for a finding about the instruction
        named = [n for n in re.findall(r"`([^`]*)`", f.message) if n]
        word = unquote(span)
        assert span == "RUN" or any(word in n or n in word for n in named), (f.code, f.path, p, span, f.message)
        s = starts[f.path][copy]
        # line numbers in the message, alone (`line 4`) or listed (`lines 5, 6 and 7`), made relative to the copy
        message = re.sub(r"\blines? \d+(?:(?:, | and )\d+)*",
                         lambda m: re.sub(r"\d+", lambda n: f"+{int(n.group(0)) - s}", m.group(0)), f.message)
        in_body.setdefault((f.path, copy), []).append(
            (f.code, p.line - s, p.column, p.end_line - s, p.end_column, message))
    # every copy of the body, in every file, yields the same findings at the same place relative to the copy
    reference = sorted(in_body[("svc0/Dockerfile", 0)])
    assert {c for c, *_ in reference} >= {"DF009", "DF010", "DF015", "DF047", "DF048", "DF049", "DF052", "DF064"}
    expected_copies = {(path, k) for path in files for k in range(len(starts[path]))}
    assert set(in_body) == expected_copies
    for key, got in in_body.items():
        assert sorted(got) == reference, key

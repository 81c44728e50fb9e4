"""DF001: the Dockerfile parses as BuildKit parses it."""

from __future__ import annotations

from typing import Iterator

from dockyard.model import Problem
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.dockerfile._stages import span_position


@rule(
    code="DF001",
    name="parse-error",
    scope=Scope.DOCKERFILE,
    summary="The Dockerfile parses the way BuildKit parses it",
    why="A Dockerfile BuildKit rejects (unterminated heredoc, unknown instruction, instruction before `FROM`, "
    "a bad `escape` directive) never builds, and every other check on it is guesswork. Unreadable Dockerfiles "
    "are reported under this code too.",
    standard=("DF-PARSE",),
    section="Dockerfile Best Practices",
    severity="error",
    example="FROM python:3.12-slim\nRUN <<EOF\necho never terminated\n",
    use_instead="FROM python:3.12-slim\nRUN <<EOF\necho terminated\nEOF\n",
)
def check(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if df is None:
        return
    for err in df.errors:
        yield Problem(f"BuildKit cannot parse this: {err.message}", span_position(err.span))

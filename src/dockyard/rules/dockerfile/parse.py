"""DF001: the Dockerfile parses as BuildKit parses it."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.stages import span_position
from dockyard.model import Problem
from dockyard.rules.base import Context, Scope, rule


@rule(
    code="DF001", purposes=roles.BUILT,
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
        yield Problem(f"BuildKit cannot parse this: {_without_quoted_text(err.message)}", span_position(err.span))


def _without_quoted_text(message: str) -> str:
    """BuildKit's message without the word of the file it quotes: in `ENV PASSWORD=my secret`, the word
    `secret` BuildKit cannot read as `name=value` is part of a password."""
    if "can't find = in " in message:
        return "Syntax error - a word of this instruction has no `=`: it must be of the form name=value (quote " \
               "a value that holds blanks)"
    if message.startswith("unterminated quote in heredoc word"):
        return "unterminated quote in heredoc word"
    return message

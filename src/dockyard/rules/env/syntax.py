"""EN001: env files parse as compose parses them."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard.model import Position, Problem
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.env._envfiles import key_position


@rule(
    code="EN001", name="env-syntax", scope=Scope.ENV_FILE, category="syntax",
    summary="Env files parse as docker compose parses them, without duplicate keys",
    why="Compose stops reading an env file at its first syntax error (an unterminated quote swallows the rest "
    "of the file, a bad character in a name aborts `docker compose up`), and a key defined twice silently "
    "takes its last value, so the line a reader edits may not be the one that counts.",
    standard=("EN-SYNTAX",), section="Comprehensive Environment File Organization",
    example="API_PORT=8150\nBASE_URL=\"http://localhost:8150\nAPI_PORT=8100\n",
    use_instead="API_PORT=8150\nBASE_URL=\"http://localhost:8150\"\n",
    notes="Unreadable env files (binary, not UTF-8) are reported under this code by the engine, and so is a file "
    "whose interpolated values exceed 4 MiB (values copying each other double at each line). A "
    "`${X:?message}` naming a variable the file does not define is not a syntax error: it must come from the "
    "shell (see EN010 for references to keys defined further down).",
)
def check(ctx: Context) -> Iterator[Problem]:
    env = ctx.model
    if env is None:
        return
    for err in env.errors:
        if err.kind == "interpolation" and err.message.startswith("required variable"):
            continue
        message = err.message
        if message.startswith("line "):  # compose prefixes its messages with the line; the position says it
            message = message.split(": ", 1)[-1]
        # compose's own texts quote the line or the value, which may hold a secret: say it without them
        if "unterminated quoted value" in message:
            message = ("unterminated quoted value: compose fails to load this file; close the quote "
                       "(a quote inside the value is escaped with a backslash)")
        elif err.kind == "interpolation":
            message = "invalid interpolation in this value: compose fails to load this file; write a literal `$` as `$$`"
        elif " in variable name " in message:
            message = "compose cannot parse this file: " + message.split(" in variable name ", 1)[0] + \
                " in a variable name (names use letters, digits, `_`, `.`, `-`, `[` and `]`)"
        elif err.kind == "budget":
            message = f"{message}; dockyard stops reading the file here"
        elif err.kind == "encoding":
            message = f"compose cannot read this file: {message}"
        else:
            message = f"compose cannot parse this file: {message}"
        yield Problem(message, Position(err.line, err.column, err.end_line, err.end_column))
    for key, entries in env.duplicates().items():
        first = entries[0]
        for again in entries[1:]:
            yield Problem(f"`{key}` is defined again (first on line {first.line}); compose keeps only the last "
                          "value: remove one of them", key_position(again))

"""DF002: a `# syntax=docker/dockerfile:1` parser directive opens the file."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.stages import span_position
from dockyard.model import Applicability, Edit, Fix, Position, Problem
from dockyard.rules.base import Context, Scope, rule

DIRECTIVE = "# syntax=docker/dockerfile:1"
_FRONTENDS = ("docker/dockerfile", "docker.io/docker/dockerfile")


def accepted_frontend(value: str) -> bool:
    """`docker/dockerfile:1`, `:1.7`, `:1.7.1`, optionally `@sha256:...`; labs/upstream variants are not 1.x."""
    ref = value.strip().split("@", 1)[0]
    name, sep, tag = ref.rpartition(":")
    if not sep or name not in _FRONTENDS:
        return False
    parts = tag.split(".")
    return parts[0] == "1" and len(parts) <= 3 and all(p.isdigit() for p in parts)


def _uses_run_mount(df) -> bool:
    return any(ins.keyword == "RUN" and ins.flags_named("mount") for ins in df.instructions)


@rule(
    code="DF002",
    name="syntax-directive",
    scope=Scope.DOCKERFILE, applies=roles.RUNNABLE,
    summary="The Dockerfile starts with a `# syntax=docker/dockerfile:1` parser directive",
    why="The directive pins the Dockerfile frontend: without it the builder's bundled frontend decides which "
    "features (`RUN --mount`, heredocs) exist, so the same file builds on one machine and fails on another.",
    standard=("DF-SYNTAX",),
    section="Complete Dockerfile Example",
    severity="error",
    example="FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip --version\n",
    use_instead="# syntax=docker/dockerfile:1\nFROM python:3.12-slim\n",
    fix="safe",
    notes="A pinned 1.x version (`docker/dockerfile:1.7`) is accepted; the directive may share the directive "
    "block with `# escape=`, since BuildKit honours directives in any order before the first other line.",
)
def check(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if df is None:
        return
    found = df.directive("syntax")
    if found is not None:
        if not accepted_frontend(found.value):
            yield Problem(
                f"syntax directive names `{found.value}`; use the stable 1.x frontend `docker/dockerfile:1` "
                "(or a pinned `docker/dockerfile:1.x`)",
                span_position(found.span),
            )
        return
    stray = next((c for c in df.comments if _looks_like_syntax(c.text)), None)
    if stray is not None:
        yield Problem(
            f"`# {stray.text}` on line {stray.span.line} is an ordinary comment, not a parser directive: "
            "directives are only read before the first instruction, comment or blank line; move it to line 1",
            span_position(stray.span),
        )
        return
    why = " (required: this file uses `RUN --mount`)" if _uses_run_mount(df) else ""
    start = 1 if df.text.startswith("\ufeff") else 0
    newline = "\r\n" if "\r\n" in df.text else "\n"
    yield Problem(
        f"no `{DIRECTIVE}` parser directive on the first line{why}",
        Position(1, 1, 1, 1),
        fix=Fix((Edit(start, start, DIRECTIVE + newline),), Applicability.SAFE),
    )


def _looks_like_syntax(text: str) -> bool:
    key, sep, _ = text.partition("=")
    return bool(sep) and key.strip().lower() == "syntax"

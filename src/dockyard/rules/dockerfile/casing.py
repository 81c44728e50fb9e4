"""DF017: `FROM ... AS name` casing."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.stages import arg_tokens, position
from dockyard.model import Applicability, Edit, Fix, Problem
from dockyard.rules.base import Context, Scope, rule


def _expected_as(keyword_raw: str) -> str:
    return "as" if keyword_raw.islower() else "AS"


@rule(
    code="DF017", purposes=roles.BUILT,
    name="from-as-casing",
    scope=Scope.DOCKERFILE,
    summary="The `AS` of `FROM ... AS name` matches the instruction's casing, and stage names are lowercase",
    why="BuildKit warns about both (`FromAsCasing`, `StageNameCasing`): mixed casing reads as a typo, and stage "
    "names are matched case-insensitively, so `Builder` and `builder` silently name the same stage.",
    standard=("DF-FROM-CASING",),
    section="Multi-Stage Builds",
    severity="warning",
    example="FROM python:3.12-slim as builder\n",
    use_instead="FROM python:3.12-slim AS builder\n",
    fix="safe",
    notes="The standard's own examples write `FROM python:3.11-slim as base`; the item wins. Only the `as` "
    "keyword is rewritten; a stage name with capitals is reported without a fix.",
)
def check(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if df is None:
        return
    for stage in df.stages:
        ins = stage.from_instruction
        if len(ins.value) != 3 or ins.value[1].lower() != "as":
            continue
        toks = arg_tokens(df, ins)
        if len(toks) != 3:
            continue
        (_, _, _), (as_text, as_start, as_end), (name, n_start, n_end) = toks
        want = _expected_as(ins.keyword_raw)
        if as_text != want:
            yield Problem(
                f"`{ins.keyword_raw} ... {as_text} {name}`: write `{want}` to match the `{ins.keyword_raw}` "
                "instruction's casing",
                position(df, as_start, as_end),
                fix=Fix((Edit(as_start, as_end, want),), Applicability.SAFE),
            )
        if name != name.lower():
            yield Problem(
                f"stage name `{name}` is not lowercase; BuildKit matches stage names case-insensitively, so write "
                f"`{name.lower()}` (and refer to it that way)",
                position(df, n_start, n_end),
            )

"""DF006: the runtime stage sets the Python and pip environment variables the standard requires."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.stages import (env_at, position, python_runtime_stages, span_position, stage_label,
                                               truthy, vendor_base)
from dockyard.analysis.stages import arg_tokens
from dockyard.images import plain_image
from dockyard.model import Problem
from dockyard.rules.base import Context, Scope, rule

# name -> what the value must be ("flag": a true value such as 1; "set": any non-empty value)
REQUIRED = {
    "PYTHONDONTWRITEBYTECODE": "flag",
    "PYTHONUNBUFFERED": "flag",
    "PYTHONPATH": "set",
    "PIP_NO_CACHE_DIR": "flag",
    "PIP_DISABLE_PIP_VERSION_CHECK": "flag",
}


@rule(
    code="DF006",
    name="python-env",
    scope=Scope.DOCKERFILE, applies=roles.PYTHON_IMAGES,
    summary="The runtime stage sets PYTHONDONTWRITEBYTECODE, PYTHONUNBUFFERED, PYTHONPATH, PIP_NO_CACHE_DIR and "
    "PIP_DISABLE_PIP_VERSION_CHECK",
    why="Without them Python buffers stdout (logs arrive late or are lost on a crash), writes `.pyc` files into "
    "the image, imports depend on the working directory, and pip keeps caches and version checks nobody uses.",
    standard=("DF-PY-ENV",),
    section="Environment Variables",
    severity="error",
    example="FROM python:3.12-slim\nENV PYTHONUNBUFFERED=1\n",
    use_instead="FROM python:3.12-slim\nENV PYTHONDONTWRITEBYTECODE=1 \\\n    PYTHONUNBUFFERED=1 \\\n"
    "    PYTHONPATH=/app \\\n    PIP_NO_CACHE_DIR=1 \\\n    PIP_DISABLE_PIP_VERSION_CHECK=1\n",
    notes="Judged on the final stage and on a stage named `production`; values set in a stage they are built "
    "FROM count. Values that use a variable (`${APP_HOME}`) are accepted. Missing variables are asked only of a "
    "stage built on an OS or bare-interpreter image (`python:3.12-slim`, `debian:12`): what a vendor's image "
    "named by a build argument (`FROM ${SENTRY_IMAGE}`) or an application image (`tiangolo/uvicorn-gunicorn-"
    "fastapi` sets `PYTHONPATH`) sets cannot be seen.",
)
def check(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if df is None:
        return
    reported: set[tuple[int, str]] = set()
    for stage in python_runtime_stages(ctx):
        env = env_at(df, stage)
        missing = [name for name in REQUIRED if not env.get(name, ("", None))[0].strip()]
        # what a vendor's image (named by a build argument) or an application image (tiangolo/uvicorn-gunicorn...)
        # sets cannot be seen: only a stage built on an OS or bare-interpreter image is known to lack them
        root = df.ancestry(stage)[-1]
        if missing and not vendor_base(df, stage) and (root.parent is not None or plain_image(root.base_resolved)):
            names = ", ".join(f"`{n}`" for n in missing)
            yield Problem(
                f"runtime stage {stage_label(stage)} does not set {names}; add them to an `ENV` in this stage "
                "(or in the stage it is built FROM)",
                span_position(stage.from_instruction.keyword_span),
            )
        for name, kind in REQUIRED.items():
            if kind != "flag" or name not in env:
                continue
            value, ins = env[name]
            if not value.strip() or "$" in value or truthy(value) or (ins.span.start, name) in reported:
                continue
            reported.add((ins.span.start, name))
            yield Problem(
                f"`{name}={value}` turns the setting off; set `{name}=1`",
                _key_position(df, ins, name),
            )


def _key_position(df, ins, name: str):
    for tok, start, end in arg_tokens(df, ins):
        if tok == name or tok.startswith(name + "="):
            return position(df, start, end)
    return span_position(ins.args_span)

"""DF006: the runtime stage sets the Python and pip environment variables the standard requires."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.stages import (boolean_value, env_at, env_key_position, python_flag_on,
                                               python_runtime_stages, span_position, stage_label, vendor_base)
from dockyard.images import plain_image
from dockyard.model import Problem
from dockyard.rules.base import Context, Scope, rule

# name -> how its value is read: "python", a CPython flag (on unless the value reads as the number 0); "set", any
# non-empty value; "pip-any", a pip option that acts whatever boolean it is given (`--no-cache-dir`); "pip-flag",
# a pip on/off option (off for `0`, `false`, `no`, `off`...). pip stops with an error on a value that is no boolean.
REQUIRED = {
    "PYTHONDONTWRITEBYTECODE": "python",
    "PYTHONUNBUFFERED": "python",
    "PYTHONPATH": "set",
    "PIP_NO_CACHE_DIR": "pip-any",
    "PIP_DISABLE_PIP_VERSION_CHECK": "pip-flag",
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
    "FROM count. Values that use a variable (`${APP_HOME}`) are accepted. A value is read as the program reads it: "
    "CPython (3.7 and later) turns `PYTHONUNBUFFERED`/`PYTHONDONTWRITEBYTECODE` on for any value but a number "
    "that reads as zero (`false` turns them on, `0` leaves them off); pip disables its cache for every boolean "
    "`PIP_NO_CACHE_DIR` can hold, `off` and `0` included (its `--no-cache-dir` acts whatever value it is given), "
    "reads `PIP_DISABLE_PIP_VERSION_CHECK=off` as off, and stops with an error on a value that is no boolean "
    "(`1`, `true`, `yes`, `on`, `y`, `t` and their opposites). Missing variables are asked only of a "
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
            if kind == "set" or name not in env:
                continue
            value, ins = env[name]
            if not value.strip() or "$" in value or (ins.span.start, name) in reported:
                continue
            problem = _value_problem(name, kind, value)
            if problem is None:
                continue
            reported.add((ins.span.start, name))
            yield Problem(problem, env_key_position(df, ins, name))


def _value_problem(name: str, kind: str, value: str) -> str | None:
    """What is wrong with the value of a variable the runtime stage sets, as the program that reads it sees it."""
    if kind == "python":
        return None if python_flag_on(value) else f"`{name}={value}` turns the setting off; set `{name}=1`"
    read = boolean_value(value)
    if read is None:
        return (f"`{name}={value}` is not a boolean pip reads (`1`, `true`, `yes`, `on` or their opposites): every "
                f"pip command stops with an error; set `{name}=1`")
    if kind == "pip-flag" and not read:
        return f"`{name}={value}` turns the setting off; set `{name}=1`"
    return None


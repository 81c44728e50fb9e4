"""No secret travels inside the image: ENV and ARG never carry a literal secret value."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.stages import key_positions
from dockyard.model import Problem
from dockyard.rules.base import Context, Scope, rule
from dockyard.secrets import is_placeholder, is_secret_name, mask


def _is_reference(value: str) -> bool:
    """A value that only refers to a build argument or variable (``$X``, ``${X}``), holding no literal."""
    v = value.strip()
    if v.startswith("${") and v.endswith("}") and v.count("${") == 1:
        return True
    return v.startswith("$") and v[1:].replace("_", "").isalnum()


@rule(
    code="DF053", name="no-secrets-in-image", scope=Scope.DOCKERFILE, purposes=roles.BUILT,
    summary="No ENV or ARG gives a secret-looking name a literal value",
    why="ENV values are stored in the image config and ARG values in its history: anyone who can pull the "
        "image can read them with `docker inspect` or `docker history`.",
    standard=("DF-NO-SECRETS",), section="Secrets Management", severity="error",
    example="FROM python:3.12-slim\nENV API_KEY=secret123\n",
    use_instead="# syntax=docker/dockerfile:1\nFROM python:3.12-slim\n"
                "RUN --mount=type=secret,id=api_key,env=API_KEY ./fetch-private-deps.sh\n",
    notes="Values that only reference another variable (`ENV TOKEN=$TOKEN`) are not literals, but an ARG still "
          "records the value passed at build time; prefer `RUN --mount=type=secret`. A placeholder "
          "(`CHANGE_ME`, `__API_KEY_PLACEHOLDER__`, which an entrypoint replaces at start) is no secret.",
)
def no_secrets(ctx: Context) -> Iterator[Problem]:
    for ins in ctx.model.instructions:
        if ins.keyword not in ("ENV", "ARG"):
            continue
        for key, value, pos in key_positions(ctx, ins):
            if value is None or value == "" or not is_secret_name(key, value) or _is_reference(value) \
                    or is_placeholder(value):
                continue
            yield Problem(f"`{ins.keyword} {key}={mask(value, key)}` puts a secret into the image; pass it at "
                          "runtime (environment, secrets) or with `RUN --mount=type=secret`", pos)

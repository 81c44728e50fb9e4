"""The final image records its version, build date and commit as labels fed by build arguments."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.stages import final_lineage, final_lineage_instructions, key_positions, span_position
from dockyard.model import Problem
from dockyard.rules.base import Context, Scope, rule

# label -> (build argument, accepted OCI equivalent)
LABELS = {
    "version": ("BUILD_VERSION", "org.opencontainers.image.version"),
    "build-date": ("BUILD_DATE", "org.opencontainers.image.created"),
    "git-commit": ("GIT_COMMIT", "org.opencontainers.image.revision"),
}


def _refers_to(value: str, arg: str) -> bool:
    return f"${{{arg}}}" in value or f"${arg}" in value.replace(f"${arg}_", "")


@rule(
    code="DF054", name="build-labels", scope=Scope.DOCKERFILE, applies=roles.RUNNABLE, purposes=roles.SERVICES,
    summary="The final stage labels `version`, `build-date` and `git-commit` from build arguments",
    why="Without labels fed by `BUILD_VERSION`, `BUILD_DATE` and `GIT_COMMIT` nobody can tell which commit a "
        "running container was built from, which slows every incident and rollback.",
    standard=("DF-LABELS",), section="Build Arguments (CI/CD)", severity="error",
    example="FROM python:3.12-slim\nLABEL version=1.0\n",
    use_instead="FROM python:3.12-slim\nARG BUILD_VERSION\nARG BUILD_DATE\nARG GIT_COMMIT\n"
                "LABEL version=$BUILD_VERSION \\\n      build-date=$BUILD_DATE \\\n      git-commit=$GIT_COMMIT\n",
    notes="The OCI keys `org.opencontainers.image.version`, `.created` and `.revision` are accepted in place of "
          "`version`, `build-date` and `git-commit`. The ARGs must be declared in the final stage's lineage: a "
          "global ARG is not visible inside a stage unless re-declared there. Asked of images that run a service "
          "(what is deployed, and must be traced back to its commit): not of a command-line tool, a one-off job or a "
          "test image.",
)
def build_labels(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    stages = final_lineage(df)
    if not stages:
        return
    instructions = final_lineage_instructions(df)
    args = {k for ins in instructions if ins.keyword == "ARG" for k, _ in ins.key_values()}
    labels: dict[str, tuple[str, object]] = {}
    for ins in instructions:
        if ins.keyword == "LABEL":
            for k, v, pos in key_positions(ctx, ins):
                labels[k] = (v, pos)
    missing = []
    for label, (arg, oci) in LABELS.items():
        found = labels.get(label) or labels.get(oci)
        if found is None:
            missing.append(f"`{label}` (from `{arg}`)")
            continue
        value, pos = found
        if not _refers_to(value or "", arg):
            yield Problem(f"label `{label}` does not come from the `{arg}` build argument",
                          pos)
        elif arg not in args:
            yield Problem(f"label `{label}` uses `${arg}`, but the final stage declares no `ARG {arg}`: the label "
                          "is always empty", pos)
    if missing:
        yield Problem(f"the final stage sets no {', '.join(missing)} label", span_position(
            stages[-1].from_instruction.keyword_span))

"""The final image records its version, build date and commit as labels fed by build arguments."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.image_stage import image_stage_words
from dockyard.analysis.image_labels import LABELS, stamped_by_ci
from dockyard.analysis.stages import final_lineage, final_lineage_instructions, key_positions, span_position
from dockyard.model import Problem
from dockyard.projects import extends_own_image
from dockyard.rules.base import Context, Scope, rule


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
          "test image. What the item is for is an image that carries the three labels: a label that every published "
          "CI build of the Dockerfile applies itself is met there, and not asked of the Dockerfile, neither as missing "
          "nor as coming from another argument. A build applies it with `--label` or `labels:` (the standard's or "
          "the OCI key, with a value) or with the `labels` output of `docker/metadata-action` (which always holds "
          "`org.opencontainers.image.version`, `.created` and `.revision`); docker sets a build's labels on the "
          "image as a LABEL of the final stage would, over one of the same key. The Dockerfile a build names is "
          "compared with this one through symbolic links (a root `Dockerfile` linked to `docker/Dockerfile`). A CI "
          "build that only feeds tests publishes nothing and counts for nothing; one whose arguments cannot be read "
          "leaves the Dockerfile judged alone."
          " An add-on image FROM the project's own image inherits its labels: judged where that image is built.",
)
def build_labels(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    stages = final_lineage(df)
    if not stages or extends_own_image(ctx.project, df):
        return  # (an add-on to the project's own image inherits its labels, judged where it is built)
    instructions = final_lineage_instructions(df)
    args = {k for ins in instructions if ins.keyword == "ARG" for k, _ in ins.key_values()}
    labels: dict[str, tuple[str, object]] = {}
    for ins in instructions:
        if ins.keyword == "LABEL":
            for k, v, pos in key_positions(ctx, ins):
                labels[k] = (v, pos)
    missing = []
    by_ci = stamped_by_ci(ctx.project, ctx.file.path) if ctx.file is not None else set()
    for label, (arg, oci) in LABELS.items():
        if label in by_ci:
            continue  # every published CI build sets it on the image
        found = labels.get(label) or labels.get(oci)
        if found is None:
            missing.append(f"`{label}` (from `{arg}`)")
            continue
        value, pos = found
        if not _refers_to(value or "", arg):
            yield Problem(f"label `{label}` does not come from the `{arg}` build argument",
                          pos)
        elif arg not in args:
            yield Problem(f"label `{label}` uses `${arg}`, but {image_stage_words(df)} declares no `ARG {arg}`: the label "
                          "is always empty", pos)
    if missing:
        yield Problem(f"{image_stage_words(df)} sets no {', '.join(missing)} label", span_position(
            stages[-1].from_instruction.keyword_span))

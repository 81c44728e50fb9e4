"""Which stage of a Dockerfile is the image, and what it runs: the stage a build without ``--target`` ships, the
runtime stages the standard judges, and the ENTRYPOINT and CMD in effect there, read as BuildKit dispatches them."""

from __future__ import annotations

from dockyard import TYPE_CHECKING
from dockyard.compose.environments import DEVELOPMENT_NAMES, PRODUCTION_NAMES

if TYPE_CHECKING:  # pragma: no cover
    from dockyard.parsers.dockerfile import Dockerfile, Instruction, Stage


def lineage_instructions(df: "Dockerfile", stage: "Stage") -> list["Instruction"]:
    """Every instruction of ``stage`` and of the stages it is built FROM, in build order."""
    out: list = []
    for s in reversed(df.ancestry(stage)):
        out.extend(s.instructions)
    return out


def root_image(df: "Dockerfile", stage: "Stage") -> str:
    """The external image at the root of ``stage``'s FROM chain."""
    chain = df.ancestry(stage)
    return chain[-1].base_resolved if chain else ""


def effective_command(df: "Dockerfile", stage: "Stage") -> tuple["Instruction | None", "Instruction | None"]:
    """The ENTRYPOINT and CMD in effect at the end of ``stage``: as BuildKit dispatches them, an ENTRYPOINT
    resets a CMD inherited from an earlier stage, not one set in its own stage."""
    entrypoint = cmd = None
    for s in reversed(df.ancestry(stage)):
        cmd_here = False
        for ins in s.instructions:
            if ins.keyword == "ENTRYPOINT":
                entrypoint = ins
                if not cmd_here:
                    cmd = None
            elif ins.keyword == "CMD":
                cmd, cmd_here = ins, True
    return entrypoint, cmd


DEV_TOOLING_STAGES = frozenset({"dev-envs", "devcontainer", "dev-container", "vscode", "codespaces"})


LAMBDA_BASES = ("public.ecr.aws/lambda/", "amazon/aws-lambda-", "public.ecr.aws/sam/")  # AWS Lambda functions


def image_stage_words(df: "Dockerfile") -> str:
    """How a message names the image's stage: `the final stage`, or `stage `production`` when that is the image."""
    stage = image_stage(df)
    return "the final stage" if stage is None or stage is df.final_stage else f"stage `{stage.name_raw}`"


def image_stage(df: "Dockerfile") -> "Stage | None":
    """The stage that is the image: the final one, unless that is development tooling built FROM another stage
    (Docker Dev Environments' `dev-envs`, a dev container: then that stage, which compose and CI target), a `dev`
    stage beside a `prod` one (then `prod`), or an AWS Lambda function beside a stage named `production` (then the
    service it ships: no service rule fits a function Lambda invokes per event)."""
    stage = df.final_stage
    seen: set[int] = set()
    while stage is not None and stage.name in DEV_TOOLING_STAGES and stage.parent is not None \
            and stage.index not in seen:
        seen.add(stage.index)
        stage = df.stages[stage.parent]
    if stage is not None and stage.name in DEVELOPMENT_NAMES:
        stage = next((s for s in df.stages if s.name in PRODUCTION_NAMES), stage)
    if stage is not None and root_image(df, stage).startswith(LAMBDA_BASES):
        production = df.stage_by_name("production")
        if production is not None and production.name == "production" and production.index != stage.index:
            return production
    return stage


def runtime_stages(df: "Dockerfile") -> list["Stage"]:
    """The stages the standard calls the runtime image: the image's stage (:func:`image_stage`), and a stage
    named `production`."""
    out = []
    final = image_stage(df)
    if final is not None:
        out.append(final)
    production = df.stage_by_name("production")
    if production is not None and production.name == "production" and all(production.index != s.index for s in out):
        out.append(production)
    return out

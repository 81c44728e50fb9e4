"""DF003-DF005: base images: official and minimal, a specific version tag, a digest pin."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.shell import installed_packages
from dockyard.analysis.stages import (lineage, lineage_instructions, position, python_runtime_stages, value_token,
                                      windows_image)
from dockyard.images import ImageRef, TagKind, codename_of, parse_ref, tag_kind
from dockyard.model import Position, Problem
from dockyard.projects import brings_no_command, own_images
from dockyard.records import record
from dockyard.regex import lazy_compile
from dockyard.rules.base import Context, Scope, rule

SUGGESTED = "python:3.12-slim"


@record
class Base:
    """An external FROM: its raw and resolved reference and where they are."""

    stage: object
    raw: str
    resolved: str
    start: int  # file offsets of the image token
    end: int
    label: str = "base image"  # how messages name it: a FROM's base image, or an image copied from


def external_bases(df) -> Iterator[Base]:
    for stage in df.stages:
        if not stage.is_external:
            continue
        ins = stage.from_instruction
        if not ins.value:
            continue
        start, end = value_token(df, ins, 0)
        yield Base(stage, ins.value[0], stage.base_resolved, start, end)


def copied_images(df) -> Iterator[Base]:
    """External images a build copies files from: `COPY --from=ghcr.io/astral-sh/uv:0.9 /uv /bin/` and
    `RUN --mount=from=image`, where the reference names no stage of the file (and holds no variable)."""
    for ins in df.instructions:
        if ins.keyword in ("COPY", "ADD"):
            flags = [(f, f.value or "") for f in ins.flags_named("from")]
        elif ins.keyword == "RUN":
            flags = [(f, f.options().get("from", "")) for f in ins.flags_named("mount")]
        else:
            continue
        for flag, ref in flags:
            if not ref or "$" in ref or ref.isdigit() or df.stage_by_name(ref) is not None:
                continue
            raw = df.text[flag.span.start:flag.span.end]
            at = raw.find(ref)
            start = flag.span.start + at if at >= 0 else flag.span.start
            stage = df.stages[ins.stage] if 0 <= ins.stage < len(df.stages) else None
            yield Base(stage, ref, ref, start, start + len(ref) if at >= 0 else flag.span.end, "image copied from")


def _own(ctx: Context, reference: str) -> bool:
    """An image the project builds itself (:func:`dockyard.projects.own_images`)."""
    return parse_ref(reference).repository in own_images(ctx.project)


def _unresolved(text: str) -> bool:
    return "$" in text


def _part_position(df, base: Base, part: str) -> Position:
    """Position of the tag (`part="tag"`) or the digest of the raw token, else of the whole token."""
    raw = base.raw
    if df.text[base.start:base.end] != raw:
        return position(df, base.start, base.end)
    at = raw.find("@")
    name = raw if at == -1 else raw[:at]
    if part == "tag":
        colon = name.rfind(":")
        if colon > name.rfind("/") and colon != -1:
            return position(df, base.start + colon + 1, base.start + len(name))
    return position(df, base.start, base.end)


def _suggest(ref: ImageRef) -> str:
    if ref.official_name == "python":
        return f"pin a version such as `{SUGGESTED}`"
    return "pin a specific version tag"


@rule(
    code="DF003",
    name="base-image-official-minimal",
    scope=Scope.DOCKERFILE, applies=roles.PYTHON_IMAGES,
    summary="The runtime stage is built on an official minimal Python image (`python:X.Y-slim` or `-alpine`)",
    why="Full Debian-based images carry compilers, headers and hundreds of packages the app never uses: more "
    "CVEs to patch, slower pulls. Unofficial images add an unreviewed publisher to the supply chain.",
    standard=("DF-BASE-OFFICIAL",),
    section="Base Image Selection; Minimal Base Images",
    severity="error",
    example="FROM python:3.12 AS production\n",
    use_instead="FROM python:3.12-slim AS production\n",
    notes="The final stage and a stage named `production` are judged through their `FROM <stage>` chain down to "
    "the external image. `FROM scratch` and references that stay unresolved (an `ARG` without default) are not "
    "judged here."
    " The project's own image (one its CI builds tag, or compose builds and names) is a base it means to extend, not judged. "
          "A Windows container (a PowerShell or cmd `SHELL`, a Windows base) has no slim or Alpine variant: not judged.",
)
def check_official(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if df is None or windows_image(df):
        return  # (a Windows container has no slim or Alpine variant)
    seen: set[int] = set()
    for stage in python_runtime_stages(ctx):
        root = lineage(df, stage)[0]
        if root.index in seen or not root.is_external:
            continue
        seen.add(root.index)
        ins = root.from_instruction
        if not ins.value or _unresolved(root.base_resolved) or _own(ctx, root.base_resolved):
            continue  # (the project's own image is the base it means to extend)
        start, end = value_token(df, ins, 0)
        where = position(df, start, end)
        ref = parse_ref(root.base_resolved)
        shown = f"`{root.base_resolved}`"
        if ref.official_name != "python":
            advice = _official_instead(root.base_resolved)
            if not brings_no_command(root.base_resolved) and not any(
                    ins.keyword in ("CMD", "ENTRYPOINT") for ins in lineage_instructions(df, stage)):
                # the base starts the server (`tiangolo/uvicorn-gunicorn` runs its `/start.sh`): on the official
                # image nothing would start without a command of the image's own
                advice += (" with a command of the image's own (`CMD [\"gunicorn\", \"-c\", \"gunicorn_config.py\", "
                           "\"app.main:app\"]`): it runs the base image's command now, which the official image "
                           "does not have")
            yield Problem(f"the runtime image is built on {shown}, which is not the official minimal Python image; "
                          f"{advice}", where)
            continue
        variant = (ref.tag or "").lower()
        if not any(part.startswith(("slim", "alpine")) for part in variant.split("-")):
            version = variant.split("-")[0] if variant and variant[0].isdigit() else "3.12"
            yield Problem(
                f"the runtime image is built on {shown}, the full Debian image with compilers and headers; "
                f"use the minimal `python:{version}-slim` (or `-alpine`){_probe_caveat(ctx, df)}",
                where,
            )


_PROBE_TOOLS = ("curl", "wget")


def _probe_caveat(ctx: Context, df) -> str:
    """What the smaller image takes away that the service uses: a compose healthcheck's curl or wget, which the
    full image has and `-slim` does not (unless the Dockerfile installs it)."""
    if ctx.file is None:
        return ""
    installed = installed_packages(df, df.instructions)
    for name, svc, _ in roles.roles(ctx.project).services_building(ctx.file.path):
        hc = svc.get("healthcheck")
        test = hc.get("test") if isinstance(hc, dict) else None
        words = " ".join(map(str, test)) if isinstance(test, list) else str(test or "")
        tool = next((t for t in _PROBE_TOOLS if re.search(rf"(?<![\w-]){t}(?![\w-])", words) and t not in installed),
                    None)
        if tool is not None:
            return (f"; the compose healthcheck of `{name}` runs `{tool}`, which `-slim` lacks: install it, or probe "
                    "with Python")
    return ""


_PY_VERSION = lazy_compile(r"(?:^|[^\d.])(?:python|py)?(3\.\d{1,2})(?![\d])")


def _official_instead(image: str) -> str:
    """The official image that keeps what ``image`` runs: its Python version and its variant (a Python 3.13 on
    Alpine image gets `python:3.13-alpine`, never a downgrade), and uv copied in for an uv image."""
    tag = image.split("@", 1)[0].rpartition("/")[2].partition(":")[2].lower()
    m = _PY_VERSION.search(tag)
    variant = "alpine" if "alpine" in tag else "slim"
    if m is None:
        return f"use `{SUGGESTED}` (or `-alpine`)"
    advice = f"use `python:{m.group(1)}-{variant}`"
    if "astral-sh/uv" in image:
        uv = tag.split("-", 1)[0] if tag and tag[0].isdigit() else "<version>"
        advice += f" and copy uv in: `COPY --from=ghcr.io/astral-sh/uv:{uv} /uv /uvx /bin/`"
    return advice


@rule(
    code="DF004",
    name="base-image-tag",
    scope=Scope.DOCKERFILE,
    summary="Every external base image names a specific version tag (no untagged, no `latest`)",
    why="An untagged, `latest` or versionless (`slim`, `lts`, `stable`) base moves under you: the same Dockerfile "
    "builds a different Python tomorrow, and a rebuild can break without a single changed line.",
    standard=("DF-BASE-TAG",),
    section="Base Image Selection; Architecture Principles (Reproducible)",
    severity="error",
    example="FROM python\n",
    use_instead="FROM python:3.12-slim\n",
    notes="`ARG` defaults used in `FROM` are resolved first; `FROM <stage>` and `FROM scratch` are exempt. A "
    "reference pinned only by `@sha256:` digest is reproducible and accepted. A release codename is the version "
    "of the distribution's own images (`debian:bookworm-slim`, `ubuntu:noble`, `buildpack-deps:trixie`), but "
    "on any other image it pins only the system underneath (`python:slim-bookworm` follows every Python "
    "release). `sid`, `testing`, `unstable`, `devel`, `rolling`, `lts`, `stable`, `edge` and `current` move."
    " The project's own image (one its CI builds tag, or compose builds and names) is tagged by the build that makes it: not judged.",
)
def check_tag(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if df is None:
        return
    unresolved_said: set[str] = set()
    for base in [*external_bases(df), *copied_images(df)]:
        resolved = base.resolved
        if _own(ctx, resolved):
            continue  # the project's own image: the build that makes it tags it, here a build argument follows
        via = f" (`{base.raw}` resolves to `{resolved}`)" if resolved != base.raw else ""
        if _unresolved(resolved):
            names = _variables(resolved)
            if names in unresolved_said:
                continue  # the one global ARG without default: said once, at its first FROM
            unresolved_said.add(names)
            yield Problem(
                f"{base.label} `{base.raw}` depends on build argument {names} with no default; give the "
                "global `ARG` a default version so a plain build is reproducible",
                position(df, base.start, base.end),
            )
            continue
        ref = parse_ref(resolved)
        kind = tag_kind(ref)
        if kind is TagKind.NONE:
            yield Problem(
                f"{base.label} `{resolved}` has no tag and means `latest`; {_suggest(ref)}",
                position(df, base.start, base.end),
            )
        elif kind is TagKind.LATEST:
            yield Problem(
                f"{base.label} `{resolved}` uses the `latest` tag{via}; {_suggest(ref)}",
                _part_position(df, base, "tag"),
            )
        elif kind is TagKind.RELEASE_ONLY:
            yield Problem(
                f"{base.label} `{resolved}` uses the tag `{ref.tag}`{via}, which names the distribution release "
                f"(`{codename_of(ref.tag or '')}`) but no version of `{ref.name}` and moves with every `{ref.name}` "
                f"release; {_suggest(ref)}",
                _part_position(df, base, "tag"),
            )
        elif kind is TagKind.VERSIONLESS:
            yield Problem(
                f"{base.label} `{resolved}` uses the tag `{ref.tag}`{via}, which names no version and moves with "
                f"every release; {_suggest(ref)}",
                _part_position(df, base, "tag"),
            )


def _variables(text: str) -> str:
    names = []
    i = 0
    while True:
        i = text.find("$", i)
        if i == -1:
            break
        j = i + 1
        if j < len(text) and text[j] == "{":
            j += 1
        k = j
        while k < len(text) and (text[k].isalnum() or text[k] == "_"):
            k += 1
        if text[j:k]:
            names.append(f"`{text[j:k]}`")
        i = k
    return ", ".join(dict.fromkeys(names)) or "`?`"


@rule(
    code="DF005",
    name="base-image-digest",
    scope=Scope.DOCKERFILE, applies=roles.RUNNABLE,
    summary="External base images are pinned by `@sha256:` digest",
    why="A tag such as `3.12-slim` is re-pushed for every patch release and security rebuild; only a digest "
    "names exactly one image, so builds are repeatable and a compromised tag cannot slip in.",
    standard=("DF-BASE-DIGEST",),
    section="Image Pinning",
    severity="warning",
    example="FROM python:3.12-slim\n",
    use_instead="FROM python:3.12-slim@sha256:a8560b36e8b8210634f77d9f7f9efd7ffa463e380b75e2e74aff4511df3ef88c\n",
    notes="References that stay unresolved (an `ARG` without default) are left to DF004. Images a build copies "
    "files from (`COPY --from=ghcr.io/astral-sh/uv:0.9.26 /uv /bin/`, `RUN --mount=from=...`) are build inputs "
    "as much as the base and are judged alike."
    " The project's own image (one its CI builds tag, or compose builds and names) is pushed by the same release: not judged.",
)
def check_digest(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if df is None:
        return
    for base in [*external_bases(df), *copied_images(df)]:
        if _unresolved(base.resolved) or _own(ctx, base.resolved):
            continue  # (a digest cannot follow the project's own image, built and pushed by the same release)
        ref = parse_ref(base.resolved)
        if ref.digest and ref.digest.startswith("sha256:"):
            continue
        yield Problem(
            f"{base.label} `{base.resolved}` is not pinned by digest; append `@sha256:<digest>` "
            f"(`docker buildx imagetools inspect {base.resolved}` prints it) and let a bot update it",
            position(df, base.start, base.end),
        )

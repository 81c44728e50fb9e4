"""CI: the wheelhouse is prepared, images are built with labels, tags and several platforms."""

from __future__ import annotations

import re
from typing import Iterator

from dockyard import roles
from dockyard.model import Position, Problem
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.ci._pipeline import pipeline
from dockyard.source import FileKind

WORKFLOW_DIR = ".github/workflows"
BUILD_ARGS = ("BUILD_VERSION", "BUILD_DATE", "GIT_COMMIT")

GOOD_WORKFLOW = """name: ci
on:
  push:
    branches: [main]
    tags: ["v*"]
jobs:
  prepare-wheels:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip wheel --wheel-dir wheels -r requirements.lock.txt
      - uses: actions/upload-artifact@v4
        with:
          name: wheels
          path: wheels/
  build:
    runs-on: ubuntu-latest
    needs: prepare-wheels
    steps:
      - uses: actions/checkout@v4
      - uses: actions/download-artifact@v4
        with:
          name: wheels
          path: wheels/
      - uses: docker/setup-buildx-action@v3
      - uses: docker/build-push-action@v6
        with:
          context: .
          target: production
          platforms: linux/amd64,linux/arm64
          build-args: |
            BUILD_VERSION=${{ github.ref_name }}
            BUILD_DATE=${{ github.event.head_commit.timestamp }}
            GIT_COMMIT=${{ github.sha }}
          tags: |
            ghcr.io/acme/api:${{ github.ref_name }}
            ghcr.io/acme/api:${{ github.sha }}
            ghcr.io/acme/api:latest
"""
BAD_WORKFLOW = """name: ci
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: docker build -t acme/api .
"""
DOCKERFILE = "FROM python:3.12-slim\n"


def _wants_ci(project) -> bool:
    return bool(project.files_of(FileKind.DOCKERFILE))


def _no_pipeline(ctx: Context, what: str) -> Iterator[Problem]:
    if _wants_ci(ctx.project):
        yield Problem(f"no CI workflow found (`{WORKFLOW_DIR}/*.yml` or `.gitlab-ci.yml`); {what}", path=WORKFLOW_DIR)


@rule(
    code="CI002",
    name="prepare-wheels",
    scope=Scope.PROJECT, applies=roles.PYTHON_IMAGES,
    severity="warning",
    summary="CI builds the wheelhouse and hands it to the image build as an artifact",
    why="Building wheels once in CI (with the pip cache) and passing them to the image build makes builds fast and "
    "reproducible, and lets the Dockerfile install with `--no-index --find-links`: no compiler and no index access "
    "in the image build.",
    standard=("CI-PREPARE-WHEELS",),
    section="Wheelhouse (CI snippet; Checklist)",
    example={"Dockerfile": DOCKERFILE, ".github/workflows/ci.yml": BAD_WORKFLOW},
    use_instead={"Dockerfile": DOCKERFILE, ".github/workflows/ci.yml": GOOD_WORKFLOW},
)
def prepare_wheels(ctx: Context) -> Iterator[Problem]:
    pl = pipeline(ctx.project)
    if not pl.files:
        yield from _no_pipeline(ctx, "the wheelhouse is never built in CI")
        return
    wheel_jobs = {s.job for s in pl.steps if s.run and re.search(
        r"pip3?\s+wheel|-m\s+pip\s+wheel|wheelhouse-build|deps\s+wheelhouse", s.run)}
    upload_jobs = {s.job for s in pl.steps if s.uses.startswith("actions/upload-artifact") or s.uses == "gitlab:artifacts"}
    first = pl.files[0].path
    if not wheel_jobs:
        yield Problem("no CI job builds the wheelhouse (`pip wheel --wheel-dir wheels -r requirements.lock.txt` or "
                      "`make wheelhouse-build`)", path=first)
        return
    if not wheel_jobs & upload_jobs:
        step = next(s for s in pl.steps if s.job in wheel_jobs)
        yield Problem("the job that builds the wheelhouse does not upload it as an artifact "
                      "(`actions/upload-artifact`)", step.position, path=step.path)
        return
    producers = wheel_jobs & upload_jobs
    for b in pl.builds:
        downloads = any(s.job == b.job and (s.uses.startswith("actions/download-artifact") or s.job in producers)
                        for s in pl.steps)
        if not downloads and not set(pl.job_needs.get(b.job, ())) & producers:
            yield Problem(f"image build in job `{b.job}` does not use the wheelhouse artifact (`needs:` the wheel job "
                          "and `actions/download-artifact`)", b.position, path=b.path)


@rule(
    code="CI003",
    name="build-args",
    scope=Scope.PROJECT,
    summary="The image build passes `BUILD_VERSION`, `BUILD_DATE` and `GIT_COMMIT`",
    why="The Dockerfile turns these build arguments into `version`, `build-date` and `git-commit` labels; without "
    "them an image in a registry cannot be traced back to the commit and pipeline run that produced it.",
    standard=("CI-BUILD-ARGS",),
    section="Build Arguments (CI/CD)",
    example={"Dockerfile": DOCKERFILE, ".github/workflows/ci.yml": BAD_WORKFLOW},
    use_instead={"Dockerfile": DOCKERFILE, ".github/workflows/ci.yml": GOOD_WORKFLOW},
)
def build_args(ctx: Context) -> Iterator[Problem]:
    pl = pipeline(ctx.project)
    if not pl.files:
        yield from _no_pipeline(ctx, "no image build passes the build arguments")
        return
    if not pl.builds and _wants_ci(ctx.project):
        yield Problem("no CI step builds the image (`docker/build-push-action` or `docker buildx build`)",
                      path=pl.files[0].path)
    for b in pl.builds:
        missing = [a for a in BUILD_ARGS if a not in b.build_args]
        if missing:
            yield Problem(f"image build does not pass {', '.join(f'`{m}`' for m in missing)} as build arguments",
                          b.position, path=b.path)


def _tag_kinds(tags: list[str]) -> set[str]:
    """Which of version / sha / latest a list of tags (or metadata-action tag rules) provides."""
    kinds = set()
    for t in tags:
        low = t.lower().replace(" ", "")
        if low.startswith("type="):  # docker/metadata-action rules
            if "type=sha" in low:
                kinds.add("sha")
            if "type=semver" in low or "type=ref" in low or "type=pep440" in low:
                kinds.add("version")
            if "value=latest" in low or "latest=true" in low:
                kinds.add("latest")
            continue
        # the tag is what follows the last ':' outside an expression: registry/name:TAG
        depth, cut = 0, -1
        for i, ch in enumerate(low):
            if low.startswith("${{", i) or low.startswith("{{", i):
                depth += 1
            elif low.startswith("}}", i) and depth:
                depth -= 1
            elif ch == ":" and depth == 0:
                cut = i
        ref = low[cut + 1:] if cut >= 0 else low
        if "latest" in ref:
            kinds.add("latest")
        if any(k in ref for k in ("sha", "commit")):
            kinds.add("sha")
        if any(k in ref for k in ("version", "ref_name", "semver", "tag", "github.ref", "release")):
            kinds.add("version")
    return kinds


@rule(
    code="CI004",
    name="image-tags",
    scope=Scope.PROJECT,
    summary="Images are tagged with the version, the commit SHA and `latest`",
    why="The version tag is what deployments pin, the SHA tag ties an image to its commit for rollbacks and "
    "audits, and `latest` serves local use. A build with only one of them is either untraceable or unpinnable.",
    standard=("CI-TAGS",),
    section="Image Tagging",
    example={"Dockerfile": DOCKERFILE, ".github/workflows/ci.yml": BAD_WORKFLOW},
    use_instead={"Dockerfile": DOCKERFILE, ".github/workflows/ci.yml": GOOD_WORKFLOW},
)
def image_tags(ctx: Context) -> Iterator[Problem]:
    pl = pipeline(ctx.project)
    if not pl.files:
        yield from _no_pipeline(ctx, "images are never tagged")
        return
    meta = [t for _, tags in pl.metadata_tags for t in tags]
    for b in pl.builds:
        tags = list(b.tags)
        if any("steps." in t and ".outputs.tags" in t for t in tags):
            tags += meta
        missing = [k for k in ("version", "sha", "latest") if k not in _tag_kinds(tags)]
        if missing:
            yield Problem(f"image tags lack {', '.join(missing)} (tag with the version, the commit SHA and `latest`)",
                          b.position, path=b.path)


@rule(
    code="CI005",
    name="multi-arch",
    scope=Scope.PROJECT,
    severity="warning",
    summary="The image build targets several platforms with buildx (`linux/amd64,linux/arm64`)",
    why="Production and developer machines increasingly run arm64 (Graviton, Apple silicon). A single-arch image "
    "runs emulated or not at all there; buildx builds one multi-platform manifest in the same job.",
    standard=("CI-MULTIARCH",),
    section="Multi-Architecture Builds",
    example={"Dockerfile": DOCKERFILE, ".github/workflows/ci.yml": BAD_WORKFLOW},
    use_instead={"Dockerfile": DOCKERFILE, ".github/workflows/ci.yml": GOOD_WORKFLOW},
)
def multi_arch(ctx: Context) -> Iterator[Problem]:
    pl = pipeline(ctx.project)
    if not pl.files:
        yield from _no_pipeline(ctx, "no multi-platform build")
        return
    for b in pl.builds:
        plats = {p.strip() for p in b.platforms}
        if not {"linux/amd64", "linux/arm64"} <= plats:
            yield Problem("image build does not target `linux/amd64,linux/arm64` (set `platforms:` on "
                          "`docker/build-push-action` or `--platform` on `docker buildx build`)", b.position, path=b.path)


@rule(
    code="CI001",
    name="workflow-schema",
    scope=Scope.PROJECT,
    summary="GitHub Actions workflows are valid against the workflow JSON schema",
    why="GitHub rejects an invalid workflow when it is triggered, so none of its jobs (wheelhouse, image build, "
    "tagging) run; the failure shows up only after a push. The schema is SchemaStore's, as vendored by "
    "check-jsonschema.",
    standard=("CI-BUILD-ARGS", "CI-PREPARE-WHEELS"),
    section="Build Arguments (CI/CD)",
    example={".github/workflows/ci.yml": "on: push\njobs:\n  build:\n    steps:\n      - run: make\n"},
    use_instead={".github/workflows/ci.yml": "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n"},
)
def workflow_schema(ctx: Context) -> Iterator[Problem]:
    from dockyard.parsers.yamlpos import to_plain
    from dockyard.schemas import first_error

    for sf, doc in pipeline(ctx.project).docs:
        if sf.kind != FileKind.WORKFLOW:
            continue
        for err in getattr(doc, "errors", ()):
            yield Problem(f"workflow is not valid YAML: {err.message}", getattr(err, "position", Position(1, 1)))
        root = getattr(doc, "root", None)
        if getattr(doc, "errors", ()) or root is None:
            continue
        found = first_error("github-workflows", to_plain(root))
        if found is None:
            continue
        message, path = found
        node, pos = root, Position(1, 1)
        for key in path:
            if isinstance(node, dict) and key in node:
                p = node.key_pos(key) if hasattr(node, "key_pos") else None
                pos = p or pos
                node = node[key]
            elif isinstance(node, list) and isinstance(key, int) and key < len(node):
                p = node.item_pos(key) if hasattr(node, "item_pos") else None
                pos = p or pos
                node = node[key]
            else:
                break
        message = message.replace("data.", "", 1) if message.startswith("data.") else message
        yield Problem(f"workflow does not match the GitHub Actions schema: {message}", pos, path=sf.path)

"""CI: the wheelhouse is prepared, images are built with labels, tags and several platforms."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.ci_model import lines
from dockyard.analysis.ci_pipeline import is_expression, pipeline
from dockyard.analysis.image_labels import LABELS, stamped_by_build
from dockyard.model import Position, Problem, directory_path
from dockyard.parsers.yamlpos import to_plain
from dockyard.projects import builds_image, extends_own_image, is_catalogue, ships_image, ships_python_service
from dockyard.regex import lazy_compile
from dockyard.rules.base import Context, Scope, rule
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
          push: true
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
      - run: docker build -t acme/api . && docker push acme/api
"""
DOCKERFILE = "FROM python:3.12-slim\nCMD [\"uvicorn\", \"app.main:app\"]\n"


def judges_images(project) -> bool:
    """CI003-CI005 judge a project that ships an image other than a base image: an image whose product is the
    image itself (`docker-library/python`) has no service to trace, tag for deployment or wheel. An image that
    nothing runs (no command of its own, no compose service: a library's `make image`) is shipped only when CI
    publishes a build."""
    return ships_image(project) or (builds_image(project) and bool(pipeline(project).published))


def no_build_problem(project) -> Problem | None:
    """The one finding for a repository with an image and no CI that builds it (CI003 carries it)."""
    if not ships_image(project) or is_catalogue(project):
        return None  # base images or images nothing runs; or a catalogue of samples, whose CI is no sample's pipeline
    pl = pipeline(project)
    if pl.builds or pl.unknown:
        return None  # CI builds an image, or runs commands that cannot be read (a computed matrix)
    if not pl.files:
        return Problem(f"no CI workflow found (`{WORKFLOW_DIR}/*.yml` or `.gitlab-ci.yml`): nothing builds the image "
                       "in CI; add a workflow that builds it with `docker/build-push-action` (or `docker buildx "
                       "build`), passing `BUILD_VERSION`, `BUILD_DATE` and `GIT_COMMIT`", path=directory_path(""))
    workflows = [f for f in pl.files if f.kind == FileKind.WORKFLOW]
    where = directory_path(WORKFLOW_DIR) if workflows else pl.files[0].path
    return Problem("no CI step builds the image (`docker/build-push-action`, `docker buildx build` or `docker "
                   "compose build` or `up`, directly or through a script, a make target or a local action)",
                   path=where)


def _label(b, images=None) -> str:
    """How a message names a build: ``image build`` and where it is, and which compose services."""
    text = "image build" + b.where
    if b.via.startswith("docker compose "):
        names = [i.name for i in (images if images is not None else b.images) if i.name]
        text = f"`{b.via}`" + b.where + (f" of {', '.join(f'`{n}`' for n in names)}" if names else "")
    return text


def _once_per_build(found) -> Iterator[Problem]:
    """One problem per build and message: the same build (Dockerfile, context and target; compose files and
    services) copied into several jobs of a workflow is reported at its first copy, which names the others; the
    builds of one step with one message are one problem."""
    groups: dict[tuple, list] = {}
    for b, message in found:
        key = (b.path, b.source, b.identity, message) if b.identity else (id(b), message)
        groups.setdefault(key, []).append(b)
    at: dict[tuple, list] = {}  # (path, line, column, message) -> the copies elsewhere
    for (*_, message), builds in groups.items():
        first = builds[0]
        others = at.setdefault((first.path, first.position.line, first.position.column, message), [])
        for o in builds[1:]:
            where = (o.job, o.position.line)
            if where != (first.job, first.position.line) and where not in others:
                others.append(where)
    for (path, line, column, message), others in at.items():
        first = next(b for b, m in found if m == message and b.path == path and
                     (b.position.line, b.position.column) == (line, column))
        if others:
            message += " (the same build is repeated in " + ", ".join(
                f"job `{job}` line {n}" for job, n in sorted(others, key=lambda o: o[1])) + ")"
        yield Problem(message, first.position, path=path)


def _builds_python_image(project, build) -> bool:
    """Whether a build makes a Python image from a Dockerfile of the tree: the builds a wheelhouse is for. A build
    of another runtime's image (an infrastructure image such as pgbouncer), or one whose Dockerfile cannot be read
    (a context taken from a matrix computed at run time), is not judged."""
    classified = roles.roles(project)
    for image in build.images:
        sf = project.file(image.dockerfile) if image.dockerfile else None
        if sf is not None and sf.kind == FileKind.DOCKERFILE and sf.text is not None and \
                classified.dockerfile(sf).role in roles.PYTHON_IMAGES:
            return True
    return False


def _installs_from_hashed_lock(project, build) -> bool:
    """Whether every Python image a build makes installs its dependencies from a lock that pins and hashes them
    (`uv sync --locked` or `--frozen` from `uv.lock`, `uv pip install --require-hashes`): the lock already fixes
    what is installed, and uv's cache mount serves the rebuilds a wheelhouse would."""
    from dockyard.analysis.shell import manager_call, pip_call, run_script  # lazy: only a uv build asks
    from dockyard.analysis.stages import uv_installs_locked  # lazy: likewise

    images = [project.file(i.dockerfile) for i in build.images if i.dockerfile]
    if not images or any(sf is None or sf.kind != FileKind.DOCKERFILE for sf in images):
        return False
    def locked(df, stage, ins, script, cmd) -> bool:
        call = manager_call(cmd)
        if call is not None:
            return call.tool == "uv" and call.installs_dependencies and uv_installs_locked(df, stage, ins, call)
        pip = pip_call(script, cmd)
        return pip is not None and pip.tool == "uv" and pip.has("--require-hashes")

    for sf in images:
        df = project.dockerfile(sf)
        if df is None or not any(locked(df, stage, ins, script, cmd) for stage in df.stages
                                 for ins in stage.instructions if (script := run_script(df, ins)) is not None
                                 for cmd in script.commands):
            return False
    return True


def _architectures(build) -> set[str]:
    """The CPU architectures a build targets (`linux/amd64,linux/arm64` -> amd64, arm64); none when it names none."""
    named = [part.strip() for value in build.platforms for part in str(value).split(",")]
    return {part.split("/")[1] for part in named if "/" in part and "$" not in part}



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
    notes="Judged when the project ships a Python service (a Dockerfile whose image serves FastAPI or runs "
    "Python): base images and images of other runtimes install no wheelhouse. Only published builds of a Python image of "
    "the tree are judged (see CI003): a build of an infrastructure image, or one whose Dockerfile cannot be read (a "
    "context taken from a matrix computed at run time), is not. A workflow that builds no wheelhouse is told so once, at its first published build. A build for "
    "several architectures (`platforms: linux/amd64,linux/arm64`) is told to build one wheelhouse per architecture "
    "(or to use an internal package registry), as the standard says: wheels built on one runner hold that runner's "
    "architecture. A build whose Dockerfile installs from a lock that pins and hashes every package (`uv sync "
    "--locked` or `--frozen`, or `UV_LOCKED`/`UV_FROZEN` set; `uv pip install --require-hashes`) is not asked: the lock fixes what is installed and "
    "uv's cache mount serves the rebuilds.",
)
def prepare_wheels(ctx: Context) -> Iterator[Problem]:
    if not ships_python_service(ctx.project):
        return  # no Python service: nothing to install from a wheelhouse
    pl = pipeline(ctx.project)
    published = [b for b in pl.published if _builds_python_image(ctx.project, b)
                 and not _installs_from_hashed_lock(ctx.project, b)]
    if not published:
        return  # no published Python image to hand a wheelhouse to (CI003 says so when CI builds none at all)
    wheel_jobs = {s.job for s in pl.steps if s.run and re.search(
        r"pip3?\s+wheel|-m\s+pip\s+wheel|wheelhouse-build|deps\s+wheelhouse", s.run)}
    upload_jobs = {s.job for s in pl.steps if s.uses.startswith("actions/upload-artifact") or s.uses == "gitlab:artifacts"}
    if not wheel_jobs:
        reported: set[str] = set()
        for b in published:
            if b.path in reported:
                continue  # one absence: once per workflow, at its first published build
            reported.add(b.path)
            arches = sorted(_architectures(b))
            if len(arches) > 1:
                yield Problem(f"{_label(b)} gets no wheelhouse: no CI job builds one per architecture it targets "
                              f"({', '.join(f'`{a}`' for a in arches)}: a wheelhouse built on one runner holds that "
                              "runner's wheels; build one per platform, e.g. a job matrix over the platforms running "
                              "`make wheelhouse-build`, or install from an internal package registry) and hands it "
                              "over as an artifact", b.position, path=b.path)
                continue
            yield Problem(f"{_label(b)} gets no wheelhouse: no CI job builds one (`pip wheel --wheel-dir wheels -r "
                          "requirements.lock.txt` or `make wheelhouse-build`) and hands it over as an artifact",
                          b.position, path=b.path)
        return
    if not wheel_jobs & upload_jobs:
        step = next(s for s in pl.steps if s.job in wheel_jobs)
        yield Problem("the job that builds the wheelhouse does not upload it as an artifact "
                      "(`actions/upload-artifact`)", step.position, path=step.path)
        return
    producers = wheel_jobs & upload_jobs
    for b in published:
        downloads = any(s.job == b.job and (s.uses.startswith("actions/download-artifact") or s.job in producers)
                        for s in pl.steps)
        if not downloads and not set(pl.job_needs.get(b.job, ())) & producers:
            yield Problem(f"{_label(b)} in job `{b.job}` does not use the wheelhouse artifact (`needs:` the wheel "
                          "job and `actions/download-artifact`)", b.position, path=b.path)


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
    notes="Builds are found in `docker/build-push-action` steps (matrix variants included; "
    "`depot/build-push-action` and `useblacksmith/build-push-action`, which take the same inputs, alike), in `docker build`, "
    "`docker buildx build|bake` and `docker compose build` commands (compose services' `build.args`), and in the "
    "scripts, make targets, local actions and local reusable workflows a step runs. When a repository has a "
    "Dockerfile (not a template) and no CI builds an image, this rule alone reports it, at the workflows folder "
    "(or the project root when there is no CI configuration); CI002, CI004 and CI005 judge builds only. Builds are "
    "judged when their image is published: the build pushes (`--push`, `push: true`, a registry output), or its job "
    "pushes one of its tags (`docker push`, also under a name given by `docker tag`) or its compose services (`docker "
    "compose push`); a build that only feeds tests, a `docker run` or a local `docker compose up` is not, even when "
    "its job logs in to a registry (to pull a cache image), nor is a build of a workflow named for tests alone "
    "(`pr-integration-tests.yml`; not `build-test-push.yml`), whose pushes feed its own test jobs. A push of a name the analysis cannot read (`docker push "
    "$IMAGE`) may be any build of its job. One build copied into several jobs of a workflow (the same Dockerfile, "
    "context and target) is reported once, at its first copy, naming the others. A build whose arguments come from something "
    "unreadable (`\"${ARGS[@]}\"`) is not judged. CI003, CI004 and CI005 judge a project that builds an image other "
    "than a base image (a repository of base images such as `docker-library/python` is not). An image nothing "
    "runs (its Dockerfile sets no command beyond an interpreter or a shell, its base image brings none, no compose "
    "service builds it: a library's `make image` environment) is judged only when CI publishes a build: a "
    "repository that releases packages and keeps such a Dockerfile is not told that CI builds no image. A catalogue of "
    "independent sample projects (nothing at the root, several folders with their own compose file: "
    "`docker/awesome-compose`) is not told that CI builds no image: its samples are built locally by `docker "
    "compose up`, and its CI is the catalogue's, not a sample's pipeline; builds its CI does publish are judged. "
    "The arguments exist to become the image's `version`, `build-date` and `git-commit` labels: a build that "
    "applies a label itself (`--label` or `labels:` with the standard's or the OCI key and a value, or the `labels` "
    "output of a `docker/metadata-action` step of its job, which holds `org.opencontainers.image.version`, "
    "`.created` and `.revision`) records what its argument would, and is not asked for that argument. An add-on "
    "image FROM the project's own image inherits the labels of that image's build: it is not asked.",
)
def build_args(ctx: Context) -> Iterator[Problem]:
    if not judges_images(ctx.project):
        return
    absent = no_build_problem(ctx.project)
    if absent is not None:
        yield absent
        return
    found = []
    for b in pipeline(ctx.project).published:
        if b.opaque:
            continue  # its arguments cannot be read here
        failing = [(i, [a for a in BUILD_ARGS if a not in i.build_args and a not in _labelled(ctx.project, b, i)])
                   for i in b.images if not _add_on(ctx.project, i)]
        failing = [(i, m) for i, m in failing if m]
        if failing:
            missing = [a for a in BUILD_ARGS if any(a in m for _, m in failing)]
            found.append((b, f"{_label(b, [i for i, _ in failing])} does not pass "
                             f"{', '.join(f'`{m}`' for m in missing)} as build arguments"))
    yield from _once_per_build(found)


def _add_on(project, image) -> bool:
    """An image built FROM the project's own image: it inherits the labels that build stamps (see DF054)."""
    sf = project.file(image.dockerfile) if image.dockerfile else None
    return sf is not None and sf.kind == FileKind.DOCKERFILE and sf.text is not None and \
        extends_own_image(project, project.dockerfile(sf))


def _labelled(project, b, image) -> set[str]:
    """The build arguments whose label the build applies to its image itself (see DF054)."""
    return {LABELS[label][0] for label in stamped_by_build(project, b, image)}


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


# metadata-action's rules for which its default `flavor` (`latest=auto`) also tags `latest`
_AUTO_LATEST = ("type=semver", "type=pep440", "type=match")


def _with_automatic_latest(step, tags: list[str]) -> list[str]:
    """A `docker/metadata-action` step's tag rules, with the `latest` its default flavor adds (`latest=auto`: for
    `type=semver`, `type=pep440`, `type=match` and `type=ref,event=tag` rules) unless `flavor` says
    `latest=false`."""
    flavor = " ".join(lines(step.with_.get("flavor"))).lower().replace(" ", "")
    rules = [t.lower().replace(" ", "") for t in tags]
    auto = any(r.startswith(_AUTO_LATEST) or (r.startswith("type=ref") and "event=tag" in r) for r in rules)
    return tags + ["type=raw,value=latest"] if auto and "latest=false" not in flavor else tags


def _typed_inputs(root) -> frozenset[str]:
    """The inputs a person types when starting the workflow by hand (`on: workflow_dispatch: inputs:`); none when
    another workflow calls it too (`workflow_call`: its callers' values are read)."""
    on = root.get("on", root.get(True)) if isinstance(root, dict) else None
    if not isinstance(on, dict) or "workflow_call" in on:
        return frozenset()
    dispatch = on.get("workflow_dispatch")
    inputs = dispatch.get("inputs") if isinstance(dispatch, dict) else None
    return frozenset(map(str, inputs)) if isinstance(inputs, dict) else frozenset()


def _given_at_run(tag: str, typed) -> bool:
    """A tag list that is one input a person types when starting the workflow (`${{ inputs.tags }}`)."""
    t = tag.strip()
    if not (t.startswith("${{") and t.endswith("}}") and t.count("${{") == 1):
        return False
    name = t[3:-2].strip()
    for prefix in ("inputs.", "github.event.inputs."):
        if name.startswith(prefix):
            return name[len(prefix):] in typed
    return False


# tags a workflow adds to a pushed image by promoting it (`docker buildx imagetools create --tag IMAGE:latest IMAGE:sha`)
_IMAGETOOLS_CALL = lazy_compile(r"\bdocker\s+buildx\s+imagetools\s+create\b((?:\\\n|[^\n;&|])*)")
_TAG_OPTION = lazy_compile(r"(?:^|\s)(?:--tag|-t)(?:\s+|=)((?:\$\{\{.*?\}\}|[^\s$]|\$(?!\{\{))+)")


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
    notes="Judged where the image is pushed, once per build (see CI003): a tag that a test job gives its local "
    "image is no release tag. A tag a job of the same workflow adds by promoting a pushed image (`docker buildx "
    "imagetools create --tag IMAGE:latest IMAGE:sha-...`, as a release job does after the tests) counts. "
    "`docker/metadata-action`'s default flavor tags `latest` for its semver, pep440, match and tag-event rules; tags "
    "that are one input the person starting the workflow types (`${{ inputs.tags }}`) are not judged.",
)
def image_tags(ctx: Context) -> Iterator[Problem]:
    if not judges_images(ctx.project):
        return
    pl = pipeline(ctx.project)
    meta: dict[tuple[str, str], list[str]] = {}  # (workflow, job) -> the tag rules of its metadata-action steps
    for step, tags in pl.metadata_tags:
        meta.setdefault((step.path, step.job), []).extend(_with_automatic_latest(step, tags))
    promoted: dict[str, list[str]] = {}  # workflow -> tags its `docker buildx imagetools create` steps add
    for step in pl.steps:
        if step.run and "imagetools" in step.run:
            for call in _IMAGETOOLS_CALL.finditer(step.run):
                promoted.setdefault(step.path, []).extend(_TAG_OPTION.findall(call.group(1).replace("\\\n", " ")))
    typed = {sf.path: _typed_inputs(getattr(doc, "root", None)) for sf, doc in pl.docs}
    found = []
    for b in pl.published:
        if b.opaque:
            continue
        failing = []
        for image in b.images:
            tags = list(image.tags) + promoted.get(b.path, [])
            if not image.tags and b.pushes:
                continue  # pushed by digest: the tags come later, from a step that joins the digests
            if any("steps." in t and ".outputs.tags" in t for t in tags):
                # the job's own metadata step; one of another job of the workflow when it has none
                tags += meta.get((b.path, b.job)) or [t for (path, _), rules in meta.items() if path == b.path
                                                      for t in rules]
            if any(_given_at_run(t, typed.get(b.path, ())) for t in tags):
                continue  # the tags are what the person who starts the workflow types: nothing to judge
            missing = [k for k in ("version", "sha", "latest") if k not in _tag_kinds(tags)]
            if missing:
                failing.append((image, missing))
        if failing:
            missing = [k for k in ("version", "sha", "latest") if any(k in m for _, m in failing)]
            label = _label(b, [i for i, _ in failing])
            prefix = "" if label == "image build" else f"{label}: "
            found.append((b, f"{prefix}image tags lack {', '.join(missing)} (tag with the version, the commit SHA "
                             "and `latest`)"))
    yield from _once_per_build(found)


# `docker buildx imagetools create -t IMAGE:v1 IMAGE:v1-amd64 IMAGE:v1-arm64` (two sources or more), `docker
# manifest create IMAGE:v1 IMAGE:v1-amd64 IMAGE:v1-arm64`
_MANIFEST_CREATE = lazy_compile(r"\bdocker\s+manifest\s+create\b")
_IMAGETOOLS_VALUED = frozenset({"-t", "--tag", "-f", "--file", "--annotation", "--builder", "--progress",
                                "--platform"})


def _merges_manifests(script: str) -> bool:
    if _MANIFEST_CREATE.search(script):
        return True
    for call in _IMAGETOOLS_CALL.finditer(script):
        words = call.group(1).replace("\\\n", " ").split()
        sources, i = 0, 0
        while i < len(words):
            word = words[i]
            if word.startswith("-"):
                i += 2 if word in _IMAGETOOLS_VALUED else 1
                continue
            # a list expanded in place (`"${IMAGES[@]}"`, `$(...)`, `"$@"`) may name any number of images
            sources += 2 if ("[@]" in word or "$(" in word or word.strip('"') in ("$@", "$*")) else 1
            i += 1
        if sources >= 2:
            return True
    return False


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
    notes="Judged where the image is pushed, once per build (see CI003): a test build loaded into the runner's "
    "daemon and run there is not. An image pushed only to a registry whose platform runs one architecture "
    "(Heroku's `registry.heroku.com`, linux/amd64) needs no other, nor does the build of a workflow that joins "
    "images built apart into one manifest (one job per runner architecture, then `docker buildx imagetools create` "
    "of two images or more, or `docker manifest create`); the workflow's and job's `env:` values are read "
    "into the name (`${{ env.HEROKU_IMAGE }}`, `$HEROKU_IMAGE`), and the step's too into its inputs "
    "(`platforms: ${{ env.platforms }}`).",
)
def multi_arch(ctx: Context) -> Iterator[Problem]:
    if not judges_images(ctx.project):
        return
    pl = pipeline(ctx.project)
    # workflows that join images built apart (one per runner architecture) into one manifest
    merging = {step.path for step in pl.steps if step.run and _merges_manifests(step.run)}
    found = []
    for b in pl.published:
        if b.opaque or pl.single_arch_only(b) or b.path in merging:
            continue  # unreadable; pushed only where one architecture runs (Heroku); or one part of a manifest
        failing = [i for i in b.images if not {"linux/amd64", "linux/arm64"} <= {p.strip() for p in i.platforms}]
        if failing:
            found.append((b, f"{_label(b, failing)} does not target `linux/amd64,linux/arm64` (set `platforms:` on "
                             "`docker/build-push-action`, `--platform` on `docker buildx build`, or `build.platforms` "
                             "in compose)"))
    yield from _once_per_build(found)


# Where GitHub evaluates an expression in place of the whole value (GitHub's "context availability" table), although
# the workflow schema (and actionlint) type these keys as mappings or lists: `strategy: ${{ fromJson(...) }}`.
_JOB_EVALUATED = ("strategy", "services", "container", "environment", "env", "concurrency", "timeout-minutes",
                  "continue-on-error")
_STEP_EVALUATED = ("with", "env", "timeout-minutes", "continue-on-error", "working-directory")


def _without_null_values(matrix: dict) -> dict:
    """A matrix whose `include` and `exclude` rows hold no `null`: GitHub takes any value there (its own schema's
    `matrix-filter-item`: `database_host: null` on a row that needs no host), SchemaStore's schema takes none."""
    out = dict(matrix)
    for key in ("include", "exclude"):
        rows = out.get(key)
        if isinstance(rows, list):
            out[key] = [{k: v for k, v in row.items() if v is not None} if isinstance(row, dict) else row
                        for row in rows]
    return out


def without_evaluated_expressions(data):
    """The workflow without the values that are one expression at a key GitHub evaluates: GitHub accepts them
    whatever the schema says of the key's type, so the schema judges the rest of the file."""
    if not isinstance(data, dict):
        return data
    data = dict(data)
    for key in ("env", "concurrency"):
        if is_expression(data.get(key)):
            del data[key]
    jobs = data.get("jobs")
    if isinstance(jobs, dict):
        jobs = dict(jobs)
        for name, job in jobs.items():
            if not isinstance(job, dict):
                continue
            job = {k: v for k, v in job.items() if not (k in _JOB_EVALUATED and is_expression(v))}
            strategy = job.get("strategy")
            if isinstance(strategy, dict):
                job["strategy"] = {k: v for k, v in strategy.items() if not is_expression(v) or k == "matrix"}
                matrix = job["strategy"].get("matrix")
                if isinstance(matrix, dict):
                    job["strategy"]["matrix"] = _without_null_values(matrix)
            defaults = job.get("defaults")
            if isinstance(defaults, dict) and is_expression(defaults.get("run")):
                job["defaults"] = {k: v for k, v in defaults.items() if k != "run"}
                if not job["defaults"]:
                    del job["defaults"]
            services = job.get("services")
            if isinstance(services, dict):
                job["services"] = {k: v for k, v in services.items() if not is_expression(v)}
            steps = job.get("steps")
            if isinstance(steps, list):
                job["steps"] = [{k: v for k, v in st.items() if not (k in _STEP_EVALUATED and is_expression(v))}
                                if isinstance(st, dict) else st for st in steps]
            jobs[name] = job
        data["jobs"] = jobs
    return data


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
    notes="A value that is one expression (`strategy: ${{ fromJson(needs.setup.outputs.matrix) }}`) is accepted "
    "wherever GitHub evaluates one (its context availability table), although the schema types the key as a "
    "mapping; actionlint, the second oracle of the tests, rejects some of them where GitHub does not. Where "
    "SchemaStore's schema is stricter than GitHub's own workflow parser (`workflow-v1.0.json` of "
    "actions/languageservices), GitHub's reading wins: a `strategy` with `fail-fast` or `max-parallel` and no "
    "`matrix` is valid, as GitHub and actionlint accept it; so is `null` as a value of a matrix's `include` or "
    "`exclude` row (`database_host: null`).",
)
def workflow_schema(ctx: Context) -> Iterator[Problem]:
    workflows = [(sf, doc) for sf, doc in pipeline(ctx.project).docs if sf.kind == FileKind.WORKFLOW]
    if not workflows:
        return  # the validator is not even loaded
    from dockyard.schemas import first_error  # lazy: a check of a lone Dockerfile runs without it

    for sf, doc in workflows:
        for err in getattr(doc, "errors", ()):
            yield Problem(f"workflow is not valid YAML: {err.message}", getattr(err, "position", Position(1, 1)),
                          path=sf.path)
        root = getattr(doc, "root", None)
        if getattr(doc, "errors", ()) or root is None:
            continue
        data = without_evaluated_expressions(to_plain(root))
        found = first_error("github-workflows", data)
        if found is None:
            continue
        message, path = found
        job = data["jobs"].get(path[1]) if len(path) == 2 and path[0] == "jobs" and isinstance(
            data.get("jobs"), dict) else None
        if isinstance(job, dict) and "exactly by one definition" in message:
            # "a job must be one of two kinds": say what is wrong with it as the kind it is written as
            kind = "reusableWorkflowCallJob" if "uses" in job else "normalJob"
            inner = first_error("github-workflows", job, kind)
            if inner is not None:
                inner_message, inner_path = inner
                message = inner_message.replace("data", ".".join(map(str, path)), 1)
                path = path + inner_path
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

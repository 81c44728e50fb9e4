"""DF013-DF016, DF018: the shape of a multi-stage build.

DF013 a builder and a separate runtime stage, DF014 a `production` target, DF015 no build toolchain in the runtime
image, DF016 a security-scan stage that is actually built, DF018 no editable installs in production.
"""

from __future__ import annotations

from collections.abc import Iterator

from dockyard import roles
from dockyard.analysis.shell import package_installs, package_name, pip_call, run_script
from dockyard.analysis.stages import (
    lineage_instructions,
    referenced_stages,
    span_position,
    stage_label,
    vendor_base,
)
from dockyard.model import Problem
from dockyard.projects import extends_own_image
from dockyard.analysis.image_stage import image_stage, runtime_stages
from dockyard.rules.base import Context, Scope, rule
from dockyard.source import FileKind


def _from_position(stage):
    return span_position(stage.from_instruction.keyword_span)


# ------------------------------------------------------------------------------------ DF013
@rule(
    code="DF013",
    name="multi-stage-build",
    scope=Scope.DOCKERFILE, applies=roles.PYTHON_IMAGES, purposes=roles.SERVICES,
    summary="The build has a builder stage and a separate runtime stage",
    why="A single-stage image ships everything it took to build it: compilers, headers, pip caches, build "
    "tools. A runtime stage that only receives the results (a venv, a wheelhouse) is smaller and has far less "
    "to patch.",
    standard=("DF-MULTISTAGE",),
    section="Multi-Stage Builds",
    severity="error",
    example="FROM python:3.12-slim\nRUN pip install -r requirements.lock.txt\n",
    use_instead="FROM python:3.12-slim AS builder\nRUN pip wheel --wheel-dir /wheels -r requirements.lock.txt\n"
    "FROM python:3.12-slim AS production\nCOPY --from=builder /wheels /wheels\n",
    notes="The runtime stage must take something from another stage: be built FROM it, `COPY --from` it or "
    "`RUN --mount=from=` it. An add-on image FROM the project's own image, which its builder stages made, is not "
    "judged.",
)
def check_multistage(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if df is None or not df.stages or extends_own_image(ctx.project, df):
        return
    final = image_stage(df)
    if len(df.stages) == 1:
        yield Problem(
            "the Dockerfile has a single stage; build dependencies in a `builder` stage and copy only the results "
            "(a venv or wheelhouse) into a separate runtime stage",
            _from_position(final),
        )
        return
    for stage in runtime_stages(df):
        if len(referenced_stages(df, stage)) < 2:
            yield Problem(
                f"runtime stage {stage_label(stage)} takes nothing from another stage, so the other stages are never "
                "built for it; install into a builder stage and `COPY --from=builder` the results",
                _from_position(stage),
            )


# ------------------------------------------------------------------------------------ DF014
@rule(
    code="DF014",
    name="production-target",
    scope=Scope.DOCKERFILE, applies=roles.PYTHON_IMAGES, purposes=roles.SERVICES,
    summary="A stage named `production` exists",
    why="Compose files and CI build `target: production`; without a stage of that name the build fails, or "
    "people fall back to the last stage and ship whatever happens to come last.",
    standard=("DF-PROD-TARGET",),
    section="Complete Dockerfile Example; Production Compose",
    severity="error",
    example="FROM python:3.12-slim AS builder\nFROM python:3.12-slim AS runtime\n",
    use_instead="FROM python:3.12-slim AS builder\nFROM python:3.12-slim AS production\n",
    notes="Dockerfiles whose name marks them as development or test only (`Dockerfile.dev`, `test.Dockerfile`) "
    "are not judged, nor is an add-on image FROM the project's own image (one thin stage, built whole).",
)
def check_production_target(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if df is None or not df.stages or extends_own_image(ctx.project, df):
        return
    if any(s.name == "production" for s in df.stages):
        return
    final = image_stage(df)
    names = ", ".join(f"`{s.name_raw}`" for s in df.stages if s.name_raw)
    have = f" (stages: {names})" if names else ""
    yield Problem(
        f"no stage is named `production`{have}; name the runtime stage `FROM ... AS production` so compose and CI "
        "can build `target: production`",
        _from_position(final),
    )


# ------------------------------------------------------------------------------------ DF015
_TOOLCHAIN = frozenset({
    "gcc", "g++", "cc", "c++", "clang", "build-essential", "build-base", "make", "cmake", "ninja-build",
    "autoconf", "automake", "libtool", "gfortran", "rustc", "cargo", "musl-dev", "linux-headers",
    "pkg-config", "pkgconf", "gcc-c++", "cpp",
})


# the run-time library of a `-dev` package, for what loads it when the application runs (psycopg 3 loads libpq; a
# compiled extension links to it): Debian bookworm's names, and Alpine's
RUNTIME_LIBRARY = {
    "apt-get": {"libpq-dev": "libpq5", "libmariadb-dev": "libmariadb3", "default-libmysqlclient-dev": "libmariadb3",
                "libxml2-dev": "libxml2", "libxslt1-dev": "libxslt1.1", "libffi-dev": "libffi8",
                "libjpeg-dev": "libjpeg62-turbo", "libjpeg62-turbo-dev": "libjpeg62-turbo", "libwebp-dev": "libwebp7",
                "libyaml-dev": "libyaml-0-2",
                # musl's C library, for wheels built against musl (`ln -s .../libc.so /lib/libc.musl-x86_64.so.1`)
                "musl-dev": "musl"},
    "apk": {"postgresql-dev": "libpq", "libpq-dev": "libpq", "mariadb-dev": "mariadb-connector-c",
            "libxml2-dev": "libxml2", "libxslt-dev": "libxslt", "libffi-dev": "libffi", "jpeg-dev": "libjpeg-turbo"},
}


def runtime_library(name: str, manager: str) -> str | None:
    """The run-time package of the `-dev` package ``name`` installed by ``manager`` (`apt-get` or `apk`)."""
    return RUNTIME_LIBRARY[manager].get(package_name(name).split(":", 1)[0])


def _manager(inst) -> str:
    """`apk` for an Alpine install, else `apt-get` (the names :data:`RUNTIME_LIBRARY` knows)."""
    words = [w.text.rsplit("/", 1)[-1] for w in inst.command.argv[:3]]
    return "apk" if "apk" in words else "apt-get"


def is_build_package(name: str) -> bool:
    n = package_name(name).split(":", 1)[0]
    if n in _TOOLCHAIN:
        return True
    for prefix in ("gcc-", "g++-", "clang-", "llvm-"):
        if n.startswith(prefix) and n[len(prefix):].replace(".", "").isdigit():
            return True
    return n.endswith(("-dev", "-devel", "-headers"))


@rule(
    code="DF015",
    name="no-build-deps-in-runtime",
    scope=Scope.DOCKERFILE, applies=roles.RUNNABLE, purposes=roles.SERVICES,
    summary="The runtime image installs no compilers, build toolchains or `-dev` headers",
    why="Compilers and headers are only needed to build wheels. Left in the runtime image they add hundreds of "
    "megabytes and CVEs, and hand an attacker a toolchain.",
    standard=("DF-BUILD-DEPS-FINAL",),
    section="Remove Build Dependencies",
    severity="error",
    example="FROM python:3.12-slim AS production\nRUN apt-get update && apt-get install -y --no-install-recommends "
    "gcc libpq-dev && rm -rf /var/lib/apt/lists/*\n",
    use_instead="FROM python:3.12-slim AS production\nRUN apt-get update && apt-get install -y "
    "--no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\n",
    notes="Judged on the final stage and a stage named `production`, including the stages they are built FROM "
    "(the standard's Complete Dockerfile Example installs `gcc`, `g++` and `-dev` headers in `base`, which "
    "`production` is built FROM; the item wins). Packages removed again later in the same RUN are accepted: "
    "`apt-get purge`/`remove` and `apk del` by name, `apk del` of a `--virtual` group, and apt's auto-removal "
    "(`apt-get purge --auto-remove`, `apt-get autoremove`) of packages marked automatic by `apt-mark auto` "
    "(the `savedAptMark` idiom of the official images; a package marked manual again by name stays).",
)
def check_build_deps(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if df is None:
        return
    seen: set[int] = set()
    python = ctx.role is None or ctx.role.role in roles.PYTHON_IMAGES
    result = "the built wheels or venv" if python else "what it builds"
    for stage in runtime_stages(df):
        installs = list(package_installs(df, lineage_instructions(df, stage)))
        installed = {package_name(w.text).split(":", 1)[0] for inst in installs for w in inst.packages}
        for inst in installs:
            for w in inst.packages:
                if not is_build_package(w.text):
                    continue
                pos = inst.run.word_position(w)
                key = inst.run.offset(w.start)
                if key in seen:
                    continue
                seen.add(key)
                library = runtime_library(w.text, _manager(inst))
                library = None if library in installed else library  # the image has it already
                also = (f"; what loads its library when the application runs (psycopg 3 loads libpq, an extension "
                        f"links to it) needs only the run-time package here: `{library}`") if library else ""
                yield Problem(
                    f"`{w.text}` is a build dependency installed into the runtime image (stage "
                    f"{stage_label(stage)}); install it in a builder stage and copy only {result}{also}",
                    pos,
                )


# ------------------------------------------------------------------------------------ DF016
_SCANNERS = frozenset({"pip-audit", "safety", "bandit", "trivy", "grype", "snyk", "osv-scanner", "semgrep"})
_SCAN_MODULES = frozenset({"pip_audit", "bandit", "safety", "semgrep"})


def _scanner(df, stage) -> str | None:
    for ins in stage.instructions:
        rs = run_script(df, ins)
        if rs is None:
            continue
        for cmd in rs.commands:
            if cmd.name in _SCANNERS:
                return cmd.name
            if cmd.name.startswith("python") and "-m" in cmd.args:
                i = cmd.args.index("-m")
                if i + 1 < len(cmd.args) and cmd.args[i + 1] in _SCAN_MODULES:
                    return f"python -m {cmd.args[i + 1]}"
            if cmd.name in ("uvx", "pipx"):
                tool = next((a for a in cmd.args if a in _SCANNERS), None)
                if tool:
                    return tool
    return None


def _targeted_by_ci(ctx: Context, name: str) -> bool:
    needles = (f"--target {name}", f"--target={name}", f"target: {name}", f'target: "{name}"',
               f"target: '{name}'", f"-target {name}")
    for kind in (FileKind.WORKFLOW, FileKind.GITLAB_CI, FileKind.MAKEFILE, FileKind.COMPOSE):
        for sf in ctx.project.files_of(kind):
            text = ctx.project.read(sf).text or ""
            for needle in needles:
                i = text.find(needle)
                while i != -1:
                    after = text[i + len(needle): i + len(needle) + 1]
                    if not after or not (after.isalnum() or after in "-_."):
                        return True
                    i = text.find(needle, i + 1)
    return False


@rule(
    code="DF016",
    name="security-scan-stage",
    scope=Scope.DOCKERFILE, applies=roles.PYTHON_IMAGES, purposes=roles.SHIPPED,
    summary="A stage scans dependencies and code (pip-audit/safety, bandit) and is actually built",
    why="A scan stage catches known-vulnerable pins and risky code before the image ships. BuildKit skips "
    "stages the target does not depend on, so a scan stage nobody builds (`--target security` in CI, or a file "
    "the final stage copies from it) never runs.",
    standard=("DF-SCAN-STAGE",),
    section="Multi-Stage with Security Scanning",
    severity="warning",
    example="FROM python:3.12-slim AS builder\nFROM python:3.12-slim AS production\n",
    use_instead={
        "Dockerfile": "FROM python:3.12-slim AS builder\nFROM builder AS security\n"
        "RUN pip-audit -r requirements.lock.txt && bandit -r app\nFROM python:3.12-slim AS production\n",
        ".github/workflows/ci.yml": "jobs:\n  scan:\n    steps:\n      - run: docker build --target security .\n",
    },
    notes="A scan stage counts when the final or `production` stage depends on it, or when a CI workflow, "
    "GitLab CI file, Makefile or compose file builds it as a target. The standard's own scanning example has "
    "nothing depend on its `security` stage. An image built on a vendor's image named by a build argument "
    "without a default (`FROM ${SENTRY_IMAGE}`, with a few settings added) is not asked for one."
    " An add-on image FROM the project's own image is scanned where that image is built: not judged.",
)
def check_scan_stage(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if df is None or not df.stages or extends_own_image(ctx.project, df):
        return  # (an add-on to the project's own image: its dependencies are scanned where that image is built)
    scans = [(s, tool) for s in df.stages for tool in [_scanner(df, s)] if tool]
    final = image_stage(df)
    if not scans:
        if vendor_base(df, final):
            return  # a vendor's image chosen at build time, with a few settings added: its own project scans it
        yield Problem(
            "no stage runs a security scan; add a `security` stage that runs `pip-audit` on the lock file and "
            "`bandit` on the source, and build it in CI (`--target security`)",
            _from_position(final),
        )
        return
    needed: set[int] = set()
    for stage in runtime_stages(df):
        needed |= referenced_stages(df, stage)
    for stage, tool in scans:
        if stage.index in needed:
            return
        if stage.name and _targeted_by_ci(ctx, stage.name):
            return
    stage, tool = scans[0]
    yield Problem(
        f"stage {stage_label(stage)} runs `{tool}`, but nothing builds it: BuildKit skips stages the target does "
        f"not depend on; build it in CI (`docker build --target {stage.name or stage.index}`) or copy a file from "
        "it into the final stage",
        _from_position(stage),
    )


# ------------------------------------------------------------------------------------ DF018
@rule(
    code="DF018",
    name="no-editable-install-in-production",
    scope=Scope.DOCKERFILE, applies=roles.PYTHON_IMAGES, purposes=roles.SHIPPED,
    summary="The production image does not `pip install -e`",
    why="An editable install only links the source tree into site-packages: the image then depends on that "
    "directory staying where it is, ignores the package's build step, and ships a development workflow.",
    standard=("DF-NO-EDITABLE-PROD",),
    section="Container Philosophy (Immutable)",
    severity="warning",
    example="FROM python:3.12-slim AS production\nCOPY . .\nRUN pip install --no-deps -e .\n",
    use_instead="FROM python:3.12-slim AS production\nCOPY . .\nRUN pip install --no-deps .\n",
    notes="Judged on the `production` stage (or the final stage when there is none), including the stages it is "
    "built FROM. The standard's Complete Dockerfile Example runs `pip install -e \".[production]\"` in its "
    "production stage; the item wins.",
)
def check_editable(ctx: Context) -> Iterator[Problem]:
    df = ctx.model
    if df is None or not df.stages:
        return
    prod = next((s for s in df.stages if s.name == "production"), None) or image_stage(df)
    for ins in lineage_instructions(df, prod):
        rs = run_script(df, ins)
        if rs is None:
            continue
        for cmd in rs.commands:
            call = pip_call(rs, cmd)
            if call is None or call.subcommand != "install":
                continue
            for opt in call.options:
                if opt.name == "--editable":
                    yield Problem(
                        f"`{_editable_text(call, opt)}` is an editable install in the production image (stage {stage_label(prod)}); install "
                        "the project normally (`pip install --no-deps .`) or from a built wheel",
                        rs.word_position(opt.word),
                    )


def _editable_text(call, opt) -> str:
    prog = "uv pip" if call.tool == "uv" else "pip"
    return f"{prog} install -e {opt.value}" if opt.value else f"{prog} install -e"

"""The model of what CI pipelines do (steps, the image builds they run, what their jobs push) and the GitHub
expressions it is read through: see :mod:`dockyard.analysis.ci_pipeline`."""

from __future__ import annotations

import posixpath
import re

from dockyard.analysis.ci_pushes import JobPushes, destinations, single_arch_only
from dockyard.model import Position
from dockyard.records import field, record
from dockyard.regex import lazy_compile


@record
class Step:
    path: str
    position: Position
    job: str
    uses: str = ""
    with_: dict = field(default_factory=dict)
    run: str = ""
    workdir: str = ""  # the step's working directory, relative to the repository root
    id: str = ""  # the step's `id:` (what `steps.<id>.outputs` names)


@record
class Image:
    """One image a build produces: a compose service's, or the build's own (``name`` "")."""

    name: str
    build_args: dict[str, str]
    tags: list[str]
    platforms: list[str]
    labels: list[str] = field(default_factory=list)  # `KEY=VALUE` labels the build applies (`--label`, `labels:`)
    dockerfile: str = ""  # the Dockerfile built, relative to the repository root ("" when it cannot be read)
    context: str | None = None  # the build context's folder, relative to the repository root (None: unknown)


@record
class BuildStep:
    path: str
    position: Position
    job: str
    images: list[Image]
    via: str  # "build-push-action" | "docker build" | "docker buildx bake" | "docker compose build|up|create|run"
    source: str = ""  # the file the build command is written in, when not the workflow itself
    opaque: bool = False  # its arguments cannot be read: not judged
    pushes: bool = False  # the build itself pushes (`--push`, `push: true`, `--output type=registry`)
    identity: str = ""  # what is built (Dockerfile, context, target; compose files and services): copies share it
    variants: list = field(default_factory=list)  # the builds of each matrix variant merged into this one

    # the single-image view the rules used before images were split out
    @property
    def build_args(self) -> dict[str, str]:
        return self.images[0].build_args if self.images else {}

    @property
    def tags(self) -> list[str]:
        return self.images[0].tags if self.images else []

    @property
    def platforms(self) -> list[str]:
        return self.images[0].platforms if self.images else []

    @property
    def where(self) -> str:
        """How the message names what builds: `` (in `scripts/build.sh`)`` or ""."""
        return f" (in `{self.source}`)" if self.source else ""


@record
class Pipeline:
    files: list = field(default_factory=list)  # SourceFiles of CI configuration
    steps: list[Step] = field(default_factory=list)
    builds: list[BuildStep] = field(default_factory=list)
    metadata_tags: list[tuple[Step, list[str]]] = field(default_factory=list)
    job_needs: dict[str, list[str]] = field(default_factory=dict)
    docs: list = field(default_factory=list)  # (SourceFile, YamlDocument)
    unknown: list[Step] = field(default_factory=list)  # steps whose commands cannot be read
    job_pushes: dict[str, JobPushes] = field(default_factory=dict)  # by (path, job) key
    job_env: dict[str, dict[str, str]] = field(default_factory=dict)  # by (path, job) key: workflow and job `env:`

    def pushes_of(self, path: str, job: str) -> JobPushes:
        return self.job_pushes.setdefault(f"{path}\0{job}", JobPushes())

    def destinations(self, b: BuildStep) -> list[str] | None:
        """The references a build's image is pushed to ([] when it is not pushed; None when it may be pushed
        under a name that cannot be read): see :func:`dockyard.analysis.ci_pushes.destinations`."""
        return destinations(b, self.job_pushes.get(f"{b.path}\0{b.job}"))

    def publishes(self, b: BuildStep) -> bool:
        """Whether a build's image leaves the runner (see :meth:`destinations`). A build that only feeds tests,
        a `docker run` or a local `docker compose up` is not a published image."""
        return self.destinations(b) != []

    def single_arch_only(self, b: BuildStep) -> bool:
        """Whether every reference a build is pushed to is in a registry whose platform runs one architecture."""
        found = self.destinations(b)
        return bool(found) and single_arch_only(found, self.job_env.get(f"{b.path}\0{b.job}", {}))

    @property
    def published(self) -> list[BuildStep]:
        """The builds whose image leaves the runner (:meth:`publishes`), those of test workflows aside
        (:func:`test_workflow`): an image a pull request's integration tests push to a cache is no release."""
        return [b for b in self.builds if self.publishes(b) and not test_workflow(b.path)]


_TEST_WORDS = frozenset({"test", "tests", "testing", "e2e"})
_RELEASE_WORDS = frozenset({"deploy", "deployment", "release", "publish", "push", "prod", "production", "docker",
                            "image", "images", "cd", "build"})


def test_workflow(path: str) -> bool:
    """A workflow named for tests alone (``pr-integration-tests.yml``, ``e2e.yml``): not ``build-test-push.yml``
    or ``test-and-deploy.yml``, which release too."""
    words = set(re.split(r"[._-]", posixpath.basename(path).lower().rsplit(".", 1)[0]))
    return bool(words & _TEST_WORDS) and not words & _RELEASE_WORDS


def lines(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    out = []
    for part in str(value).replace(",", "\n").splitlines():
        part = part.strip()
        if part:
            out.append(part)
    return out


# ----------------------------------------------------------------------------------------- expressions
EXPR_RE = lazy_compile(r"\$\{\{\s*(.*?)\s*\}\}", re.DOTALL)
_WHOLE_EXPR_RE = lazy_compile(r"^\s*\$\{\{.*\}\}\s*$", re.DOTALL)


def is_expression(value) -> bool:
    """A value that is one GitHub expression and nothing else (``${{ fromJson(...) }}``)."""
    return isinstance(value, str) and _WHOLE_EXPR_RE.match(value) is not None


def substitute(value, context: dict[str, str]):
    """``${{ matrix.x }}`` / ``${{ inputs.x }}`` replaced by the values ``context`` knows, in strings, lists and
    mappings; other expressions stay."""
    if isinstance(value, str):
        if "${{" not in value:
            return value

        def repl(m: re.Match) -> str:
            key = m.group(1).strip()
            return context[key] if key in context else m.group(0)

        return EXPR_RE.sub(repl, value)
    if isinstance(value, list):
        return [substitute(v, context) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, context) for k, v in value.items()}
    return value


def scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def input_values(declared, given: dict) -> dict[str, str]:
    """``inputs.x`` -> value, from what the caller passes and the declared defaults."""
    out: dict[str, str] = {}
    if isinstance(declared, dict):
        for name, spec in declared.items():
            if isinstance(spec, dict) and spec.get("default") is not None:
                out[f"inputs.{name}"] = scalar(spec["default"])
    for name, value in (given or {}).items():
        if value is not None and not isinstance(value, (dict, list)):
            out[f"inputs.{name}"] = scalar(value)
    return out

"""What a rule is, and the registry of rules.

A rule is a small declarative record plus one generator::

    @rule(
        code="DF004", name="base-image-tag", scope=Scope.DOCKERFILE,
        summary="External base images name a specific version tag",
        why="Untagged or `latest` bases change under you; builds stop being reproducible.",
        standard=("DF-BASE-TAG",), section="Base Image Selection",
        example="FROM python\\n", use_instead="FROM python:3.12-slim\\n",
    )
    def check(ctx: Context) -> Iterator[Problem]:
        ...

The decorator's metadata *is* the documentation (``dockyard rule DF004``); a test runs every rule on its
own ``example`` (it must fire) and ``use_instead`` (it must not). Rules never print, never read files,
never pick exit codes: they get parsed models through ``ctx`` and yield :class:`Problem` records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from dockyard import TYPE_CHECKING, roles
from dockyard.model import Problem, Severity
from dockyard.records import field, record
from dockyard.rules import load_all, load_rule
from dockyard.rules.families import BY_PREFIX

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any
    from dockyard.project import Project
    from dockyard.source import SourceFile


class Scope:
    """What a rule is run on; the engine calls ``check`` once per such item."""

    DOCKERFILE = "dockerfile"  # ctx.file, ctx.model: parsers.dockerfile.Dockerfile
    DOCKERIGNORE = "dockerignore"  # ctx.file, ctx.model: the parsed ignore file
    COMPOSE = "compose"  # ctx.file, ctx.model: the loaded compose file (one file, before merging)
    ENV_FILE = "env-file"  # ctx.file, ctx.model: parsers.dotenv.EnvFile
    ENVIRONMENT = "environment"  # ctx.environment: one environment's merged, interpolated model
    PROJECT = "project"  # ctx.project only; once per checked tree


# The file a rule's documented examples are written to, by scope (examples may also be a {path: text} mapping).
EXAMPLE_FILE = {
    Scope.DOCKERFILE: "Dockerfile",
    Scope.DOCKERIGNORE: ".dockerignore",
    Scope.COMPOSE: "compose.yaml",
    Scope.ENV_FILE: ".env.dev.example",
}

@record
class Context:
    """What a rule sees. ``file``/``model`` are set for file scopes, ``environment`` for the environment scope."""

    project: "Project"
    file: "SourceFile | None" = None
    model: Any = None
    environment: Any = None
    options: Mapping[str, Any] = field(default_factory=dict)
    # what the file is (dockyard.roles.Classification) for Dockerfiles and ignore files; None: not classified
    role: Any = None
    # the roles the running rule judges (Rule.applies): compose rules keep only the services they fit
    applies: frozenset = roles.EVERY

    def problem(self, message: str, position=None, **kw) -> Problem:
        if position is None:
            return Problem(message, **kw)
        return Problem(message, position, **kw)


Check = Callable[[Context], Iterator[Problem]]


@record(frozen=True)
class Rule:
    code: str
    name: str
    scope: str
    summary: str
    why: str
    standard: tuple[str, ...]
    section: str
    severity: Severity
    example: str | Mapping[str, str]
    use_instead: str | Mapping[str, str]
    check: Check
    fix: str | None = None  # None, "safe", "unsafe" or "per-finding" (each fix safe or unsafe): what fixes it offers
    options: Mapping[str, Any] = field(default_factory=dict)
    notes: str = ""  # e.g. where the standard's own example contradicts the checklist item
    applies: frozenset = roles.EVERY  # the roles (dockyard.roles) of images and services it judges
    purposes: frozenset = roles.PURPOSES  # what those images are for: a service, a job, development tooling
    # what `dockyard env check` files the rule's findings under (one of CATEGORIES); "": env check does not run it
    category: str = ""
    # file kinds (dockyard.source.FileKind) without one of which the rule has nothing to report: on a tree holding
    # none, the engine neither imports nor runs it (a test holds each declaration to the rule's own example)
    needs: tuple[str, ...] = ()

    @property
    def family(self) -> str:
        family = BY_PREFIX.get(self.code[:2])
        return family.title if family is not None else self.code[:2]

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    @property
    def module(self) -> str:
        """The module that defines the rule (``dockyard.rules.compose.parse``): where to read or change it."""
        return self.check.__module__

    def example_files(self, which: str = "example") -> dict[str, str]:
        value = self.example if which == "example" else self.use_instead
        if isinstance(value, str):
            return {EXAMPLE_FILE.get(self.scope, "Dockerfile"): value}
        return dict(value)

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "summary": self.summary,
            "severity": self.severity.label,
            "family": self.family,
            "standard": list(self.standard),
            "fixable": self.fixable,
            "applies": [r for r in roles.ORDER if r in self.applies],
            "purposes": [p for p in (roles.SERVICE, roles.JOB, roles.DEV, roles.EDITOR) if p in self.purposes],
            "module": self.module,
        }


_REGISTRY: dict[str, Rule] = {}
# what `dockyard env check` runs, by what a finding says of an environment: its env file cannot be read (syntax),
# something is missing, committed or not ignored, templates drift apart, a placeholder or weak secret remains, a
# reference comes before its definition, compose refuses the configuration or cannot interpolate it
CATEGORIES = ("syntax", "missing", "committed", "gitignore", "drift", "placeholder", "weak", "order", "refused",
              "interpolation")
# what a rule declares about its fixes: none, all safe, all unsafe, or decided per finding (see its notes)
FIX_SAFETIES = (None, "safe", "unsafe", "per-finding")


def rule(
    *,
    code: str,
    name: str,
    scope: str,
    summary: str,
    why: str,
    standard: tuple[str, ...] | list[str],
    section: str,
    example: str | Mapping[str, str],
    use_instead: str | Mapping[str, str],
    severity: str = "error",
    fix: str | None = None,
    options: Mapping[str, Any] | None = None,
    notes: str = "",
    applies: frozenset = roles.EVERY,
    purposes: frozenset = roles.PURPOSES,
    category: str = "",
    needs: tuple[str, ...] = (),
) -> Callable[[Check], Check]:
    def register(func: Check) -> Check:
        if code in _REGISTRY:
            raise RuntimeError(f"duplicate rule code {code}")
        if fix not in FIX_SAFETIES:
            raise RuntimeError(f"rule {code}: fix must be one of {FIX_SAFETIES}, not {fix!r}")
        if category and category not in CATEGORIES:
            raise RuntimeError(f"rule {code}: category must be one of {CATEGORIES}, not {category!r}")
        _REGISTRY[code] = Rule(
            code=code,
            name=name,
            scope=scope,
            summary=summary,
            why=why,
            standard=tuple(standard),
            section=section,
            severity=Severity.parse(severity),
            example=example,
            use_instead=use_instead,
            check=func,
            fix=fix,
            options=dict(options or {}),
            notes=notes,
            applies=frozenset(applies),
            purposes=frozenset(purposes),
            category=category,
            needs=tuple(needs),
        )
        return func

    return register


def all_rules() -> list[Rule]:
    """Every rule, sorted by code. Imports the rule modules on first use."""
    load_all()
    return sorted(_REGISTRY.values(), key=lambda r: r.code)


def get_rule(code: str) -> Rule | None:
    """The rule ``code`` (any case), importing only the module that defines it."""
    return load_rule(code.upper())


def registered(code: str) -> Rule | None:
    """The rule ``code`` if its module has been imported."""
    return _REGISTRY.get(code)

"""Run the enabled rules over a project and produce the one result every reporter reads.

A rule that raises does not hide the others: its crash becomes a DY002 finding naming the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from dockyard import memo
from dockyard.analysis.build_contexts import build_contexts, ignore_file
from dockyard.compose import environment_views
from dockyard.model import Applicability, Finding, Position, Problem, Severity
from dockyard.project import Project
from dockyard.records import field, record, replace
from dockyard.roles import EVERY, explain, roles
from dockyard.rules import RULES as RULE_TABLE, load_rule
from dockyard.rules.base import Context, Rule, Scope
from dockyard.rules.families import FAMILIES, Family
from dockyard.secrets import redact_result
from dockyard.source import PARSING, FileKind, SourceFile
from dockyard.suppress import Suppression, find_suppressions

UNUSED_SUPPRESSION = "DY001"
INTERNAL_ERROR = "DY002"
UNREADABLE = "DY003"


@record
class Result:
    root: Path
    findings: list[Finding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    rules_run: int = 0
    # the rules that ran on something or own a finding (dockyard.rules.base.Rule records), by code: reporters
    # read the rules' metadata here, never from the rules themselves
    rules: list = field(default_factory=list)
    fail_on: Severity = Severity.INFO
    templates: list[str] = field(default_factory=list)  # files set aside as templates, never judged
    scope: list | None = None  # dockyard.roles.ScopeEntry records, with --explain-scope
    baseline: str | None = None  # the baseline file the findings were filtered by (see dockyard.baseline)
    baselined: int = 0  # findings the baseline holds, not reported
    baseline_fixed: int = 0  # recorded findings that no longer occur

    @property
    def failed(self) -> bool:
        return any(f.severity >= self.fail_on for f in self.findings)

    def summary(self) -> dict:
        counts = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for f in self.findings:
            counts[f.severity.label] += 1
        return {
            "files": len(self.files),
            "rules": self.rules_run,
            "findings": len(self.findings),
            "by_severity": counts,
            # what plain `dockyard fix` applies, and what `--unsafe-fixes` applies on top
            "fixable": sum(1 for f in self.findings if f.fix is not None and f.fix.applicability is Applicability.SAFE),
            "unsafe_fixable": sum(1 for f in self.findings
                                  if f.fix is not None and f.fix.applicability is Applicability.UNSAFE),
            "skipped": {"template": len(self.templates)},
            "baselined": self.baselined,
        }


# -- contexts per scope ------------------------------------------------------------------------------
# A provider imports the parser of its kind of file only when the tree holds such files.
def _readable(project: Project, kind: str) -> Iterator[SourceFile]:
    for sf in project.files_of(kind):
        if sf.text is not None:
            yield sf


def _dockerfile_contexts(project: Project) -> Iterator[Context]:
    classified = roles(project)
    for sf in _readable(project, FileKind.DOCKERFILE):
        yield Context(project, sf, project.dockerfile(sf), role=classified.dockerfile(sf))


def _dockerignore_contexts(project: Project) -> Iterator[Context]:
    files = list(_readable(project, FileKind.DOCKERIGNORE))
    if not files:
        return
    classified = roles(project)
    users: dict[str, list] = {}
    for c in build_contexts(project):
        sf = ignore_file(project, c)
        if sf is not None:
            users.setdefault(sf.path, []).append(c.dockerfile)
    for sf in files:
        # an ignore file no build uses is judged as any ignore file; else as the strongest image it serves
        role = classified.context(users[sf.path]) if sf.path in users else None
        yield Context(project, sf, project.model(sf), role=role)


def _compose_contexts(project: Project) -> Iterator[Context]:
    for sf in _readable(project, FileKind.COMPOSE):
        # compose reads every document of a file (`---`) as if it were a file of its own: each is judged so
        for document in project.model(sf).split():
            yield Context(project, sf, document)


def _env_file_contexts(project: Project) -> Iterator[Context]:
    for sf in _readable(project, FileKind.ENV):
        yield Context(project, sf, project.model(sf))


def _environment_contexts(project: Project) -> Iterator[Context]:
    # one context per environment, with its merged, interpolated model (computed once per run)
    for view in environment_views(project):
        yield Context(project, environment=view)


def _project_contexts(project: Project) -> Iterator[Context]:
    yield Context(project)


PROVIDERS: dict[str, Callable[[Project], Iterator[Context]]] = {
    Scope.DOCKERFILE: _dockerfile_contexts,
    Scope.DOCKERIGNORE: _dockerignore_contexts,
    Scope.COMPOSE: _compose_contexts,
    Scope.ENV_FILE: _env_file_contexts,
    Scope.ENVIRONMENT: _environment_contexts,
    Scope.PROJECT: _project_contexts,
}


# -- running ------------------------------------------------------------------------------------------
def _finding(rule: Rule, severity: Severity, path: str, problem: Problem) -> Finding:
    return Finding(
        code=rule.code,
        rule=rule.name,
        severity=severity,
        message=problem.message,
        path=problem.path or path,
        position=problem.position,
        standard=rule.standard,
        fix=problem.fix,
        environment=problem.environment,
        category=rule.category or None,
    )


# Named files are judged alone: only the families that judge their kinds are needed (a lone Dockerfile
# imports no compose, env, Python or CI rules).
FAMILIES_BY_KIND = {
    FileKind.DOCKERFILE: ("dockerfile", "dockerignore"),
    FileKind.DOCKERIGNORE: ("dockerignore",),
    FileKind.COMPOSE: ("compose", "dockerignore"),
    FileKind.ENV: ("env",),
}


def _families(project: Project) -> tuple[Family, ...]:
    if not project.explicit_files:
        return FAMILIES
    wanted = {"core"}
    for sf in project.files:
        wanted.update(FAMILIES_BY_KIND.get(sf.kind, ()))
    return tuple(f for f in FAMILIES if f.package in wanted)


class _Rules:
    """The rules of a run's families by code. A rule's module is imported when the rule is first needed (to run
    on something, or to own a finding): a tree without compose files imports no compose-file or environment
    rules, a lone Dockerfile no compose or env rules at all."""

    def __init__(self, codes: list[str]) -> None:
        self.codes = codes  # sorted
        self._known = set(codes)

    def get(self, code: str) -> Rule | None:
        return load_rule(code) if code in self._known else None


def _rules_used(ran: dict[str, Rule], findings: list[Finding], rules: _Rules) -> list[Rule]:
    """The rules that ran on something, and those that own a finding (the engine's own: DY001-DY003, and the
    parse rules of unreadable files), by code."""
    used = dict(ran)
    for f in findings:
        if f.code not in used:
            owner = rules.get(f.code)
            if owner is not None:
                used[f.code] = owner
    return [used[code] for code in sorted(used)]


def run_rules(project: Project, rules: Iterable[Rule] | None = None, explain_scope: bool = False,
              progress=None) -> Result:
    """``progress``: a :class:`dockyard.progress.Progress` told how many rules have run."""
    config = project.config
    result = Result(project.root, fail_on=config.fail_on)
    prefixes = tuple(f.prefix for f in _families(project))
    family_rules = _Rules(sorted(code for code in RULE_TABLE if code.startswith(prefixes)))
    # (code, scope, the rule if given): the rule's module is imported only once its scope has something to check
    planned = [(r.code, r.scope, r.needs, r) for r in rules] if rules is not None else \
        [(code, RULE_TABLE[code][1], RULE_TABLE[code][2], None) for code in family_rules.codes]
    selected = [p for p in planned if config.enabled(p[0])]
    if project.explicit_files:  # named files are judged alone, not the repository around them
        selected = [p for p in selected if p[1] not in (Scope.PROJECT, Scope.ENVIRONMENT)]
    result.rules_run = len(selected)
    raw: list[tuple[Finding, str | None]] = []

    def emit(code: str, path: str, message: str, position: Position | None = None) -> None:
        rule = family_rules.get(code) or family_rules.get(UNREADABLE)
        if not config.enabled(rule.code):
            return
        sev = config.severity_for(rule.code, rule.severity)
        raw.append((_finding(rule, sev, path, Problem(message, position or Position.whole_file())), None))

    for sf in project.files:
        if sf.error is not None:  # by the parse rule of its kind (DF001...), else as an unreadable file
            parsing = PARSING.get(sf.kind)
            emit(parsing.rule if parsing is not None and parsing.rule else UNREADABLE, sf.path,
                 f"cannot check this file: {sf.error}")
    for rel, message in project.problems:
        emit(UNREADABLE, rel, message)

    contexts: dict[str, list[Context]] = {}
    ran: dict[str, Rule] = {}
    for done, (code, scope, needs, rule) in enumerate(selected):
        if progress is not None:
            progress.checking(done, len(selected))
        if scope not in contexts:
            try:
                contexts[scope] = list(PROVIDERS[scope](project))
            except Exception as exc:  # a broken provider is reported, the other scopes still run
                contexts[scope] = []
                emit(INTERNAL_ERROR, ".", f"internal error preparing {scope} checks: {type(exc).__name__}: {exc}")
        if not contexts[scope]:
            continue  # nothing of this kind to check: the rule's module is not even imported
        if needs and not any(project.files_of(kind) for kind in needs):
            continue  # none of the files it judges: not imported either
        rule = rule or family_rules.get(code)
        ran[rule.code] = rule
        sev = config.severity_for(rule.code, rule.severity)
        for ctx in contexts[scope]:
            if ctx.role is not None and (ctx.role.role not in rule.applies or ctx.role.purpose not in rule.purposes):
                continue  # not what this rule judges (an nginx image for a Python rule, a test runner...)
            if rule.applies != EVERY:
                ctx = replace(ctx, applies=rule.applies)
            default_path = ctx.file.path if ctx.file is not None else "."
            try:
                for problem in rule.check(ctx):
                    raw.append((_finding(rule, sev, default_path, problem), problem.service))
            except Exception as exc:
                emit(INTERNAL_ERROR, default_path,
                     f"internal error in rule {rule.code} ({rule.name}): {type(exc).__name__}: {exc}")

    # counted after the rules ran: Python sources are read only when a rule asks for them
    result.files = [f.path for f in project.files if f.kind != FileKind.PYTHON or f.text is not None]
    result.templates = [f.path for f in project.templates]
    if explain_scope:
        result.scope = explain(project)
    result.findings = _apply_suppressions(project, _one_per_place(raw), family_rules)
    result.findings.sort(key=lambda f: f.sort_key)
    result.rules = _rules_used(ran, result.findings, family_rules)
    redact_result(project, result)  # no secret value leaves the run, whichever rule or error quoted it
    memo.release()  # what the rules computed per parsed object: the next project has objects of its own
    return result


def _one_per_place(raw: list[tuple[Finding, str | None]]) -> list[Finding]:
    """Each finding once: a rule reaching one place twice (e.g. per environment) reports it once, and problems
    of one rule at one place that differ only in the service they are about (text several services share
    through a YAML anchor, merge key or ``x-`` field) become one finding that names the services."""
    groups: dict[tuple, tuple[Finding, list[str]]] = {}
    for f, service in raw:
        text = f.message.replace(f"`{service}`", "\x00") if service else f.message
        key = (f.code, f.path, f.position, text)
        entry = groups.get(key)
        if entry is None:
            groups[key] = (f, [service] if service else [])
        elif service and service not in entry[1]:
            entry[1].append(service)
    out = []
    for f, services in groups.values():
        if len(services) > 1:
            f = replace(f, message=f"{f.message} ({shared_by(services[1:])})")
        out.append(f)
    return out


def shared_by(others: list[str]) -> str:
    """``also `b`, `c` and 78 more services, which share this definition``: the other services of a finding."""
    names = [f"`{s}`" for s in others]
    if len(names) == 1:
        return f"also {names[0]}, which shares this definition"
    listed = (", ".join(names[:-1]) + " and " + names[-1]) if len(names) <= 3 else \
        f"{', '.join(names[:2])} and {len(names) - 2} more services"
    return f"also {listed}, which share this definition"


def _statement_ends(project: Project, sf: SourceFile) -> dict[int, int] | None:
    if sf.kind != FileKind.DOCKERFILE:
        return None
    try:
        model = project.dockerfile(sf)
    except Exception:
        return None
    ends: dict[int, int] = {}
    for ins in getattr(model, "instructions", ()):
        ends[ins.span.line] = ins.span.end_line
    return ends


def _apply_suppressions(project: Project, findings: list[Finding], rules: _Rules) -> list[Finding]:
    config = project.config
    pragmas: dict[str, list[Suppression]] = {}
    for sf in project.files:
        if sf.text is None or "dockyard" not in sf.text:
            continue
        pragmas[sf.path] = find_suppressions(sf.path, sf.text, _statement_ends(project, sf))
    kept: list[Finding] = []
    for f in findings:
        if config.ignored_in_file(f.code, f.path):
            continue
        suppressed = False
        for s in pragmas.get(f.path, ()):
            matched = s.covers(f.code, f.position.line)
            if matched is not None:
                s.used.add(matched)
                suppressed = True
        if not suppressed:
            kept.append(f)
    unused_rule = rules.get(UNUSED_SUPPRESSION)
    if unused_rule is not None and config.enabled(UNUSED_SUPPRESSION):
        sev = config.severity_for(UNUSED_SUPPRESSION, unused_rule.severity)
        for path, items in pragmas.items():
            for s in items:
                stale = [c for c in s.codes if c not in s.used and _any_enabled(c, rules.codes, config)]
                if not s.codes and not s.used:
                    stale = ["(all)"]
                if stale:
                    kind = "ignore-file" if s.whole_file else "ignore"
                    kept.append(_finding(unused_rule, sev, path, Problem(
                        f"unused suppression: `{kind}` of {', '.join(stale)} matches no finding", s.position)))
    return kept


def _any_enabled(prefix: str, codes: list[str], config) -> bool:
    return any(code.startswith(prefix) and config.enabled(code) for code in codes)

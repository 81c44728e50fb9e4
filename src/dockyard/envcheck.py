"""``dockyard env check``: which rules it runs, and their findings grouped by environment.

It sits beside the engine (:mod:`dockyard.engine` runs the rules it chooses); the definitions the env rules and
the ``env`` commands share are :mod:`dockyard.envtools`'.
"""

from __future__ import annotations

from dockyard.compose.context import environment_views
from dockyard.envtools import TEMPLATE_SUFFIX, environment_of, is_template
from dockyard.records import field, record
from dockyard.rules.base import all_rules

# what a finding of a rule without a category is filed under (dockyard's own: an unreadable file, a rule failing)
OTHER = "other"


@record
class EnvironmentReport:
    name: str
    env_file: str | None = None
    template: bool = False
    compose_files: list[str] = field(default_factory=list)
    findings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "env_file": self.env_file,
            "env_file_is_template": self.template,
            "compose_files": self.compose_files,
            "findings": [dict(f.to_dict(), category=category(f)) for f in self.findings],
        }


def category(finding) -> str:
    """What the finding is filed under: its rule's category (see :data:`dockyard.rules.base.CATEGORIES`)."""
    return finding.category or OTHER


def check_rules():
    """The rules ``env check`` runs: those with a category (every EN rule, compose's per-environment
    interpolation rule and the rules for what compose refuses to load)."""
    return [r for r in all_rules() if r.category]


def group_by_environment(project, findings) -> tuple[list[EnvironmentReport], list]:
    """Findings per environment (by the files that belong to it only, or the environment a shared file's
    finding is about: :attr:`dockyard.model.Finding.environment`), and the project-wide rest."""
    reports: dict[str, EnvironmentReport] = {}
    owner: dict[str, set[str]] = {}
    for view in environment_views(project):
        rep = reports.setdefault(view.name, EnvironmentReport(view.name))
        rep.compose_files = [sf.path for sf in view.compose_files]
        if view.env_file is not None:
            rep.env_file, rep.template = view.env_file.path, view.env_file_is_template
            for path in {view.env_file.path, view.env_file.path.removesuffix(TEMPLATE_SUFFIX)}:
                owner.setdefault(path, set()).add(view.name)
                owner.setdefault(path + TEMPLATE_SUFFIX, set()).add(view.name)
        for path in rep.compose_files:
            owner.setdefault(path, set()).add(view.name)
    for sf in project.files:
        env = environment_of(sf.path)
        if env is not None and sf.path not in owner:
            if env not in reports:
                reports[env] = EnvironmentReport(env, sf.path, is_template(sf.path))
            owner.setdefault(sf.path, set()).add(env)
    rest = []
    for f in findings:
        names = owner.get(f.path, set())
        if len(names) == 1:
            target = next(iter(names))
        else:
            target = f.environment if f.environment in reports else None
        if target is None:
            rest.append(f)
        else:
            reports[target].findings.append(f)
    return [reports[k] for k in sorted(reports)], rest

"""``dockyard env check``: which rules it runs, and their findings grouped by environment.

It sits beside the engine (:mod:`dockyard.engine` runs the rules it chooses); the definitions the env rules and
the ``env`` commands share are :mod:`dockyard.envtools`'.
"""

from __future__ import annotations

from dockyard.compose.context import environment_views
from dockyard.envtools import TEMPLATE_SUFFIX, environment_of, is_template
from dockyard.records import field, record
from dockyard.regex import lazy_compile
from dockyard.rules.base import Scope, all_rules

CATEGORIES = {
    "EN001": "syntax", "EN002": "missing", "EN003": "committed", "EN004": "gitignore", "EN005": "missing",
    "EN006": "drift", "EN007": "placeholder", "EN008": "placeholder", "EN009": "weak", "EN010": "order",
    "EN011": "missing", "CO001": "refused", "CO002": "refused", "CO003": "refused", "CO035": "refused",
}
_ENV_IN_MESSAGE = lazy_compile(r"environment `([^`]+)`")


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
            "findings": [dict(f.to_dict(), category=category(f.code)) for f in self.findings],
        }


def category(code: str) -> str:
    return CATEGORIES.get(code, "interpolation" if code.startswith("CO") else "other")


def check_rules():
    """The rules ``env check`` runs: every EN rule, compose's per-environment interpolation rule(s) and the rules
    for what compose refuses to load."""
    return [r for r in all_rules() if r.code.startswith("EN") or r.code in REFUSED
            or (r.code.startswith("CO") and r.scope == Scope.ENVIRONMENT and "CO-INTERPOLATION" in r.standard)]


# the compose rules for what compose refuses to load: a file it cannot parse, outside the schema, or a merged
# project it finds inconsistent
REFUSED = ("CO001", "CO002", "CO003", "CO035")


def group_by_environment(project, findings) -> tuple[list[EnvironmentReport], list]:
    """Findings per environment (by the files that belong to it only, or the environment a shared file's
    finding names), and the project-wide rest."""
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
        target = None
        if len(names) == 1:
            target = next(iter(names))
        else:
            m = _ENV_IN_MESSAGE.search(f.message)
            if m is not None and m.group(1) in reports:
                target = m.group(1)
        if target is None:
            rest.append(f)
        else:
            reports[target].findings.append(f)
    return [reports[k] for k in sorted(reports)], rest

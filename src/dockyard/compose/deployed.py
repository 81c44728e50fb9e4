"""Variables a CI pipeline gives an environment when it runs compose: the shell environment of a deploy.

Compose interpolates from the shell as well as from the env file: a GitHub Actions job that runs
``docker compose -f compose.yml -f compose.deploy.yml up`` with ``env: DOMAIN: ${{ vars.DOMAIN }}`` supplies
``DOMAIN`` to environment ``deploy`` although no env file defines it. A ``${DOMAIN:?...}`` there is the guard the
standard asks for, not a variable compose will miss.

Only what the workflow files say is read: workflow-, job- and step-level ``env:`` of the steps whose ``run:``
calls ``docker compose`` / ``docker-compose`` with one of the environment's compose files (``-f`` or
``--file``), or with none of them named when the environment is compose's default.
"""

from __future__ import annotations

import posixpath

from dockyard import TYPE_CHECKING
from dockyard.compose.context import COMPOSE_CALL, FILE_OPTION
from dockyard.parsers.yamlpos import load_yaml
from dockyard.source import FileKind

if TYPE_CHECKING:  # pragma: no cover
    from dockyard.project import Project



def deploy_variables(project: "Project", compose_paths: list[str], default: bool = False) -> dict[str, str]:
    """Variable name -> ``workflow:line`` of the `env:` entry that sets it, for every CI step that runs compose on
    these compose files (relative paths; ``default``: compose's default files, run without ``-f``)."""
    names = {posixpath.basename(p) for p in compose_paths}
    out: dict[str, str] = {}
    for sf, envs, run in _compose_steps(project):
        for m in COMPOSE_CALL.finditer(run):
            files = {posixpath.basename(f.strip("\"'")) for f in FILE_OPTION.findall(m.group(1))}
            if (files and files <= names and files & names) or (not files and default):
                for key, line in envs:
                    out.setdefault(key, f"{sf.path}:{line}")
                break
    return out


def _compose_steps(project: "Project") -> list[tuple]:
    """(workflow, [(env key, line)], run text) of every step of every workflow whose `run:` mentions compose."""

    def compute() -> list[tuple]:
        steps = []
        for sf in project.files_of(FileKind.WORKFLOW):
            if sf.text is None or "compose" not in sf.text:
                continue
            root = getattr(project.parsed(sf, load_yaml), "root", None)
            if not isinstance(root, dict):
                continue
            top = _env_keys(root)
            for job in (root.get("jobs") or {}).values() if isinstance(root.get("jobs"), dict) else ():
                if not isinstance(job, dict):
                    continue
                job_env = top + _env_keys(job)
                for step in job.get("steps") or () if isinstance(job.get("steps"), list) else ():
                    if isinstance(step, dict) and isinstance(step.get("run"), str) and "compose" in step["run"]:
                        steps.append((sf, job_env + _env_keys(step), step["run"]))
        return steps

    return project.memo("compose.deploy_steps", compute)


def _env_keys(node) -> list[tuple[str, int]]:
    env = node.get("env") if isinstance(node, dict) else None
    if not isinstance(env, dict):
        return []
    out = []
    for key in env:
        pos = env.key_pos(key) if hasattr(env, "key_pos") else None
        out.append((str(key), pos.line if pos is not None else 1))
    return out

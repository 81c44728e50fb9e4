"""The generated project satisfies every checklist item: `dockyard check` finds nothing, every rule enabled."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from dockyard.cli import main
from dockyard.config import Config
from dockyard.engine import run_rules
from dockyard.project import Project
from dockyard.rules.base import all_rules
from tests.init.conftest import VARIANTS, generate, variant_id


def _commit_tree(project) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q", str(project)], check=True, env=env)
    subprocess.run(["git", "-C", str(project), "add", "-A"], check=True, env=env)


@pytest.mark.parametrize("answers", VARIANTS, ids=variant_id)
def test_generated_project_has_zero_findings_with_every_rule(tmp_path, answers):
    project = generate(tmp_path / "svc", **answers)
    _commit_tree(project)
    result = run_rules(Project.discover(project, Config(select=("",), ignore=())))
    assert result.rules_run == len(all_rules())
    assert [(f.path, f.position.line, f.code, f.message) for f in result.findings] == []


def test_generated_project_checks_clean_through_the_cli_and_real_env_files(tmp_path, capsys):
    """With real env files made by `dockyard env init` (production secrets), the check stays clean."""
    project = generate(tmp_path / "svc", db="postgres", cache="redis", worker="celery")
    _commit_tree(project)
    for env in ("dev", "staging", "prod"):
        assert main(["env", "init", "--env", env, "--project-directory", str(project)]) == 0
    capsys.readouterr()
    assert main(["check", str(project), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["findings"] == []

"""The GitHub Action (``action.yml``) and the workflow that uses it: valid against SchemaStore's action schema
(check-jsonschema's vendored copy) and actionlint, its inputs declared and used, the pinned version the package's,
and its check steps run for real with bash, as the runner runs them, on a sample repository."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from tests.rules.ci import _actionlint

ROOT = Path(__file__).resolve().parents[1]
ACTION = ROOT / "action.yml"
WORKFLOW = ROOT / ".github" / "workflows" / "dockyard.yml"
BIN = Path(sys.executable).parent


def _action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def _step(name: str) -> dict:
    return next(s for s in _action()["runs"]["steps"] if s.get("name") == name)


def test_action_is_valid_against_the_github_action_schema():
    out = subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ACTION)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


def test_action_inputs_are_declared_and_used():
    text = ACTION.read_text(encoding="utf-8")
    declared = set(_action()["inputs"])
    used = set(re.findall(r"\binputs\.([A-Za-z0-9_-]+)", text))
    assert used == declared == {"paths", "args", "sarif-upload", "sarif-file", "python-version"}
    outputs = _action()["outputs"]
    assert outputs["sarif-file"]["value"] == "${{ steps.sarif.outputs.sarif-file }}"
    assert any(s.get("id") == "sarif" for s in _action()["runs"]["steps"])


def test_action_is_composite_and_each_step_does_its_part():
    action = _action()
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    for step in steps:
        assert ("uses" in step) != ("run" in step), step
        if "run" in step:
            assert step["shell"] == "bash", step["name"]
    assert [s.get("uses", "run") for s in steps] == [
        "actions/setup-python@v5", "run", "run", "github/codeql-action/upload-sarif@v3", "run"]
    assert steps[0]["with"] == {"python-version": "${{ inputs.python-version }}"}
    upload = _step("Upload SARIF to code scanning")
    assert upload["if"] == "${{ inputs.sarif-upload == 'true' }}"
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert '--format sarif --output "${SARIF_FILE}"' in _step("Check (SARIF report)")["run"]
    assert "--format github" in _step("Check (annotations)")["run"]


def test_action_installs_the_packages_pinned_version():
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    install = _step("Install dockyard")
    assert install["env"]["DOCKYARD_VERSION"] == version
    assert '"${GITHUB_ACTION_PATH}"' in install["run"]
    # the check the step makes compares with what `dockyard --version` prints
    out = subprocess.run([str(BIN / "dockyard"), "--version"], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == f"dockyard {version}"


def test_workflow_using_the_action_passes_actionlint_and_names_only_its_inputs(tmp_path):
    text = WORKFLOW.read_text(encoding="utf-8")
    assert _actionlint.lint({"dockyard": text}, tmp_path) == {"dockyard": []}
    steps = yaml.safe_load(text)["jobs"]["dockyard"]["steps"]
    local = [s for s in steps if s.get("uses") == "./"]
    assert len(local) == 1 and set(local[0]["with"]) <= set(_action()["inputs"])
    assert yaml.safe_load(text)["jobs"]["dockyard"]["permissions"]["security-events"] == "write"
    # actionlint does find a mistake in such a workflow
    broken = text.replace("${{ github.event_name == 'push' }}", "${{ github.event_nam == 'push' }}")
    assert [r["kind"] for r in _actionlint.lint({"broken": broken}, tmp_path)["broken"]] == ["expression"]


def _run_step(name: str, cwd: Path, tmp_path: Path, **inputs: str) -> tuple[subprocess.CompletedProcess, str]:
    """A ``run`` step as the runner runs it (``bash --noprofile --norc -eo pipefail``), its ``${{ inputs.* }}``
    environment given the inputs (defaults from action.yml)."""
    step = _step(name)
    values = {k: str(v.get("default", "")) for k, v in _action()["inputs"].items()} | inputs
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    for key, value in step.get("env", {}).items():
        env[key] = re.sub(r"\$\{\{ inputs\.([\w-]+) \}\}", lambda m: values[m.group(1)], str(value))
    output = tmp_path / f"output-{step.get('id', 'x')}"
    output.write_text("")
    env["GITHUB_OUTPUT"] = str(output)
    script = tmp_path / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)
    return done, output.read_text()


def test_check_steps_write_sarif_and_annotate(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "Dockerfile").write_text("FROM python\n", encoding="utf-8")
    sarif, output = _run_step("Check (SARIF report)", repo, tmp_path, args="--select DF004")
    assert sarif.returncode == 0, sarif.stderr  # findings do not stop the job before the upload
    assert output == "sarif-file=dockyard.sarif\n"
    report = json.loads((repo / "dockyard.sarif").read_text(encoding="utf-8"))
    assert report["version"] == "2.1.0"
    [result] = report["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert (result["ruleId"], location["artifactLocation"]["uri"], location["region"]["startLine"],
            location["region"]["startColumn"]) == ("DF004", "Dockerfile", 1, 6)

    annotate, _ = _run_step("Check (annotations)", repo, tmp_path, args="--select DF004")
    assert annotate.returncode == 1  # the findings fail the job
    assert annotate.stdout.startswith("::error file=Dockerfile,line=1,col=6,")

    (repo / "Dockerfile").write_text("FROM python:3.12-slim\n", encoding="utf-8")
    clean, _ = _run_step("Check (annotations)", repo, tmp_path, args="--select DF004")
    assert clean.returncode == 0, clean.stdout

    # a usage error stops the SARIF step (exit 2), so that a broken configuration is not uploaded as "clean"
    broken, _ = _run_step("Check (SARIF report)", repo, tmp_path, args="--select NOPE")
    assert broken.returncode == 2 and "unknown rule code" in broken.stderr, broken.stderr

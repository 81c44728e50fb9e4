"""The pre-commit hooks, run by the real pre-commit (PyPI ``pre-commit``) on a sample repository: ``try-repo`` as a
new user tries them, then a config pinning the hook repository for the fix cycle. The hooks' ``files`` pattern
matches every kind of file discovery checks, and nothing else of note."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dockyard.cli import main
from dockyard.project import INTERESTING
from dockyard.source import FileKind, classify
from tests.test_standalone import PACKAGE_FILES

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}


def _hooks() -> dict[str, dict]:
    return {h["id"]: h for h in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))}


def _files_pattern() -> re.Pattern:
    return re.compile(_hooks()["dockyard"]["files"])


def test_manifest_is_valid_for_pre_commit():
    out = subprocess.run([*PRE_COMMIT, "validate-manifest", str(MANIFEST)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    hooks = _hooks()
    assert set(hooks) == {"dockyard", "dockyard-fix"}
    assert hooks["dockyard"]["entry"] == "dockyard check ." and hooks["dockyard-fix"]["entry"] == "dockyard fix ."
    assert all(h["language"] == "python" and h["pass_filenames"] is False for h in hooks.values())
    assert hooks["dockyard"]["files"] == hooks["dockyard-fix"]["files"]


DISCOVERED = [
    "Dockerfile", "Containerfile", "Dockerfile.prod", "docker/Dockerfile.dev", "api/app.Dockerfile",
    "Containerfile.arm64", ".dockerignore", "Dockerfile.dockerignore", "svc/.dockerignore", "compose.yaml",
    "compose.yml", "docker-compose.yml", "docker-compose.override.yml", "deploy/compose.prod.yaml",
    "Docker-Compose.YML", ".env", ".env.prod", ".env.prod.example", "svc/.env.staging", ".gitignore", "Makefile",
    "makefile", "GNUmakefile", "pyproject.toml", "uv.lock", "poetry.lock", "pdm.lock", "pylock.toml",
    "pylock.dev.toml", "app/main.py", "gunicorn_config.py", "requirements.txt", "requirements-dev.lock.txt",
    "requirements.in", "requirements/base.txt".replace("requirements/", "requirements-"),
    ".github/workflows/ci.yml", ".github/workflows/build.yaml", ".gitlab-ci.yml",
]
NOT_DISCOVERED = [
    "README.md", "docs/index.rst", "setup.cfg", "package.json", "app/static/app.js", ".env.patch", ".env.orig", ".env.j2",
    ".env.local.json", "docker-compose-dev.yml", "config.yml", ".github/dependabot.yml", "LICENSE",
    "Dockerfile/notes.txt".replace("Dockerfile/", "docs/"), "requirements.md", "app/templates/index.html",
]


@pytest.mark.parametrize("path", DISCOVERED)
def test_files_pattern_matches_what_discovery_checks(path):
    parts = tuple(Path(path).parent.parts)
    assert classify(Path(path).name, parts) in INTERESTING, "the sample is a kind discovery checks"
    assert _files_pattern().search(path), path


@pytest.mark.parametrize("path", NOT_DISCOVERED)
def test_files_pattern_leaves_out_what_discovery_does_not_check(path):
    assert classify(Path(path).name, tuple(Path(path).parent.parts)) == FileKind.OTHER
    assert not _files_pattern().search(path), path


def test_files_pattern_matches_the_config_file_and_compose_named_env_files():
    assert _files_pattern().search("dockyard.toml") and _files_pattern().search("config/worker.env")


_PIECES = ["Dockerfile", "Containerfile", "dockerfile", ".dockerignore", "compose", "docker-compose", ".env",
           ".gitignore", "Makefile", "pyproject", "requirements", "uv", "poetry", "pdm", "pylock", "app", "README",
           ".", "-", "_", "prod", "dev", "example", "yml", "yaml", "toml", "lock", "txt", "in", "py", "md", "json",
           "patch", "j2", "~", "x"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=5),
       st.sampled_from(["", "svc/", ".github/workflows/", "deploy/prod/", ".github/"]))
def test_files_pattern_never_misses_a_discovered_name(pieces, folder):
    name = "".join(pieces)
    if "/" in name or name in (".", ".."):
        return
    path = folder + name
    kind = classify(name, tuple(Path(path).parent.parts))
    if kind in INTERESTING:
        assert _files_pattern().search(path), f"{path} ({kind}) is checked but the hook would not run for it"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **GIT_ENV},
                   timeout=60)


def _hook_repository(folder: Path) -> tuple[Path, str]:
    """This working tree's package and hook manifest, committed in a repository of their own."""
    folder.mkdir()
    for name in (*PACKAGE_FILES, ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, folder / name)
    shutil.copytree(ROOT / "src", folder / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    _git(folder, "init", "-q")
    _git(folder, "add", "-A")
    _git(folder, "commit", "-q", "-m", "hooks")
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, check=True,
                         env={**os.environ, **GIT_ENV}).stdout.strip()
    return folder, rev


def _pre_commit(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run([*PRE_COMMIT, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


def test_hooks_run_by_pre_commit_fail_on_a_finding_fix_it_and_then_pass(tmp_path):
    hooks, rev = _hook_repository(tmp_path / "hooks")
    sample = tmp_path / "sample"
    assert main(["init", str(sample), "--no-input", "--name", "svc"]) == 0  # a service with no finding
    dockerfile = sample / "Dockerfile"
    text = dockerfile.read_text(encoding="utf-8")
    assert text.startswith("# syntax=docker/dockerfile:1\n")
    dockerfile.write_text(text.split("\n", 1)[1], encoding="utf-8")  # drop the syntax directive: DF002, fixable
    _git(sample, "init", "-q")
    _git(sample, "add", "-A")
    _git(sample, "commit", "-q", "-m", "sample")

    # as a new user tries the hook: pre-commit try-repo
    tried = _pre_commit(sample, tmp_path / "home-try", "try-repo", str(hooks), "dockyard", "--all-files")
    assert tried.returncode == 1, tried.stdout + tried.stderr
    assert re.search(r"^dockyard check\.+Failed$", tried.stdout, re.M), tried.stdout
    assert "\nDockerfile:1:1: DF002 [*] no `# syntax=docker/dockerfile:1` parser directive" in tried.stdout
    assert "Found 1 finding (1 error)" in tried.stdout

    # then pinned in a config, as a repository uses it; the environment is built once for the runs below
    config = tmp_path / "pre-commit-config.yaml"
    config.write_text(yaml.safe_dump({"repos": [{"repo": str(hooks), "rev": rev,
                                                  "hooks": [{"id": "dockyard"}, {"id": "dockyard-fix"}]}]}))
    home = tmp_path / "home"
    fixed = _pre_commit(sample, home, "run", "--config", str(config), "dockyard-fix", "--all-files")
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr
    assert re.search(r"^dockyard fix\.+Failed$", fixed.stdout, re.M) and "files were modified by this hook" in \
        fixed.stdout, fixed.stdout
    assert dockerfile.read_text(encoding="utf-8") == text  # the directive is back, nothing else changed

    again = _pre_commit(sample, home, "run", "--config", str(config), "dockyard-fix", "--all-files")
    assert again.returncode == 0 and re.search(r"^dockyard fix\.+Passed$", again.stdout, re.M), again.stdout
    passed = _pre_commit(sample, home, "run", "--config", str(config), "dockyard", "--all-files")
    assert passed.returncode == 0 and re.search(r"^dockyard check\.+Passed$", passed.stdout, re.M), passed.stdout

    # a change to a file no rule reads does not run the hooks
    skipped = _pre_commit(sample, home, "run", "--config", str(config), "--files", "README.md")
    assert skipped.returncode == 0, skipped.stdout
    assert re.search(r"^dockyard check\.+\(no files to check\)Skipped$", skipped.stdout, re.M), skipped.stdout
    assert re.search(r"^dockyard fix\.+\(no files to check\)Skipped$", skipped.stdout, re.M), skipped.stdout

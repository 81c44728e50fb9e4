"""Every --db/--cache/--worker combination: hadolint clean, compose config valid per environment, env files
complete and consistent with the compose files."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.init.conftest import HADOLINT, VARIANTS, compose, generate, variant_id

ENVS = ("dev", "staging", "prod")
INTERP = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")


@pytest.fixture(scope="module", params=VARIANTS, ids=variant_id)
def project(request, tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp(variant_id(request.param))
    return generate(directory, **request.param)


def env_keys(path: Path) -> list[str]:
    keys = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keys.append(line.split("=", 1)[0])
    return keys


def test_hadolint_reports_nothing_at_warning_or_above(project: Path) -> None:
    result = subprocess.run([HADOLINT, "--no-color", "--failure-threshold", "warning", "Dockerfile"],
                            cwd=project, capture_output=True, text=True, timeout=60)
    findings = [line for line in result.stdout.splitlines() if re.search(r"\b(error|warning)\b", line)]
    assert result.returncode == 0 and findings == [], result.stdout + result.stderr


@pytest.mark.parametrize("env", ENVS)
def test_compose_config_succeeds_with_the_example_env_file(project: Path, env: str) -> None:
    shutil.copyfile(project / f".env.{env}.example", project / f".env.{env}")  # env_file: names the real file
    result = compose(project, env, project / f".env.{env}.example")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("env", ENVS)
def test_compose_config_names_a_missing_required_variable(project: Path, env: str, tmp_path: Path) -> None:
    shutil.copyfile(project / f".env.{env}.example", project / f".env.{env}")
    example = (project / f".env.{env}.example").read_text()
    for variable in ("SECRET_KEY", "BASE_URL", "APP_IMAGE") + (("DB_PASSWORD",) if "DB_PASSWORD=" in example else ()) \
            + (("REDIS_PASSWORD",) if "REDIS_PASSWORD=" in example else ()):
        reduced = tmp_path / f"{variable}.env"
        reduced.write_text("".join(l for l in example.splitlines(True) if not l.startswith(f"{variable}=")))
        result = compose(project, env, reduced)
        assert result.returncode != 0
        assert variable in result.stderr, result.stderr


def test_every_interpolated_variable_is_in_every_env_file(project: Path) -> None:
    used = set()
    for compose_file in project.glob("docker-compose.*.yml"):
        text = "\n".join(l for l in compose_file.read_text().splitlines() if not l.lstrip().startswith("#"))
        used |= set(INTERP.findall(text))
    for env in ENVS:
        keys = env_keys(project / f".env.{env}.example")
        assert len(keys) == len(set(keys)), f"duplicate keys in .env.{env}.example"
        assert used <= set(keys), f".env.{env}.example lacks {sorted(used - set(keys))}"


def test_env_templates_share_keys_and_hold_placeholders(project: Path) -> None:
    keysets = {env: env_keys(project / f".env.{env}.example") for env in ENVS}
    assert keysets["dev"] == keysets["staging"] == keysets["prod"]
    for env in ENVS:
        values = dict(l.split("=", 1) for l in (project / f".env.{env}.example").read_text().splitlines()
                      if l and not l.startswith("#"))
        for key, value in values.items():
            if any(word in key for word in ("PASSWORD", "SECRET", "KEY", "TOKEN")):
                assert value.startswith("CHANGE_ME"), (env, key)
            assert "${" not in value  # no references at all, so no forward references
        for key in ("BASE_URL", "API_BASE_URL"):
            assert key in values
    assert "!.env.*.example" in (project / ".gitignore").read_text().splitlines()


def test_dockerignore_has_the_standard_entries_and_spares_copied_paths(project: Path) -> None:
    entries = {l.strip() for l in (project / ".dockerignore").read_text().splitlines() if l.strip()[:1] not in ("", "#")}
    required = {".git", ".env", ".env.*", "venv/", ".venv/", "env/", "**/__pycache__/", "**/*.py[cod]", ".pytest_cache/",
                ".coverage", "htmlcov/", "*.log", "logs/", ".vscode/", ".idea/", "build/", "dist/", "*.egg-info/"}
    assert required <= entries
    dockerfile = (project / "Dockerfile").read_text()
    copied = set()
    for match in re.finditer(r"^COPY (?!--from)(.+)$", dockerfile, re.M):
        copied |= set(match.group(1).split()[:-1])
    assert copied == {"wheels/", "requirements.lock.txt", "requirements-dev.lock.txt", ".", "gunicorn_config.py",
                      "app/"}
    for path in copied - {"."}:
        assert path not in entries and path.rstrip("/") not in entries


def test_dockerfile_and_compose_shape(project: Path) -> None:
    dockerfile = (project / "Dockerfile").read_text()
    lines = dockerfile.splitlines()
    assert lines[0] == "# syntax=docker/dockerfile:1"
    stages = re.findall(r"^FROM (\S+) AS (\S+)$", dockerfile, re.M)
    assert [s for _, s in stages] == ["builder", "development", "security", "production"]
    assert re.fullmatch(r"python:3\.12-slim@sha256:[0-9a-f]{64}", stages[-1][0])
    final = dockerfile.split("AS production", 1)[1]
    instructions = [l.split()[0] for l in final.splitlines() if l and not l.startswith((" ", "#"))]
    assert instructions[-2:] == ["USER", "CMD"]
    assert 'CMD ["gunicorn", "-c", "gunicorn_config.py", "app.main:app"]' in final
    assert "curl" not in final and "gcc" not in final and "build-essential" not in final and "pip install -e" not in final
    assert re.search(r"HEALTHCHECK --interval=\S+ --timeout=\S+ --start-period=\S+ --retries=\d+", final)
    assert 'CMD ["python", "-m", "app.healthcheck", "/health"]' in final
    for label in ("version=", "build-date=", "git-commit="):
        assert label in final
    config = (project / "gunicorn_config.py").read_text()
    assert 'worker_class = "uvicorn_worker.UvicornWorker"' in config
    assert "preload_app" not in config.split('"""', 2)[2] and "worker_connections" not in config.split('"""', 2)[2]
    base = yaml.safe_load((project / "docker-compose.base.yml").read_text())
    for name, service in base["services"].items():
        assert "container_name" not in service
        assert {"interval", "timeout", "retries"} <= set(service["healthcheck"])
        assert service["logging"]["driver"] == "json-file"
        assert {"limits", "reservations"} <= set(service["deploy"]["resources"])
        assert ":" in service["image"] and not service["image"].endswith(":latest")
    if "redis" in base["services"]:
        redis = base["services"]["redis"]
        assert "--requirepass" in redis["command"] and "--appendonly" in redis["command"]
        assert "-a" in redis["healthcheck"]["test"][1]
    for env in ("staging", "prod"):
        override = yaml.safe_load((project / f"docker-compose.{env}.yml").read_text())
        assert override["services"]["app"]["build"]["target"] == "production"
        assert override["services"]["app"]["env_file"] == [f".env.{env}"]
        assert "volumes" not in override["services"]["app"]

"""Environment discovery follows compose's own defaults: `docker compose` with no -f reads the default file
and the default (development) override, and interpolates from the folder's `.env` unless `--env-file` names
another file."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockyard.compose.environments import discover_environments, is_development


def _envs(tmp_path: Path, *names: str, folder: str = ""):
    files = [f"{folder}/{n}" if folder else n for n in names]
    out = {}
    for e in discover_environments(tmp_path, files=files):
        out[e.name] = ([p.relative_to(tmp_path).as_posix() for p in e.compose_files],
                       e.env_file.relative_to(tmp_path).as_posix() if e.env_file else None, e.env_file_is_template)
    return out


def test_base_plus_compose_override_is_the_default_development_environment(tmp_path):
    # shaped like full-stack-fastapi-template: compose.yml + compose.override.yml + compose.deploy.yml + .env
    envs = _envs(tmp_path, "compose.yml", "compose.override.yml", "compose.deploy.yml", ".env")
    assert envs == {"default": (["compose.yml", "compose.override.yml"], ".env", False),
                    "deploy": (["compose.yml", "compose.deploy.yml"], ".env", False)}
    found = {e.name: e for e in discover_environments(tmp_path, files=["compose.yml", "compose.override.yml",
                                                                        "compose.deploy.yml"])}
    assert found["default"].is_development
    assert not found["deploy"].is_development


def test_an_environment_without_its_own_env_file_reads_the_folder_env_like_compose(tmp_path):
    envs = _envs(tmp_path, "compose.yml", "compose.deploy.yml", "compose.prod.yml", ".env", ".env.prod")
    assert envs["deploy"] == (["compose.yml", "compose.deploy.yml"], ".env", False)
    assert envs["prod"] == (["compose.yml", "compose.prod.yml"], ".env.prod", False)  # --env-file .env.prod
    envs = _envs(tmp_path, "compose.yml", "compose.deploy.yml", ".env.example")
    assert envs["deploy"] == (["compose.yml", "compose.deploy.yml"], ".env.example", True)


def test_compose_picks_the_first_default_file_and_override_whatever_their_names(tmp_path):
    envs = _envs(tmp_path, "compose.yaml", "docker-compose.yml", "docker-compose.override.yml",
                 "compose.override.yaml")
    assert envs == {"default": (["compose.yaml", "compose.override.yaml"], None, False)}
    envs = _envs(tmp_path, "docker-compose.yml", "docker-compose.yaml", "docker-compose.override.yaml", ".env")
    assert envs == {"default": (["docker-compose.yml", "docker-compose.override.yaml"], ".env", False)}


def test_a_lone_file_is_the_default_environment_but_not_development(tmp_path):
    envs = _envs(tmp_path, "docker-compose.yml")
    assert envs == {"default": (["docker-compose.yml"], None, False)}
    assert not is_development("default", ["docker-compose.yml"])
    # compose does not pair its override with a file it would not read by default
    envs = _envs(tmp_path, "docker-compose.base.yml", "docker-compose.override.yml")
    assert envs == {"default": (["docker-compose.base.yml"], None, False)}


def test_the_standard_layout_has_no_default_environment(tmp_path):
    envs = _envs(tmp_path, "docker-compose.base.yml", "docker-compose.dev.yml", "docker-compose.prod.yml",
                 ".env.dev", ".env.prod.example")
    assert envs == {"dev": (["docker-compose.base.yml", "docker-compose.dev.yml"], ".env.dev", False),
                    "prod": (["docker-compose.base.yml", "docker-compose.prod.yml"], ".env.prod.example", True)}


def test_an_environment_override_of_its_own_is_added(tmp_path):
    # shaped like netbox-docker: docker-compose.test.yml + docker-compose.test.override.yml
    envs = _envs(tmp_path, "docker-compose.yml", "docker-compose.test.yml", "docker-compose.test.override.yml")
    assert envs == {"test": (["docker-compose.yml", "docker-compose.test.yml", "docker-compose.test.override.yml"],
                             None, False)}


def test_sub_folder_environments(tmp_path):
    envs = _envs(tmp_path, "compose.yml", "compose.override.yml", "compose.dev.yml", ".env", folder="deploy")
    assert envs == {"deploy/default": (["deploy/compose.yml", "deploy/compose.override.yml"], "deploy/.env", False),
                    "deploy/dev": (["deploy/compose.yml", "deploy/compose.dev.yml"], "deploy/.env", False)}


@pytest.mark.parametrize("name,files,expected", [
    ("dev", [], True), ("docker/dev", [], True), ("Local", [], True), ("prod", [], False),
    ("default", ["compose.yaml", "compose.override.yaml"], True),
    ("sub/default", ["sub/docker-compose.override.yml"], True),
    ("default", ["compose.yaml"], False), ("deploy", ["compose.yml", "compose.override.yml"], False),
])
def test_one_definition_of_development(name, files, expected):
    assert is_development(name, files) is expected


def test_a_compose_template_a_generator_renders_is_no_environment(tmp_path):
    # `docker-compose.template.yml` is rendered into the files the environments use: not an environment itself
    assert sorted(_envs(tmp_path, "docker-compose.yml", "docker-compose.prod.yml", "docker-compose.template.yml")) \
        == ["prod"]

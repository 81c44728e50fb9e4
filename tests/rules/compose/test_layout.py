"""CO006 and CO007 on layouts taken from real repositories: what counts as the production environment, compose
files that only start backing services for an app run on the host, and which env file production loads."""

from __future__ import annotations

import pytest

from dockyard.compose.environments import is_production
from tests.helpers import run_files

APP = "services:\n  backend:\n    build: ./backend\n    restart: always\n"
OVERRIDE = "services:\n  backend:\n    ports:\n      - \"127.0.0.1:${BACKEND_PORT:-8000}:8000\"\n"


def _found(tmp_path, files, code):
    return [(f.path, f.position.line, f.position.column, f.message) for f in run_files(tmp_path, files, select=code)]


@pytest.mark.parametrize("name", ["prod", "production", "prd", "live", "deploy", "release"])
def test_production_names(tmp_path, name):
    assert is_production(name) and is_production(f"backend/{name}")
    files = {"compose.yml": APP, "compose.override.yml": OVERRIDE, f"compose.{name}.yml": "services: {}\n"}
    assert _found(tmp_path, files, "CO006") == []


def test_a_test_or_staging_override_is_not_production(tmp_path):
    files = {"compose.yml": APP, "compose.override.yml": OVERRIDE, "compose.staging.yml": "services: {}\n"}
    assert _found(tmp_path, files, "CO006") == [
        ("compose.yml", 1, 1, "no production override (e.g. `docker-compose.prod.yml`) next to the base file")]


# shaped like teamhide/fastapi-boilerplate: docker/docker-compose.yml starts mysql and redis for `make run` on the host
BACKING_ONLY = """\
services:
  mysql:
    image: mysql:8.0.33
    restart: always
    volumes:
      - mysqldb:/var/lib/mysql
  redis:
    image: redis:6.2.6
    restart: always
volumes:
  mysqldb:
"""


def test_a_compose_file_for_backing_services_only_is_a_development_helper(tmp_path):
    assert _found(tmp_path, {"docker/docker-compose.yml": BACKING_ONLY}, "CO006") == []


def test_a_lone_file_that_runs_the_application_is_judged(tmp_path):
    python_app = BACKING_ONLY.replace("services:\n", "services:\n  api:\n    image: python:3.12-slim\n"
                                                     "    command: [\"uvicorn\", \"app.main:app\"]\n")
    assert [(p, line, col) for p, line, col, _m in _found(tmp_path, {"docker/docker-compose.yml": python_app},
                                                          "CO006")] == [("docker/docker-compose.yml", 1, 1)]


def test_production_is_asked_for_its_own_env_file_not_the_development_dot_env(tmp_path):
    # shaped like full-stack-fastapi-template: compose.deploy.yml has no .env.deploy; interpolation reads .env
    files = {"compose.yml": APP, "compose.override.yml": OVERRIDE,
             "compose.deploy.yml": "services:\n  backend:\n    restart: always\n",
             ".env": "FASTAPI_ENV=development\nSMTP_PORT=1025\n",
             "backend/Dockerfile": "FROM python:3.12-slim\nCMD [\"fastapi\", \"run\"]\n"}
    assert _found(tmp_path, files, "CO007") == [
        ("compose.deploy.yml", 2, 3, "application service `backend` does not load `.env.deploy`: add "
                                     "`env_file: [.env.deploy]` (environment `deploy`)")]
    files["compose.deploy.yml"] = "services:\n  backend:\n    env_file: [.env]\n"
    assert _found(tmp_path / "dot", files, "CO007") == [
        ("compose.deploy.yml", 3, 5, "service `backend` loads `.env` but not `.env.deploy` in environment `deploy`")]


def test_a_mock_server_only_a_test_overlay_defines_is_not_asked_for_the_environment_s_file(tmp_path):
    mock = ("services:\n  mcp_mock:\n    build: ./backend\n    command: [\"python\", \"-m\", \"mock\"]\n"
            "    environment:\n      API_KEY: test-key\n")
    files = {"compose.yml": APP, "compose.override.yml": OVERRIDE, "compose.mcp-api-key-test.yml": mock,
             "backend/Dockerfile": "FROM python:3.12-slim\nCMD [\"fastapi\", \"run\"]\n"}
    # the base's backend is still asked, in that environment too (at the overlay, which would load it); the
    # overlay's mock is not
    found = _found(tmp_path, files, "CO007")
    assert [(p, line, col) for p, line, col, _m in found] == [("compose.mcp-api-key-test.yml", 1, 1)]
    assert found[0][3].startswith("application service `backend` does not load `.env.mcp-api-key-test`")
    # the same service in an overlay a deployment may run is asked
    files["compose.gpu.yml"] = files.pop("compose.mcp-api-key-test.yml")
    assert ("compose.gpu.yml", 2, 3) in [(p, line, col) for p, line, col, _m in _found(tmp_path / "b", files, "CO007")]

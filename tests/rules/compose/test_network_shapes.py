"""CO017 and CO021 on shapes taken from real compose files."""

from __future__ import annotations

from tests.helpers import run_files


def _found(tmp_path, files, code):
    return [(f.code, f.path, f.position.line, f.position.column, f.message)
            for f in run_files(tmp_path, files, select=code)]


# shaped like full-stack-fastapi-template's compose.override.yml: the end-to-end runner `compose run` starts
RUNNER = """\
services:
  backend:
    image: backend:1.0
    restart: always
    networks: [backend]
  playwright:
    build:
      context: .
      dockerfile: frontend/Dockerfile.playwright
    depends_on:
      - backend
  migrate:
    image: backend:1.0
    command: alembic upgrade head
    restart: "no"
    networks: [missing]
networks:
  backend: {}
"""


def test_one_off_jobs_and_test_runners_are_not_asked_for_networks(tmp_path):
    assert _found(tmp_path, {"compose.yaml": RUNNER}, "CO017") == [
        ("CO017", "compose.yaml", 16, 16, "`migrate` attaches to `missing`, which is not declared under top-level "
                                          "`networks:`")]


def test_several_published_ports_of_one_service_get_their_own_variables(tmp_path):
    # shaped like full-stack-fastapi-template's compose.deploy.yml
    base = "services:\n  proxy:\n    image: traefik:3.6\n    restart: always\n"
    deploy = "services:\n  proxy:\n    ports:\n      - \"80:80\"\n      - \"443:443\"\n"
    found = _found(tmp_path, {"compose.yml": base, "compose.deploy.yml": deploy}, "CO021")
    assert found == [
        ("CO021", "compose.deploy.yml", 4, 9, "`proxy` publishes host port 80 literally: take it from a variable, "
                                              "e.g. `${PROXY_PUBLISHED_PORT_80:-80}`"),
        ("CO021", "compose.deploy.yml", 5, 9, "`proxy` publishes host port 443 literally: take it from a variable, "
                                              "e.g. `${PROXY_PUBLISHED_PORT_443:-443}`")]


def test_a_test_environment_is_not_asked_for_port_variables(tmp_path):
    # shaped like netbox-docker: docker-compose.test.yml + docker-compose.test.override.yml, run by test.sh only
    files = {"docker-compose.yml": "services:\n  netbox:\n    image: netbox:v4.1\n",
             "docker-compose.test.yml": "services:\n  postgres:\n    image: postgres:16-alpine\n    ports:\n"
                                        "      - \"5432:5432\"\n",
             "docker-compose.test.override.yml": "services:\n  netbox:\n    ports:\n      - \"127.0.0.1:8000:8080\"\n",
             "docker-compose.prod.yml": "services:\n  netbox:\n    ports:\n      - \"8080:8080\"\n"}
    assert _found(tmp_path, files, "CO021") == [
        ("CO021", "docker-compose.prod.yml", 4, 9, "`netbox` publishes host port 8080 literally: take it from a "
                                                   "variable, e.g. `${NETBOX_PUBLISHED_PORT:-8080}`"),
        ("CO021", "docker-compose.test.yml", 5, 9, "database `postgres` is published on all interfaces (port `5432`): bind it to "
                                                   "`127.0.0.1` or do not publish it")]


def test_a_test_runner_is_not_asked_for_port_variables(tmp_path):
    # shaped like full-stack-fastapi-template's playwright service: its report port, in the development override
    text = ("services:\n  playwright:\n    build:\n      context: .\n      dockerfile: frontend/Dockerfile.playwright\n"
            "    ports:\n      - 9323:9323\n  frontend:\n    image: frontend:1.0\n    ports:\n      - 5173:80\n")
    assert _found(tmp_path, {"compose.yaml": text}, "CO021") == [
        ("CO021", "compose.yaml", 11, 9, "`frontend` publishes host port 5173 literally: take it from a variable, "
                                         "e.g. `${FRONTEND_PUBLISHED_PORT:-5173}`")]


def test_a_default_network_other_tools_join_by_name_is_not_asked_to_be_replaced(tmp_path):
    compose = ("name: shop\n"                                          # 1
               "services:\n"                                           # 2
               "  api:\n"                                              # 3
               "    build: .\n"                                        # 4
               "    restart: unless-stopped\n")                        # 5
    workflow = ("on: push\njobs:\n  it:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: docker compose up -d && docker run --rm --network shop_default tests:ci pytest\n")
    found = run_files(tmp_path / "ci", {"docker-compose.yml": compose, ".github/workflows/it.yml": workflow},
                      select="CO017")
    assert found == []
    # the same stack nothing joins by name: attach it to a declared network
    found = run_files(tmp_path / "alone", {"docker-compose.yml": compose}, select="CO017")
    assert [(f.code, f.position.line, f.position.column) for f in found] == [("CO017", 3, 3)]
    # a development container that joins it (`"runArgs": ["--network=shop_default"]`) counts as well
    found = run_files(tmp_path / "devc", {"docker-compose.yml": compose, ".devcontainer/devcontainer.json":
                                          '{"runArgs": ["--network=shop_default"]}\n'}, select="CO017")
    assert found == []

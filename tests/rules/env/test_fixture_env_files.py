"""The env files of test stacks and editors' workspaces (development containers, VS Code's launch settings) hold
public test credentials and development defaults: the rules about secrets, addresses and per-environment files do not judge them."""

from __future__ import annotations

from tests.helpers import at, described, run_files

COMPOSE = ("services:\n  app:\n    build: ..\n    env_file: [.env]\n    depends_on: [db]\n"
           "  db:\n    image: postgres:17.2\n")


def test_a_development_container_s_env_files_are_its_own_business(tmp_path):
    files = {".devcontainer/docker-compose.yml": COMPOSE.replace("build: ..", "build:\n      context: ..\n"
                                                                 "      dockerfile: .devcontainer/Dockerfile"),
             ".devcontainer/Dockerfile": "FROM mcr.microsoft.com/vscode/devcontainers/python:3.12\n",
             ".devcontainer/.env.example": "DATABASE_CREDENTIALS=app:app\nJWT_SECRET=foo\n",
             ".devcontainer/.env": "DATABASE_CREDENTIALS=app:app\nJWT_SECRET=foo\n"}
    found = run_files(tmp_path, files, select=("EN002", "EN007", "EN009", "EN011"))
    assert [f for f in found if f.path.startswith(".devcontainer/")] == []


def test_a_test_stack_s_env_files_are_its_own_business(tmp_path):
    files = {"tests/e2e/docker-compose.yml": COMPOSE.replace("build: ..", "build: ../.."),
             "tests/e2e/.env": "LDAP_ADMIN_PASSWORD=GoodNewsEveryone\n"}
    found = run_files(tmp_path, files, select=("EN002", "EN007", "EN009", "EN011"))
    assert at(found, "tests/e2e/.env") == []


def test_an_editor_s_launch_env_files_are_its_own_business(tmp_path):
    # VS Code's launch settings read `.vscode/.env.k8s`, copied from the committed template: the local cluster's
    # passwords, which must match it
    files = {".vscode/.env.k8s.template": "POSTGRES_PASSWORD=postgres\nENCRYPTION_KEY_SECRET=Qm7dWz2PbHT8hx9k\n",
             ".vscode/launch.json": "{}\n"}
    found = run_files(tmp_path, files, select=("EN002", "EN007", "EN009", "EN011"))
    assert [f for f in found if f.path.startswith(".vscode/")] == []


def test_the_same_files_where_a_deployment_reads_them_are_judged(tmp_path):
    files = {"docker-compose.yml": COMPOSE.replace("build: ..", "build: ."),
             ".env.example": "DATABASE_CREDENTIALS=app:app\nJWT_SECRET=foo\n",
             ".env": "LDAP_ADMIN_PASSWORD=GoodNewsEveryone\n"}
    found = run_files(tmp_path, files, select=("EN007", "EN009", "EN011"))
    assert described(found, path=True, message=False) == [
        (".env", "EN011", 1, 1), (".env", "EN009", 1, 21), (".env.example", "EN007", 1, 22),
        (".env.example", "EN007", 2, 12)]

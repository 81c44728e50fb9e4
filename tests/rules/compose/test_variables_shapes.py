"""CO005 and CO008 on shapes taken from real compose files."""

from __future__ import annotations

from tests.helpers import run_files


def _found(tmp_path, files, code):
    return [(f.code, f.path, f.position.line, f.position.column, f.message)
            for f in run_files(tmp_path, files, select=code)]


# shaped like full-stack-fastapi-template's compose.yml: SMTP authentication and Sentry are optional
OPTIONAL = """\
services:
  backend:
    image: backend:1.0
    environment:
      SECRET_KEY: ${SECRET_KEY:?Variable not set}
      SMTP_USER: ${SMTP_USER:-}
      SMTP_PASSWORD: ${SMTP_PASSWORD:-}
      SENTRY_DSN: ${SENTRY_DSN:-}
      API_TOKEN: ${API_TOKEN:-dev-token}
      SENTRY_AUTH_TOKEN: ${SENTRY_AUTH_TOKEN:-}
"""


def test_an_empty_default_is_an_optional_setting_not_a_secret_with_a_default(tmp_path):
    assert _found(tmp_path, {"compose.yaml": OPTIONAL}, "CO008") == [
        ("CO008", "compose.yaml", 9, 18, "secret `API_TOKEN` has a default: write `${API_TOKEN:?API_TOKEN is "
                                         "required}`")]


# shaped like full-stack-fastapi-template's compose.deploy.yml: DOMAIN three times, not in the .env it reads
DEPLOY = """\
services:
  adminer:
    labels:
      - traefik.http.routers.adminer-https.rule=Host(`adminer.${DOMAIN:?Variable not set}`)
  backend:
    environment:
      FRONTEND_HOST: https://${DOMAIN:?Variable not set}
    labels:
      - traefik.http.routers.backend-https.rule=Host(`${DOMAIN:?Variable not set}`)
"""
DEPLOY_BASE = "services:\n  adminer:\n    image: adminer:4.8.1\n  backend:\n    image: backend:1.0\n"


def test_a_variable_missing_from_the_env_file_is_said_once_naming_its_uses(tmp_path):
    files = {"compose.yml": DEPLOY_BASE, "compose.override.yml": "services: {}\n", "compose.deploy.yml": DEPLOY,
             ".env.deploy": "SECRET_KEY=changethis\n"}
    assert _found(tmp_path, files, ("CO005", "EN005")) == [
        ("EN005", ".env.deploy", 1, 1, "`DOMAIN` is not defined for environment `deploy`: `${DOMAIN:?...}` in "
                                       "compose.deploy.yml:4 (also used at compose.deploy.yml:7 and "
                                       "compose.deploy.yml:9) requires it and compose refuses to start without it; "
                                       "define it in `.env.deploy`")]


def test_without_an_env_file_the_compose_rule_says_it_once_per_variable(tmp_path):
    files = {"compose.yml": DEPLOY_BASE, "compose.override.yml": "services: {}\n", "compose.deploy.yml": DEPLOY}
    assert _found(tmp_path, files, ("CO005", "EN005")) == [
        ("CO005", "compose.deploy.yml", 4, 63, "`DOMAIN` is required (`:?`) and environment `deploy` has no env file "
                                               "to define it (also used at "
                                               "compose.deploy.yml:7 and compose.deploy.yml:9): set it in `.env.deploy`, "
                                               "or in the shell or CI that runs compose for it; compose refuses to "
                                               "start without it")]


DEPLOY_WORKFLOW = """\
on: workflow_dispatch
jobs:
  deploy:
    runs-on: self-hosted
    env:
      DOMAIN: ${{ vars.DOMAIN }}
    steps:
      - uses: actions/checkout@v4
      - run: docker compose -f compose.yml -f compose.deploy.yml up -d
"""


def test_a_variable_the_deploy_workflow_sets_is_supplied(tmp_path):
    # the deploy job exports DOMAIN to the compose it runs: the :? guard is met there
    files = {"compose.yml": DEPLOY_BASE, "compose.override.yml": "services: {}\n", "compose.deploy.yml": DEPLOY,
             ".github/workflows/deploy.yml": DEPLOY_WORKFLOW}
    assert _found(tmp_path, files, ("CO005", "EN005")) == []
    # a workflow running other compose files does not supply this environment
    other = DEPLOY_WORKFLOW.replace("-f compose.deploy.yml", "-f compose.staging.yml")
    files[".github/workflows/deploy.yml"] = other
    assert [f[:4] for f in _found(tmp_path / "other", files, ("CO005", "EN005"))] == [
        ("CO005", "compose.deploy.yml", 4, 63)]


def test_pwd_is_set_by_docker_compose_itself(tmp_path):
    # `${PWD}` is the directory compose runs in: its CLI sets it when the shell does not. Nothing asks to define,
    # guard or default it; a variable beside it is still reported
    compose = ("services:\n"                                       # 1
               "  app:\n"                                          # 2
               "    image: example/app:1.2\n"                      # 3
               "    volumes:\n"                                    # 4
               "      - ${PWD}/data:/data\n"                       # 5
               "    environment:\n"                                # 6
               "      HOST: ${HOST}\n")                            # 7
    found = run_files(tmp_path, {"docker-compose.yml": compose, ".env.example": "OTHER=1\n"},
                      select=("CO005", "CO008", "EN005"))
    assert [(f.path, f.code, f.position.line, f.position.column, "PWD" in f.message) for f in found] == [
        (".env.example", "EN005", 1, 1, False), ("docker-compose.yml", "CO008", 7, 13, False)]

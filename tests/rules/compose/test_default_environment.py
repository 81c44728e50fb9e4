"""compose's defaults hold: `compose.override.yml` is the development override `docker compose` merges by
default, and an environment without its own `.env.<name>` interpolates from the folder's `.env`."""

from __future__ import annotations

from tests.helpers import run_files

# shaped like full-stack-fastapi-template
BASE = """\
services:
  db:
    image: postgres:18
    restart: always
    environment:
      - POSTGRES_PASSWORD=${POSTGRES_PASSWORD:?Variable not set}
    volumes:
      - app-db-data:/var/lib/postgresql/data
  adminer:
    image: adminer:4.8.1
    restart: always
  backend:
    image: "backend:${TAG:-1.0}"
    restart: always
    build:
      context: .
      dockerfile: backend/Dockerfile
      target: production
volumes:
  app-db-data:
"""
OVERRIDE = """\
services:
  adminer:
    ports:
      - "127.0.0.1:${ADMINER_PORT:-8080}:8080"
  backend:
    build:
      target: development
    command: ["fastapi", "dev", "--host", "0.0.0.0"]
    volumes:
      - ./backend:/app/backend
"""
DEPLOY = """\
services:
  backend:
    labels:
      - traefik.http.routers.backend-https.rule=Host(`${DOMAIN:?Variable not set}`)
"""
DOT_ENV = "DOMAIN=localhost\nPOSTGRES_PASSWORD=changethis\n"
DOCKERFILE = "FROM python:3.12-slim AS production\nFROM production AS development\n"
TREE = {"compose.yml": BASE, "compose.override.yml": OVERRIDE, "compose.deploy.yml": DEPLOY, ".env": DOT_ENV,
        "backend/Dockerfile": DOCKERFILE}


def _found(tmp_path, tree, code):
    return [(f.path, f.position.line, f.position.column, f.message) for f in run_files(tmp_path, tree, select=code)]


def test_the_default_override_is_part_of_the_development_environment(tmp_path):
    tree = {path: text for path, text in TREE.items() if path != "compose.deploy.yml"}
    assert _found(tmp_path, tree, "CO006") == [
        ("compose.yml", 1, 1, "no production override (e.g. `docker-compose.prod.yml`) next to the base file")]


def test_a_deploy_override_is_the_production_environment(tmp_path):
    assert _found(tmp_path, TREE, "CO006") == []


def test_an_environment_without_its_own_env_file_interpolates_from_dot_env(tmp_path):
    assert _found(tmp_path, TREE, ("CO005", "EN005")) == []
    tree = dict(TREE, **{".env": "POSTGRES_PASSWORD=changethis\n"})
    # said once, at the reference: `deploy` borrows development's `.env`, so the value belongs in `.env.deploy`
    # (putting a production value in the development file would let the `:?` guard pass with it)
    assert _found(tmp_path, tree, ("CO005", "EN005")) == [
        ("compose.deploy.yml", 4, 55, "`DOMAIN` is required (`:?`) and environment `deploy` has no env file of its "
                                      "own to define it (it reads `.env`): set it in `.env.deploy`, or in the shell "
                                      "or CI that runs compose for it; compose refuses to start without it")]


def test_development_settings_in_the_default_override_are_judged_as_development(tmp_path):
    assert _found(tmp_path, TREE, ("CO018", "CO020")) == []


def test_a_lone_file_with_its_override_is_development(tmp_path):
    tree = {"compose.yaml": BASE, "compose.override.yaml": OVERRIDE, ".env": DOT_ENV, "backend/Dockerfile": DOCKERFILE}
    assert _found(tmp_path, tree, ("CO018", "CO020")) == []
    assert _found(tmp_path, tree, "CO006") == [
        ("compose.yaml", 1, 1, "no production override (e.g. `docker-compose.prod.yml`) next to the base file")]


def test_a_development_tool_is_reported_where_it_is_defined_once(tmp_path):
    tree = dict(TREE, **{"compose.deploy.yml": DEPLOY + "  adminer:\n    restart: always\n"})
    assert _found(tmp_path, tree, "CO024") == [
        ("compose.yml", 9, 3, "`adminer` is a development tool and starts by default: put it behind `profiles`")]

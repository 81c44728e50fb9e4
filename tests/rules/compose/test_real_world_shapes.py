"""Findings that were false for the service they judged, in shapes taken from real compose files."""

from __future__ import annotations

from tests.helpers import run_files

BASE, DEV = "docker-compose.base.yml", "docker-compose.dev.yml"


def _found(tmp_path, files, code):
    return [(f.path, f.position.line, f.position.column, f.message) for f in run_files(tmp_path, files, select=code)]


def test_the_first_real_host_of_a_listener_list_is_reported(tmp_path):
    text = ("services:\n  kafka:\n    image: apache/kafka:4.1.1\n    environment:\n"
            "      KAFKA_ADVERTISED_LISTENERS: \"CONTROLLER://0.0.0.0:29093,INTERNAL://broker-0.internal:9093\"\n")
    assert _found(tmp_path, {"compose.yaml": text}, "CO010") == [
        ("compose.yaml", 5, 35, "`KAFKA_ADVERTISED_LISTENERS` in service `kafka` hardcodes the URL host "
                                "`broker-0.internal`: take "
                                "the URL (or its base) from the env file, e.g. `${KAFKA_ADVERTISED_LISTENERS:?"
                                "KAFKA_ADVERTISED_LISTENERS is required}`")]


def test_authentication_settings_are_not_secrets(tmp_path):
    text = ("services:\n  postgres:\n    image: postgres:14.24\n    environment:\n"
            "      POSTGRES_HOST_AUTH_METHOD: \"trust\"\n      POSTGRES_PASSWORD: hunter2\n"
            "  pgbouncer:\n    image: edoburu/pgbouncer:v1.25.2-p0\n    environment:\n      AUTH_TYPE: trust\n")
    assert _found(tmp_path, {"compose.yaml": text}, "CO009") == [
        ("compose.yaml", 6, 26, "`POSTGRES_PASSWORD` is set to a literal secret (********) in service `postgres`: use "
                                "`${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}` and set it in the env file")]


# the final stage (`debug`) keeps development's HEALTHCHECK, so DF043 has nothing to say about the file;
# `production`, outside the final stage's lineage, disables it: only compose can say so
DOCKERFILE = ("FROM node:lts AS development\nWORKDIR /code\n"
              "HEALTHCHECK --interval=30s --timeout=5s CMD node healthcheck.js\nCMD [\"npm\", \"start\"]\n"
              "FROM development AS production\nHEALTHCHECK NONE\nFROM development AS debug\n")
SERVICE = ("services:\n  backend:\n    build:\n      context: backend\n      target: {target}\n"
           "    restart: always\n")


def test_a_healthcheck_in_the_built_stage_counts(tmp_path):
    files = {BASE: SERVICE.format(target="development"), DEV: "services: {}\n", "backend/Dockerfile": DOCKERFILE}
    assert [m for *_p, m in _found(tmp_path, files, "CO012")] == []
    files[BASE] = SERVICE.format(target="production")
    assert _found(tmp_path / "none", files, "CO012") == [
        (BASE, 2, 3, "compose declares no healthcheck for long-running service `backend` and its image (stage "
                     "`production` of `backend/Dockerfile`) sets `HEALTHCHECK NONE`")]


def test_a_tool_only_in_the_development_override_is_not_reported(tmp_path):
    files = {"compose.yml": "services:\n  app:\n    image: a:1\n",
             "compose.override.yml": "services:\n  mailpit:\n    image: axllent/mailpit:v1.21\n",
             "compose.prod.yml": "services:\n  adminer:\n    image: adminer:4.8.1\n"}
    assert _found(tmp_path, files, "CO024") == [
        ("compose.prod.yml", 2, 3, "`adminer` is a development tool and starts by default: put it behind "
                                   "`profiles`")]


def test_jobs_and_test_runners_are_not_long_running_services(tmp_path):
    # a migration job the API waits for, an end-to-end test runner built from its own Dockerfile, and a
    # pytest service: none is held to healthcheck, restart, resources or logging
    text = ("services:\n"
            "  prestart:\n    build: ./backend\n    command: bash scripts/prestart.sh\n"
            "  backend:\n    build: ./backend\n    restart: always\n"
            "    depends_on:\n      prestart:\n        condition: service_completed_successfully\n"
            "  playwright:\n    build:\n      context: .\n      dockerfile: frontend/Dockerfile.playwright\n"
            "  unit:\n    build: ./backend\n    command: pytest -x tests\n")
    found = run_files(tmp_path, {"compose.yaml": text}, select=("CO012", "CO014", "CO015", "CO016"))
    assert {(f.code, f.message.split("`")[1]) for f in found} == {
        ("CO012", "backend"), ("CO015", "backend"), ("CO016", "backend")}


def test_a_server_that_publishes_ports_is_long_running_even_with_restart_no(tmp_path):
    text = ("services:\n  api:\n    image: tiangolo/uvicorn-gunicorn-fastapi:python3.11\n    restart: \"no\"\n"
            "    ports:\n      - \"8000:80\"\n  migrate:\n    image: tiangolo/uvicorn-gunicorn-fastapi:python3.11\n"
            "    restart: \"no\"\n    command: alembic upgrade head\n")
    assert _found(tmp_path, {"compose.yaml": text}, "CO014") == [
        ("compose.yaml", 4, 14, "`api` publishes ports but sets `restart: \"no\"`: the server stays down after a "
                                "crash or a reboot; use `unless-stopped`")]
    assert {f.message.split("`")[1] for f in run_files(tmp_path, {}, select="CO012")} == {"api"}


def test_a_profile_the_project_turns_on_runs_by_default(tmp_path):
    # the project's .env sets COMPOSE_PROFILES: the services of that profile are long-running like the others
    text = ("services:\n  web:\n    image: a:1.0\n    restart: unless-stopped\n"
            "  consumer:\n    image: a:1.0\n    restart: unless-stopped\n    profiles: [feature-complete]\n"
            "  debug-ui:\n    image: b:1.0\n    profiles: [tools]\n")
    env = "COMPOSE_PROFILES=feature-complete\n"
    found = run_files(tmp_path, {"compose.yaml": text, ".env": env}, select="CO015")
    assert sorted(f.message.split("`")[1] for f in found) == ["consumer", "web"]


def test_a_literal_connection_string_with_its_password_is_one_finding(tmp_path):
    text = ("services:\n  app:\n    build: .\n    environment:\n"
            "      - DATABASE_URL=postgresql://postgres:postgres@db/postgres\n"
            "      - SENTRY_URL=https://user:token123@sentry.example.com/1\n")
    found = run_files(tmp_path, {"compose.yaml": text}, select=("CO009", "CO011"))
    assert [(f.code, f.position.line, f.position.column) for f in found] == [("CO011", 5, 22), ("CO009", 6, 33)]
    assert found[0].message.startswith("`DATABASE_URL` in service `app` is a literal connection string "
                                       "(postgresql://postgres:********@db/postgres) with its password written in it")

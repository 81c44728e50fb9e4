"""CO012 on shapes taken from real compose files: an absence said once (on the Dockerfile when one HEALTHCHECK
there fixes both), images that bring their own HEALTHCHECK, and `start_period` asked of the application only."""

from __future__ import annotations

from dockyard.config import Config
from tests.helpers import run_files

# shaped like awesome-compose django: compose builds `builder`, the stage the final `dev-envs` is built FROM
DJANGO_COMPOSE = "services:\n  web:\n    build:\n      context: app\n      target: builder\n    ports:\n" \
                 "      - '8000:8000'\n"
DJANGO_DOCKERFILE = ("FROM python:3.12-alpine AS builder\nWORKDIR /app\nCOPY . /app\n"
                     "CMD [\"python3\", \"manage.py\", \"runserver\", \"0.0.0.0:8000\"]\n\n"
                     "FROM builder AS dev-envs\nRUN apk add git\n")
# shaped like awesome-compose react-rust-postgres: compose builds `development`; the final stage is another image
RUST_COMPOSE = "services:\n  backend:\n    build:\n      context: backend\n      target: development\n" \
               "    ports:\n      - 8000:8000\n"
RUST_DOCKERFILE = ("FROM rust:1.83-bookworm AS base\nWORKDIR /code\nCOPY . /code\n\n"
                   "FROM base AS development\nCMD [\"cargo\", \"run\", \"--offline\"]\n\n"
                   "FROM base AS builder\nRUN cargo build --release --offline\n\n"
                   "FROM debian:bookworm-slim\nCOPY --from=builder /code/target/release/app /app\nCMD [\"/app\"]\n")


def _found(tmp_path, files, codes, config=None):
    return [(f.code, f.path, f.position.line, f.position.column, f.message)
            for f in run_files(tmp_path, files, select=codes, config=config)]


def test_a_missing_healthcheck_one_dockerfile_healthcheck_fixes_is_said_on_the_dockerfile(tmp_path):
    found = _found(tmp_path, {"compose.yaml": DJANGO_COMPOSE, "app/Dockerfile": DJANGO_DOCKERFILE},
                   ("CO012", "DF043"))
    # said once, at the image's stage: `builder` (the `dev-envs` tooling stage on top of it is not the image)
    assert [f[:4] for f in found] == [("DF043", "app/Dockerfile", 1, 1)]


def test_a_single_stage_dockerfile_built_without_target(tmp_path):
    # shaped like awesome-compose nginx-nodejs-redis: `build: ./nginx`, one stage, no HEALTHCHECK
    files = {"compose.yaml": "services:\n  nginx:\n    build: ./nginx\n    ports:\n    - '80:80'\n",
             "nginx/Dockerfile": "FROM nginx:1.27.3\nCOPY nginx.conf /etc/nginx/conf.d/default.conf\n"}
    assert [f[:4] for f in _found(tmp_path, files, ("CO012", "DF043"))] == [("DF043", "nginx/Dockerfile", 1, 1)]


def test_a_stage_outside_the_final_image_keeps_the_compose_finding(tmp_path):
    found = _found(tmp_path, {"compose.yaml": RUST_COMPOSE, "backend/Dockerfile": RUST_DOCKERFILE},
                   ("CO012", "DF043"))
    assert found == [
        ("DF043", "backend/Dockerfile", 11, 1, "the final stage has no `HEALTHCHECK`; add one that probes the app's "
                                               "health endpoint"),
        ("CO012", "compose.yaml", 2, 3, "compose declares no healthcheck for long-running service `backend` and its "
                                        "image (stage `development` of `backend/Dockerfile`) declares no "
                                        "`HEALTHCHECK`")]


def test_when_the_dockerfile_rule_is_ignored_compose_says_it(tmp_path):
    found = _found(tmp_path, {"compose.yaml": DJANGO_COMPOSE, "app/Dockerfile": DJANGO_DOCKERFILE},
                   ("CO012", "DF043"), config=Config(ignore=("DF043",)))
    assert found == [
        ("CO012", "compose.yaml", 2, 3, "compose declares no healthcheck for long-running service `web` and its image "
                                        "(stage `builder` of `app/Dockerfile`) declares no `HEALTHCHECK`")]


def test_images_that_declare_their_own_healthcheck(tmp_path):
    # mailpit in full-stack-fastapi-template's override, minecraft-server in awesome-compose
    files = {"compose.yaml": "services:\n  mailpit:\n    image: axllent/mailpit\n    ports:\n      - \"8025:8025\"\n"
                             "  minecraft:\n    image: docker.io/itzg/minecraft-server:2025.1.0\n    ports:\n"
                             "      - \"25565:25565\"\n  adminer:\n    image: adminer:4.8.1\n    ports:\n"
                             "      - \"8080:8080\"\n  app:\n    image: app:1.0\n    restart: always\n    depends_on:\n"
                             "      - mailpit\n"}
    # adminer, a development tool, is CO024's (behind `profiles`), not a service to harden
    assert _found(tmp_path, files, ("CO012", "CO013")) == [
        ("CO012", "compose.yaml", 14, 3, "compose declares no healthcheck for long-running service `app` and its "
                                         "image is not known to have one"),
        ("CO013", "compose.yaml", 18, 9, "`app` depends on `mailpit` without `condition: service_healthy`, though "
                                         "`mailpit` has a healthcheck")]


PROXY_AND_APP = """\
services:
  nginx-proxy:
    build: nginx
    restart: always
    healthcheck:
      test: ["CMD-SHELL", "curl --silent --fail localhost:80/health-check || exit 1"]
      interval: 10s
      timeout: 10s
      retries: 3
  flask-app:
    build: flask
    restart: always
    healthcheck:
      test: ["CMD-SHELL", "curl --silent --fail localhost:8000/health || exit 1"]
      interval: 10s
      timeout: 10s
      retries: 3
    command: gunicorn -w 3 -b 0.0.0.0:8000 app:app
"""


def test_start_period_is_asked_of_the_application_only(tmp_path):
    # shaped like awesome-compose nginx-wsgi-flask: the nginx proxy is built from the project too
    files = {"compose.yaml": PROXY_AND_APP,
             "nginx/Dockerfile": "FROM nginx:1.27.3-alpine\nRUN apk add curl\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n",
             "flask/Dockerfile": "FROM python:3.12-alpine\nCOPY . .\nRUN pip install -r requirements.txt\n"
                                 "CMD [\"python\", \"app.py\"]\n",
             "flask/requirements.txt": "flask==3.1.0\ngunicorn==23.0.0\n"}
    assert _found(tmp_path, files, "CO012") == [
        ("CO012", "compose.yaml", 13, 5, "healthcheck of `flask-app` does not set `start_period`")]

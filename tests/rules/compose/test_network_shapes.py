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

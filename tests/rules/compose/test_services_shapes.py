"""CO018 and CO020 on shapes taken from real compose files."""

from __future__ import annotations

from tests.helpers import run_files


def _found(tmp_path, files, code):
    return [(f.code, f.path, f.position.line, f.position.column, f.message)
            for f in run_files(tmp_path, files, select=code)]


# shaped like awesome-compose react-express-mysql: one compose file, the frontend built for hot reload
HOT_RELOAD = """\
services:
  frontend:
    build:
      context: frontend
      target: development
    volumes:
      - ./frontend/src:/code/src
  backend:
    build:
      context: backend
      target: builder
    volumes:
      - ./backend/src:/code/src
"""


def test_a_service_built_for_development_may_bind_mount_its_source(tmp_path):
    files = {"compose.yaml": HOT_RELOAD,
             "frontend/Dockerfile": "FROM node:22.12-alpine AS development\nCMD [\"npm\", \"start\"]\n",
             "backend/Dockerfile": "FROM node:22.12-alpine AS builder\nCMD [\"npm\", \"start\"]\n",
             "frontend/src/index.js": "export {}\n", "backend/src/server.js": "export {}\n"}
    assert _found(tmp_path, files, "CO018") == [
        ("CO018", "compose.yaml", 13, 9, "`backend` bind-mounts `./backend/src` outside development: source bind "
                                         "mounts belong only in the development override")]


# shaped like awesome-compose fastapi and flask: compose builds `builder`, the only stage the app runs in
BUILDER = "services:\n  api:\n    build:\n      context: .\n      target: builder\n    ports:\n      - '8000:8000'\n"
NO_PRODUCTION = ("FROM python:3.12-slim AS builder\nWORKDIR /app\nCOPY . .\nCMD [\"uvicorn\", \"app.main:app\"]\n"
                 "FROM builder AS dev-envs\nRUN apt-get update\n")


def test_no_production_stage_to_name_is_said_by_df014_only(tmp_path):
    files = {"compose.yaml": BUILDER, "Dockerfile": NO_PRODUCTION}
    # at the image's stage, `builder` (the `dev-envs` tooling stage on top of it is not the image)
    assert [f[:4] for f in _found(tmp_path, files, ("CO020", "DF014"))] == [("DF014", "Dockerfile", 1, 1)]
    # shaped like full-stack-fastapi-template: no target, the runtime stage is the unnamed last one
    files["compose.yaml"] = "services:\n  backend:\n    build:\n      context: .\n      dockerfile: backend/Dockerfile\n"
    files["backend/Dockerfile"] = ("FROM node:22.12-alpine AS frontend-build\nRUN npm run build\n"
                                   "FROM python:3.12-slim\nCOPY --from=frontend-build /app/dist /app/static\n"
                                   "CMD [\"fastapi\", \"run\"]\n")
    del files["Dockerfile"]
    assert [f[:4] for f in _found(tmp_path / "unnamed", files, ("CO020", "DF014"))] == [
        ("DF014", "backend/Dockerfile", 3, 1)]


def test_production_is_advised_when_the_stage_exists(tmp_path):
    files = {"compose.yaml": BUILDER,
             "Dockerfile": NO_PRODUCTION + "FROM builder AS production\nCMD [\"uvicorn\", \"app.main:app\"]\n"}
    assert _found(tmp_path, files, ("CO020", "DF014")) == [
        ("CO020", "compose.yaml", 5, 15, "`api` builds stage `builder` outside development: use `production`")]

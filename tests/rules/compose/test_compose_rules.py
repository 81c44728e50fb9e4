"""Each compose rule on small trees: exact (code, line, column) of what fails, and what passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import at, run_files, triples

BASE, DEV, PROD = "docker-compose.base.yml", "docker-compose.dev.yml", "docker-compose.prod.yml"

FAILING = [
    ('CO001', {'compose.yaml': 'services:\n  app:\n    image: a:1\n    image: b:1\n'},
     [('compose.yaml', 4, 5)]),
    ('CO001', {'compose.yaml': '- a\n- b\n'},
     [('compose.yaml', 1, 1)]),
    ('CO001', {'compose.yaml': ''},
     [('compose.yaml', 1, 1)]),
    ('CO001', {'compose.yaml': 'services: [\n'},
     [('compose.yaml', 2, 1)]),
    ('CO002', {'compose.yaml': 'services:\n  app:\n    image: a:1\n    restrat: always\n'},
     [('compose.yaml', 4, 5)]),
    ('CO002', {'compose.yaml': 'services:\n  app:\n    image: a:1\n    healthcheck:\n      intervl: 3s\n'},
     [('compose.yaml', 5, 7)]),
    ('CO002', {'compose.yaml': 'servics:\n  app:\n    image: a:1\n'},
     [('compose.yaml', 1, 1)]),
    ('CO002', {'compose.yaml': 'services:\n  app:\n    image: a:1\n    restart: 3\n'},
     [('compose.yaml', 4, 5)]),
    ('CO003', {BASE: 'services:\n  app:\n    image: a:1\n', DEV: 'services:\n  app:\n    container_name: "${NAME:-app}"\n', '.env.dev': 'NAME=_\n'},
     [('docker-compose.dev.yml', 3, 5)]),
    ('CO004', {'compose.yaml': 'services:\n  app:\n    image: a:1\n    environment:\n      - PORT=${PORT:-8000\n      - X=${ BAD}\n'},
     [('compose.yaml', 5, 14), ('compose.yaml', 6, 11)]),
    ('CO005', {BASE: 'services:\n  app:\n    image: a:1\n    environment:\n      - KEY=${SECRET_KEY:?SECRET_KEY is required}\n      - HOST=${HOST}\n', DEV: 'services: {}\n', PROD: 'services: {}\n', '.env.dev': 'HOST=x\n'},
     [('docker-compose.base.yml', 5, 13), ('docker-compose.base.yml', 6, 14)]),
    ('CO006', {'docker-compose.yml': 'services:\n  app:\n    build: .\n'},
     [('docker-compose.yml', 1, 1)]),
    ('CO006', {BASE: 'services:\n  app:\n    build: .\n', DEV: 'services: {}\n', 'docker-compose.override.yml': 'services: {}\n'},
     [('docker-compose.base.yml', 1, 1), ('docker-compose.override.yml', 1, 1)]),
    ('CO007', {BASE: 'services:\n  app:\n    build: .\n', DEV: 'services:\n  app:\n    env_file: .env.prod\n', PROD: 'services:\n  web:\n    image: nginx:1.27\n'},
     [('docker-compose.dev.yml', 3, 5), ('docker-compose.prod.yml', 1, 1)]),
    ('CO008', {'compose.yaml': 'services:\n  app:\n    image: a:1\n    environment:\n      TOKEN: ${API_TOKEN:-abc}\n      HOST: "${HOST}"\n      DB: "${DB_NAME:?}"\n      URL: ${U:-${DB_PASSWORD}}\n'},
     [('compose.yaml', 5, 14), ('compose.yaml', 6, 14), ('compose.yaml', 7, 12), ('compose.yaml', 8, 17)]),
    ('CO009', {'compose.yaml': 'services:\n  app:\n    image: a:1\n    environment:\n      - DB_PASSWORD=hunter2\n      - NAME=x\n    build:\n      context: .\n      args:\n        API_KEY: abc123\n  db:\n    image: b:1\n    environment:\n      URL: "http://u:pw@h/x"\n    command: redis-server --requirepass secret1\n'},
     [('compose.yaml', 5, 21), ('compose.yaml', 10, 18), ('compose.yaml', 14, 22), ('compose.yaml', 15, 41)]),
    ('CO010', {'compose.yaml': 'services:\n  app:\n    image: a:1\n    environment:\n      - API_URL=https://api.example.com/v1\n      - REDIS_HOST=redis-cluster-0\n      - BASE_URL=${BASE_URL:-http://localhost:8000}\n      - CALLBACK=${BASE_URL:?x}/cb\n      - BIND_HOST=0.0.0.0\n'},
     [('compose.yaml', 5, 17), ('compose.yaml', 6, 20)]),
    ('CO011', {'compose.yaml': 'services:\n  app:\n    image: a:1\n    environment:\n      DATABASE_URL: postgresql://u:p@db:5432/x\n      REDIS_URL: "redis://${REDIS_HOST:-redis}:6379"\n      CELERY_BROKER_URL: ${CELERY_BROKER_URL:-redis://redis:6379/1}\n'},
     [('compose.yaml', 5, 21)]),
    ('CO012', {BASE: 'services:\n  app:\n    build: .\n    restart: always\n    healthcheck:\n      test: ["CMD", "true"]\n      interval: 30s\n  db:\n    image: postgres:17\n    restart: always\n    healthcheck:\n      test: ["CMD", "true"]\n      interval: 5s\n      timeout: 5s\n      retries: 3\n  cache:\n    image: redis:7.4\n    restart: always\n  job:\n    image: a:1\n    restart: "no"\n', DEV: 'services: {}\n'},
     [('docker-compose.base.yml', 5, 5), ('docker-compose.base.yml', 6, 7), ('docker-compose.base.yml', 12, 7), ('docker-compose.base.yml', 16, 3)]),
    ('CO013', {BASE: 'services:\n  app:\n    image: a:1\n    depends_on:\n      - db\n      - cache\n  worker:\n    image: a:1\n    depends_on:\n      db:\n        condition: service_started\n  db:\n    image: postgres:17\n    healthcheck:\n      test: ["CMD", "pg_isready"]\n  cache:\n    image: redis:7.4\n', DEV: 'services: {}\n', PROD: 'services: {}\n'},
     [('docker-compose.base.yml', 5, 9), ('docker-compose.base.yml', 11, 9)]),
    ('CO014', {BASE: 'services:\n  app:\n    image: a:1\n  db:\n    image: b:1\n    restart: always\n  job:\n    image: c:1\n    restart: "no"\n', DEV: 'services: {}\n', PROD: 'services: {}\n'},
     [('docker-compose.base.yml', 2, 3), ('docker-compose.base.yml', 6, 14)]),
    ('CO015', {BASE: 'services:\n  app:\n    image: a:1\n  db:\n    image: b:1\n    deploy:\n      resources:\n        limits:\n          cpus: "1"\n          memory: 1G\n', DEV: 'services: {}\n'},
     [('docker-compose.base.yml', 2, 3), ('docker-compose.base.yml', 7, 7)]),
    ('CO016', {BASE: 'services:\n  app:\n    image: a:1\n  db:\n    image: b:1\n    logging:\n      driver: json-file\n      options:\n        max-size: 10m\n  c:\n    image: c:1\n    logging:\n      driver: local\n  d:\n    image: d:1\n    logging:\n      driver: none\n', DEV: 'services: {}\n'},
     [('docker-compose.base.yml', 2, 3), ('docker-compose.base.yml', 6, 5), ('docker-compose.base.yml', 17, 15)]),
    ('CO017', {BASE: 'services:\n  app:\n    image: a:1\n  db:\n    image: b:1\n    networks: [backend, missing]\nnetworks:\n  backend: {}\n', DEV: 'services: {}\n'},
     [('docker-compose.base.yml', 2, 3), ('docker-compose.base.yml', 6, 25)]),
    ('CO018', {BASE: 'services:\n  app:\n    build: .\n    volumes:\n      - .:/app\n      - ./config.yml:/app/config.yml:ro\n      - cache:/cache\n  db:\n    image: postgres:17\n  pg:\n    image: postgres:17\n    volumes:\n      - ./pgdata:/var/lib/postgresql/data\n', DEV: 'services: {}\n', PROD: 'services: {}\n'},
     [('docker-compose.base.yml', 5, 9), ('docker-compose.base.yml', 7, 9), ('docker-compose.base.yml', 8, 3), ('docker-compose.base.yml', 13, 9)]),
    ('CO019', {'compose.yaml': 'services:\n  a:\n    image: postgres\n  b:\n    image: redis:latest\n  c:\n    image: "myapp:${TAG:-latest}"\n  d:\n    image: "${IMAGE:?x}:${TAG:?x}"\n  e:\n    image: python@sha256:abc\n  f:\n    image: registry:5000/x\n'},
     [('compose.yaml', 3, 12), ('compose.yaml', 5, 12), ('compose.yaml', 7, 12), ('compose.yaml', 13, 12)]),
    ('CO019', {'compose.yaml': 'services:\n  a:\n    image: redis:alpine\n  b:\n    image: node:lts-bookworm\n  c:\n    image: python:slim-bookworm\n  d:\n    image: debian:bookworm-slim\n  e:\n    image: "nginx:${NGINX_TAG:-stable-alpine}"\n'},
     [('compose.yaml', 3, 12), ('compose.yaml', 5, 12), ('compose.yaml', 7, 12), ('compose.yaml', 11, 12)]),
    ('CO020', {BASE: 'services:\n  app:\n    build:\n      context: .\n  w:\n    build: .\n', DEV: 'services:\n  w:\n    build:\n      target: development\n', PROD: 'services:\n  w:\n    build:\n      target: development\n'},
     [('docker-compose.base.yml', 3, 5), ('docker-compose.prod.yml', 4, 15)]),
    ('CO021', {BASE: 'services:\n  app:\n    image: a:1\n    ports:\n      - "8000:8000"\n      - "${P:-9000}:9000"\n  db:\n    image: postgres:17\n    ports:\n      - "127.0.0.1:${DBP:-5432}:5432"\n  cache:\n    image: redis:7.4\n    ports:\n      - "${RP:-6379}:6379"\n      - "6380"\n', DEV: 'services: {}\n'},
     [('docker-compose.base.yml', 5, 9), ('docker-compose.base.yml', 14, 9)]),
    ('CO022', {BASE: 'services:\n  r1:\n    image: redis:7.4\n  r2:\n    image: redis:7.4\n    command: redis-server --requirepass ${P:-x} --appendonly yes --maxmemory 1gb --maxmemory-policy allkeys-lru\n  r3:\n    image: redis:7.4\n    command: redis-server /usr/local/etc/redis/redis.conf\n', DEV: 'services: {}\n'},
     [('docker-compose.base.yml', 2, 3), ('docker-compose.base.yml', 6, 5)]),
    ('CO023', {'compose.yaml': 'services:\n  a:\n    image: a:1\n    command: sh -c "worker & uvicorn app:app"\n  b:\n    image: a:1\n    command: ["sh", "-c", "migrate && uvicorn app:app"]\n  c:\n    image: a:1\n    command: ["supervisord", "-n"]\n  d:\n    image: a:1\n    entrypoint: ["sh", "-c", "x 2>&1 &"]\n'},
     [('compose.yaml', 4, 28), ('compose.yaml', 10, 15), ('compose.yaml', 13, 38)]),
    ('CO024', {BASE: 'services:\n  mailhog:\n    image: mailhog/mailhog:v1.0.1\n  admin:\n    image: adminer:4.8.1\n    profiles: [tools]\n', DEV: 'services: {}\n'},
     [('docker-compose.base.yml', 2, 3)]),
    ('CO025', {BASE: 'services:\n  app:\n    build: .\n  worker:\n    build: .\n    command: celery -A app worker\n', DEV: 'services: {}\n'},
     [('docker-compose.base.yml', 2, 3)]),
    ('CO026', {BASE: 'services:\n  app:\n    build: .\n    logging:\n      driver: json-file\n', DEV: 'services: {}\n', PROD: 'services:\n  app:\n    restart: unless-stopped\n'},
     [('docker-compose.prod.yml', 2, 3)]),
    ('CO027', {BASE: 'services:\n  app:\n    image: a:1\n    depends_on:\n      db:\n        condition: service_healthy\n  db:\n    image: postgres:17\n', DEV: 'services: {}\n'},
     [('docker-compose.base.yml', 6, 9)]),
    ('CO028', {BASE: 'services:\n  app:\n    build: .\n    healthcheck:\n      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]\n  db:\n    image: postgres:17\n    healthcheck:\n      test: curl -f http://localhost\n', DEV: 'services: {}\n', 'Dockerfile': 'FROM python:3.12-slim\n'},
     [('docker-compose.base.yml', 5, 7), ('docker-compose.base.yml', 9, 7)]),
    ('CO029', {BASE: 'services:\n  r:\n    image: redis:7.4\n    command: redis-server --requirepass ${P:?x}\n    healthcheck:\n      test: ["CMD", "redis-cli", "ping"]\n', DEV: 'services: {}\n'},
     [('docker-compose.base.yml', 6, 7)]),
    ('CO030', {BASE: 'services:\n  app:\n    image: a:1\n    env_file: .env.app\n    environment:\n      - K=${DB_PASSWORD:?required}\n', DEV: 'services: {}\n', '.env.dev': 'X=1\n', '.env.app': 'DB_PASSWORD=x\n'},
     [('docker-compose.base.yml', 6, 11)]),
    ('CO031', {BASE: 'services:\n  app:\n    build:\n      context: .\n      target: production\n', DEV: 'services:\n  app:\n    build:\n      target: dev\n', 'Dockerfile': 'FROM python:3.12-slim AS production\n'},
     [('docker-compose.dev.yml', 4, 15)]),
    ('CO032', {BASE: 'services:\n  app:\n    build: .\n    container_name: app\n  db:\n    image: postgres:17\n    container_name: db\n', DEV: 'services: {}\n'},
     [('docker-compose.base.yml', 4, 5)]),
]


@pytest.mark.parametrize("code,files,expected", FAILING, ids=[f"{c}-{i}" for i, (c, _f, _e) in enumerate(FAILING)])
def test_failing_cases_report_exact_positions(tmp_path, code, files, expected):
    found = run_files(tmp_path, files, select=code)
    assert [f.code for f in found] == [code] * len(expected)
    assert [(f.path, f.position.line, f.position.column) for f in found] == expected


PASSING = [
    ("CO001", {"compose.yaml": "services:\n  app:\n    image: a:1\n"}),
    ("CO002", {"compose.yaml": "services:\n  app:\n    image: a:1\n    x-note: fine\n    restart: \"${R:-no}\"\n"}),
    ("CO004", {"compose.yaml": "services:\n  app:\n    image: a:1\n    command: echo $$HOME ${A:-{x}}\n"}),
    ("CO005", {BASE: "services:\n  app:\n    image: a:1\n    environment:\n      - A=${A:-x}\n      - B=${B:?B is required}\n",
               DEV: "services: {}\n", ".env.dev": "B=1\n"}),
    ("CO008", {"compose.yaml": "services:\n  app:\n    image: a:1\n    environment:\n"
                               "      URL: \"${API_URL:-${BASE_URL:?BASE_URL is required}/api}\"\n"}),
    ("CO009", {"compose.yaml": "services:\n  app:\n    image: a:1\n    environment:\n      - DB_PASSWORD_FILE=/run/secrets/db\n"
                               "      - URL=postgresql://${U:?u}:${P:?p}@db/x\n"}),
    ("CO009", {"compose.yaml": "services:\n  app:\n    image: a:1\n    environment:\n"
                               "      GPG_KEY: 7169605F62C751356D054A26A821E680E5FA6305\n      APP_SHA256: \"" + "e3" * 32 + "\"\n"}),
    ("CO010", {"compose.yaml": "services:\n  app:\n    image: a:1\n    environment:\n"
                               "      - WEBHOOK_URL=${BASE_URL:?BASE_URL is required}/webhooks\n      - HOST=0.0.0.0\n"}),
    ("CO011", {"compose.yaml": "services:\n  app:\n    image: a:1\n    environment:\n"
                               "      - REDIS_URL=${REDIS_URL:-redis://${REDIS_HOST:-redis}:${REDIS_PORT:-6379}}\n"}),
    ("CO014", {BASE: "services:\n  app:\n    image: a:1\n    restart: always\n", DEV: "services: {}\n"}),
    ("CO018", {BASE: "services:\n  app:\n    build: .\n", DEV: "services:\n  app:\n    volumes:\n      - .:/app\n"}),
    ("CO020", {BASE: "services:\n  app:\n    build:\n      context: .\n      target: production\n",
               DEV: "services:\n  app:\n    build:\n      target: development\n"}),
    ("CO019", {"compose.yaml": "services:\n  a:\n    image: debian:trixie-slim\n  b:\n    image: ubuntu:noble\n"
                               "  c:\n    image: redis:7.4-alpine3.20\n  d:\n    image: buildpack-deps:bookworm-curl\n"}),
    ("CO021", {BASE: "services:\n  app:\n    image: a:1\n    ports:\n      - target: 8000\n        published: \"${P:-8000}\"\n"
                     "  cache:\n    image: redis:7.4\n    expose: [\"6379\"]\n", DEV: "services: {}\n"}),
    ("CO023", {"compose.yaml": "services:\n  a:\n    image: a:1\n    command: sh -c \"migrate && exec uvicorn app:app >/dev/null 2>&1\"\n"}),
    ("CO028", {BASE: "services:\n  app:\n    build: .\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://x/health\"]\n",
               DEV: "services: {}\n",
               "Dockerfile": "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n"}),
    ("CO031", {BASE: "services:\n  app:\n    build:\n      context: .\n      target: Production\n", DEV: "services: {}\n",
               "Dockerfile": "FROM python:3.12-slim AS production\n"}),
]


@pytest.mark.parametrize("code,files", PASSING, ids=[c for c, _f in PASSING])
def test_passing_cases(tmp_path, code, files):
    assert triples(run_files(tmp_path, files, select=code)) == []


REFERENCE = Path(__file__).resolve().parents[2] / "fixtures" / "compose_rules" / "reference"


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_reference_project_has_no_compose_findings(tmp_path):
    assert triples(run_files(tmp_path, _tree(REFERENCE), select="CO")) == []


def test_a_base_line_at_fault_is_reported_once_for_all_environments(tmp_path):
    files = {BASE: "services:\n  app:\n    image: a:1\n", DEV: "services: {}\n", PROD: "services: {}\n",
             "docker-compose.staging.yml": "services: {}\n"}
    assert at(run_files(tmp_path, files, select="CO014"), BASE) == [("CO014", 2, 3)]


def test_secret_values_never_appear_in_messages(tmp_path):
    files = {"compose.yaml": "services:\n  app:\n    image: a:1\n    environment:\n      - DB_PASSWORD=hunter2\n"
                             "      - DATABASE_URL=postgresql://u:hunter2@db/x\n    command: redis-server --requirepass hunter2\n"}
    found = run_files(tmp_path, files, select="CO")
    assert found and not [f for f in found if "hunter2" in f.message]


def test_override_fix_points_at_the_override(tmp_path):
    files = {BASE: "services:\n  app:\n    build:\n      context: .\n      target: production\n",
             DEV: "services: {}\n", PROD: "services:\n  app:\n    build:\n      target: development\n"}
    assert at(run_files(tmp_path, files, select="CO020"), PROD) == [("CO020", 4, 15)]


def test_environment_view(tmp_path):
    from dockyard.compose.context import environment_views
    from dockyard.project import Project
    from tests.helpers import write_tree

    write_tree(tmp_path, {BASE: "services:\n  app:\n    image: a:1\n    environment:\n      - K=${K:?K is required}\n"
                                "    ports:\n      - \"${P:-8000}:8000\"\n",
                          DEV: "services:\n  app:\n    environment:\n      K: override\n", ".env.dev.example": "K=v\n"})
    (view,) = environment_views(Project.discover(tmp_path))
    assert view.name == "dev" and [f.path for f in view.compose_files] == [BASE, DEV]
    assert view.env_file.path == ".env.dev.example" and view.env_file_is_template
    assert view.variables == {"K": "v"}
    assert view.model["services"]["app"] == {"image": "a:1", "environment": {"K": "override"}, "ports": ["8000:8000"]}
    assert view.origin(("services", "app", "environment", "K"))[0] == DEV
    assert view.first_origin(("services", "app", "environment", "K"))[0] == BASE
    assert view.raw(("services", "app", "ports", 0)) == "${P:-8000}:8000"
    assert view.issues == []


def test_literal_port_message_suggests_a_variable_named_after_the_service(tmp_path):
    files = {"compose.yaml": 'services:\n  db-main:\n    image: postgres:17\n    ports:\n      - "127.0.0.1:5432:5432"\n'}
    found = [f for f in run_files(tmp_path, files, select="CO021")]
    assert [(f.code, f.position.line, f.position.column) for f in found] == [("CO021", 5, 9)]
    assert "`${DB_MAIN_PUBLISHED_PORT:-5432}`" in found[0].message

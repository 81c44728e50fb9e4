"""CO010 on shapes taken from real compose files: compose's own DNS, a broker's loopback listener, and a default
that the env file would silently replace."""

from __future__ import annotations

from tests.helpers import run_files


def _found(tmp_path, files, code="CO010"):
    return [(f.path, f.position.line, f.position.column, f.message) for f in run_files(tmp_path, files, select=code)]


# shaped like full-stack-fastapi-template: the development override points the backend and the end-to-end
# runner at services of the same environment
BASE = """\
services:
  db:
    image: postgres:18
  backend:
    image: backend:1.0
    environment:
      SMTP_HOST: ${SMTP_HOST}
"""
OVERRIDE = """\
services:
  backend:
    environment:
      SMTP_HOST: "mailpit"
  mailpit:
    image: axllent/mailpit:v1.21
  playwright:
    image: playwright:1.0
    environment:
      - PLAYWRIGHT_BASE_URL=http://backend:8000
      - MAILPIT_HOST=http://mailpit:8025
      - SEARCH_URL=http://search:9200
      - CACHE_HOST=cache.example.com
"""


def test_names_of_services_of_the_environment_are_compose_dns(tmp_path):
    files = {"compose.yml": BASE, "compose.override.yml": OVERRIDE, ".env": "SMTP_HOST=localhost\n"}
    assert _found(tmp_path, files) == [
        ("compose.override.yml", 12, 20, "`SEARCH_URL` in service `playwright` hardcodes the URL host `search`: take "
                                         "the URL (or its base) from the env file, e.g. `${SEARCH_URL:?SEARCH_URL is "
                                         "required}`"),
        ("compose.override.yml", 13, 20, "`CACHE_HOST` in service `playwright` hardcodes the host `cache.example.com`: "
                                         "use `${CACHE_HOST:-cache.example.com}` so each environment can change it")]


def test_aliases_and_container_names_are_compose_dns_too(tmp_path):
    text = ("services:\n  app:\n    image: app:1.0\n    environment:\n      SEARCH_URL: http://search:9200\n"
            "      CACHE_HOST: memcache\n      QUEUE_HOST: broker\n      DB_HOST: db:5432\n"
            "  elastic:\n    image: elasticsearch:8.17.0\n    networks:\n      backend:\n        aliases: [search]\n"
            "  memcached:\n    image: memcached:1.6.34\n    container_name: memcache\n  db:\n    image: postgres:17\n"
            "networks:\n  backend: {}\n")
    assert _found(tmp_path, {"compose.yaml": text}) == [
        ("compose.yaml", 7, 19, "`QUEUE_HOST` in service `app` hardcodes the host `broker`: use "
                                "`${QUEUE_HOST:-broker}` so each environment can change it")]


def test_a_service_of_only_some_environments_using_the_file_is_not_compose_dns(tmp_path):
    # the base file names `mailpit`, which only the development override defines: production cannot resolve it
    base = "services:\n  backend:\n    image: backend:1.0\n    environment:\n      SMTP_HOST: mailpit\n"
    files = {"compose.yml": base, "compose.override.yml": "services:\n  mailpit:\n    image: axllent/mailpit:v1.21\n",
             "compose.prod.yml": "services:\n  backend:\n    restart: always\n"}
    assert _found(tmp_path, files) == [
        ("compose.yml", 5, 18, "`SMTP_HOST` in service `backend` hardcodes the host `mailpit`: use "
                               "`${SMTP_HOST:-mailpit}` so each environment can change it")]


def test_a_default_the_env_file_would_replace_is_not_advised(tmp_path):
    base = "services:\n  backend:\n    image: backend:1.0\n    environment:\n      SMTP_HOST: smtp.internal\n"
    files = {"compose.yml": base, ".env": "SMTP_HOST=localhost\n"}
    assert _found(tmp_path, files) == [
        ("compose.yml", 5, 18, "`SMTP_HOST` in service `backend` hardcodes the host `smtp.internal`: `.env` sets "
                               "`SMTP_HOST` to another value, which `${SMTP_HOST:-smtp.internal}` would silently pick "
                               "up: set it in each environment's env file and write `${SMTP_HOST:?SMTP_HOST is "
                               "required}`")]


def test_the_loopback_of_a_listener_setting_is_not_a_host_to_vary(tmp_path):
    # shaped like getsentry/self-hosted's kafka
    text = ("services:\n  kafka:\n    image: confluentinc/cp-kafka:7.6.13\n    environment:\n"
            "      KAFKA_ADVERTISED_LISTENERS: \"PLAINTEXT://127.0.0.1:29092,INTERNAL://kafka:9093,"
            "EXTERNAL://kafka:9092\"\n      KAFKA_LISTENERS: \"PLAINTEXT://0.0.0.0:29092,CONTROLLER://0.0.0.0:29093\"\n"
            "  web:\n    image: web:1.0\n    environment:\n      API_URL: http://127.0.0.1:8000/api\n")
    assert _found(tmp_path, {"compose.yaml": text}) == [
        ("compose.yaml", 10, 16, "`API_URL` in service `web` hardcodes the URL host `127.0.0.1`: take the URL (or its "
                                 "base) from the env file, e.g. `${API_URL:?API_URL is required}`")]

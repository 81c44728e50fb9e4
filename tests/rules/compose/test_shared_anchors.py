"""Text several services share (a YAML anchor, a merge key, an ``x-`` field) is reported once, where it is
written, naming the services: not once per service on the same line."""

from __future__ import annotations

from tests.helpers import run_files

BASE, DEV, PROD = "docker-compose.base.yml", "docker-compose.dev.yml", "docker-compose.prod.yml"

# shaped like a large self-hosted stack: defaults in `x-` fields merged into many services
SHARED = """\
x-restart: &restart
  restart: unless-stopped
x-started: &started
  condition: service_started
x-app-defaults: &app_defaults
  <<: *restart
  image: "app-local"
  build:
    context: ./app
  depends_on:
    cache:
      <<: *started
  environment:
    SEARCH_URL: "http://search:9200"
  volumes:
    - "./config:/etc/app"
services:
  web:
    <<: *app_defaults
  worker:
    <<: *app_defaults
  beat:
    <<: *app_defaults
  ingest:
    <<: *app_defaults
  cleanup:
    <<: *app_defaults
  cache:
    <<: *restart
    image: "memcached:1.6.45-alpine"
    healthcheck:
      test: echo stats | nc 127.0.0.1 11211
"""


def _by_code(found):
    return {c: [(f.path, f.position.line, f.position.column, f.message) for f in found if f.code == c]
            for c in sorted({f.code for f in found})}


def test_environment_rules_report_text_shared_by_services_once(tmp_path):
    found = run_files(tmp_path, {BASE: SHARED, PROD: "services: {}\n"}, select=("CO013", "CO018", "CO020"))
    assert _by_code(found) == {
        # the dependency is named in the shared defaults; its condition comes from another anchor
        "CO013": [(BASE, 11, 5, "`web` depends on `cache` without `condition: service_healthy`, though `cache` "
                                "has a healthcheck (also `worker`, `beat` and 2 more services, which share this "
                                "definition)")],
        "CO018": [(BASE, 16, 7, "`web` bind-mounts `./config` outside development: source bind mounts belong "
                                "only in the development override (also `worker`, `beat` and 2 more services, "
                                "which share this definition)")],
        "CO020": [(BASE, 8, 3, "`web` is built without a `target` stage (also `worker`, `beat` and 2 more "
                               "services, which share this definition)")],
    }


def test_file_rules_report_text_shared_by_services_once(tmp_path):
    found = run_files(tmp_path, {BASE: SHARED, PROD: "services: {}\n"}, select=("CO010", "CO019"))
    assert _by_code(found) == {
        "CO010": [(BASE, 14, 17, "`SEARCH_URL` in service `web` hardcodes the URL host `search`: take the URL "
                                 "(or its base) from the env file, e.g. `${SEARCH_URL:?SEARCH_URL is required}` "
                                 "(also `worker`, `beat` and 2 more services, which share this definition)")],
        "CO019": [(BASE, 7, 10, "image `app-local` of service `web` has no tag: pin a version such as "
                                "`app-local:<version>` (also `worker`, `beat` and 2 more services, which share "
                                "this definition)")],
    }


def test_two_or_three_sharing_services_are_all_named(tmp_path):
    text = ("x-img: &img\n  image: \"tool\"\nservices:\n  a:\n    <<: *img\n  b:\n    <<: *img\n"
            "  c:\n    <<: *img\n")
    found = run_files(tmp_path, {"compose.yaml": text}, select="CO019")
    assert [(f.position.line, f.position.column, f.message) for f in found] == [
        (2, 10, "image `tool` of service `a` has no tag: pin a version such as `tool:<version>` (also `b` and "
                "`c`, which share this definition)")]
    found = run_files(tmp_path, {"compose.yaml": text.replace("  c:\n    <<: *img\n", "")}, select="CO019")
    assert [f.message for f in found] == [
        "image `tool` of service `a` has no tag: pin a version such as `tool:<version>` (also `b`, which shares "
        "this definition)"]


def test_services_writing_their_own_text_are_reported_each(tmp_path):
    text = "services:\n  a:\n    image: tool\n  b:\n    image: tool\n"
    found = run_files(tmp_path, {"compose.yaml": text}, select="CO019")
    assert [(f.position.line, f.message) for f in found] == [
        (3, "image `tool` of service `a` has no tag: pin a version such as `tool:<version>`"),
        (5, "image `tool` of service `b` has no tag: pin a version such as `tool:<version>`")]


def test_a_condition_written_in_the_dependency_is_still_the_position(tmp_path):
    base = ("services:\n  app:\n    image: a:1\n    depends_on:\n      db:\n        condition: service_started\n"
            "  db:\n    image: postgres:17\n    healthcheck:\n      test: [\"CMD\", \"pg_isready\"]\n")
    found = run_files(tmp_path, {BASE: base, DEV: "services: {}\n"}, select="CO013")
    assert [(f.path, f.position.line, f.position.column) for f in found] == [(BASE, 6, 9)]

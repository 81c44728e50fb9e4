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
    # (`./config` holds code: a source mount)
    found = run_files(tmp_path, {BASE: SHARED, PROD: "services: {}\n", "config/settings.py": "DEBUG = False\n"},
                      select=("CO013", "CO018", "CO020"))
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
    # the shared image is built (`build:` beside it): CO019 leaves the name of what compose builds
    assert _by_code(found) == {
        "CO010": [(BASE, 14, 17, "`SEARCH_URL` in service `web` hardcodes the URL host `search`: take the URL "
                                 "(or its base) from the env file, e.g. `${SEARCH_URL:?SEARCH_URL is required}` "
                                 "(also `worker`, `beat` and 2 more services, which share this definition)")],
    }
    pulled = SHARED.replace("  build:\n    context: ./app\n", "")
    found = run_files(tmp_path / "pulled", {BASE: pulled, PROD: "services: {}\n"}, select=("CO019",))
    assert _by_code(found) == {
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


# shaped like netbox-docker's docker-compose.yml: the worker and housekeeping merge the `netbox` service itself
NETBOX = """\
services:
  netbox: &netbox
    image: docker.io/netboxcommunity/netbox:v4.1-3.0.2
    env_file: env/netbox.env
    healthcheck:
      test: curl -f http://localhost:8080/login/ || exit 1
      start_period: 90s
      timeout: 3s
      interval: 15s
      retries: 3
  netbox-worker:
    <<: *netbox
    command:
      - /opt/netbox/venv/bin/python
      - /opt/netbox/netbox/manage.py
      - rqworker
  netbox-housekeeping:
    <<: *netbox
    command:
      - /opt/netbox/housekeeping.sh
  postgres:
    image: docker.io/postgres:16-alpine
    restart: unless-stopped
"""


def test_settings_missing_from_a_merged_service_are_reported_once_at_the_anchor(tmp_path):
    found = run_files(tmp_path, {"docker-compose.yml": NETBOX, "env/netbox.env": "DB_HOST=postgres\n"},
                      select=("CO014", "CO015", "CO016", "CO017"))
    also = " (also `netbox-worker` and `netbox-housekeeping`, which share this definition)"
    assert [(f.code, f.position.line, f.position.column, f.message) for f in found] == [
        ("CO014", 2, 3, "long-running service `netbox` sets no `restart` policy" + also),
        ("CO015", 2, 3, "`netbox` does not set deploy.resources `limits.cpus`, `limits.memory`, "
                        "`reservations.cpus`, `reservations.memory`" + also),
        ("CO016", 2, 3, "`netbox` sets no `logging`: the default json-file driver never rotates" + also),
        ("CO017", 2, 3, "`netbox` uses only the implicit default network: attach it to a declared network" + also),
        ("CO015", 21, 3, "`postgres` does not set deploy.resources `limits.cpus`, `limits.memory`, "
                         "`reservations.cpus`, `reservations.memory`"),
        ("CO016", 21, 3, "`postgres` sets no `logging`: the default json-file driver never rotates"),
        ("CO017", 21, 3, "`postgres` uses only the implicit default network: attach it to a declared network")]


def test_a_service_that_sets_the_missing_key_itself_is_reported_on_its_own(tmp_path):
    text = NETBOX.replace("      - /opt/netbox/housekeeping.sh\n",
                          "      - /opt/netbox/housekeeping.sh\n    logging:\n      driver: json-file\n")
    found = run_files(tmp_path, {"docker-compose.yml": text, "env/netbox.env": "DB_HOST=postgres\n"}, select="CO016")
    assert [(f.position.line, f.position.column, f.message) for f in found] == [
        (2, 3, "`netbox` sets no `logging`: the default json-file driver never rotates (also `netbox-worker`, which "
               "shares this definition)"),
        (21, 5, "`netbox-housekeeping` logs with `json-file` without `max-size` and `max-file`: logs grow without "
                "bound"),
        (23, 3, "`postgres` sets no `logging`: the default json-file driver never rotates")]


def test_an_x_anchor_merged_by_several_services_is_where_the_setting_goes(tmp_path):
    text = ("x-app: &app\n  image: app:1.0\n  restart: always\nservices:\n  web:\n    <<: *app\n"
            "  worker:\n    <<: *app\n    command: [\"celery\", \"worker\"]\n  beat:\n    image: app:1.0\n"
            "    restart: always\n")
    found = run_files(tmp_path, {"compose.yaml": text}, select="CO016")
    assert [(f.position.line, f.position.column, f.message) for f in found] == [
        (1, 1, "`web` sets no `logging`: the default json-file driver never rotates (also `worker`, which shares "
               "this definition)"),
        (10, 3, "`beat` sets no `logging`: the default json-file driver never rotates")]
    alone = text.replace("  worker:\n    <<: *app\n    command: [\"celery\", \"worker\"]\n", "")
    found = run_files(tmp_path / "alone", {"compose.yaml": alone}, select="CO016")
    assert [(f.position.line, f.position.column) for f in found] == [(5, 3), (7, 3)]


def test_an_anchor_merged_for_one_setting_does_not_group_services(tmp_path):
    # shaped like getsentry/self-hosted: every service merges `x-restart-policy`, each runs its own image
    text = ("x-restart-policy: &restart_policy\n  restart: unless-stopped\nservices:\n"
            "  smtp:\n    <<: *restart_policy\n    image: registry.gitlab.com/egos-tech/smtp:1.0\n"
            "  memcached:\n    <<: *restart_policy\n    image: memcached:1.6.45-alpine\n")
    found = run_files(tmp_path, {"compose.yaml": text}, select="CO016")
    assert [(f.position.line, f.position.column, f.message) for f in found] == [
        (4, 3, "`smtp` sets no `logging`: the default json-file driver never rotates"),
        (7, 3, "`memcached` sets no `logging`: the default json-file driver never rotates")]

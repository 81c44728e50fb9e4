"""CO022 (redis hardening) and CO029 (redis healthcheck auth) see the password however real compose files set it:
on the command line, inside `sh -c`, in a mounted configuration file, or through a bitnami image's variables (the
command-line, `sh -c` and redis-stack shapes are cases in ``cases/CO022.yml`` and ``cases/CO029.yml``)."""

from __future__ import annotations

from tests.helpers import run_files

BASE, DEV = "docker-compose.base.yml", "docker-compose.dev.yml"
TUNING = "--appendonly yes --maxmemory 256mb --maxmemory-policy allkeys-lru"
PING = "    healthcheck:\n      test: [\"CMD\", \"redis-cli\", \"ping\"]\n"


def _found(tmp_path, service: str, code: str, **more: str):
    files = {BASE: "services:\n  redis:\n" + service, DEV: "services: {}\n", ".env.dev": "REDIS_PASSWORD=x\n",
             **more}
    return [(f.path, f.position.line, f.position.column, f.message) for f in run_files(tmp_path, files, select=code)]


def test_an_unquoted_optional_variable_is_still_reported_as_not_required(tmp_path):
    found = _found(tmp_path, f"    image: redis:7.4.2\n    command: redis-server --requirepass \"${{REDIS_PASSWORD}}\" "
                             f"{TUNING}\n", "CO022")
    assert found == [(BASE, 4, 5, "redis service `redis` runs without `--requirepass` from a required variable "
                                  "(`${REDIS_PASSWORD:?...}`)")]


def test_an_escaped_variable_without_a_shell_is_literal_text(tmp_path):
    found = _found(tmp_path, "    image: redis:7.4.2\n    command: redis-server --requirepass $$REDIS_PASSWORD "
                             f"{TUNING}\n", "CO022")
    assert found == [(BASE, 4, 5, "redis service `redis` gets the literal text `$REDIS_PASSWORD` as its password: no "
                                  "shell runs its command to expand `$$REDIS_PASSWORD`; write `${REDIS_PASSWORD:?...}` "
                                  "(compose substitutes it) or run the server with `sh -c`")]


BITNAMI = ("    image: bitnami/redis:7.4\n    environment:\n      - REDIS_PASSWORD=${REDIS_PASSWORD:?required}\n"
           "      - REDIS_EXTRA_FLAGS=--maxmemory 256mb --maxmemory-policy allkeys-lru\n")


def test_bitnami_takes_its_password_from_the_environment_and_persists_by_default(tmp_path):
    assert _found(tmp_path, BITNAMI, "CO022") == []
    found = _found(tmp_path, BITNAMI + PING, "CO029")
    assert [(p, line, col) for p, line, col, _m in found] == [(BASE, 8, 7)]


def test_bitnami_allowing_an_empty_password_has_none(tmp_path):
    service = "    image: bitnami/redis:7.4\n    environment:\n      ALLOW_EMPTY_PASSWORD: \"yes\"\n"
    assert _found(tmp_path, service + PING, "CO029") == []
    assert _found(tmp_path, service, "CO022") == [
        (BASE, 2, 3, "redis service `redis` runs without `--requirepass ${REDIS_PASSWORD:?...}`, `--maxmemory`, "
                     "`--maxmemory-policy`")]


CONF_SERVICE = ("    image: valkey/valkey:8.1.9-alpine\n    volumes:\n      - type: bind\n        read_only: true\n"
                "        source: ./redis.conf\n        target: /usr/local/etc/redis/redis.conf\n"
                "    command: [\"valkey-server\", \"/usr/local/etc/redis/redis.conf\"]\n")


def test_a_mounted_configuration_file_is_read(tmp_path):
    conf = "# tuned for the cluster\nrequirepass \"s3cret-from-vault\"\nappendonly yes\nmaxmemory 1gb\n" \
           "maxmemory-policy volatile-lru\n"
    assert _found(tmp_path, CONF_SERVICE, "CO022", **{"redis.conf": conf}) == []
    found = _found(tmp_path, CONF_SERVICE + PING, "CO029", **{"redis.conf": conf})
    assert [(p, line, col) for p, line, col, _m in found] == [(BASE, 11, 7)]


def test_what_the_configuration_file_lacks_is_named(tmp_path):
    conf = "maxmemory 0\nmaxmemory-policy volatile-lru\n"
    assert _found(tmp_path, CONF_SERVICE + PING, "CO029", **{"redis.conf": conf}) == []
    assert _found(tmp_path, CONF_SERVICE, "CO022", **{"redis.conf": conf}) == [
        (BASE, 9, 5, "redis service `redis` runs without `--requirepass ${REDIS_PASSWORD:?...}`, `--appendonly yes`, "
                     "`--maxmemory` (neither its command nor `redis.conf` sets them)")]


def test_a_configuration_file_that_cannot_be_read_is_not_judged(tmp_path):
    service = CONF_SERVICE.replace("source: ./redis.conf", "source: /etc/redis/redis.conf")
    assert _found(tmp_path, service + PING, ("CO022", "CO029")) == []


def test_bitnami_valkey_from_a_registry_reads_its_own_variables(tmp_path):
    service = ("    image: docker.io/bitnami/valkey:8.0\n    environment:\n"
               "      VALKEY_PASSWORD: ${REDIS_PASSWORD}\n      VALKEY_EXTRA_FLAGS: --maxmemory 256mb "
               "--maxmemory-policy allkeys-lru\n")
    assert _found(tmp_path, service, "CO022") == [
        (BASE, 2, 3, "redis service `redis` runs without `VALKEY_PASSWORD` from a required variable "
                     "(`${REDIS_PASSWORD:?...}`)")]

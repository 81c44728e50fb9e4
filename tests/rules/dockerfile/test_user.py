from tests.helpers import run_files, triples

CREATE = ("RUN groupadd --system --gid 10001 app \\\n"
          "    && useradd --system --uid 10001 --gid app --no-create-home --shell /usr/sbin/nologin app\n")


def test_no_user_in_final_stage(tmp_path):
    text = "FROM python:3.12-slim AS builder\nUSER nobody\nFROM python:3.12-slim\nCMD [\"x\"]\n"
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF040")) == [("DF040", 3, 1)]


def test_last_user_root_is_reported_at_its_value(tmp_path):
    text = "FROM python:3.12-slim\n" + CREATE + "USER app\nRUN true\nUSER 0:0\n"
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF040")) == [("DF040", 6, 6)]


def test_user_inherited_from_parent_stage_passes(tmp_path):
    text = "FROM python:3.12-slim AS base\n" + CREATE + "USER app\nFROM base AS production\nCMD [\"x\"]\n"
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF040") == []


def test_user_and_group_without_fixed_ids(tmp_path):
    text = "FROM python:3.12-slim\nRUN groupadd app && \\\n    useradd -r -g app app\nUSER app\n"
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF041")) == [("DF041", 2, 5), ("DF041", 3, 5)]


def test_fixed_ids_including_arg_references_pass(tmp_path):
    text = ("FROM python:3.12-slim\nARG UID=10001\nRUN addgroup --gid 10001 app && adduser --uid \"${UID}\" "
            "--ingroup app app\nUSER app\n")
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF041") == []
    alpine = "FROM python:3.12-alpine\nRUN addgroup -g 1000 app && adduser -D -u1000 -G app app\nUSER app\n"
    assert run_files(tmp_path / "a", {"Dockerfile": alpine}, select="DF041") == []


def test_writable_dirs_not_owned(tmp_path):
    text = ("FROM python:3.12-slim\nWORKDIR /app\n" + CREATE +
            "RUN mkdir -p uploads /app/logs /tmp/x /app/static && chown -R app:app /app/logs\nUSER app\n")
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF042")) == [("DF042", 5, 14)]


def test_writable_dirs_owned_recursively_or_created_as_the_user(tmp_path):
    text = ("FROM python:3.12-slim\n" + CREATE + "RUN mkdir -p /app/uploads /app/temp && chown -R app:app /app\n"
            "USER app\nRUN mkdir -p /app/storage\n")
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF042") == []


def test_root_container_is_not_judged_for_ownership(tmp_path):
    assert run_files(tmp_path, {"Dockerfile": "FROM python:3.12-slim\nRUN mkdir /app/logs\n"}, select="DF042") == []


# ---------------------------------------------------------------- DF040 official images that drop privileges themselves
def _df040(tmp_path, text):
    return run_files(tmp_path, {"Dockerfile": text, "seed.sql": "select 1;\n"}, select="DF040")


def test_official_database_image_keeping_its_entrypoint_is_not_judged(tmp_path):
    # the entrypoint starts as root to own the data directory, then re-executes itself as `postgres` (gosu)
    assert _df040(tmp_path / "pg", "FROM postgres:17.2\nCOPY seed.sql /docker-entrypoint-initdb.d/\n") == []
    for i, text in enumerate([
        "FROM docker.io/library/mysql:8.4\nCMD [\"mysqld\", \"--character-set-server=utf8mb4\"]\n",
        "FROM mariadb:11\nENV MARIADB_AUTO_UPGRADE=1\n",
        "FROM redis:7-alpine\nCOPY redis.conf /usr/local/etc/redis/\nCMD [\"redis-server\", \"/usr/local/etc/redis/redis.conf\"]\n",
        "FROM mongo:7\nCMD [\"--wiredTigerCacheSizeGB\", \"1\"]\n",
        "FROM rabbitmq:3-management\n",
        "FROM postgres:16 AS db\nFROM db\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"postgres\", \"-c\", \"fsync=off\"]\n",
        "FROM elasticsearch:8.17.0\nCOPY elasticsearch.yml /usr/share/elasticsearch/config/\n",
    ]):
        assert _df040(tmp_path / str(i), text) == [], text


def test_official_image_with_its_entrypoint_replaced_or_another_command_is_judged(tmp_path):
    replaced = "FROM postgres:17.2\nCOPY start.sh /\nENTRYPOINT [\"/start.sh\"]\n"
    found = _df040(tmp_path / "entrypoint", replaced)
    assert triples(found) == [("DF040", 1, 1)]
    assert found[0].message == ("the final stage runs as root: it never sets `USER`; create a dedicated user and "
                                "switch to it (`USER app`) before `CMD`")
    # the entrypoint drops privileges only for the server's own command; a shell-form CMD runs as root
    other = "FROM redis:7\nCMD [\"python\", \"worker.py\"]\n"
    assert triples(_df040(tmp_path / "cmd", other)) == [("DF040", 1, 1)]
    shell = "FROM postgres:17\nCMD postgres -c fsync=off\n"
    assert triples(_df040(tmp_path / "shell", shell)) == [("DF040", 1, 1)]
    # not the official image: another publisher's `postgres` does not promise the same entrypoint
    assert triples(_df040(tmp_path / "fork", "FROM acme/postgres:17\n")) == [("DF040", 1, 1)]
    # the Dockerfile switches to root at the end of an image that starts as a non-root user
    es = "FROM elasticsearch:8.17.0\nUSER root\nRUN mkdir /esdata\n"
    assert triples(_df040(tmp_path / "es", es)) == [("DF040", 2, 6)]


def test_official_image_with_an_explicit_root_user_still_steps_down(tmp_path):
    text = "FROM postgres:17\nUSER root\nRUN mkdir -p /backups\n"
    assert _df040(tmp_path, text) == []

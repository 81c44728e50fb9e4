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

from tests.helpers import run_files, triples

ALL = ("ENV PYTHONDONTWRITEBYTECODE=1 \\\n    PYTHONUNBUFFERED=1 \\\n    PYTHONPATH=/app \\\n"
       "    PIP_NO_CACHE_DIR=1 \\\n    PIP_DISABLE_PIP_VERSION_CHECK=1\n")


def run(tmp_path, text):
    return run_files(tmp_path, {"Dockerfile": text}, select="DF006")


def test_missing_variables_listed_at_the_runtime_from(tmp_path):
    found = run(tmp_path, "FROM python:3.12-slim AS builder\nFROM python:3.12-slim AS production\n"
                          "ENV PYTHONUNBUFFERED=1 PYTHONPATH=/app\n")
    assert triples(found) == [("DF006", 2, 1)]
    assert found[0].message.startswith(
        "runtime stage `production` does not set `PYTHONDONTWRITEBYTECODE`, `PIP_NO_CACHE_DIR`, "
        "`PIP_DISABLE_PIP_VERSION_CHECK`")


def test_inherited_from_ancestor_counts(tmp_path):
    text = f"FROM python:3.12-slim AS base\n{ALL}FROM base AS production\nRUN true\n"
    assert run(tmp_path, text) == []


def test_builder_only_env_does_not_count_for_unrelated_final(tmp_path):
    text = f"FROM python:3.12-slim AS builder\n{ALL}FROM python:3.12-slim AS production\n"
    assert triples(run(tmp_path, text)) == [("DF006", 7, 1)]


def test_production_and_final_both_judged(tmp_path):
    text = f"FROM python:3.12-slim AS production\n{ALL}FROM python:3.12-slim AS debug\n"
    assert triples(run(tmp_path, text)) == [("DF006", 7, 1)]


def test_false_value_is_reported_at_the_key(tmp_path):
    text = ("FROM python:3.12-slim\nENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=0 PYTHONPATH=/app\n"
            "ENV PIP_NO_CACHE_DIR 1\nENV PIP_DISABLE_PIP_VERSION_CHECK=1\n")
    found = run(tmp_path, text)
    assert triples(found) == [("DF006", 2, 31)]
    assert found[0].message == "`PYTHONUNBUFFERED=0` turns the setting off; set `PYTHONUNBUFFERED=1`"


def test_later_env_overrides_and_variables_are_accepted(tmp_path):
    text = ("ARG APP=/srv\nFROM python:3.12-slim\nENV PYTHONUNBUFFERED=0\n" + ALL.replace("/app", "${APP}")
            + "ENV PYTHONUNBUFFERED=true\n")
    assert run(tmp_path, text) == []


def test_lowercase_env_instruction(tmp_path):
    text = "from python:3.12-slim\n" + ALL.replace("ENV", "env")
    assert run(tmp_path, text) == []

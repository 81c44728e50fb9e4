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


def test_pip_no_cache_dir_is_off_for_any_value_pip_reads_as_a_boolean(tmp_path):
    # pip's --no-cache-dir callback turns the cache off for every value its strtobool accepts, `off` and `0`
    # included (kept for backwards compatibility): each of these sets the variable as the standard wants
    for i, value in enumerate(("off", "false", "0", "No", "f", "n", "YES", "t")):
        text = "FROM python:3.12-slim\n" + ALL.replace("PIP_NO_CACHE_DIR=1", f"PIP_NO_CACHE_DIR={value}")
        assert run(tmp_path / str(i), text) == [], value


def test_pip_no_cache_dir_that_pip_cannot_read_is_reported_at_the_key(tmp_path):
    text = "FROM python:3.12-slim\n" + ALL.replace("PIP_NO_CACHE_DIR=1", "PIP_NO_CACHE_DIR=enabled")
    found = run(tmp_path, text)
    assert triples(found) == [("DF006", 5, 5)]
    assert found[0].message == ("`PIP_NO_CACHE_DIR=enabled` is not a boolean pip reads (`1`, `true`, `yes`, `on` "
                                "or their opposites): every pip command stops with an error; set "
                                "`PIP_NO_CACHE_DIR=1`")


def test_pip_version_check_off_values_turn_the_setting_off(tmp_path):
    # a store-true option: pip reads `off` as false, so the version check stays on
    text = "FROM python:3.12-slim\n" + ALL.replace("PIP_DISABLE_PIP_VERSION_CHECK=1",
                                                   "PIP_DISABLE_PIP_VERSION_CHECK=off")
    found = run(tmp_path, text)
    assert triples(found) == [("DF006", 6, 5)]
    assert found[0].message == ("`PIP_DISABLE_PIP_VERSION_CHECK=off` turns the setting off; set "
                                "`PIP_DISABLE_PIP_VERSION_CHECK=1`")
    accepted = "FROM python:3.12-slim\n" + ALL.replace("PIP_DISABLE_PIP_VERSION_CHECK=1",
                                                       "PIP_DISABLE_PIP_VERSION_CHECK=t")
    assert run(tmp_path / "t", accepted) == []


def test_python_flags_are_off_only_for_an_integer_zero(tmp_path):
    # CPython reads PYTHONUNBUFFERED and PYTHONDONTWRITEBYTECODE as integers: `0` leaves them off, while a word
    # that is not a number (`off`, `false`) turns them on
    words = "FROM python:3.12-slim\n" + ALL.replace("PYTHONDONTWRITEBYTECODE=1", "PYTHONDONTWRITEBYTECODE=false") \
        .replace("PYTHONUNBUFFERED=1", "PYTHONUNBUFFERED=off")
    assert run(tmp_path, words) == []
    zero = "FROM python:3.12-slim\n" + ALL.replace("PYTHONDONTWRITEBYTECODE=1", "PYTHONDONTWRITEBYTECODE=00")
    found = run(tmp_path / "zero", zero)
    assert triples(found) == [("DF006", 2, 5)]
    assert found[0].message == "`PYTHONDONTWRITEBYTECODE=00` turns the setting off; set `PYTHONDONTWRITEBYTECODE=1`"

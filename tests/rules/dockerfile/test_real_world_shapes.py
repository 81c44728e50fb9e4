"""Dockerfile findings a platform engineer dismissed on real repositories, in fixtures written in their shape."""

from tests.helpers import at, run_files, triples


def test_vendor_image_named_by_a_build_argument_is_not_asked_for_env_or_a_scan_stage(tmp_path):
    # a thin layer over a vendor's image chosen at build time: what that image sets cannot be seen
    text = ("ARG VENDOR_IMAGE\nFROM ${VENDOR_IMAGE}\nRUN pip install https://example.org/plugin/archive/v1.2.zip\n"
            "COPY . /usr/src/vendor\n")
    assert run_files(tmp_path, {"Dockerfile": text, "settings.py": "DEBUG = False\n"}, select=("DF006", "DF016")) == []


def test_official_image_advice_keeps_the_python_version_and_variant(tmp_path):
    files = {"a/Dockerfile": "FROM ghcr.io/astral-sh/uv:0.9.12-python3.13-alpine\nCOPY . /src\n"
                             "RUN uv sync --locked\nENTRYPOINT [\"python\", \"-m\", \"gen\"]\n",
             "b/Dockerfile": "FROM tiangolo/uvicorn-gunicorn-fastapi:python3.9-slim\nCOPY ./app /app\n"}
    found = run_files(tmp_path, files, select="DF003")
    assert triples(found) == [("DF003", 1, 6), ("DF003", 1, 6)]
    assert found[0].message.endswith("use `python:3.13-alpine` and copy uv in: "
                                     "`COPY --from=ghcr.io/astral-sh/uv:0.9.12 /uv /uvx /bin/`")
    assert found[1].message.endswith("use `python:3.9-slim`")


def test_a_global_arg_without_default_is_reported_once(tmp_path):
    text = "ARG FROM\nFROM ${FROM} AS builder\nRUN true\nARG FROM\nFROM ${FROM} AS main\nRUN true\n"
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF004")) == [("DF004", 2, 6)]


def test_pip_cache_mount_advice_is_for_the_user_pip_runs_as(tmp_path):
    text = ("FROM python:3.12-alpine\nRUN adduser -D -u 10001 nonroot\nUSER nonroot\nWORKDIR /home/app\n"
            "COPY --chown=nonroot:nonroot . .\nRUN python -m venv venv && venv/bin/pip install -r requirements.txt\n"
            "USER app\nRUN pip install -r requirements.txt\n")
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF010")
    assert triples(found) == [("DF010", 6, 28), ("DF010", 8, 5)]
    # the user's home, and the uid its cache mount must be owned by
    assert "as `nonroot`" in found[0].message
    assert "`--mount=type=cache,target=/home/nonroot/.cache/pip,uid=10001`" in found[0].message
    assert found[1].message.endswith("`--mount=type=cache,target=/home/app/.cache/pip,uid=<uid>` to this RUN "
                                     "(`<uid>`: the uid of `app`)")


def test_wheelhouse_advice_once_per_run_at_the_dependency_install(tmp_path):
    # pip installs the package manager, which then installs the dependencies: one finding, at the latter
    text = ("FROM python:3.12-slim\nCOPY poetry.lock pyproject.toml ./\nRUN pip install poetry==1.8.3 && \\\n"
            "    poetry config virtualenvs.in-project true && \\\n    poetry install --no-root\n"
            "RUN pip install --upgrade pip && \\\n    pip install -r requirements.txt\n")
    found = run_files(tmp_path, {"Dockerfile": text, "poetry.lock": "", "pyproject.toml": ""}, select="DF011")
    assert at(found, "Dockerfile") == [("DF011", 5, 5), ("DF011", 7, 5)]

"""PY008 / PY009 read every kind of lock: uv.lock, poetry.lock, pdm.lock, pylock.toml and requirements files."""

from __future__ import annotations

from tests.deps.test_toml_locks import PDM_LOCK, POETRY_LOCK, PYLOCK, UV_LOCK
from tests.helpers import run_files, triples

UV_DOCKERFILE = ("FROM python:3.12-slim\nWORKDIR /app\n"
                 "RUN --mount=type=bind,source=uv.lock,target=uv.lock "
                 "--mount=type=bind,source=pyproject.toml,target=pyproject.toml uv sync --frozen --no-install-project\n"
                 "COPY . .\nRUN uv sync --frozen\n")
PYPROJECT = "[project]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"fastapi>=0.110\"]\n"


def test_uv_lock_is_the_lock(tmp_path):
    # shaped like a uv project: no requirements.lock.txt, and no finding saying there is no lock
    files = {"backend/Dockerfile": UV_DOCKERFILE, "pyproject.toml": PYPROJECT, "uv.lock": UV_LOCK,
             "compose.yaml": "services:\n  api:\n    build:\n      context: .\n      dockerfile: backend/Dockerfile\n"}
    assert run_files(tmp_path, files, select=("PY008", "PY009")) == []


def test_poetry_pdm_and_pylock_are_locks(tmp_path):
    dockerfile = "FROM python:3.12-slim\nCOPY poetry.lock pyproject.toml ./\nRUN poetry install --no-root\n"
    assert run_files(tmp_path / "a", {"Dockerfile": dockerfile, "poetry.lock": POETRY_LOCK.replace(
        "files = []", f"files = [{{file = \"p.whl\", hash = \"sha256:{'e' * 64}\"}}]")}, select="PY00") == []
    assert run_files(tmp_path / "b", {"Dockerfile": "FROM python:3.12-slim\n", "pdm.lock": PDM_LOCK},
                     select=("PY008", "PY009")) == []
    assert run_files(tmp_path / "c", {"Dockerfile": "FROM python:3.12-slim\n", "pylock.toml": PYLOCK},
                     select=("PY008", "PY009")) == []


def test_hashed_requirements_file_is_a_lock_whatever_its_name(tmp_path):
    files = {"Dockerfile": "FROM python:3.12-slim\n",
             "requirements-prod.txt": "six==1.16.0 \\\n    --hash=sha256:" + "a" * 64 + "\n"}
    assert run_files(tmp_path, files, select=("PY008", "PY009")) == []


def test_no_lock_at_all_points_at_the_folder(tmp_path):
    found = run_files(tmp_path, {"Dockerfile": "FROM python:3.12-slim\n"}, select="PY008")
    assert [(f.path, f.position.line, f.position.column) for f in found] == [("./", 1, 1)]
    assert found[0].message.startswith("no lock file: generate `requirements.lock.txt`")


def test_toml_lock_that_does_not_parse(tmp_path):
    found = run_files(tmp_path, {"Dockerfile": "FROM python:3.12-slim\n", "uv.lock": "version = 1\nname = \n"},
                      select="PY008")
    assert [(f.path, f.position.line, f.position.column) for f in found] == [("uv.lock", 2, 8)]
    assert found[0].message == "lock file cannot be parsed: Invalid value"


def test_toml_lock_package_without_hashes_is_informational(tmp_path):
    found = run_files(tmp_path, {"Dockerfile": "FROM python:3.12-slim\n", "poetry.lock": POETRY_LOCK}, select="PY009")
    assert [(f.path, f.position.line, f.position.column) for f in found] == [("poetry.lock", 12, 1)]
    assert found[0].message.startswith("1 of 2 locked packages have no hash")


def test_loose_requirements_are_reported_for_pins_not_for_hashes(tmp_path):
    files = {"Dockerfile": "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
             "requirements.txt": "flask\nredis==5.0.1\n"}
    found = run_files(tmp_path, files, select=("PY008", "PY009"))
    assert [(f.code, f.path, f.position.line) for f in found] == [("PY008", "requirements.txt", 1)]


def test_installed_pinned_file_gets_the_hash_advice(tmp_path):
    files = {"Dockerfile": "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
             "requirements.txt": "flask==3.0.3\nredis==5.0.1\n"}
    found = run_files(tmp_path, files, select=("PY008", "PY009"))
    assert triples(found) == [("PY009", 1, 1)]
    assert found[0].message.startswith("2 of 2 locked packages have no `--hash`")

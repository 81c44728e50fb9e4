"""PY008 / PY009 read every kind of lock: uv.lock, poetry.lock, pdm.lock, pylock.toml and requirements files."""

from __future__ import annotations

from tests.deps.test_toml_locks import PDM_LOCK, POETRY_LOCK, PYLOCK, UV_LOCK
from tests.helpers import run_files

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


FLASK = ("FROM python:3.10-alpine\nWORKDIR /src\nCOPY requirements.txt /src\n"
         "RUN --mount=type=cache,target=/root/.cache/pip pip3 install -r requirements.txt\nCOPY . .\n"
         "CMD [\"python3\", \"server.py\"]\n")


def test_a_loose_installed_requirements_file_is_no_lock_but_the_absence_of_one(tmp_path):
    # shaped like a flask sample: DF009 reports the install; PY008 says once that there is no lock file
    files = {"flask/Dockerfile": FLASK, "flask/requirements.txt": "pymongo\nflask\n"}
    found = run_files(tmp_path, files, select=("PY008", "PY009", "DF009"))
    assert [(f.code, f.path, f.position.line) for f in found] == [("PY008", "./", 1), ("DF009", "flask/Dockerfile", 4)]
    assert found[0].message.startswith("no lock file: generate `requirements.lock.txt`")


def test_a_lock_named_so_is_judged_for_its_pins(tmp_path):
    files = {"Dockerfile": "FROM python:3.12-slim\nCOPY requirements.lock.txt .\nRUN pip install -r requirements.lock.txt\n",
             "requirements.lock.txt": "flask\nredis==5.0.1\n"}
    found = run_files(tmp_path, files, select=("PY008", "PY009"))
    assert [(f.code, f.path, f.position.line) for f in found] == [("PY008", "requirements.lock.txt", 1)]


def test_base_images_need_no_lock(tmp_path):
    # shaped like the official python images: every Dockerfile builds CPython and starts `python3`
    base = "FROM debian:trixie-slim\nENV PYTHON_VERSION=3.13.1\nRUN ./configure && make install\nCMD [\"python3\"]\n"
    files = {"3.13/slim-trixie/Dockerfile": base, "3.12/slim-trixie/Dockerfile": base}
    assert run_files(tmp_path, files, select=("PY008", "PY009")) == []


def test_top_level_pins_written_by_hand_are_not_asked_for_hashes(tmp_path):
    files = {"Dockerfile": "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
             "requirements.txt": "flask==3.0.3\nredis==5.0.1\n"}
    assert run_files(tmp_path, files, select=("PY008", "PY009")) == []


def test_a_resolved_lock_gets_the_hash_advice(tmp_path):
    lock = ("#\n# This file is autogenerated by pip-compile with Python 3.12\n#\nblinker==1.8.2\n    # via flask\n"
            "flask==3.0.3\n    # via -r requirements.in\n")
    files = {"Dockerfile": "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n",
             "requirements.txt": lock}
    found = run_files(tmp_path, files, select=("PY008", "PY009"))
    assert [(f.code, f.path, f.position.line, f.position.column) for f in found] == [
        ("PY009", "requirements.txt", 4, 1)]
    assert found[0].message.startswith("2 of 2 locked packages have no `--hash`")


def test_extra_pins_installed_beside_an_unhashed_file_are_not_asked_for_hashes(tmp_path):
    # shaped like netbox-docker: the application's requirements.txt comes from a build argument's folder and is
    # installed in the same pip call as the image's own pins; `--hash` in one file puts both in hash-checking mode
    extra = ("django-auth-ldap==4.8.0\ndulwich==0.22.1\npython3-saml==1.16.0 --no-binary lxml,xmlsec\n"
             "sentry-sdk[django]==2.14.0\n")
    dockerfile = ("FROM python:3.12-slim AS builder\nARG NETBOX_PATH\n"
                  "COPY ${NETBOX_PATH}/requirements.txt requirements-container.txt /\n"
                  "RUN /opt/netbox/venv/bin/pip install -r /requirements.txt -r /requirements-container.txt\n")
    files = {"Dockerfile": dockerfile, "requirements-container.txt": extra}
    assert run_files(tmp_path, files, select=("PY008", "PY009")) == []
    # the same file as a resolved lock is still not asked, because of the file installed with it
    files["requirements-container.txt"] = "# This file was autogenerated by uv via the following command:\n" + extra
    assert run_files(tmp_path / "b", files, select=("PY008", "PY009")) == []


EXPORT_HEADER = ("# This file was autogenerated by uv via the following command:\n"
                 "#    uv export --no-hashes -o requirements.txt\n")
PIP_DOCKERFILE = "FROM python:3.12-slim\nCOPY . .\nRUN pip install -r requirements.txt\n"


def test_a_resolved_lock_holding_the_project_itself_is_not_asked_for_hashes(tmp_path):
    # `uv export --no-hashes` keeps `-e .`: pip refuses an editable in hash-checking mode, so hashes would break
    # `pip install -r requirements.txt`
    lock = EXPORT_HEADER + "-e .\nfastapi==0.115.0\n    # via demo\nstarlette==0.38.6\n    # via fastapi\n"
    files = {"Dockerfile": PIP_DOCKERFILE, "pyproject.toml": PYPROJECT, "requirements.txt": lock}
    assert run_files(tmp_path, files, select=("PY008", "PY009")) == []


def test_a_resolved_lock_holding_a_local_path_or_a_vcs_requirement_is_not_asked_for_hashes(tmp_path):
    # pip cannot hash a directory nor a repository: `./libs/shared`, `file:///srv/tools`, `git+https://...`
    pins = "fastapi==0.115.0\n    # via demo\nstarlette==0.38.6\n    # via fastapi\n"
    commit = "0123456789abcdef0123456789abcdef01234567"
    for i, line in enumerate(("./libs/shared\n", "file:///srv/tools\n",
                              f"tool @ git+https://git.example/org/tool@{commit}\n")):
        files = {"Dockerfile": PIP_DOCKERFILE, "requirements.txt": EXPORT_HEADER + line + pins}
        assert run_files(tmp_path / str(i), files, select=("PY008", "PY009")) == [], line


def test_a_resolved_lock_holding_an_archive_url_is_still_asked_for_hashes(tmp_path):
    # an archive can be hashed like any file of an index: the advice still holds
    lock = EXPORT_HEADER + "tool @ https://files.example/tool-1.0.tar.gz\nfastapi==0.115.0\n    # via demo\n"
    files = {"Dockerfile": PIP_DOCKERFILE, "requirements.txt": lock}
    found = run_files(tmp_path, files, select=("PY008", "PY009"))
    assert [(f.code, f.path, f.position.line, f.position.column) for f in found] == [
        ("PY009", "requirements.txt", 3, 1)]
    assert found[0].message == ("2 of 2 locked packages have no `--hash`; lock with `dockyard deps lock --hashes`")


UV_LOCK_TOML_11 = f"""version = 1
requires-python = ">=3.12"

[[package]]
name = "fastapi"
version = "0.115.0"
source = {{
  registry = "https://pypi.org/simple",
}}
sdist = {{
  url = "https://files.example/fastapi-0.115.0.tar.gz",
  hash = "sha256:{'a' * 64}"
}}

[[package]]
name = "starlette"
source = {{ registry = "https://pypi.org/simple" }}
sdist = {{
  url = "https://files.example/starlette-0.38.6.tar.gz",
  hash = "sha256:{'b' * 64}",
}}
"""


def test_a_toml_1_1_uv_lock_is_read_and_its_pins_checked(tmp_path):
    # uv reads inline tables spread over several lines (TOML 1.1): no parse error, and the real pin check runs
    files = {"Dockerfile": UV_DOCKERFILE, "pyproject.toml": PYPROJECT, "uv.lock": UV_LOCK_TOML_11}
    found = run_files(tmp_path, files, select=("PY008", "PY009"))
    assert [(f.code, f.path, f.position.line, f.position.column) for f in found] == [("PY008", "uv.lock", 16, 1)]
    assert found[0].message == "`starlette` has no version in the lock file; lock it again"
    pinned = UV_LOCK_TOML_11.replace('name = "starlette"\n', 'name = "starlette"\nversion = "0.38.6"\n')
    assert run_files(tmp_path / "b", {**files, "uv.lock": pinned}, select=("PY008", "PY009")) == []
    unhashed = pinned.replace(f'  hash = "sha256:{"b" * 64}",\n', "")
    found = run_files(tmp_path / "c", {**files, "uv.lock": unhashed}, select=("PY008", "PY009"))
    assert [(f.code, f.path, f.position.line, f.position.column) for f in found] == [("PY009", "uv.lock", 16, 1)]
    assert found[0].message == ("1 of 2 locked packages have no hash; lock them again from an index that serves "
                                "hashes")

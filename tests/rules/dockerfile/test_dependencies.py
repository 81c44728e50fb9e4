from tests.helpers import run_files, triples

HEAD = "FROM python:3.12-slim\nWORKDIR /app\n"


def run(tmp_path, text, code, extra=None):
    return run_files(tmp_path, {"Dockerfile": text, **(extra or {})}, select=code)


# ---------------------------------------------------------------- DF008 dependencies before source
def test_source_copied_before_install(tmp_path):
    found = run(tmp_path, HEAD + "COPY . .\nRUN pip install -r requirements.lock.txt\n", "DF008")
    assert triples(found) == [("DF008", 3, 6)]
    assert "line 4" in found[0].message


def test_source_tree_directory_before_install_in_child_stage(tmp_path):
    text = ("FROM python:3.12-slim AS base\nWORKDIR /app\nCOPY app/ ./app/\n"
            "FROM base AS production\nRUN python3 -m pip install -r requirements.lock.txt\n")
    assert triples(run(tmp_path, text, "DF008")) == [("DF008", 3, 6)]


def test_manifests_first_then_source_then_no_deps_project(tmp_path):
    text = (HEAD + "COPY wheels/ /wheels/\nCOPY requirements.lock.txt pyproject.toml ./\n"
            "RUN pip install -r requirements.lock.txt\nCOPY . .\nRUN pip install --no-deps -e .\n")
    assert run(tmp_path, text, "DF008") == []


def test_copy_from_other_stage_is_not_source(tmp_path):
    text = ("FROM python:3.12-slim AS builder\nFROM python:3.12-slim\nWORKDIR /app\n"
            "COPY --from=builder /app/. .\nRUN pip install -r requirements.lock.txt\n")
    assert run(tmp_path, text, "DF008") == []


# ---------------------------------------------------------------- DF009 lock file
def test_unpinned_names_however_pip_is_spelled(tmp_path):
    text = HEAD + ("RUN pip3 install fastapi && \\\n    python3.12 -m pip install 'uvicorn>=0.30' \\\n"
                   "    && uv pip install --system httpx==0.27.0 redis\n")
    found = run(tmp_path, text, "DF009")
    assert triples(found) == [("DF009", 3, 18), ("DF009", 4, 31), ("DF009", 5, 46)]
    assert found[0].message.startswith("`fastapi` is installed without a pinned version")


def test_loose_requirements_file(tmp_path):
    found = run(tmp_path, HEAD + "RUN pip install --no-cache-dir -r requirements.txt\n", "DF009")
    assert triples(found) == [("DF009", 3, 35)]
    assert "loose requirements file" in found[0].message


def test_attached_requirement_values(tmp_path):
    text = HEAD + "RUN pip install -rrequirements.txt --requirement=dev.txt\n"
    assert triples(run(tmp_path, text, "DF009")) == [("DF009", 3, 19), ("DF009", 3, 50)]


def test_requirements_file_in_context_counted(tmp_path):
    extra = {"requirements.txt": "fastapi==0.110.0\nuvicorn>=0.29\n"}
    found = run(tmp_path, HEAD + "RUN pip install -r requirements.txt\n", "DF009", extra)
    assert triples(found) == [("DF009", 3, 20)]
    assert "1 of 2 requirements" in found[0].message


def test_fully_pinned_requirements_file_in_context_is_a_lock(tmp_path):
    extra = {"requirements.txt": "fastapi==0.110.0\nuvicorn==0.29.0\n"}
    assert run(tmp_path, HEAD + "RUN pip install -r requirements.txt\n", "DF009", extra) == []


def test_heredoc_run(tmp_path):
    text = HEAD + "RUN <<EOF\nset -e\npip install --upgrade pip\nEOF\n"
    found = run(tmp_path, text, "DF009")
    assert triples(found) == [("DF009", 5, 23)]


def test_project_install_without_lock(tmp_path):
    text = HEAD + "COPY . .\nRUN pip install .\n"
    assert triples(run(tmp_path, text, "DF009")) == [("DF009", 4, 17)]


def test_uv_sync_needs_locked(tmp_path):
    text = HEAD + "RUN uv sync\nRUN uv sync --locked --no-dev\n"
    assert triples(run(tmp_path, text, "DF009")) == [("DF009", 3, 8)]


def test_accepted_installs(tmp_path):
    text = HEAD + (
        "RUN pip install -r requirements.lock.txt && pip install --no-deps .\n"
        "RUN pip install --require-hashes -r requirements.txt\n"
        "RUN pip install --no-index --find-links /wheels -r /app/requirements.lock.txt fastapi\n"
        "RUN pip install /wheels/*.whl pip==24.0 && pip install -e .\n"
        "RUN pip wheel --wheel-dir /wheels -c constraints.lock.txt .\n"
        'RUN ["pip", "install", "-r", "requirements.lock.txt"]\n'
        "RUN pip install $EXTRA_PACKAGES && pip --version && pip freeze\n"
    )
    assert run(tmp_path, text, "DF009") == []


def test_exec_form_run(tmp_path):
    text = HEAD + 'RUN ["pip", "install", "fastapi"]\n'
    assert triples(run(tmp_path, text, "DF009")) == [("DF009", 3, 25)]


# ---------------------------------------------------------------- DF010 cache mount
def test_missing_cache_mount(tmp_path):
    text = HEAD + "RUN apt-get update && python -m pip install -r requirements.lock.txt\n"
    found = run(tmp_path, text, "DF010")
    assert triples(found) == [("DF010", 3, 23)]
    assert "--mount=type=cache,target=/root/.cache/pip" in found[0].message


def test_cache_mount_disabled_by_env_or_flag(tmp_path):
    text = HEAD + ("ENV PIP_NO_CACHE_DIR=1\nRUN --mount=type=cache,target=/root/.cache/pip \\\n"
                   "    pip install -r requirements.lock.txt\n"
                   "FROM python:3.12-slim AS b\nRUN --mount=type=cache,target=/root/.cache/pip "
                   "pip install --no-cache-dir -r requirements.lock.txt\n")
    found = run(tmp_path, text, "DF010")
    assert triples(found) == [("DF010", 4, 5), ("DF010", 7, 5)]
    assert "`PIP_NO_CACHE_DIR=1` (line 3)" in found[0].message


def test_uv_cache_mount(tmp_path):
    text = HEAD + ("RUN uv pip install --system -r requirements.lock.txt\n"
                   "RUN --mount=type=cache,target=/root/.cache/uv uv pip install --system -r requirements.lock.txt\n")
    found = run(tmp_path, text, "DF010")
    assert triples(found) == [("DF010", 3, 5)]
    assert "/root/.cache/uv" in found[0].message


def test_cache_mount_present_or_wheelhouse(tmp_path):
    text = HEAD + ("RUN --mount=type=cache,target=/root/.cache/pip,sharing=locked pip wheel -w /w -r r.lock\n"
                   "RUN pip install --no-cache-dir --no-index --find-links /w -r r.lock\n"
                   "ENV PIP_NO_CACHE_DIR=1\n")
    assert run(tmp_path, text, "DF010") == []


# ---------------------------------------------------------------- DF011 wheelhouse
def test_runtime_installs_from_index(tmp_path):
    text = ("FROM python:3.12-slim AS base\nRUN pip install -r /r.lock\n"
            "FROM base AS production\nRUN pip install --no-index --find-links /w -r /r.lock\n")
    found = run(tmp_path, text, "DF011")
    assert triples(found) == [("DF011", 2, 5)]


def test_builder_may_use_the_index(tmp_path):
    text = ("FROM python:3.12-slim AS builder\nRUN pip wheel --wheel-dir /wheels -r /r.lock\n"
            "RUN pip install build\nFROM python:3.12-slim AS production\n"
            "RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \\\n"
            "    pip install --no-index --find-links /wheels -r /r.lock\n")
    assert run(tmp_path, text, "DF011") == []


# ---------------------------------------------------------------- DF012 venv
def test_user_installs_and_copies(tmp_path):
    text = ("FROM python:3.12-slim AS builder\nRUN pip install --user -r /r.lock\n"
            "FROM python:3.12-slim AS production\nCOPY --from=builder /root/.local /root/.local\n"
            "COPY --from=builder /usr/local/lib/python3.12/site-packages /usr/local/lib/python3.12/site-packages\n")
    found = run(tmp_path, text, "DF012")
    assert triples(found) == [("DF012", 2, 17), ("DF012", 4, 21), ("DF012", 5, 21)]


def test_venv_copy_passes(tmp_path):
    text = ("FROM python:3.12-slim AS builder\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install -r /r.lock\n"
            "FROM python:3.12-slim AS production\nCOPY --from=builder /opt/venv /opt/venv\n")
    assert run(tmp_path, text, "DF012") == []

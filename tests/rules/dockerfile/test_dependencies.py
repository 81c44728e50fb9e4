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
    found = run(tmp_path, HEAD + "RUN pip install --no-cache-dir -r requirements.txt\n", "DF009",
                {"requirements.txt": "fastapi\n"})
    assert triples(found) == [("DF009", 3, 35)]
    assert "loose requirements file" in found[0].message


def test_attached_requirement_values(tmp_path):
    text = HEAD + "RUN pip install -rrequirements.txt --requirement=dev.txt\n"
    extra = {"requirements.txt": "fastapi\n", "dev.txt": "pytest\n"}
    assert triples(run(tmp_path, text, "DF009", extra)) == [("DF009", 3, 19), ("DF009", 3, 50)]


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



def test_one_cache_mount_finding_per_run(tmp_path):
    # one mount on the RUN serves both installs: one finding, at the first, naming every flag to drop
    text = HEAD + ("COPY requirements.lock.txt ./\n"
                   "RUN pip install --no-cache-dir pip==24.0 \\\n"
                   "    && pip install --no-cache -r requirements.lock.txt\n")
    found = run(tmp_path, text, "DF010")
    assert triples(found) == [("DF010", 4, 5)]
    assert found[0].message == ("`pip install` downloads packages without a pip cache mount; add "
                                "`--mount=type=cache,target=/root/.cache/pip` to this RUN and drop `--no-cache-dir` "
                                "and `--no-cache`, which turn pip's cache off")


def test_cache_mount_advice_names_pip_no_cache_dir_of_any_value(tmp_path):
    # pip turns its cache off for every boolean PIP_NO_CACHE_DIR holds, `off` included: a mount alone stays unused
    # (the line named is the variable's, not the first of its ENV)
    text = ("FROM python:3.12-slim\nENV PYTHONUNBUFFERED=1 \\\n    PIP_NO_CACHE_DIR=off\nWORKDIR /app\n"
            "COPY requirements.lock.txt ./\nRUN pip install -r requirements.lock.txt\n")
    found = run(tmp_path, text, "DF010")
    assert triples(found) == [("DF010", 6, 5)]
    assert found[0].message == ("`pip install` downloads packages without a pip cache mount; add "
                                "`--mount=type=cache,target=/root/.cache/pip` to this RUN; `PIP_NO_CACHE_DIR=off` "
                                "(line 3) turns pip's cache off: set it after the installs, or only in the "
                                "runtime stage")
    mounted = text.replace("RUN pip", "RUN --mount=type=cache,target=/root/.cache/pip pip")
    found = run(tmp_path / "m", mounted, "DF010")
    assert triples(found) == [("DF010", 6, 5)]
    assert found[0].message.startswith("the cache mount at `/root/.cache/pip` is never used: `PIP_NO_CACHE_DIR=off` "
                                       "(line 3) turns pip's cache off")


def test_unused_cache_mount_reported_once_per_run(tmp_path):
    text = HEAD + ("ENV PIP_NO_CACHE_DIR=1\nRUN --mount=type=cache,target=/root/.cache/pip \\\n"
                   "    pip install pip==24.0 && pip install -r requirements.lock.txt\n")
    assert triples(run(tmp_path, text, "DF010")) == [("DF010", 4, 5)]


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


# ---------------------------------------------------------------- lock files of project managers (DF008, DF009, DF011)
UV_TWO_STEP = (HEAD + "COPY pyproject.toml uv.lock ./\n"
               "RUN --mount=type=cache,target=/root/.cache/uv uv --no-cache sync --frozen --no-install-project\n"
               "COPY . .\nRUN uv sync --frozen\n")


def test_uv_two_step_install_is_dependencies_before_source(tmp_path):
    # `uv --no-cache sync` (an option before the subcommand) is the dependency install: the source copied after
    # it and the second `uv sync` that installs the project are the standard's pattern
    assert run(tmp_path, UV_TWO_STEP, ("DF008", "DF009"), {"uv.lock": "version = 1\n"}) == []


def test_poetry_no_root_then_only_root_is_dependencies_before_source(tmp_path):
    text = (HEAD + "COPY pyproject.toml poetry.lock ./\nRUN python -m poetry install --no-root --only main\n"
            "COPY . .\nRUN poetry install --only-root\n")
    assert run(tmp_path, text, ("DF008", "DF009"), {"poetry.lock": "[[package]]\n"}) == []


def test_pdm_install_after_the_source_is_reported(tmp_path):
    text = HEAD + "COPY . .\nRUN pdm install --prod\n"
    found = run(tmp_path, text, "DF008", {"pdm.lock": ""})
    assert triples(found) == [("DF008", 3, 6)]


def test_uv_frozen_from_the_environment(tmp_path):
    text = HEAD + "ENV UV_FROZEN=1\nRUN uv sync --no-dev\n"
    assert run(tmp_path, text, "DF009") == []


def test_uv_sync_with_global_options_still_needs_locked(tmp_path):
    found = run(tmp_path, HEAD + "RUN uv --directory /app sync --no-dev\n", "DF009")
    assert triples(found) == [("DF009", 3, 25)]


def test_poetry_and_pdm_install_from_their_lock_in_the_context(tmp_path):
    text = HEAD + "COPY . .\nRUN poetry install --no-root --only main\nRUN pdm sync --prod --no-self && pip install -e .\n"
    assert run(tmp_path, text, "DF009", {"poetry.lock": "", "pdm.lock": ""}) == []
    found = run(tmp_path / "b", text, "DF009")
    # without the lock files neither installs from a lock, so `pip install -e .` resolves the project afresh too
    assert triples(found) == [("DF009", 4, 12), ("DF009", 5, 9), ("DF009", 5, 49)]
    assert found[0].message.startswith("`poetry install` resolves the dependencies afresh: the tree has no "
                                       "`poetry.lock`")


def test_requirements_followed_through_copy_to_the_context_file(tmp_path):
    hashed = "fastapi==0.115.0 \\\n    --hash=sha256:" + "a" * 64 + "\n"
    text = HEAD + "COPY requirements/prod.txt /tmp/requirements.txt\nRUN pip install -r /tmp/requirements.txt\n"
    assert run(tmp_path, text, "DF009", {"requirements/prod.txt": hashed}) == []
    loose = run(tmp_path / "b", text, "DF009", {"requirements/prod.txt": "fastapi>=0.100\n"})
    assert triples(loose) == [("DF009", 4, 20)]
    assert "(1 of 1 requirements are not pinned with `==`)" in loose[0].message


def test_requirements_from_a_build_argument_path_are_not_judged(tmp_path):
    text = ("FROM python:3.12-slim\nARG APP_PATH\nCOPY ${APP_PATH}/requirements.txt requirements-container.txt /\n"
            "RUN pip install -r /requirements.txt -r /requirements-container.txt\n")
    found = run(tmp_path, text, "DF009", {"requirements-container.txt": "django-auth-ldap==4.8.0\n"})
    assert found == []


def test_requirements_exported_from_the_lock_during_the_build(tmp_path):
    text = (HEAD + "COPY pyproject.toml uv.lock ./\n"
            "RUN uv export --frozen --no-hashes -o requirements.txt && pip install -r requirements.txt\n"
            "RUN poetry export -f requirements.txt > req2.txt\nRUN pip install -r req2.txt\n")
    assert run(tmp_path, text, "DF009", {"uv.lock": ""}) == []


def test_requirements_compiled_during_the_build_resolve_afresh(tmp_path):
    text = HEAD + "COPY requirements.in .\nRUN uv pip compile requirements.in -o r.txt && uv pip install -r r.txt\n"
    found = run(tmp_path, text, "DF009", {"requirements.in": "fastapi\n"})
    assert triples(found) == [("DF009", 4, 66)]
    assert "resolved during the build" in found[0].message


def test_requirements_in_the_compose_build_context(tmp_path):
    # compose builds backend/Dockerfile with the repository root as context: the pinned file is at the root
    files = {
        "compose.yaml": "services:\n  api:\n    build:\n      context: .\n      dockerfile: backend/Dockerfile\n",
        "backend/Dockerfile": HEAD + "COPY requirements.txt ./\nRUN pip install -r requirements.txt\n",
        "requirements.txt": "fastapi==0.115.0\nuvicorn==0.30.1\n",
    }
    assert run_files(tmp_path, files, select="DF009") == []


def test_runtime_manager_install_from_the_index_is_reported_once(tmp_path):
    text = ("FROM python:3.12-slim\nWORKDIR /app\n"
            "RUN --mount=type=bind,source=uv.lock,target=uv.lock uv sync --frozen --no-install-project\n"
            "COPY . .\nRUN uv sync --frozen\n")
    found = run(tmp_path, text, "DF011", {"uv.lock": ""})
    assert triples(found) == [("DF011", 3, 53)]
    assert found[0].position.end_column == 60
    offline = text.replace("--no-install-project", "--no-install-project --offline").replace(
        "RUN uv sync --frozen\n", "RUN uv sync --frozen --offline\n")
    assert run(tmp_path / "b", offline, "DF011", {"uv.lock": ""}) == []


# the builder syncs the locked dependencies into a venv before any source; the runtime copies that venv, then the
# source, and runs the same install again: every dependency is already there, so it only adds the project itself
SYNCED_VENV = ("FROM python:3.12-slim AS builder\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\n"
               "RUN poetry install --only main -E postgres --no-root\n"
               "FROM python:3.12-slim AS production\nWORKDIR /app\nCOPY --from=builder /app/.venv /app/.venv\n"
               "COPY . .\nRUN poetry install --only main -E postgres\n"
               "CMD [\"gunicorn\", \"-c\", \"gunicorn_config.py\", \"app.main:app\"]\n")


def test_install_over_a_venv_the_builder_synced_only_adds_the_project(tmp_path):
    assert run(tmp_path, SYNCED_VENV, ("DF008", "DF011"), {"poetry.lock": ""}) == []


def test_install_choosing_other_groups_than_the_builder_synced_is_judged(tmp_path):
    # without `--only main` the runtime install adds the dev group, resolved against the index after the source
    text = SYNCED_VENV.replace("RUN poetry install --only main -E postgres\n", "RUN poetry install -E postgres\n")
    found = run(tmp_path, text, ("DF008", "DF011"), {"poetry.lock": ""})
    assert triples(found) == [("DF008", 8, 6), ("DF011", 9, 5)]
    assert found[0].message.startswith("the application source (`.`) is copied before the dependencies are installed "
                                       "on line 9")
    # and so does one after a copy of built wheels only, which holds no synced environment
    wheels = SYNCED_VENV.replace("COPY --from=builder /app/.venv /app/.venv", "COPY --from=builder /app/dist /dist")
    found = run(tmp_path / "w", wheels, ("DF008", "DF011"), {"poetry.lock": ""})
    assert triples(found) == [("DF008", 8, 6), ("DF011", 9, 5)]

def test_same_run_text_in_two_dockerfiles_points_into_each_file(tmp_path):
    # parsed scripts are shared between equal RUN texts: each finding still points into its own Dockerfile
    files = {"a/Dockerfile": "FROM python:3.12-slim\nRUN pip install fastapi\n",
             "b/Dockerfile": "FROM python:3.12-slim\nWORKDIR /app\n\nRUN pip install fastapi\n"}
    found = run_files(tmp_path, files, select="DF009")
    assert [(f.path, f.position.line, f.position.column) for f in found] == [
        ("a/Dockerfile", 2, 17), ("b/Dockerfile", 4, 17)]


# ---------------------------------------------------------------- DF009 includes (`-r`/`-c` inside a requirements file)
LAYERED = (HEAD + "COPY requirements-base.txt requirements-extra.txt ./\nRUN pip install -r requirements-extra.txt\n")


def test_included_pinned_requirements_file_is_followed(tmp_path):
    # pip reads `-r` relative to the including file: both files pin everything, so the install is locked
    extra = {"requirements-base.txt": "alpha==1.0\nbeta==2.0\n",
             "requirements-extra.txt": "gamma==3.0\n\n-r requirements-base.txt\n"}
    assert run(tmp_path, LAYERED, "DF009", extra) == []


def test_include_resolved_relative_to_the_including_file(tmp_path):
    text = HEAD + "COPY requirements/ requirements/\nRUN pip install -r requirements/dev.txt\n"
    extra = {"requirements/base.txt": "alpha==1.0\n",
             "requirements/dev.txt": "-r base.txt\n-c ./constraints.txt\ngamma==3.0\n",
             "requirements/constraints.txt": "alpha==1.0\n"}
    assert run(tmp_path, text, "DF009", extra) == []


def test_loose_included_file_is_named_in_the_message(tmp_path):
    extra = {"requirements-base.txt": "alpha==1.0\nbeta>=2\n",
             "requirements-extra.txt": "gamma==3.0\n-r requirements-base.txt\n"}
    found = run(tmp_path, LAYERED, "DF009", extra)
    assert triples(found) == [("DF009", 4, 20)]
    assert found[0].message == (
        "`pip install -r requirements-extra.txt` installs from a loose requirements file (1 of 3 requirements are "
        "not pinned with `==`, in `requirements-base.txt`); install from a pinned lock such as "
        "`requirements.lock.txt` (`pip-compile` / `uv pip compile` generate it)")


def test_unreadable_include_is_named_not_counted(tmp_path):
    extra = {"requirements-extra.txt": "gamma==3.0\n-r requirements-base.txt\n"}
    found = run(tmp_path, LAYERED.replace(" requirements-base.txt", ""), "DF009", extra)
    assert triples(found) == [("DF009", 4, 20)]
    assert found[0].message == (
        "`pip install -r requirements-extra.txt` installs from a loose requirements file (it includes "
        "`requirements-base.txt`, which cannot be read from the repository); install from a pinned lock such as "
        "`requirements.lock.txt` (`pip-compile` / `uv pip compile` generate it)")


def test_include_cycle_is_followed_once(tmp_path):
    extra = {"a.txt": "alpha==1.0\n-r b.txt\n", "b.txt": "beta==2.0\n-r a.txt\n"}
    assert run(tmp_path, HEAD + "COPY a.txt b.txt ./\nRUN pip install -r a.txt\n", "DF009", extra) == []


# ---------------------------------------------------------------- DF008 in a uv workspace
WORKSPACE_ROOT = ('[project]\nname = "umbrella"\nversion = "0.1.0"\ndependencies = ["core-lib"]\n'
                  '[tool.uv]\npackage = false\n[tool.uv.sources]\ncore-lib = { workspace = true }\n'
                  '[tool.uv.workspace]\nmembers = ["libs/*"]\n')
WORKSPACE_DOCKERFILE = ("# syntax=docker/dockerfile:1\nFROM python:3.12-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.9.5 /uv /bin/\n"
                        "WORKDIR /srv\nCOPY . /srv\n"
                        "RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-dev\n")


def test_uv_workspace_gets_advice_that_installs_no_member(tmp_path):
    # `--no-install-project` still installs the members, and with only the root manifest uv rejects the workspace
    files = {"pyproject.toml": WORKSPACE_ROOT, "uv.lock": "version = 1\n",
             "libs/core/pyproject.toml": '[project]\nname = "core-lib"\nversion = "0.1.0"\n'}
    found = run(tmp_path, WORKSPACE_DOCKERFILE, "DF008", files)
    assert triples(found) == [("DF008", 5, 6)]
    assert found[0].message == (
        "the application source (`.`) is copied before the dependencies are installed on line 6; copy the "
        "manifests `pyproject.toml`, `uv.lock` and the `pyproject.toml` of every workspace member (`libs/*`), run "
        "`uv sync --locked --no-install-workspace`, then copy the source so code edits keep the install layer cached")


def test_uv_single_project_keeps_no_install_project_advice(tmp_path):
    files = {"pyproject.toml": '[project]\nname = "app"\nversion = "0.1.0"\n', "uv.lock": "version = 1\n"}
    found = run(tmp_path, WORKSPACE_DOCKERFILE, "DF008", files)
    assert triples(found) == [("DF008", 5, 6)]
    assert "run `uv sync --locked --no-install-project`, then" in found[0].message
    broken = {"pyproject.toml": "[tool.uv.workspace\nmembers = [", "uv.lock": ""}
    found = run(tmp_path / "broken", WORKSPACE_DOCKERFILE, "DF008", broken)
    assert "run `uv sync --locked --no-install-project`, then" in found[0].message


def test_uv_workspace_following_the_advice_passes(tmp_path):
    files = {"pyproject.toml": WORKSPACE_ROOT, "uv.lock": "version = 1\n",
             "libs/core/pyproject.toml": '[project]\nname = "core-lib"\nversion = "0.1.0"\n'}
    text = ("FROM python:3.12-slim\nWORKDIR /srv\nCOPY pyproject.toml uv.lock ./\n"
            "COPY libs/core/pyproject.toml libs/core/\nRUN uv sync --locked --no-install-workspace\n"
            "COPY . /srv\nRUN uv sync --locked\n")
    assert run(tmp_path, text, ("DF008", "DF009"), files) == []


# ---------------------------------------------------------------- DF010 beside DF011
WHEELS = ("FROM python:3.12-slim AS builder\nRUN --mount=type=cache,target=/root/.cache/pip "
          "pip wheel --wheel-dir /w -r requirements.lock.txt\n"
          "FROM python:3.12-slim\nCOPY --from=builder /w /w\nRUN pip install --no-cache /w/*\n"
          "CMD [\"uvicorn\", \"app.main:app\"]\n")


def test_wheelhouse_install_without_no_index_is_left_to_df011(tmp_path):
    # the install of built wheels reaches the index for what the wheelhouse lacks: DF011 asks for `--no-index`,
    # which also leaves nothing to cache; a cache mount would be a second finding for the same fix
    found = run(tmp_path, WHEELS, ("DF010", "DF011"))
    assert triples(found) == [("DF011", 5, 5)]
    assert found[0].message.startswith("the runtime image runs `pip install` against the package index")


def test_cache_mount_advice_names_the_flag_that_turns_the_cache_off(tmp_path):
    # pip reads `--no-cache` as `--no-cache-dir` (an unambiguous prefix): a mount alone would stay unused
    text = HEAD + "COPY requirements.lock.txt ./\nRUN pip install --no-cache -r requirements.lock.txt\n"
    found = run(tmp_path, text, "DF010")
    assert triples(found) == [("DF010", 4, 5)]
    assert found[0].message == ("`pip install` downloads packages without a pip cache mount; add "
                                "`--mount=type=cache,target=/root/.cache/pip` to this RUN and drop `--no-cache`, "
                                "which turns pip's cache off")
    mounted = HEAD + ("RUN --mount=type=cache,target=/root/.cache/pip pip install --no-cache "
                      "-r requirements.lock.txt\n")
    found = run(tmp_path / "m", mounted, "DF010")
    assert triples(found) == [("DF010", 3, 5)]
    assert found[0].message.startswith("the cache mount at `/root/.cache/pip` is never used: `--no-cache` turns")


def test_the_project_installed_without_its_dependencies_over_a_copied_environment(tmp_path):
    # the dependencies come with the environment copied from the builder; `--no-deps .` adds only the project
    text = ("FROM python:3.12-slim AS builder\nRUN uv venv /app/.venv && uv sync --frozen --no-install-project\n"
            "FROM python:3.12-slim AS production\nCOPY --from=builder /app/.venv /app/.venv\nCOPY . /app\n"
            "RUN uv pip install --python /app/.venv/bin/python --no-deps .\nRUN pip install --no-deps ./src /app\n")
    assert run(tmp_path, text, "DF011") == []
    # without `--no-deps`, or naming a package of the index, it resolves against the index
    for i, line in enumerate(["RUN uv pip install --python /app/.venv/bin/python .",
                              "RUN pip install --no-deps . fastapi"]):
        found = run(tmp_path / str(i), text.replace("RUN uv pip install --python /app/.venv/bin/python --no-deps .",
                                                    line), "DF011")
        assert triples(found) == [("DF011", 6, 5)], line


def test_a_powershell_run_is_not_read_as_a_posix_shell_script(tmp_path):
    # a Windows image: SHELL switches RUN to PowerShell, whose braces and backticks are no shell words
    text = ("FROM python:3.11.9\nSHELL [\"powershell\", \"-Command\", \"$ErrorActionPreference = 'Stop';\"]\n"
            "RUN if ($env:REBUILD -eq 'true') { pip install --no-binary :all: --force-reinstall chroma-hnswlib }\n"
            "FROM python:3.11.9 AS linux\nRUN pip install fastapi\n")
    found = run(tmp_path, text, ("DF009", "DF010"))
    assert sorted(triples(found)) == [("DF009", 5, 17), ("DF010", 5, 5)]
    # `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` is a POSIX shell: read as before (where bash takes `}` for a word)
    bash = text.replace('SHELL ["powershell", "-Command", "$ErrorActionPreference = \'Stop\';"]',
                        'SHELL ["/bin/bash", "-o", "pipefail", "-c"]')
    assert triples(run(tmp_path / "b", bash, ("DF009",))) == [("DF009", 3, 84), ("DF009", 3, 99), ("DF009", 5, 17)]


def test_wheels_installed_without_their_dependencies_need_no_pip_cache(tmp_path):
    text = ("FROM python:3.12-slim AS builder\nRUN pip wheel --wheel-dir /wheels .\n"
            "RUN pip install --prefix=/install --no-deps /wheels/*.whl\nRUN pip install --no-deps .\n"
            "RUN pip install /wheels/*.whl\nFROM python:3.12-slim\nCOPY --from=builder /install /usr/local\n")
    found = run(tmp_path, text, "DF010")
    # the wheel build reaches the index; `/wheels/*.whl` with its dependencies may too
    assert triples(found) == [("DF010", 2, 5), ("DF010", 5, 5)]

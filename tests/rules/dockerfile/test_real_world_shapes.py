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
    # the image runs the base's server (`/start.sh`): the advice gives it a command of its own
    assert found[1].message.endswith("use `python:3.9-slim` with a command of the image's own (`CMD [\"gunicorn\", "
                                     "\"-c\", \"gunicorn_config.py\", \"app.main:app\"]`): it runs the base image's "
                                     "command now, which the official image does not have")


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


def test_non_root_and_healthcheck_advice_fit_scratch_and_nginx(tmp_path):
    files = {"backend/Dockerfile": "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /server\n"
                                   "FROM scratch\nCOPY --from=build /server /server\nEXPOSE 8000\n"
                                   "ENTRYPOINT [\"/server\"]\n",
             "proxy/Dockerfile": "FROM nginx:1.27-alpine\nCOPY nginx.conf /etc/nginx/conf.d/default.conf\n"}
    found = run_files(tmp_path, files, select=("DF040", "DF043"))
    messages = {(f.path, f.code): f.message for f in found}
    assert messages[("backend/Dockerfile", "DF040")].endswith(
        "switch to a numeric user (`USER 10001:10001`): the image has no `useradd` and no `/etc/passwd`")
    assert "no shell and no curl" in messages[("backend/Dockerfile", "DF043")]
    assert "`nginxinc/nginx-unprivileged`" in messages[("proxy/Dockerfile", "DF040")]


def test_dependencies_first_advice_names_the_manifests_of_the_tool(tmp_path):
    text = ("FROM python:3.13-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.9.12 /uv /bin/\nWORKDIR /app\nCOPY . .\n"
            "RUN uv sync --locked\n")
    found = run_files(tmp_path, {"Dockerfile": text, "uv.lock": "version = 1\n"}, select="DF008")
    assert triples(found) == [("DF008", 4, 6)]
    assert "copy the manifests `pyproject.toml` and `uv.lock`, run `uv sync --locked --no-install-project`" \
        in found[0].message


def test_apk_update_leaves_its_index_whatever_add_says(tmp_path):
    text = ("FROM python:3.13-alpine\nRUN apk update && apk add --no-cache curl git\n"
            "RUN apk update && apk add --no-cache gcc && rm -rf /var/cache/apk/*\n"
            "RUN apk add --no-cache bash\n")
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF049")
    assert triples(found) == [("DF049", 2, 9)]
    assert found[0].message.startswith("`apk update` leaves the package index in the layer")


def test_apk_update_and_add_without_no_cache_are_one_finding(tmp_path):
    text = "FROM alpine:3.20\nRUN <<EOF\napk update\napk add git\nEOF\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF049")
    assert triples(found) == [("DF049", 4, 5)]
    assert found[0].message == ("`apk add` without `--no-cache` leaves the package index in the layer (and so does "
                                "the `apk update` before it: drop it)")


def test_an_application_base_image_may_set_the_python_environment_itself(tmp_path):
    # tiangolo's images set PYTHONPATH (and newer tags PYTHONDONTWRITEBYTECODE, PYTHONUNBUFFERED): unseen here
    app_base = "FROM tiangolo/uvicorn-gunicorn-fastapi:python3.9-slim\nCOPY ./app /app/app\n"
    assert run_files(tmp_path / "a", {"Dockerfile": app_base}, select="DF006") == []
    plain = "FROM python:3.12-slim\nCOPY ./app /app/app\nCMD [\"uvicorn\", \"app.main:app\"]\n"
    assert triples(run_files(tmp_path / "b", {"Dockerfile": plain}, select="DF006")) == [("DF006", 1, 1)]


def test_workdir_advice_names_what_a_later_stage_reads_from_the_root(tmp_path):
    # a build stage writing its artefact to `/` (no WORKDIR), read by the final stage from `/`
    text = ("FROM rust:1.80 AS build\nCOPY . .\nRUN cargo build --release && cp target/release/etl /etl\n"
            "FROM debian:12-slim\nCOPY --from=build /etl /usr/local/bin/etl\nCMD [\"etl\"]\n")
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF007")
    assert triples(found) == [("DF007", 2, 8)]
    assert found[0].message.endswith("add `WORKDIR /app` first (then check `/etl` in the `COPY --from=build` on "
                                     "line 5: what the stage writes to its working directory moves to `/app`)")


def test_slim_advice_says_what_the_compose_healthcheck_would_lose(tmp_path):
    files = {"backend/Dockerfile": "FROM python:3.14\nCOPY . /app\nCMD [\"fastapi\", \"run\"]\n",
             "compose.yml": "services:\n  backend:\n    build: ./backend\n    healthcheck:\n"
                            "      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8000/health\"]\n"}
    found = run_files(tmp_path, files, select="DF003")
    assert triples(found) == [("DF003", 1, 6)]
    assert found[0].message.endswith("use the minimal `python:3.14-slim` (or `-alpine`); the compose healthcheck of "
                                     "`backend` runs `curl`, which `-slim` lacks: install it, or probe with Python")


def test_an_image_copied_from_is_pinned_like_a_base(tmp_path):
    digest = "@sha256:" + "a" * 64
    text = (f"FROM python:3.13-slim{digest}\nCOPY --from=ghcr.io/astral-sh/uv:0.9.26 /uv /uvx /bin/\n"
            "COPY --from=gloursdocker/docker / /\nFROM python:3.13-slim" + digest + " AS b\n"
            f"COPY --from=ghcr.io/astral-sh/uv:0.9.26{digest} /uv /bin/\nCOPY --from=0 /bin/uv /bin/uv\n")
    found = run_files(tmp_path, {"Dockerfile": text}, select=("DF004", "DF005"))
    assert triples(found) == [("DF005", 2, 13), ("DF004", 3, 13), ("DF005", 3, 13)]
    assert found[0].message.startswith("image copied from `ghcr.io/astral-sh/uv:0.9.26` is not pinned by digest")
    assert found[1].message.startswith("image copied from `gloursdocker/docker` has no tag")


SERVICE_RULES = ("DF011", "DF013", "DF014", "DF015", "DF016", "DF040", "DF043", "DF054", "DF061")


def full(findings) -> list[tuple[str, str, int, int, str]]:
    return [(f.path, f.code, f.position.line, f.position.column, f.message) for f in findings]


def test_service_rules_judge_the_production_sibling_not_the_development_image(tmp_path):
    # `app/Dockerfile` is what compose builds for local work (`--reload`, a source mount); `app/Dockerfile.prod`
    # is the production image: the production-service rules judge the latter only, and not the database image
    # with init scripts that only the development stack builds
    files = {
        "app/Dockerfile": "FROM python:3.12-slim\nWORKDIR /srv\nRUN apt-get update && apt-get install -y "
                          "--no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\nCOPY requirements-dev.txt ./\n"
                          "RUN pip install -r requirements-dev.txt\nCOPY . .\n",
        "app/Dockerfile.prod": "FROM python:3.12-slim AS builder\nCOPY requirements.txt ./\n"
                               "RUN pip wheel --wheel-dir /wheels -r requirements.txt\n"
                               "FROM python:3.12-slim\nCOPY --from=builder /wheels /wheels\n"
                               "RUN pip install --no-index --find-links /wheels /wheels/*\nCOPY . .\n"
                               "CMD [\"gunicorn\", \"-k\", \"uvicorn_worker.UvicornWorker\", \"main:app\"]\n",
        "app/requirements.txt": "fastapi==0.115.0\n",
        "app/requirements-dev.txt": "pytest==8.3.3\n",
        "db/Dockerfile": "FROM postgres:17.2\nCOPY seed.sql /docker-entrypoint-initdb.d/\n",
        "db/seed.sql": "select 1;\n",
        "compose.yaml": "services:\n  api:\n    build: ./app\n    command: uvicorn main:app --reload\n"
                        "    volumes:\n      - ./app:/srv\n  db:\n    build: ./db\n",
    }
    found = run_files(tmp_path, files, select=SERVICE_RULES + ("DF050",))
    assert full(found) == [
        ("app/Dockerfile", "DF050", 3, 1, "apt runs without `--mount=type=cache,target=/var/cache/apt,sharing=locked` "
                                          "and `--mount=type=cache,target=/var/lib/apt,sharing=locked`"),
        ("app/Dockerfile.prod", "DF014", 4, 1, "no stage is named `production` (stages: `builder`); name the runtime "
                                               "stage `FROM ... AS production` so compose and CI can build "
                                               "`target: production`"),
        ("app/Dockerfile.prod", "DF016", 4, 1, "no stage runs a security scan; add a `security` stage that runs "
                                               "`pip-audit` on the lock file and `bandit` on the source, and build it "
                                               "in CI (`--target security`)"),
        ("app/Dockerfile.prod", "DF040", 4, 1, "the final stage runs as root: it never sets `USER`; create a "
                                               "dedicated user and switch to it (`USER app`) before `CMD`"),
        ("app/Dockerfile.prod", "DF043", 4, 1, "the final stage has no `HEALTHCHECK`; add one that probes the app's "
                                               "health endpoint"),
        ("app/Dockerfile.prod", "DF054", 4, 1, "the final stage sets no `version` (from `BUILD_VERSION`), "
                                               "`build-date` (from `BUILD_DATE`), `git-commit` (from `GIT_COMMIT`) "
                                               "label"),
        ("app/Dockerfile.prod", "DF061", 4, 1, "the final stage does not `EXPOSE` the port its server listens on "
                                               "(e.g. `EXPOSE 8000`)"),
    ]


def test_service_rules_leave_a_library_image_that_only_make_builds(tmp_path):
    # a library's convenience image: no command of its own, built by `make image` only, no compose, no image in CI
    files = {
        "Dockerfile": "FROM python:3.12-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.9.5 /uv /bin/\nWORKDIR /srv\n"
                      "RUN apt-get update && apt-get install -y --no-install-recommends gcc "
                      "&& rm -rf /var/lib/apt/lists/*\nCOPY . /srv\n"
                      "RUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-dev\n",
        "Makefile": ".PHONY: image\nimage:\n\tdocker build .\n",
        "pyproject.toml": "[project]\nname = \"lib\"\nversion = \"1.0\"\ndependencies = [\"fastapi>=0.115\"]\n",
        "uv.lock": "version = 1\n",
        ".github/workflows/release.yml": "on: {push: {tags: ['*']}}\njobs:\n  release:\n    runs-on: ubuntu-latest\n"
                                        "    steps:\n      - uses: actions/checkout@v4\n"
                                        "      - run: uv build && uv publish\n",
    }
    found = run_files(tmp_path, files, select=SERVICE_RULES + ("DF008", "DF050", "CI003", "CI006"))
    # the rules that fit any image still judge it; no service, CI image build or make targets are asked of it
    assert full(found) == [
        ("Dockerfile", "DF050", 4, 1, "apt runs without `--mount=type=cache,target=/var/cache/apt,sharing=locked` "
                                      "and `--mount=type=cache,target=/var/lib/apt,sharing=locked`"),
        ("Dockerfile", "DF008", 5, 6, "the application source (`.`) is copied before the dependencies are installed "
                                      "on line 6; copy the manifests `pyproject.toml` and `uv.lock`, run `uv sync "
                                      "--locked --no-install-project`, then copy the source so code edits keep the "
                                      "install layer cached"),
    ]

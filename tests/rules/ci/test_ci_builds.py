"""CI002-CI005 see every way CI builds an image: compose, scripts, make targets, matrices, local actions and
reusable workflows; and a repository whose CI builds nothing gets one finding, in a place that exists."""

from __future__ import annotations

from tests.helpers import run_files

DF = {"Dockerfile": "FROM python:3.12-slim\nCMD [\"uvicorn\", \"app.main:app\"]\n"}  # a service: its image is run
ARGS = "--build-arg BUILD_VERSION=$V --build-arg BUILD_DATE=$D --build-arg GIT_COMMIT=$C"
GOOD_BUILD = (f"docker buildx build --platform linux/amd64,linux/arm64 {ARGS} "
              "-t acme/api:$VERSION -t acme/api:$GITHUB_SHA -t acme/api:latest --push .")


def wf(*steps: str, extra: str = "") -> str:
    body = "".join(f"      - {s}\n" for s in steps)
    return f"on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n{extra}    steps:\n{body}"


def codes(found):
    return [(f.code, f.path, f.position.line, f.position.column) for f in found]


WORKFLOW_COMPOSE_BUILD = wf("uses: actions/checkout@v4", "run: docker compose -f compose.yml -f compose.deploy.yml build",
                            "run: docker compose -f compose.yml -f compose.deploy.yml push")
COMPOSE = ("services:\n  backend:\n    image: acme/backend:${TAG-latest}\n    build:\n      context: .\n"
           "      args:\n        BUILD_VERSION: ${TAG}\n  frontend:\n    image: acme/frontend:${TAG-latest}\n"
           "    build: ./frontend\n  db:\n    image: postgres:16\n")
COMPOSE_DEPLOY = "services:\n  backend:\n    build:\n      platforms: [linux/amd64, linux/arm64]\n"


def test_compose_build_is_an_image_build(tmp_path):
    files = {**DF, "frontend/Dockerfile": "FROM node:20\n", "compose.yml": COMPOSE,
             "compose.deploy.yml": COMPOSE_DEPLOY, ".github/workflows/deploy.yml": WORKFLOW_COMPOSE_BUILD}
    found = run_files(tmp_path, files, select=("CI003", "CI004", "CI005"))
    assert codes(found) == [("CI003", ".github/workflows/deploy.yml", 7, 9),
                            ("CI004", ".github/workflows/deploy.yml", 7, 9),
                            ("CI005", ".github/workflows/deploy.yml", 7, 9)]
    msg = {f.code: f.message for f in found}
    assert msg["CI003"] == ("`docker compose build` of `backend`, `frontend` does not pass `BUILD_VERSION`, "
                            "`BUILD_DATE`, `GIT_COMMIT` as build arguments")
    assert msg["CI004"].startswith("`docker compose build` of `backend`, `frontend`: image tags lack sha")
    assert msg["CI005"].startswith("`docker compose build` of `frontend` does not target")
    # built for the tests only (nothing pushed): an image build (no "CI builds no image"), not a published image
    files[".github/workflows/deploy.yml"] = wf("run: docker compose build", "run: docker compose run --rm backend pytest")
    files["compose.yaml"] = files.pop("compose.yml")
    assert run_files(tmp_path / "b", files, select=("CI002", "CI003", "CI004", "CI005")) == []


BUILD_SH = f"#!/usr/bin/env bash\nset -euo pipefail\nVERSION=$(cat VERSION)\n{GOOD_BUILD.replace('--platform linux/amd64,linux/arm64 ', '')}\n"


def test_build_in_a_script_the_step_runs(tmp_path):
    for i, run in enumerate(["run: ./scripts/build.sh", "run: bash scripts/build.sh --push", "run: |\n          cd . && source scripts/build.sh"]):
        files = {**DF, "scripts/build.sh": BUILD_SH, ".github/workflows/ci.yml": wf(run)}
        found = run_files(tmp_path / str(i), files, select=("CI003", "CI004", "CI005"))
        assert codes(found) == [("CI005", ".github/workflows/ci.yml", 6, 9)], run
        assert found[0].message.startswith("image build (in `scripts/build.sh`) does not target")


def test_build_in_a_make_target(tmp_path):
    makefile = f"IMAGE := acme/api\n\nbuild: lint\n\t@{GOOD_BUILD}\n\nlint:\n\truff check .\n"
    files = {**DF, "Makefile": makefile, ".github/workflows/ci.yml": wf("run: make build")}
    assert run_files(tmp_path, files, select=("CI003", "CI004", "CI005")) == []
    files["Makefile"] = makefile.replace(ARGS, "")
    found = run_files(tmp_path / "b", files, select=("CI003", "CI004", "CI005"))
    assert codes(found) == [("CI003", ".github/workflows/ci.yml", 6, 9)]
    assert found[0].message.startswith("image build (in `Makefile`) does not pass")


def test_build_arguments_the_analysis_cannot_read_are_not_judged(tmp_path):
    script = ("ARGS=(--pull -t \"$IMAGE\")\n$DRY docker buildx \\\n  --builder \"${BUILDER}\" \\\n  build \\\n"
              "  \"${ARGS[@]}\" \\\n  .\n$DRY docker push \"$IMAGE\"\n")
    files = {**DF, "build.sh": script, ".github/workflows/push.yml": wf("run: ./build.sh")}
    # it builds an image (so no "CI builds no image"), gets no wheelhouse, and its arguments are not judged
    assert codes(run_files(tmp_path, files, select=("CI002", "CI003", "CI004", "CI005"))) == [
        ("CI002", ".github/workflows/push.yml", 6, 9)]


def test_static_matrix_of_commands_is_expanded(tmp_path):
    extra = "    strategy:\n      matrix:\n        build_cmd:\n          - ./build.sh latest\n          - ./build.sh develop\n"
    files = {**DF, "build.sh": BUILD_SH, ".github/workflows/push.yml": wf("run: ${{ matrix.build_cmd }}", extra=extra)}
    found = run_files(tmp_path, files, select=("CI003", "CI004", "CI005"))
    assert codes(found) == [("CI005", ".github/workflows/push.yml", 11, 9)]


def test_per_platform_matrix_of_build_push_action_is_multi_arch(tmp_path):
    extra = "    strategy:\n      matrix:\n        platform: [linux/amd64, linux/arm64]\n"
    step = ("uses: docker/build-push-action@v6\n        with:\n          platforms: ${{ matrix.platform }}\n"
            "          push: true\n          tags: acme/api:${{ github.sha }}")
    files = {**DF, ".github/workflows/ci.yml": wf(step, extra=extra)}
    assert run_files(tmp_path, files, select="CI005") == []


def test_a_matrix_of_mappings_gives_each_field_its_values(tmp_path):
    # `matrix.image.name`: one of the images is `latest`, so the tag list holds `latest`
    extra = ("    strategy:\n      matrix:\n        image:\n          - name: latest\n            python: \"3.12\"\n"
             "          - name: python3.12\n            python: \"3.12\"\n")
    step = ("uses: docker/build-push-action@v6\n        with:\n          platforms: linux/amd64,linux/arm64\n"
            "          push: true\n          build-args: |\n            BUILD_VERSION=1\n            BUILD_DATE=2\n"
            "            GIT_COMMIT=3\n          tags: |\n            acme/api:${{ matrix.image.name }}\n"
            "            acme/api:${{ github.sha }}")
    files = {**DF, ".github/workflows/ci.yml": wf(step, extra=extra)}
    found = run_files(tmp_path, files, select=("CI003", "CI004", "CI005"))
    assert codes(found) == [("CI004", ".github/workflows/ci.yml", 13, 9)]
    assert found[0].message == "image tags lack version (tag with the version, the commit SHA and `latest`)"


def test_computed_matrix_is_not_a_missing_build(tmp_path):
    # the steps run commands another job computes: nothing can say CI builds no image
    workflow = ("on: push\njobs:\n  generate:\n    runs-on: ubuntu-latest\n    outputs:\n      strategy: ${{ steps.g.outputs.s }}\n"
                "    steps:\n      - id: g\n        run: echo \"s=$(./generate.sh)\" >> \"$GITHUB_OUTPUT\"\n"
                "  test:\n    needs: generate\n    strategy: ${{ fromJson(needs.generate.outputs.strategy) }}\n"
                "    runs-on: ${{ matrix.os }}\n    steps:\n      - run: ${{ matrix.runs.build }}\n")
    files = {**DF, ".github/workflows/ci.yml": workflow}
    assert run_files(tmp_path, files, select=("CI001", "CI002", "CI003", "CI004", "CI005")) == []


def test_local_reusable_workflow_with_inputs(tmp_path):
    caller = ("on: push\njobs:\n  image:\n    uses: ./.github/workflows/build.yml\n    with:\n"
              "      platforms: linux/amd64,linux/arm64\n")
    reusable = ("on:\n  workflow_call:\n    inputs:\n      platforms:\n        type: string\n        default: linux/amd64\n"
                "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@v6\n"
                "        with:\n          push: true\n          platforms: ${{ inputs.platforms }}\n"
                "          build-args: |\n            BUILD_VERSION=${{ github.ref_name }}\n"
                "            BUILD_DATE=${{ github.event.head_commit.timestamp }}\n            GIT_COMMIT=${{ github.sha }}\n"
                "          tags: acme/api:${{ github.ref_name }},acme/api:${{ github.sha }},acme/api:latest\n")
    files = {**DF, ".github/workflows/release.yml": caller, ".github/workflows/build.yml": reusable}
    assert run_files(tmp_path, files, select=("CI003", "CI004", "CI005")) == []


def test_local_composite_action(tmp_path):
    action = (f"name: build\ninputs:\n  push:\n    default: 'false'\nruns:\n  using: composite\n  steps:\n"
              f"    - shell: bash\n      run: {GOOD_BUILD}\n")
    files = {**DF, ".github/actions/build/action.yml": action,
             ".github/workflows/ci.yml": wf("uses: actions/checkout@v4", "uses: ./.github/actions/build")}
    found = run_files(tmp_path, files, select=("CI002", "CI003", "CI004", "CI005"))
    assert codes(found) == [("CI002", ".github/workflows/ci.yml", 7, 9)]
    assert found[0].message.startswith("image build (in `.github/actions/build/action.yml`) gets no wheelhouse")


def test_unrelated_workflows_only_one_finding_at_the_workflows_folder(tmp_path):
    files = {**DF, ".github/workflows/add-to-project.yml": wf("uses: actions/add-to-project@v1"),
             ".github/workflows/lint.yml": wf("run: ruff check .")}
    found = run_files(tmp_path, files, select=("CI002", "CI003", "CI004", "CI005"))
    assert codes(found) == [("CI003", ".github/workflows/", 1, 1)]
    assert found[0].message.startswith("no CI step builds the image")


def test_no_dockerfile_or_only_a_template_no_ci_findings(tmp_path):
    workflow = {".github/workflows/lint.yml": wf("run: ruff check .")}
    assert run_files(tmp_path / "a", workflow, select=("CI002", "CI003", "CI004", "CI005", "CI006")) == []
    template = {**workflow, "template/{{cookiecutter.project_name}}/Dockerfile": "FROM python:3.12-slim\n"}
    assert run_files(tmp_path / "b", template, select=("CI002", "CI003", "CI004", "CI005", "CI006")) == []


def test_workflow_yaml_error_is_reported_in_the_workflow(tmp_path):
    found = run_files(tmp_path, {".github/workflows/ci.yml": "on: push\njobs:\n  a:\n    runs-on: [x\n"},
                      select="CI001")
    assert [(f.path, f.position.line) for f in found] == [(".github/workflows/ci.yml", 5)]


def test_a_program_held_in_a_variable_is_not_a_missing_build(tmp_path):
    # `$dcb web` runs whatever `dcb` holds (here `docker compose build`): CI may build the image
    files = {**DF, "install.sh": "dc='docker compose'\ndcb=\"$dc build\"\n$dcb web\n",
             "action.yml": "name: x\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: ./install.sh\n",
             ".github/workflows/test.yml": wf("uses: actions/checkout@v4", "uses: './'")}
    assert run_files(tmp_path, files, select=("CI002", "CI003", "CI004", "CI005")) == []
    files["install.sh"] = "echo nothing to build\n"
    found = run_files(tmp_path / "b", files, select=("CI002", "CI003", "CI004", "CI005"))
    assert [(f.code, f.path) for f in found] == [("CI003", ".github/workflows/")]


def test_missing_wheelhouse_is_reported_once_per_job(tmp_path):
    steps = ("uses: docker/login-action@v3", "run: ./scripts/build.sh --check-only", "run: ./scripts/build.sh --push")
    files = {**DF, "scripts/build.sh": BUILD_SH, ".github/workflows/release.yml": wf(*steps)}
    found = run_files(tmp_path, files, select="CI002")
    assert codes(found) == [("CI002", ".github/workflows/release.yml", 7, 9)]


def test_depot_build_push_action_is_an_image_build(tmp_path):
    # depot/build-push-action takes docker/build-push-action's inputs (file, context, push, tags, build-args,
    # platforms, labels) and builds on Depot's builders: its build is judged as docker's is
    step = ("uses: depot/build-push-action@v1\n        with:\n          project: abc123\n"
            "          file: ./Dockerfile\n          context: .\n          platforms: linux/amd64,linux/arm64\n"
            "          push: true\n          tags: |\n            acme/api:${{ inputs.tag }}\n"
            "          build-args: |\n            COMMIT=${{ github.sha }}")
    files = {**DF, ".github/workflows/release.yml": wf("uses: actions/checkout@v4", "uses: depot/setup-action@v1", step)}
    found = run_files(tmp_path, files, select=("CI003", "CI004", "CI005"))
    assert codes(found) == [("CI003", ".github/workflows/release.yml", 8, 9),
                            ("CI004", ".github/workflows/release.yml", 8, 9)]
    assert found[0].message == "image build does not pass `BUILD_VERSION`, `BUILD_DATE`, `GIT_COMMIT` as build arguments"
    assert found[1].message == "image tags lack sha, latest (tag with the version, the commit SHA and `latest`)"


def test_blacksmith_build_push_action_is_an_image_build_and_a_non_python_image_needs_no_wheelhouse(tmp_path):
    # useblacksmith/build-push-action is a drop-in for docker's action: its build is judged as docker's is
    step = ("uses: useblacksmith/build-push-action@v2\n        with:\n          context: .\n"
            "          platforms: linux/amd64,linux/arm64\n          push: true\n          tags: |\n"
            "            acme/api:${{ inputs.tag }}")
    files = {**DF, ".github/workflows/release.yml": wf("uses: actions/checkout@v4", step)}
    found = run_files(tmp_path / "py", files, select=("CI002", "CI003", "CI004"))
    assert codes(found) == [("CI002", ".github/workflows/release.yml", 7, 9),
                            ("CI003", ".github/workflows/release.yml", 7, 9),
                            ("CI004", ".github/workflows/release.yml", 7, 9)]
    # the same build of an infrastructure image (pgbouncer) gets no Python wheelhouse to install
    infra = {**files, "Dockerfile": "FROM edoburu/pgbouncer:v1.23.1-p2\nCOPY pgbouncer.ini /etc/pgbouncer/\n",
             "api/Dockerfile": DF["Dockerfile"]}
    assert run_files(tmp_path / "infra", infra, select="CI002") == []


def test_labels_the_build_applies_stand_for_the_build_arguments(tmp_path):
    # the arguments exist to become the image's version, build-date and git-commit labels: a build that applies
    # those labels itself (docker/metadata-action's `labels` output; `--label` with the standard's or the OCI key)
    # records the same, and is asked only for what it records neither way
    meta = ("id: meta\n        uses: docker/metadata-action@v5\n        with:\n          images: acme/api\n"
            "          tags: |\n            type=semver,pattern={{version}}\n            type=sha\n"
            "            type=raw,value=latest")
    build = ("uses: docker/build-push-action@v6\n        with:\n          platforms: linux/amd64,linux/arm64\n"
             "          push: true\n          tags: ${{ steps.meta.outputs.tags }}\n"
             "          labels: ${{ steps.meta.outputs.labels }}\n          build-args: SOURCE_COMMIT=${{ github.sha }}")
    files = {**DF, ".github/workflows/publish.yml": wf("uses: actions/checkout@v4", meta, build)}
    assert run_files(tmp_path, files, select=("CI003", "CI004", "CI005")) == []
    # labels of a step that is no metadata-action of the job are not known to carry anything
    files[".github/workflows/publish.yml"] = wf("uses: actions/checkout@v4", meta.replace("id: meta", "id: other"), build)
    assert codes(run_files(tmp_path / "b", files, select="CI003")) == [("CI003", ".github/workflows/publish.yml", 15, 9)]
    labelled = GOOD_BUILD.replace(ARGS, "--label org.opencontainers.image.version=$V --label 'build-date=' "
                                        "--build-arg GIT_COMMIT=$C")
    files[".github/workflows/publish.yml"] = wf(f"run: {labelled}")
    found = run_files(tmp_path / "c", files, select="CI003")
    assert codes(found) == [("CI003", ".github/workflows/publish.yml", 6, 9)]
    assert found[0].message == "image build does not pass `BUILD_DATE` as build arguments"


def test_inputs_read_from_the_workflow_job_and_step_env(tmp_path):
    # `platforms: ${{ env.platforms }}` with the list in the workflow's `env:`: a multi-platform build
    step = ("uses: docker/build-push-action@v6\n        with:\n          push: true\n"
            "          tags: acme/api:${{ github.sha }},acme/api:latest\n          platforms: ${{ env.platforms }}\n"
            "          build-args: |\n            BUILD_VERSION=${{ env.VERSION }}\n            BUILD_DATE=x\n"
            "            GIT_COMMIT=${{ github.sha }}\n")
    workflow = wf(step).replace("jobs:", "env:\n  platforms: linux/amd64,linux/arm64\njobs:", 1)
    files = {**DF, ".github/workflows/release.yml": workflow}
    assert run_files(tmp_path, files, select=("CI003", "CI005")) == []
    # the job's `env:` overrides the workflow's; the step's overrides the job's
    job = workflow.replace("    steps:", "    env:\n      platforms: linux/amd64\n    steps:", 1)
    found = run_files(tmp_path / "b", {**DF, ".github/workflows/release.yml": job}, select=("CI003", "CI005"))
    assert codes(found) == [("CI005", ".github/workflows/release.yml", 10, 9)]
    stepped = job.replace("        with:", "        env:\n          platforms: linux/amd64,linux/arm64\n        with:", 1)
    assert run_files(tmp_path / "c", {**DF, ".github/workflows/release.yml": stepped}, select=("CI003", "CI005")) == []


def test_compose_up_in_ci_builds_the_images_its_services_lack(tmp_path):
    # a smoke test: `docker compose up` builds the service's image on a fresh runner; nothing is pushed
    files = {**DF, "compose.yaml": "services:\n  api:\n    build: .\n    ports: ['8000:8000']\n"}
    for i, command in enumerate(("docker compose up -d", "docker compose up --wait api",
                                 "docker-compose run --rm api pytest")):
        found = run_files(tmp_path / str(i), {**files, ".github/workflows/ci.yml": wf(f"run: {command}")},
                          select=("CI003", "CI004", "CI005"))
        assert found == [], command
    found = run_files(tmp_path / "no-build", {**files, ".github/workflows/ci.yml": wf("run: docker compose up "
                                                                                     "--no-build -d")},
                      select="CI003")
    assert codes(found) == [("CI003", ".github/workflows/", 1, 1)]
    assert found[0].message.startswith("no CI step builds")

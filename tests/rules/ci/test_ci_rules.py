from dockyard.rules.ci.pipeline import BAD_WORKFLOW, GOOD_WORKFLOW
from tests.helpers import described, run_files, triples

DF = {"Dockerfile": "FROM python:3.12-slim\nCMD [\"uvicorn\", \"app.main:app\"]\n"}  # a service: its image is run


def test_good_workflow_passes_every_ci_rule(tmp_path):
    files = {**DF, ".github/workflows/ci.yml": GOOD_WORKFLOW,
             "Makefile": "lock-deps:\n\tx\nwheelhouse-build:\n\tx\nwheelhouse-check:\n\tx\n"}
    assert run_files(tmp_path, files, select="CI") == []


def test_bad_workflow_positions(tmp_path):
    found = run_files(tmp_path, {**DF, ".github/workflows/ci.yml": BAD_WORKFLOW}, select=("CI002", "CI003", "CI004", "CI005"))
    # the missing wheelhouse is reported at the build that should use it, not at the top of a workflow
    assert [(f.code, f.path, f.position.line, f.position.column) for f in found] == [
        ("CI002", ".github/workflows/ci.yml", 8, 9),
        ("CI003", ".github/workflows/ci.yml", 8, 9),
        ("CI004", ".github/workflows/ci.yml", 8, 9),
        ("CI005", ".github/workflows/ci.yml", 8, 9),
    ]
    msg = {f.code: f.message for f in found}
    assert "`BUILD_VERSION`, `BUILD_DATE`, `GIT_COMMIT`" in msg["CI003"]
    assert "version, sha, latest" in msg["CI004"]


def test_no_ci_at_all_is_reported_once_when_there_is_an_image(tmp_path):
    # one finding (CI003), at the project root: not four, and not at a `.github/workflows` that does not exist
    found = run_files(tmp_path, dict(DF), select=("CI002", "CI003", "CI004", "CI005"))
    assert [(f.code, f.path) for f in found] == [("CI003", "./")]
    assert found[0].message.startswith("no CI workflow found")
    assert run_files(tmp_path / "empty", {"README.md": "x\n"}, select="CI") == []


def test_docker_buildx_command_with_flags_counts(tmp_path):
    wf = ("on: push\njobs:\n  wheels:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - run: make wheelhouse-build\n      - uses: actions/upload-artifact@v4\n        with: {name: w, path: wheels}\n"
          "  image:\n    runs-on: ubuntu-latest\n    needs: [wheels]\n    steps:\n"
          "      - run: |\n          docker buildx build --platform linux/amd64,linux/arm64 \\\n"
          "            --build-arg BUILD_VERSION=$V --build-arg BUILD_DATE=$D --build-arg GIT_COMMIT=${{ github.sha }} \\\n"
          "            -t acme/api:${{ github.ref_name }} -t acme/api:${{ github.sha }} -t acme/api:latest .\n")
    found = run_files(tmp_path, {**DF, ".github/workflows/build.yaml": wf}, select="CI")
    assert [(f.code, f.path) for f in found] == [("CI006", "./")]  # only the absent Makefile


def test_gitlab_ci_is_read(tmp_path):
    gl = ("build:\n  script:\n    - docker build --build-arg BUILD_VERSION=$CI_COMMIT_TAG -t $IMG:$CI_COMMIT_SHA .\n"
          "    - docker push $IMG:$CI_COMMIT_SHA\n")
    found = run_files(tmp_path, {**DF, ".gitlab-ci.yml": gl}, select=("CI003", "CI004"))
    assert triples(found) == [("CI003", 3, 7), ("CI004", 3, 7)]
    assert "`BUILD_DATE`, `GIT_COMMIT`" in found[0].message
    assert "version, latest" in found[1].message


def test_workflow_schema_points_at_the_offending_job(tmp_path):
    wf = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n  test:\n    step:\n      - run: x\n"
    found = run_files(tmp_path, {".github/workflows/ci.yml": wf}, select="CI001")
    assert triples(found) == [("CI001", 7, 3)]


def test_a_strategy_without_a_matrix_is_valid_as_github_reads_it(tmp_path):
    # GitHub's own workflow parser (actions/languageservices, `workflow-v1.0.json`) makes `matrix` optional in
    # `strategy`; SchemaStore's schema requires it. The rest of the strategy is still judged.
    job = "on: push\njobs:\n  scan:\n    runs-on: ubuntu-latest\n    strategy:\n      {}\n    steps:\n      - run: x\n"
    assert run_files(tmp_path / "a", {".github/workflows/ci.yml": job.format("fail-fast: true")}, select="CI001") == []
    found = run_files(tmp_path / "b", {".github/workflows/ci.yml": job.format("fail-fastt: true")}, select="CI001")
    assert described(found) == [("CI001", 5, 5, "workflow does not match the GitHub Actions schema: "
                                 "jobs.scan.strategy must not contain {'fail-fastt'} properties")]


def test_null_values_in_matrix_rows_are_valid_as_github_reads_them(tmp_path):
    # a row that needs no database host says so with `null`: GitHub's parser takes any value there
    wf = ("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        include:\n"
          "          - name: POSTGRES\n            database_host: localhost\n          - name: SQLITE\n"
          "            database_host: null\n    steps:\n      - run: pytest\n")
    assert run_files(tmp_path / "a", {".github/workflows/ci.yml": wf}, select="CI001") == []
    # the rest of the matrix is still judged
    found = run_files(tmp_path / "b", {".github/workflows/ci.yml": wf.replace("        include:", "        include: 3\n"
                                                                              "        exclude:")}, select="CI001")
    assert triples(found) == [("CI001", 6, 7)]


def test_a_workflow_yaml_error_is_reported_in_the_workflow(tmp_path):
    wf = "on: push\njobs:\n  build:\n    runs-on: [ubuntu-latest\n"
    found = run_files(tmp_path, {".github/workflows/ci.yml": wf, ".github/workflows/tab.yml": "on: push\n\tjobs: {}\n"},
                      select="CI001")
    assert [(f.path, f.position.line, f.position.column) for f in found] == [
        (".github/workflows/ci.yml", 5, 1), (".github/workflows/tab.yml", 2, 1)]
    assert found[0].message.startswith("workflow is not valid YAML: ")
    assert found[1].message.startswith("workflow is not valid YAML: tab character used for indentation")


def test_make_targets(tmp_path):
    mk = "# lock-deps:\nwheelhouse-build: ; pip wheel\nX := wheelhouse-check: y\n"
    found = run_files(tmp_path, {**DF, "Makefile": mk}, select="CI006")
    assert triples(found) == [("CI006", 1, 1)]
    assert found[0].message == "Makefile has no `lock-deps`, `wheelhouse-check` targets"
    assert found[0].path == "Makefile"
    # an absent Makefile is reported at the folder it belongs in
    assert [(f.path, f.code) for f in run_files(tmp_path / "b", dict(DF), select="CI006")] == [("./", "CI006")]


TASKFILE = ("version: '3'\n\ntasks:\n  py:test:\n    cmds:\n      - pytest\n  deps:lock:\n    aliases: [lock-deps]\n"
            "    cmds:\n      - uv lock\n")


def test_make_targets_in_the_task_runner_the_project_uses(tmp_path):
    # a Taskfile (go-task) or a justfile gives the dependency jobs one name as a Makefile does: the targets are
    # looked for there, and the finding says to add the missing ones to it, not to add a second runner
    found = run_files(tmp_path, {**DF, "Taskfile.yml": TASKFILE}, select="CI006")
    assert described(found, path=True) == [
        ("Taskfile.yml", "CI006", 1, 1, "Taskfile.yml has no `wheelhouse-build`, `wheelhouse-check` tasks: add them "
         "to the project's task runner (the standard names them as Makefile targets)")]
    done = TASKFILE + "  wheelhouse-build:\n    cmds: [dockyard deps wheelhouse]\n  deps:wheelhouse-check:\n    cmds: [x]\n"
    assert run_files(tmp_path / "b", {**DF, "Taskfile.yml": done}, select="CI006") == []
    just = ("set shell := [\"bash\", \"-c\"]\nversion := \"1\"\n\n# lock-deps: not a recipe\n[private]\n"
            "@wheelhouse-build dir=\"wheels\":\n    pip wheel --wheel-dir {{dir}} -r requirements.lock.txt\n"
            "alias wheelhouse-check := check\ncheck: wheelhouse-build\n    pip download --only-binary=:all: x\n")
    found = run_files(tmp_path / "c", {**DF, "justfile": just}, select="CI006")
    assert described(found, path=True) == [
        ("justfile", "CI006", 1, 1, "justfile has no `lock-deps` recipe: add it to the project's task runner (the "
         "standard names it as a Makefile target)")]
    # a Makefile and a Taskfile together: a target counts wherever it is; what is missing is reported on the Makefile
    mk = "lock-deps:\n\tuv lock\n"
    found = run_files(tmp_path / "d", {**DF, "Makefile": mk, "Taskfile.yml": TASKFILE.replace("deps:lock", "wheelhouse-build")},
                      select="CI006")
    assert described(found, path=True) == [("Makefile", "CI006", 1, 1, "Makefile has no `wheelhouse-check` target")]


def test_make_targets_in_the_tasks_a_pyproject_declares(tmp_path):
    # taskipy (`uv run task lock-deps`) and Poe the Poet keep their tasks in `pyproject.toml`: the project's runner
    pyproject = ("[project]\nname = \"api\"\n\n[tool.taskipy.tasks]\ntest = \"pytest\"\n"
                 "lock-deps = \"uv lock\"\n")
    found = run_files(tmp_path, {**DF, "pyproject.toml": pyproject}, select="CI006")
    assert described(found, path=True) == [
        ("pyproject.toml", "CI006", 1, 1, "pyproject.toml has no `wheelhouse-build`, `wheelhouse-check` tasks: add "
         "them to the project's task runner (the standard names them as Makefile targets)")]
    poe = "[tool.poe.tasks]\nlock-deps = \"uv lock\"\nwheelhouse-build = \"x\"\nwheelhouse-check = \"y\"\n"
    assert run_files(tmp_path / "b", {**DF, "pyproject.toml": poe}, select="CI006") == []
    # a pyproject without a task runner is none: the Makefile is asked for
    plain = "[project]\nname = \"api\"\n"
    assert [(f.path, f.code) for f in run_files(tmp_path / "c", {**DF, "pyproject.toml": plain}, select="CI006")] \
        == [("./", "CI006")]


def test_skip_media_packages(tmp_path):
    df = "FROM python:3.12-slim\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends ffmpeg\n"
    assert triples(run_files(tmp_path, {"Dockerfile": df}, select="CI007")) == [("CI007", 2, 1)]
    guarded = df.replace("FROM python:3.12-slim\n", "FROM python:3.12-slim\nARG SKIP_MEDIA_PACKAGES=0\n")
    found = run_files(tmp_path / "b", {"Dockerfile": guarded, "README.md": "# api\n"}, select="CI007")
    assert [(f.path, f.position.line) for f in found] == [("README.md", 1)]
    no_readme = run_files(tmp_path / "d", {"Dockerfile": guarded}, select="CI007")
    assert [(f.path, f.position.line) for f in no_readme] == [("./", 1)]
    assert run_files(tmp_path / "c", {"Dockerfile": guarded, "README.md": "SKIP_MEDIA_PACKAGES=1 skips ffmpeg\n"},
                     select="CI007") == []


def test_media_packages_a_build_argument_of_the_project_switches(tmp_path):
    # the project's own switch: what `EXTRAS` names decides whether the media libraries are installed
    df = ("FROM python:3.12-slim\nARG EXTRAS\nRUN ENABLE_MEDIA=0; for e in $EXTRAS; do case \"$e\" in media) "
          "ENABLE_MEDIA=1 ;; esac; done; \\\n    apt-get update; \\\n    apt-get install -y curl; \\\n"
          "    if [ \"$ENABLE_MEDIA\" = 1 ]; then apt-get install -y --no-install-recommends ffmpeg; fi\n")
    assert run_files(tmp_path, {"Dockerfile": df}, select="CI007") == []
    # the same install outside the `if`, or in an `if` of a RUN that reads no build argument, is not switched
    always = df.replace("if [ \"$ENABLE_MEDIA\" = 1 ]; then apt-get install -y --no-install-recommends ffmpeg; fi",
                        "apt-get install -y --no-install-recommends ffmpeg")
    assert triples(run_files(tmp_path / "b", {"Dockerfile": always}, select="CI007")) == [("CI007", 3, 1)]
    unswitched = df.replace("for e in $EXTRAS", "for e in media")
    assert triples(run_files(tmp_path / "c", {"Dockerfile": unswitched}, select="CI007")) == [("CI007", 3, 1)]
    # `libmagic1` detects file types: no media library
    magic = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends libmagic1\n"
    assert run_files(tmp_path / "d", {"Dockerfile": magic}, select="CI007") == []


def test_media_headers_of_a_builder_no_image_ships_are_not_judged(tmp_path):
    # libwebp-dev builds a wheel in the builder, whose layers are thrown away; the runtime's ffmpeg ships
    df = ("FROM python:3.12-slim AS builder\nRUN apt-get update && apt-get install -y --no-install-recommends "
          "libwebp-dev && rm -rf /var/lib/apt/lists/*\nRUN pip wheel --wheel-dir /wheels pillow\n"
          "FROM python:3.12-slim AS production\nCOPY --from=builder /wheels /wheels\n"
          "RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*\n"
          "CMD [\"uvicorn\", \"main:app\"]\n")
    assert triples(run_files(tmp_path, {"Dockerfile": df}, select="CI007")) == [("CI007", 6, 1)]


def test_skip_media_packages_reads_the_readme_as_every_input_is_read(tmp_path, monkeypatch):
    import os

    from dockyard.config import parse_config

    guarded = ("FROM python:3.12-slim\nARG SKIP_MEDIA_PACKAGES=0\n"
               "RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg\n")

    def found(name, readme, config=None):
        out = run_files(tmp_path / name, {"Dockerfile": guarded, "README.md": readme}, select="CI007", config=config)
        return [(f.path, f.position.line, f.position.column, f.message) for f in out]

    # a README the configuration excludes is not read, so not judged
    assert found("excluded", "# api\n", parse_config({"exclude": ["*.md"]}, "x", None)) == []
    # one that cannot be read says so, instead of claiming the switch is undocumented
    cannot = "cannot tell whether README.md documents `SKIP_MEDIA_PACKAGES`: "
    assert found("latin1", "SKIP_MEDIA_PACKAGES=1 skips caf\xe9\n".encode("latin-1")) == [
        ("README.md", 1, 1, cannot + "not valid UTF-8 (byte 31)")]
    assert found("binary", b"\x00SKIP_MEDIA_PACKAGES") == [
        ("README.md", 1, 1, cannot + "binary file (contains NUL bytes)")]
    monkeypatch.setattr("dockyard.source.MAX_FILE_BYTES", len(guarded))  # the Dockerfile is read, the README not
    assert found("large", "SKIP_MEDIA_PACKAGES=1 skips ffmpeg\n" + "#" * len(guarded)) == [
        ("README.md", 1, 1, cannot + f"file is too large to check ({35 + len(guarded)} bytes; limit {len(guarded)})")]
    monkeypatch.undo()
    # a link out of the checked tree is not followed: the project has no README of its own
    outside = tmp_path / "outside.md"
    outside.write_text("SKIP_MEDIA_PACKAGES=1 skips ffmpeg\n")
    run_files(tmp_path / "link", {"Dockerfile": guarded})
    os.symlink(outside, tmp_path / "link" / "README.md")
    out = run_files(tmp_path / "link", {}, select="CI007")
    assert [(f.path, f.position.line, f.position.column) for f in out] == [("./", 1, 1)]
    assert "the project has no README.md" in out[0].message


def test_scan_builds_are_not_image_builds_and_meta_outputs_count(tmp_path):
    wf = GOOD_WORKFLOW.replace("      - uses: docker/setup-buildx-action@v3\n",
                               "      - uses: docker/setup-buildx-action@v3\n      - uses: docker/build-push-action@v6\n"
                               "        with:\n          target: security\n          push: false\n")
    wf = wf.replace("ghcr.io/acme/api:${{ github.sha }}", "ghcr.io/acme/api:${{ steps.meta.outputs.sha }}")
    wf = wf.replace("ghcr.io/acme/api:${{ github.ref_name }}", "${{ env.IMAGE }}:${{ steps.meta.outputs.version }}")
    files = {**DF, ".github/workflows/ci.yml": wf}
    assert run_files(tmp_path, files, select=("CI002", "CI003", "CI004", "CI005")) == []


def test_metadata_action_tag_rules(tmp_path):
    wf = GOOD_WORKFLOW.replace(
        "          tags: |\n            ghcr.io/acme/api:${{ github.ref_name }}\n            ghcr.io/acme/api:${{ github.sha }}\n"
        "            ghcr.io/acme/api:latest\n",
        "          tags: ${{ steps.meta.outputs.tags }}\n")
    wf = wf.replace("      - uses: docker/setup-buildx-action@v3\n",
                    "      - uses: docker/metadata-action@v5\n        id: meta\n        with:\n          images: ghcr.io/acme/api\n"
                    "          tags: |\n            type=semver,pattern={{version}}\n            type=sha\n"
                    "      - uses: docker/setup-buildx-action@v3\n")
    # metadata-action's default flavor (`latest=auto`) tags `latest` for a semver rule: nothing lacks
    assert run_files(tmp_path, {**DF, ".github/workflows/ci.yml": wf}, select="CI004") == []
    # turned off, `latest` is missing
    no_latest = wf.replace("            type=sha\n", "            type=sha\n          flavor: |\n            latest=false\n")
    found = run_files(tmp_path / "off", {**DF, ".github/workflows/ci.yml": no_latest}, select="CI004")
    assert [(f.code, f.path, f.position.line, f.position.column) for f in found] == [
        ("CI004", ".github/workflows/ci.yml", 35, 9)]
    assert found[0].message.startswith("image tags lack latest")
    # tags that are one input the person starting the workflow types: nothing to judge
    typed = wf.replace("on:", "on:\n  workflow_dispatch:\n    inputs:\n      tags:\n        required: true\n", 1).replace(
        "          tags: |\n            type=semver,pattern={{version}}\n            type=sha\n",
        "          tags: ${{ inputs.tags }}\n")
    assert run_files(tmp_path / "typed", {**DF, ".github/workflows/ci.yml": typed}, select="CI004") == []
    # a reusable workflow's input is its callers' value, read where they call it: judged
    called = typed.replace("  workflow_dispatch:\n", "  workflow_call:\n")
    assert [(f.code, f.position.line, f.position.column) for f in run_files(
        tmp_path / "called", {**DF, ".github/workflows/ci.yml": called}, select="CI004")] == [("CI004", 36, 9)]


BASE_IMAGE = ("FROM debian:trixie-slim\nENV PYTHON_VERSION=3.13.1\nRUN ./configure && make -j4 && make install\n"
              "CMD [\"python3\"]\n")


def test_a_repository_of_base_images_is_not_judged_by_the_pipeline_rules(tmp_path):
    # shaped like docker-library/python: every Dockerfile builds CPython and only starts `python3`; CI builds and
    # pushes them without wheels, build arguments, SHA tags or arm64
    media = BASE_IMAGE.replace("RUN ./configure", "RUN apt-get install -y --no-install-recommends libjpeg-dev && "
                                                  "./configure")
    files = {"3.13/slim-trixie/Dockerfile": media, "3.12/slim-trixie/Dockerfile": BASE_IMAGE,
             ".github/workflows/ci.yml": BAD_WORKFLOW}
    assert run_files(tmp_path, files, select=("CI002", "CI003", "CI004", "CI005", "CI006", "CI007")) == []


def test_images_of_other_runtimes_are_judged_for_builds_not_for_wheels(tmp_path):
    files = {"Dockerfile": "FROM nginx:1.27\nCOPY site /usr/share/nginx/html\n", ".github/workflows/ci.yml": BAD_WORKFLOW}
    found = run_files(tmp_path, files, select=("CI002", "CI003", "CI004", "CI005", "CI006", "CI007"))
    assert [f.code for f in found] == ["CI003", "CI004", "CI005"]


CATALOGUE = {
    # shaped like docker/awesome-compose: nothing at the root but a README and CodeQL; each sample has its own
    # compose file, and only one of them ships a Python service
    "README.md": "# samples\n",
    ".github/workflows/codeql.yml": "on: push\njobs:\n  analyze:\n    runs-on: ubuntu-latest\n    steps:\n"
                                    "      - uses: github/codeql-action/analyze@v3\n",
    "fastapi/compose.yaml": "services:\n  api:\n    build: .\n",
    "fastapi/Dockerfile": "FROM python:3.12-slim\nCOPY ./app /app\nCMD [\"uvicorn\", \"app.main:app\"]\n",
    "react-nginx/compose.yaml": "services:\n  web:\n    build: .\n",
    "react-nginx/Dockerfile": "FROM nginx:1.27\nCOPY build /usr/share/nginx/html\n",
}


def test_a_catalogue_is_judged_per_sample_project(tmp_path):
    found = run_files(tmp_path, CATALOGUE, select="CI")
    assert [(f.code, f.path, f.message) for f in found] == [
        ("CI006", "fastapi/", "no Makefile: add one at `fastapi/` with targets `lock-deps`, `wheelhouse-build`, "
                              "`wheelhouse-check`")]
    files = {**CATALOGUE, "fastapi/Makefile": "lock-deps:\n\tx\nwheelhouse-build:\n\tx\nwheelhouse-check:\n\tx\n"}
    assert run_files(tmp_path / "b", files, select="CI") == []


def test_a_root_with_a_project_of_its_own_is_no_catalogue(tmp_path):
    # a compose file at the root makes the repository one project, whatever its sub-folders hold
    files = {**CATALOGUE, "compose.yaml": "services:\n  docs:\n    image: nginx:1.27\n"}
    found = run_files(tmp_path, files, select=("CI003", "CI006"))
    assert [(f.code, f.path) for f in found] == [("CI006", "./"), ("CI003", ".github/workflows/")]

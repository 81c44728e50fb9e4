"""CI002-CI005 judge the builds whose image is pushed, once per build: a copy of one build step in several jobs is
one finding; a build that a job only runs (its registry login pulls a cache) is no release build; an image pushed
only to a registry whose platform runs one architecture (Heroku) needs no other."""

from __future__ import annotations

from tests.helpers import run_files

SERVICE = {"svc/Dockerfile.release": "FROM python:3.12-slim\nCOPY . /srv\nCMD [\"uvicorn\", \"main:app\"]\n"}
CI = ("CI002", "CI003", "CI004", "CI005")
NO_WHEELS = ("image build gets no wheelhouse: no CI job builds one (`pip wheel --wheel-dir wheels -r "
             "requirements.lock.txt` or `make wheelhouse-build`) and hands it over as an artifact")
PER_ARCHITECTURE = ("image build gets no wheelhouse: no CI job builds one per architecture it targets (`amd64`, "
                    "`arm64`: a wheelhouse built on one runner holds that runner's wheels; build one per platform, "
                    "e.g. a job matrix over the platforms running `make wheelhouse-build`, or install from an "
                    "internal package registry) and hands it over as an artifact")
NO_ARGS = "image build does not pass `BUILD_VERSION`, `BUILD_DATE`, `GIT_COMMIT` as build arguments"
NO_TAGS = "image tags lack version, sha (tag with the version, the commit SHA and `latest`)"
ONE_ARCH = ("image build does not target `linux/amd64,linux/arm64` (set `platforms:` on `docker/build-push-action`, "
            "`--platform` on `docker buildx build`, or `build.platforms` in compose)")


def job(name: str, *runs: str, env: str = "") -> str:
    body = "".join(f"      - run: {r}\n" for r in runs)
    return f"  {name}:\n    runs-on: ubuntu-latest\n{env}    steps:\n      - uses: actions/checkout@v4\n{body}"


def workflow(*jobs: str) -> str:
    return "on: push\njobs:\n" + "".join(jobs)


def found(tmp_path, text: str, select=CI):
    out = run_files(tmp_path, {**SERVICE, ".github/workflows/ship.yml": text}, select=select)
    return [(f.code, f.position.line, f.position.column, f.message) for f in out]


BUILD = "docker build -f svc/Dockerfile.release -t ghcr.io/acme/svc:latest svc"
PUSH = "docker push ghcr.io/acme/svc:latest"


def test_one_build_copied_into_several_jobs_is_reported_once(tmp_path):
    text = workflow(job("release", BUILD, PUSH), job("again", BUILD, PUSH), job("once_more", BUILD, PUSH))
    # the jobs start at lines 3, 9 and 15; each build step is their second step (lines 7, 13, 19)
    copies = " (the same build is repeated in job `again` line 13, job `once_more` line 19)"
    assert found(tmp_path, text) == [
        ("CI002", 7, 9, NO_WHEELS),
        ("CI003", 7, 9, NO_ARGS + copies),
        ("CI004", 7, 9, NO_TAGS + copies),
        ("CI005", 7, 9, ONE_ARCH + copies),
    ]


def test_builds_of_other_images_stay_separate_findings(tmp_path):
    other = BUILD.replace("Dockerfile.release", "Dockerfile.worker").replace("svc:latest", "worker:latest")
    files_text = workflow(job("release", BUILD, PUSH), job("worker", other, PUSH.replace("svc:", "worker:")))
    out = found(tmp_path, files_text, select="CI003")
    assert out == [("CI003", 7, 9, NO_ARGS), ("CI003", 13, 9, NO_ARGS)]


def test_a_test_build_whose_job_logs_in_only_to_pull_a_cache_is_not_published(tmp_path):
    login = "echo \"$TOKEN\" | docker login -u bot --password-stdin ghcr.io"
    test = job("test", login, "docker pull ghcr.io/acme/svc:latest || true",
               "docker build --cache-from ghcr.io/acme/svc:latest -f svc/Dockerfile.release -t local/svc:ci svc "
               "&& docker run --rm local/svc:ci pytest")
    assert found(tmp_path, workflow(test)) == []
    # the release job of the same workflow, which pushes, is judged; the test job next to it is not
    text = workflow(test, job("release", login, BUILD.replace("-f", "--platform linux/amd64,linux/arm64 -f"), PUSH))
    assert found(tmp_path / "b", text) == [("CI002", 15, 9, PER_ARCHITECTURE), ("CI003", 15, 9, NO_ARGS),
                                           ("CI004", 15, 9, NO_TAGS)]


def test_a_push_under_another_name_follows_docker_tag(tmp_path):
    text = workflow(job("release", "docker build -f svc/Dockerfile.release -t svc svc",
                        "docker tag svc ghcr.io/acme/svc:$GITHUB_SHA && docker push ghcr.io/acme/svc:$GITHUB_SHA"))
    assert [c for c, *_ in found(tmp_path, text)] == ["CI002", "CI003", "CI004", "CI005"]
    # a push of an image the build does not name publishes nothing of it
    text = workflow(job("release", "docker build -f svc/Dockerfile.release -t svc svc",
                        "docker push ghcr.io/acme/other:latest"))
    assert found(tmp_path / "b", text) == []
    # a push of a name held in a variable may be this build: judged
    text = workflow(job("release", "docker build -f svc/Dockerfile.release -t svc svc", "docker push \"$IMAGE\""))
    assert [c for c, *_ in found(tmp_path / "c", text)] == ["CI002", "CI003", "CI004", "CI005"]


def test_build_push_action_that_only_loads_is_not_published(tmp_path):
    step = ("      - uses: docker/build-push-action@v6\n        with:\n          context: svc\n"
            "          file: svc/Dockerfile.release\n          load: true\n          tags: ghcr.io/acme/svc:ci\n")
    text = ("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/login-action@v3\n"
            f"{step}      - run: docker run --rm ghcr.io/acme/svc:ci pytest\n")
    assert found(tmp_path, text) == []
    pushed = text.replace("pytest\n", "pytest && docker push ghcr.io/acme/svc:ci\n")
    assert [(c, line) for c, line, *_ in found(tmp_path / "b", pushed)] == [
        ("CI002", 7), ("CI003", 7), ("CI004", 7), ("CI005", 7)]


HEROKU_ENV = "    env:\n      HEROKU_IMAGE: registry.heroku.com/some-app/web\n"


def test_an_image_pushed_only_to_heroku_needs_one_architecture(tmp_path):
    text = workflow(job("deploy", "docker build -f svc/Dockerfile.release -t registry.heroku.com/some-app/web svc "
                                  "&& docker push registry.heroku.com/some-app/web"))
    assert found(tmp_path, text) == [("CI002", 7, 9, NO_WHEELS), ("CI003", 7, 9, NO_ARGS),
                                     ("CI004", 7, 9, NO_TAGS.replace("sha", "sha, latest"))]
    # named through the job's `env:`, as an expression or as a shell variable
    for i, ref in enumerate(("${{ env.HEROKU_IMAGE }}:latest", "$HEROKU_IMAGE:latest")):
        text = workflow(job("deploy", f"docker build -f svc/Dockerfile.release -t {ref} svc", f"docker push {ref}",
                            env=HEROKU_ENV))
        assert [c for c, *_ in found(tmp_path / str(i), text)] == ["CI002", "CI003", "CI004"], ref
    # pushed to ghcr as well: other machines pull it, so the advice stays
    both = workflow(job("deploy", "docker build -f svc/Dockerfile.release -t registry.heroku.com/some-app/web "
                                  "-t ghcr.io/acme/svc:latest svc",
                        "docker push registry.heroku.com/some-app/web && docker push ghcr.io/acme/svc:latest"))
    assert [c for c, *_ in found(tmp_path / "both", both)] == ["CI002", "CI003", "CI004", "CI005"]


# a library that releases packages; its one Dockerfile installs the package for `make image` and runs nothing
LIBRARY = {
    "pyproject.toml": "[project]\nname = \"geo-tools\"\nversion = \"1.0\"\ndependencies = [\"fastapi\"]\n",
    "src/geo_tools/__init__.py": "",
    "Dockerfile": "FROM python:3.12-slim\nWORKDIR /srv\nCOPY . /srv\nRUN pip install --no-deps /srv\n",
    "Makefile": "test:\n\tpytest\n\nimage:\n\tdocker build .\n",
    ".github/workflows/release.yml": "on:\n  push:\n    tags: [\"*\"]\njobs:\n  release:\n    runs-on: ubuntu-latest\n"
                                    "    steps:\n      - uses: actions/checkout@v4\n      - run: uv build && uv publish\n",
}


def test_a_library_whose_dockerfile_runs_nothing_is_not_asked_for_image_ci(tmp_path):
    assert run_files(tmp_path, LIBRARY, select=("CI002", "CI003", "CI004", "CI005", "CI006")) == []
    # a command that only starts a shell or the interpreter runs no service either
    shell = {**LIBRARY, "Dockerfile": LIBRARY["Dockerfile"] + "CMD [\"bash\"]\n"}
    assert run_files(tmp_path / "shell", shell, select=("CI003", "CI006")) == []


def test_the_same_dockerfile_is_judged_once_something_runs_it(tmp_path):
    expected = [("CI003", ".github/workflows/", 1, 1, "no CI step builds the image (`docker/build-push-action`, "
                 "`docker buildx build` or `docker compose build` or `up`, directly or through a script, a make target or "
                 "a local action)"),
                ("CI006", "Makefile", 1, 1, "Makefile has no `lock-deps`, `wheelhouse-build`, `wheelhouse-check` "
                                            "targets")]

    def out(name, files):
        found = run_files(tmp_path / name, files, select=("CI003", "CI006"))
        return [(f.code, f.path, f.position.line, f.position.column, f.message) for f in found]

    # its own server command
    served = {**LIBRARY, "Dockerfile": LIBRARY["Dockerfile"] + "CMD [\"uvicorn\", \"geo_tools.app:app\"]\n"}
    assert out("cmd", served) == expected
    # a compose service that builds it
    composed = {**LIBRARY, "compose.yaml": "services:\n  api:\n    build: .\n    command: uvicorn geo_tools.app:app\n"}
    assert out("compose", composed) == expected
    # a base image that brings a command of its own
    based = {**LIBRARY, "Dockerfile": LIBRARY["Dockerfile"].replace("python:3.12-slim",
                                                                     "tiangolo/uvicorn-gunicorn-fastapi:python3.11")}
    assert out("base", based) == expected
    # CI publishes it: its builds are judged (and there is one, so no "CI builds no image")
    published = {**LIBRARY, ".github/workflows/image.yml": "on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n"
                 "    steps:\n      - run: docker build -t ghcr.io/acme/geo:latest . && docker push ghcr.io/acme/geo:latest\n"}
    assert out("published", published) == [("CI003", ".github/workflows/image.yml", 6, 9, NO_ARGS), expected[1]]



def test_a_build_for_several_architectures_is_asked_for_a_wheelhouse_per_architecture(tmp_path):
    # wheels built on the amd64 runner cannot feed the arm64 image: the standard asks for one per architecture
    multi = "docker buildx build --platform linux/amd64,linux/arm64 -f svc/Dockerfile.release -t ghcr.io/acme/svc:1 --push svc"
    assert found(tmp_path / "a", workflow(job("release", multi)), select="CI002") == [
        ("CI002", 7, 9, PER_ARCHITECTURE)]
    one = multi.replace("linux/amd64,linux/arm64", "linux/amd64")
    assert found(tmp_path / "b", workflow(job("release", one)), select="CI002") == [("CI002", 7, 9, NO_WHEELS)]


def test_a_tag_a_release_job_adds_by_promoting_the_pushed_image_counts(tmp_path):
    push = "docker build -f svc/Dockerfile.release -t ghcr.io/acme/svc:${{ github.ref_name }} -t ghcr.io/acme/svc:sha-$SHORT svc " \
           "&& docker push --all-tags ghcr.io/acme/svc"
    promote = "docker buildx imagetools create --tag ghcr.io/acme/svc:latest ghcr.io/acme/svc:sha-$SHORT"
    assert found(tmp_path / "a", workflow(job("build", push)), select="CI004") == [
        ("CI004", 7, 9, "image tags lack latest (tag with the version, the commit SHA and `latest`)")]
    assert found(tmp_path / "b", workflow(job("build", push), job("release", promote)), select="CI004") == []


def test_a_promoted_tag_written_with_an_expression_counts(tmp_path):
    push = "docker build -f svc/Dockerfile.release -t ghcr.io/acme/svc:${{ github.ref_name }} " \
           "-t ghcr.io/acme/svc:sha-${{ github.sha }} svc && docker push --all-tags ghcr.io/acme/svc"
    promote = "docker buildx imagetools create --tag ${{ env.IMAGE }}:latest ${{ env.IMAGE }}:sha-${{ github.sha }}"
    assert found(tmp_path, workflow(job("build", push), job("release", promote)), select="CI004") == []


def test_an_image_a_test_workflow_pushes_is_no_release(tmp_path):
    # a pull request's integration tests push their image to a cache for the next job: no release build
    text = workflow(job("build", BUILD, PUSH))
    for i, name in enumerate(["pr-integration-tests.yml", "e2e.yml", "nightly-tests.yaml"]):
        files = {**SERVICE, f".github/workflows/{name}": text}
        assert run_files(tmp_path / str(i), files, select=("CI002", "CI004", "CI005")) == [], name
    # a workflow that tests and releases is judged
    for i, name in enumerate(["build-test-push.yml", "test-and-deploy.yml", "ci.yml"]):
        files = {**SERVICE, f".github/workflows/{name}": text}
        found = run_files(tmp_path / f"r{i}", files, select=("CI002", "CI004", "CI005"))
        assert [(f.code, f.path, f.position.line, f.position.column) for f in found] == [
            (code, f".github/workflows/{name}", 7, 9) for code in ("CI002", "CI004", "CI005")], name


def test_images_built_apart_and_joined_into_one_manifest_are_multi_arch(tmp_path):
    per_arch = "docker build -f svc/Dockerfile.release -t ghcr.io/acme/svc:1-{a} svc && docker push ghcr.io/acme/svc:1-{a}"
    build = job("build", per_arch.format(a="amd64"))
    joined = workflow(build, job("manifest", "docker buildx imagetools create \\\n            -t ghcr.io/acme/svc:1 "
                                             "\\\n            -t ghcr.io/acme/svc:latest \\\n            "
                                             "ghcr.io/acme/svc:1-amd64 \\\n            ghcr.io/acme/svc:1-arm64"))
    assert [(c, line, col) for c, line, col, _ in found(tmp_path / "joined", joined)] == [
        ("CI002", 7, 9), ("CI003", 7, 9), ("CI004", 7, 9)]
    assert found(tmp_path / "joined", joined)[2][3] == NO_TAGS  # `latest`, on a continued line of the manifest
    with_manifest = workflow(build, job("manifest", "docker manifest create ghcr.io/acme/svc:1 ghcr.io/acme/svc:1-amd64 "
                                                    "ghcr.io/acme/svc:1-arm64"))
    assert "CI005" not in [c for c, *_ in found(tmp_path / "manifest", with_manifest)]
    # the images joined are a list expanded in place
    expanded = workflow(build, job("manifest", "docker buildx imagetools create -t ghcr.io/acme/svc:1 \"${IMAGES[@]}\""))
    assert "CI005" not in [c for c, *_ in found(tmp_path / "expanded", expanded)]
    # promoting one pushed image to another tag joins nothing
    promoted = workflow(build, job("promote", "docker buildx imagetools create --tag ghcr.io/acme/svc:latest "
                                              "ghcr.io/acme/svc:1-amd64"))
    assert ("CI005", 7, 9, ONE_ARCH) in found(tmp_path / "promoted", promoted)


def test_a_build_pushed_by_digest_is_published_under_no_tag_of_its_own(tmp_path):
    # one job per architecture pushes by digest; a later job joins the digests and tags them
    per_arch = ("  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
                "      - uses: docker/build-push-action@v6\n        with:\n          context: svc\n"
                "          file: svc/Dockerfile.release\n          platforms: linux/amd64\n"
                "          outputs: type=image,name=ghcr.io/acme/svc,push-by-digest=true,push=true\n")
    text = "on: push\njobs:\n" + per_arch
    codes = [(c, line, col) for c, line, col, _ in found(tmp_path, text)]
    # judged as a release (wheelhouse, build arguments, architectures); its tags are the joining job's
    assert codes == [("CI002", 7, 9), ("CI003", 7, 9), ("CI005", 7, 9)]


def test_an_image_installed_from_a_hashed_lock_is_not_asked_for_a_wheelhouse(tmp_path):
    uv = {"svc/Dockerfile.release": "FROM python:3.12-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.9.15 /uv /bin/\n"
                                     "COPY . /srv\nWORKDIR /srv\nRUN --mount=type=cache,target=/root/.cache/uv "
                                     "uv sync --locked --no-dev\nCMD [\"uvicorn\", \"main:app\"]\n"}
    text = workflow(job("release", BUILD, PUSH))
    assert [(c, line, col) for c, line, col, _ in found_with(tmp_path, uv, text)] == [
        ("CI003", 7, 9), ("CI004", 7, 9), ("CI005", 7, 9)]
    # UV_LOCKED set in the stage locks `uv sync` as `--locked` does
    env = {"svc/Dockerfile.release": uv["svc/Dockerfile.release"].replace(
        "WORKDIR /srv\n", "WORKDIR /srv\nENV UV_LOCKED=1\n").replace("uv sync --locked", "uv sync")}
    assert "CI002" not in [c for c, *_ in found_with(tmp_path / "env", env, text)]
    # without either, uv may resolve afresh: the wheelhouse advice stays
    loose = {"svc/Dockerfile.release": uv["svc/Dockerfile.release"].replace("uv sync --locked", "uv sync")}
    assert [(c, line, col) for c, line, col, _ in found_with(tmp_path / "b", loose, text)] == [
        ("CI002", 7, 9), ("CI003", 7, 9), ("CI004", 7, 9), ("CI005", 7, 9)]


def found_with(tmp_path, dockerfiles: dict, text: str):
    out = run_files(tmp_path, {**dockerfiles, ".github/workflows/ship.yml": text}, select=CI)
    return [(f.code, f.position.line, f.position.column, f.message) for f in out]

import os

from tests.helpers import described, run_files, triples

ARGS = "ARG BUILD_VERSION\nARG BUILD_DATE\nARG GIT_COMMIT\n"


def test_missing_labels_reported_at_final_from(tmp_path):
    text = "FROM python:3.12-slim AS base\nFROM base\n" + ARGS + "LABEL version=$BUILD_VERSION\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF054")
    assert triples(found) == [("DF054", 2, 1)]
    assert "`build-date`" in found[0].message and "`git-commit`" in found[0].message


def test_label_not_from_argument_or_argument_not_declared(tmp_path):
    text = ("ARG GIT_COMMIT\nFROM python:3.12-slim\nARG BUILD_VERSION\nARG BUILD_DATE\n"
            "LABEL version=1.0 \\\n      build-date=\"${BUILD_DATE}\" git-commit=$GIT_COMMIT\n")
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF054")) == [("DF054", 5, 7), ("DF054", 6, 34)]


def test_labels_from_arguments_and_oci_keys_pass(tmp_path):
    text = ("FROM python:3.12-slim AS base\n" + ARGS + "FROM base\n"
            "LABEL org.opencontainers.image.version=\"${BUILD_VERSION}\" build-date=$BUILD_DATE "
            "org.opencontainers.image.revision=${GIT_COMMIT}\n")
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF054") == []


META_WORKFLOW = """on:
  release:
    types: [published]
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: meta
        uses: docker/metadata-action@v5
        with:
          images: ghcr.io/acme/api
          tags: type=semver,pattern={{version}}
      - uses: docker/build-push-action@v6
        with:
          context: .
          file: ./Dockerfile
          push: true
          tags: ${{ steps.meta.outputs.tags }}
          labels: ${{ steps.meta.outputs.labels }}
          build-args: SOURCE_COMMIT=${{ github.sha }}
"""
SERVICE = ("FROM python:3.12-slim\nARG SOURCE_COMMIT\nLABEL org.opencontainers.image.revision=$SOURCE_COMMIT\n"
           "CMD [\"uvicorn\", \"app.main:app\"]\n")


def test_labels_the_ci_build_applies_count(tmp_path):
    # docker/metadata-action's `labels` output holds org.opencontainers.image.version, .created and .revision, and
    # the build applies them to the image as a LABEL in the final stage would (a build label overrides a LABEL of
    # the same key): the image every CI build publishes is traceable, whatever the Dockerfile writes
    files = {"docker/Dockerfile": SERVICE, ".github/workflows/publish.yml": META_WORKFLOW}
    unlabelled = META_WORKFLOW.replace("          labels: ${{ steps.meta.outputs.labels }}\n", "")
    found = run_files(tmp_path / "a", {**files, ".github/workflows/publish.yml": unlabelled}, select="DF054")
    assert described(found, path=True) == [
        ("docker/Dockerfile", "DF054", 1, 1, "the final stage sets no `version` (from `BUILD_VERSION`), `build-date` "
         "(from `BUILD_DATE`) label"),
        ("docker/Dockerfile", "DF054", 3, 7, "label `git-commit` does not come from the `GIT_COMMIT` build argument")]
    direct = META_WORKFLOW.replace("file: ./Dockerfile", "file: docker/Dockerfile")
    assert run_files(tmp_path / "c", {**files, ".github/workflows/publish.yml": direct}, select="DF054") == []
    # the workflow builds `./Dockerfile`, a link to `docker/Dockerfile`: both names are the one file CI builds
    b = tmp_path / "b"
    b.mkdir()
    os.symlink("docker/Dockerfile", b / "Dockerfile")
    assert run_files(b, files, select="DF054") == []


def test_every_published_build_must_apply_the_labels(tmp_path):
    other = ("  nightly:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build -f Dockerfile "
             "--label org.opencontainers.image.created=$(date -u +%FT%TZ) --label version=nightly "
             "-t acme/api:nightly . && docker push acme/api:nightly\n")
    files = {"Dockerfile": SERVICE, ".github/workflows/publish.yml": META_WORKFLOW + other}
    # `--label` stamps the version and the date; the revision is left to the Dockerfile's LABEL, fed by an ARG
    # of another name than the standard's
    found = run_files(tmp_path, files, select="DF054")
    assert described(found) == [("DF054", 3, 7, "label `git-commit` does not come from the `GIT_COMMIT` build "
                                                 "argument")]
    # a build that only feeds the tests publishes nothing: it is not asked to label
    files[".github/workflows/publish.yml"] = META_WORKFLOW + other.replace(" && docker push acme/api:nightly", "")
    assert run_files(tmp_path / "b", files, select="DF054") == []

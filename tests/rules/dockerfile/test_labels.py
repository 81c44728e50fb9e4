from tests.helpers import run_files, triples

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

from tests.helpers import run_files, triples

DIGEST = "@sha256:" + "a" * 64


def run(tmp_path, text, code):
    return run_files(tmp_path, {"Dockerfile": text}, select=code)


# ---------------------------------------------------------------- DF003 official minimal
def test_full_python_image_in_final_stage(tmp_path):
    found = run(tmp_path, "FROM python:3.12-slim AS builder\nFROM python:3.11-bookworm AS production\n", "DF003")
    assert triples(found) == [("DF003", 2, 6)]
    assert "python:3.11-slim" in found[0].message


def test_unknown_image_in_final_stage(tmp_path):
    found = run(tmp_path, "FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11\n", "DF003")
    assert triples(found) == [("DF003", 1, 6)]
    assert "not the official minimal Python image" in found[0].message


def test_final_stage_judged_through_its_stage_chain_and_production(tmp_path):
    # `production` is judged through its chain down to `python:3.12`; the final `tools` stage has no Python,
    # so the official-Python-image advice does not fit it
    text = ("FROM python:3.12 AS base\nFROM base AS production\nRUN true\n"
            "FROM ubuntu:22.04 AS tools\n")
    assert triples(run(tmp_path, text, "DF003")) == [("DF003", 1, 6)]
    with_python = text + "RUN apt-get install -y python3\n"
    assert triples(run(tmp_path / "b", with_python, "DF003")) == [("DF003", 1, 6), ("DF003", 4, 6)]


def test_arg_resolved_and_platform_flag(tmp_path):
    text = "ARG PY=3.12\nFROM --platform=$BUILDPLATFORM python:${PY} AS b\n"
    found = run(tmp_path, text, "DF003")
    assert triples(found) == [("DF003", 2, 32)]
    assert "`python:3.12`" in found[0].message


def test_minimal_images_pass(tmp_path):
    for i, image in enumerate(("python:3.12-slim", "python:3.12-slim-bookworm", "python:3.12-alpine3.19",
                               "docker.io/library/python:3.12-slim" + DIGEST, "library/python:3.11-alpine")):
        assert run(tmp_path / str(i), f"FROM {image}\n", "DF003") == [], image


def test_builder_may_use_a_full_image_and_scratch_is_ignored(tmp_path):
    text = "FROM python:3.12 AS builder\nRUN true\nFROM python:3.12-slim AS production\n"
    assert run(tmp_path / "a", text, "DF003") == []
    assert run(tmp_path / "b", "FROM scratch\n", "DF003") == []


# ---------------------------------------------------------------- DF004 tag
def test_untagged_latest_and_versionless(tmp_path):
    text = "FROM python AS a\nFROM python:latest AS b\nfrom python:slim as c\nFROM a\nFROM scratch\n"
    found = run(tmp_path, text, "DF004")
    assert triples(found) == [("DF004", 1, 6), ("DF004", 2, 13), ("DF004", 3, 13)]
    assert found[1].message == ("base image `python:latest` uses the `latest` tag; pin a version such as "
                                "`python:3.12-slim`")


def test_arg_defined_tags(tmp_path):
    text = ("ARG TAG=latest\nARG BASE\nARG GOOD=3.12-slim\n"
            "FROM python:${TAG} AS a\nFROM $BASE AS b\nFROM python:$GOOD AS c\n")
    found = run(tmp_path, text, "DF004")
    assert triples(found) == [("DF004", 4, 13), ("DF004", 5, 6)]
    assert "resolves to `python:latest`" in found[0].message
    assert "`BASE`" in found[1].message


def test_platform_flag_and_stage_reference(tmp_path):
    text = "FROM --platform=$BUILDPLATFORM python AS b\nFROM b AS production\n"
    assert triples(run(tmp_path, text, "DF004")) == [("DF004", 1, 32)]


def test_registry_port_is_not_a_tag(tmp_path):
    text = "FROM registry.example.com:5000/team/python\n"
    found = run(tmp_path, text, "DF004")
    assert triples(found) == [("DF004", 1, 6)]
    assert "has no tag" in found[0].message


def test_tag_on_a_continuation_line(tmp_path):
    text = "FROM \\\n  python:latest \\\n  AS b\n"
    assert triples(run(tmp_path, text, "DF004")) == [("DF004", 2, 10)]


def test_tagged_and_digest_only_pass(tmp_path):
    text = f"FROM python:3.12-slim AS a\nFROM python{DIGEST} AS b\nFROM node:20-alpine AS c\nFROM a\n"
    assert run(tmp_path, text, "DF004") == []


def test_release_codenames_are_versions_of_the_distribution_images(tmp_path):
    text = ("FROM debian:bookworm-slim AS a\nFROM buildpack-deps:trixie AS b\nFROM ubuntu:noble AS c\n"
            "FROM ubuntu:jammy AS d\nFROM docker.io/library/debian:bullseye AS e\nFROM alpine:3.20 AS f\n"
            "FROM python:3.12-slim-bookworm AS g\nFROM buildpack-deps:bookworm-scm AS h\n"
            "FROM python:alpine3.20 AS i\n")
    assert run(tmp_path, text, "DF004") == []


def test_moving_words_and_codenames_of_other_images(tmp_path):
    text = ("FROM debian:stable-slim AS a\nFROM debian:sid AS b\nFROM ubuntu:rolling AS c\n"
            "FROM node:lts-bookworm-slim AS d\nFROM alpine:edge AS e\nFROM nginx:alpine AS f\n"
            "FROM node:current AS g\nFROM python:slim-bookworm AS h\nFROM rust:buster AS i\n")
    found = run(tmp_path, text, "DF004")
    assert triples(found) == [("DF004", 1, 13), ("DF004", 2, 13), ("DF004", 3, 13), ("DF004", 4, 11),
                              ("DF004", 5, 13), ("DF004", 6, 12), ("DF004", 7, 11), ("DF004", 8, 13),
                              ("DF004", 9, 11)]
    assert found[0].message == ("base image `debian:stable-slim` uses the tag `stable-slim`, which names no "
                                "version and moves with every release; pin a specific version tag")
    assert found[7].message == ("base image `python:slim-bookworm` uses the tag `slim-bookworm`, which names the "
                                "distribution release (`bookworm`) but no version of `python` and moves with "
                                "every `python` release; pin a version such as `python:3.12-slim`")


# ---------------------------------------------------------------- DF005 digest
def test_tag_without_digest(tmp_path):
    text = "FROM python:3.12-slim AS builder\nFROM builder\nFROM scratch\n"
    found = run(tmp_path, text, "DF005")
    assert triples(found) == [("DF005", 1, 6)]
    assert found[0].severity.label == "warning"


def test_digest_via_arg_default_passes(tmp_path):
    text = f"ARG IMAGE=python:3.12-slim{DIGEST}\nFROM ${{IMAGE}}\n"
    assert run(tmp_path, text, "DF005") == []


def test_escape_backtick_lowercase(tmp_path):
    text = "# escape=`\nfrom `\n  python:3.12-slim as b\n"
    assert triples(run(tmp_path, text, "DF005")) == [("DF005", 3, 3)]


def test_an_add_on_to_the_project_s_own_image(tmp_path):
    # CI builds and pushes `acme/app`, then an add-on image FROM it, tagged by the release
    app = ("FROM python:3.12-slim\nCOPY . /app\nCMD [\"uvicorn\", \"app.main:app\"]\n")
    addon = ("ARG APP_TAG=latest\nFROM acme/app:${APP_TAG}\nRUN pip install --no-cache-dir boltz-client==2.1.0\n"
             "CMD [\"uvicorn\", \"app.main:app\"]\n")
    workflow = ("on: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - uses: docker/build-push-action@v6\n        with:\n          push: true\n"
                "          tags: acme/app:${{ github.ref_name }}\n"
                "      - uses: docker/build-push-action@v6\n        with:\n          push: true\n"
                "          context: docker/addon\n          build-args: APP_TAG=${{ github.ref_name }}\n"
                "          tags: acme/app-addon:${{ github.ref_name }}\n")
    files = {"Dockerfile": app, "docker/addon/Dockerfile": addon, ".github/workflows/release.yml": workflow,
             "requirements.txt": "fastapi==0.115.0\n"}
    codes = ("DF003", "DF004", "DF005", "DF013", "DF014", "DF016", "DF043", "DF054")
    found = run_files(tmp_path, files, select=codes)
    # the add-on's base, tag and digest are the release's; its stages, health check, labels and scan the base's
    assert [f.code for f in found if f.path == "docker/addon/Dockerfile"] == []
    assert [(f.code, f.position.line, f.position.column) for f in found if f.path == "Dockerfile"] == [
        ("DF013", 1, 1), ("DF014", 1, 1), ("DF016", 1, 1), ("DF043", 1, 1), ("DF054", 1, 1), ("DF005", 1, 6)]
    # nor is its CI build asked for the arguments of the labels it inherits (CI003); the base's build is
    ci = run_files(tmp_path / "ci", files, select="CI003")
    assert [(f.path, f.position.line, f.position.column) for f in ci] == [(".github/workflows/release.yml", 6, 9)]
    # the same add-on on an image nobody here builds is judged in full
    files[".github/workflows/release.yml"] = workflow.replace("tags: acme/app:", "tags: acme/other:")
    found = run_files(tmp_path / "b", files, select=codes)
    assert [(f.code, f.position.line, f.position.column) for f in found if f.path == "docker/addon/Dockerfile"] == [
        ("DF013", 2, 1), ("DF014", 2, 1), ("DF016", 2, 1), ("DF043", 2, 1), ("DF054", 2, 1), ("DF003", 2, 6),
        ("DF005", 2, 6), ("DF004", 2, 15)]

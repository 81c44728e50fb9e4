from dockyard.fix import apply_edits
from tests.helpers import run_files, triples

GOOD = ("FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
        "    curl \\\n    git \\\n    && rm -rf /var/lib/apt/lists/*\n")


def fixed(text, finding):
    return apply_edits(text, list(finding.fix.edits))


def test_good_apt_run_passes_hygiene(tmp_path):
    assert run_files(tmp_path, {"Dockerfile": GOOD}, select=("DF046", "DF047", "DF048", "DF049")) == []


def test_update_and_install_in_separate_runs(tmp_path):
    text = "FROM python:3.12-slim\nRUN apt-get update\nRUN apt-get -q install -y --no-install-recommends curl\n"
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF046")) == [("DF046", 2, 13), ("DF046", 3, 16)]


def test_install_without_yes_is_fixed(tmp_path):
    text = ("FROM python:3.12-slim\nRUN apt-get update && \\\n    apt-get install --no-install-recommends curl \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n")
    (f,) = run_files(tmp_path, {"Dockerfile": text}, select="DF047")
    assert triples([f]) == [("DF047", 3, 13)]
    assert fixed(text, f).splitlines()[2] == "    apt-get install -y --no-install-recommends curl \\"


def test_quiet_twice_implies_yes(tmp_path):
    text = "FROM python:3.12-slim\nRUN apt-get update && apt-get -qq install --no-install-recommends curl\n"
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF047") == []


def test_install_recommends_unsafe_fix(tmp_path):
    text = "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
    (f,) = run_files(tmp_path, {"Dockerfile": text}, select="DF048")
    assert triples([f]) == [("DF048", 2, 31)]
    assert f.fix.applicability.value == "unsafe"
    assert "apt-get install --no-install-recommends -y curl" in fixed(text, f)


def test_lists_left_behind_and_fix(tmp_path):
    text = "FROM python:3.12-slim\nRUN apt-get update \\\n    && apt-get install -y --no-install-recommends curl\n"
    (f,) = run_files(tmp_path, {"Dockerfile": text}, select="DF049")
    assert triples([f]) == [("DF049", 2, 1)]
    assert fixed(text, f) == (text[:-1] + " \\\n    && rm -rf /var/lib/apt/lists/*\n")


def test_cache_mount_replaces_cleanup_and_apk_no_cache(tmp_path):
    text = ("# syntax=docker/dockerfile:1\nFROM python:3.12-slim\n"
            "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
            "    --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
            "    apt-get update && apt-get install -y --no-install-recommends curl\n")
    assert run_files(tmp_path / "a", {"Dockerfile": text}, select=("DF049", "DF050")) == []
    apk = "FROM python:3.12-alpine\nRUN apk add curl\nRUN apk add --no-cache git\n"
    assert triples(run_files(tmp_path / "b", {"Dockerfile": apk}, select="DF049")) == [("DF049", 2, 9)]


def test_cache_mounts_missing_or_not_locked(tmp_path):
    text = ("FROM python:3.12-slim\nRUN --mount=type=cache,target=/var/cache/apt "
            "--mount=type=cache,target=/var/lib/apt,sharing=locked apt-get update && apt-get install -y x\n"
            "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y y\n")
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF050")) == [("DF050", 2, 5), ("DF050", 4, 1)]

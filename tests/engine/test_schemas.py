"""The vendored schemas' validators: compiled by fastjsonschema once, cached on disk, run without it."""

from __future__ import annotations

import pytest

from dockyard import schemas


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKYARD_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(schemas, "_VALIDATORS", {})
    return tmp_path


def test_a_violation_has_compose_words_and_a_path_whether_compiled_or_cached(cache):
    document = {"services": {"web": {"image": "nginx", "ports": 8080}}}
    compiled = schemas.first_error("compose-go-spec", document)
    schemas._VALIDATORS.clear()
    cached = schemas.first_error("compose-go-spec", document)
    assert compiled == cached == ("data.services.web.ports must be array", ["services", "web", "ports"])
    assert schemas.first_error("compose-go-spec", {"services": {"web": {"image": "nginx"}}}) is None


def test_the_cache_holds_one_file_per_schema_and_definition(cache):
    stale = [cache / "schema_compose_go_spec_0ld.bin", cache / "schema_github_workflows_normalJob_0ld.bin"]
    for path in stale:
        path.write_bytes(b"not a code object")
    schemas.validator("compose-go-spec")
    schemas.validator("github-workflows", "normalJob")
    schemas.validator("github-workflows")
    names = sorted(p.name.rsplit("_", 1)[0] for p in cache.iterdir())
    assert names == ["schema_compose_go_spec", "schema_github_workflows", "schema_github_workflows_normalJob"]


def test_a_corrupt_cache_file_is_compiled_again(cache):
    schemas.validator("compose-go-spec")
    (entry,) = cache.iterdir()
    entry.write_bytes(b"\x00garbage")
    schemas._VALIDATORS.clear()
    assert schemas.first_error("compose-go-spec", {"services": {"web": {"image": 1}}})[1] == ["services", "web",
                                                                                               "image"]

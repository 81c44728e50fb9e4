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


def test_the_cache_keeps_the_newest_three_entries_of_each_schema_and_definition(cache):
    import os

    for age, name in enumerate(["compose_go_spec", "github_workflows_normalJob"]):
        for i in range(4):
            stale = cache / f"schema_{name}_0ld{i}.bin"
            stale.write_bytes(b"not a code object")
            os.utime(stale, ns=(10**18 + i, 10**18 + i))
    schemas.validator("compose-go-spec")
    schemas.validator("github-workflows", "normalJob")
    schemas.validator("github-workflows")
    names = sorted(p.name for p in cache.iterdir())
    assert [n for n in names if "0ld" in n] == ["schema_compose_go_spec_0ld2.bin", "schema_compose_go_spec_0ld3.bin",
                                                 "schema_github_workflows_normalJob_0ld2.bin",
                                                 "schema_github_workflows_normalJob_0ld3.bin"]
    assert len(names) == 7  # and one new entry per schema and definition


def test_two_installs_of_one_schema_share_one_cache_entry(cache, tmp_path, monkeypatch):
    import os
    import shutil

    original = schemas.schema_path("compose-go-spec")
    copy = tmp_path / "elsewhere" / "compose-spec.json"
    copy.parent.mkdir()
    shutil.copyfile(original, copy)
    os.utime(copy, ns=(1, 1))  # installed at another time, in another place
    schemas.validator("compose-go-spec")
    first = sorted(p.name for p in cache.iterdir() if p.suffix == ".bin")
    schemas._VALIDATORS.clear()
    monkeypatch.setattr(schemas, "schema_path", lambda name: copy)
    schemas.validator("compose-go-spec")
    assert sorted(p.name for p in cache.iterdir() if p.suffix == ".bin") == first and len(first) == 1


def test_a_corrupt_cache_file_is_compiled_again(cache):
    schemas.validator("compose-go-spec")
    (entry,) = cache.iterdir()
    entry.write_bytes(b"\x00garbage")
    schemas._VALIDATORS.clear()
    assert schemas.first_error("compose-go-spec", {"services": {"web": {"image": 1}}})[1] == ["services", "web",
                                                                                               "image"]

"""Compiled patterns kept across runs (dockyard.regex.preload / remember): the rebuilt patterns are the ones `re`
compiles, only fixed patterns are written (never anything read from a repository), and a store that does not fit
is ignored."""

from __future__ import annotations

import importlib
import marshal
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import dockyard
from dockyard import regex

SECRET = "Zq8vR2mW9xKp4LtN7yB3"


def _store(cache: Path) -> Path:
    stores = list(cache.glob("regex_*.bin"))
    assert len(stores) == 1, stores
    return stores[0]


def _console(cwd: Path, cache: Path, *argv: str) -> subprocess.CompletedProcess:
    script = f"import sys\nsys.argv = ['dockyard', *{list(argv)!r}]\nfrom dockyard.cli import entry\nentry()\n"
    return subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "DOCKYARD_CACHE_DIR": str(cache)})


def _lazy_patterns():
    for info in pkgutil.walk_packages(dockyard.__path__, "dockyard."):
        if ".scaffold.template" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, regex.LazyPattern):
                yield info.name, value._source


def test_every_fixed_pattern_of_dockyard_is_rebuilt_equal_to_what_re_compiles():
    seen = 0
    for module, (pattern, flags) in _lazy_patterns():
        compiled = re.compile(pattern, flags)
        entry = regex._entry(pattern, int(flags), compiled)
        assert entry is not None, (module, pattern)
        rebuilt = __import__("_sre").compile(pattern, *entry)
        assert rebuilt == compiled and rebuilt.groupindex == compiled.groupindex, (module, pattern)
        seen += 1
    assert seen > 80


def test_an_entry_that_would_rebuild_another_pattern_is_refused():
    assert regex._entry("a+", 0, re.compile("b+")) is None
    assert regex._entry("a+", 0, re.compile("a+", re.IGNORECASE)) is None


def test_a_second_run_takes_its_patterns_from_the_store_and_they_equal_compiled_ones(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nCMD [\"python\", \"-m\", \"app\"]\n")
    cache = tmp_path / "cache"
    first = _console(tmp_path, cache, "check", ".")
    assert first.returncode == 1, first.stderr
    version, entries = marshal.loads(_store(cache).read_bytes())
    assert version == sys.version and len(entries) > 20
    probe = ("import re, sys\nfrom dockyard import regex\nn = regex.preload()\n"
             "got = {(p, f): re._cache[(str, p, f)] for (p, f) in regex._loaded}\nre.purge()\n"
             "bad = [p for (p, f), pattern in got.items() if pattern != re.compile(p, f)]\n"
             "print(n, len(bad))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         env={**os.environ, "DOCKYARD_CACHE_DIR": str(cache)}).stdout.split()
    assert out == [str(len(entries)), "0"]
    second = _console(tmp_path, cache, "check", ".")
    assert second.stdout == first.stdout and second.returncode == first.returncode


def test_nothing_read_from_the_repository_is_written_to_the_store(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\nCOPY . .\nCMD [\"python\", \"-m\", \"app\"]\n")
    (tmp_path / ".dockerignore").write_text("qq_unusual_folder_*/\n*.zzlog\n")
    (tmp_path / ".env").write_text(f"API_TOKEN={SECRET}\n")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    build: .\n    env_file: .env\n    environment:\n"
        f"      PASSWORD: {SECRET}\n")
    cache = tmp_path / "cache"
    for argv in (["check", "."], ["env", "render", "--show-secrets"], ["env", "check"]):
        _console(tmp_path, cache, *argv)
    data = _store(cache).read_bytes()
    assert SECRET.encode() not in data
    assert b"qq_unusual_folder" not in data and b"zzlog" not in data
    _, entries = marshal.loads(data)
    assert all(SECRET not in pattern for pattern, _ in entries)


@pytest.mark.parametrize("content", [b"not marshal at all", marshal.dumps(("2.7.18 (another build)", {})),
                                     marshal.dumps({("a", 0): "not an entry"})])
def test_a_store_that_does_not_fit_is_ignored_and_replaced(tmp_path, content):
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\n")
    cache = tmp_path / "cache"
    cache.mkdir()
    first = _console(tmp_path, cache, "check", ".")
    _store(cache).write_bytes(content)
    again = _console(tmp_path, cache, "check", ".")
    assert (again.returncode, again.stdout, again.stderr) == (first.returncode, first.stdout, first.stderr)
    version, entries = marshal.loads(_store(cache).read_bytes())
    assert version == sys.version and entries


def test_an_unwritable_cache_leaves_the_run_as_it_was(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM python:3.12-slim\n")
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder would be\n")
    run = _console(tmp_path, blocker, "check", ".")
    assert run.returncode == 1 and "Dockerfile" in run.stdout and run.stderr == ""


def test_noting_notes_only_what_its_call_compiles():
    before = set(regex._static)
    pattern = "noted-only-here-[0-9]+"
    re.purge()
    regex.noting(re.compile, pattern)
    re.compile("compiled-outside-[0-9]+")
    added = regex._static - before
    assert added == {(pattern, 0)}
    regex._static.discard((pattern, 0))

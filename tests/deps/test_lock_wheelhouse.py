"""deps lock (uv pip compile) and deps wheelhouse (pip wheel) against the real index."""

from __future__ import annotations

import re
import textwrap


from dockyard.parsers.requirements import parse_requirements
from tests.deps.helpers import run_dockyard

def needs_resolver(func):  # uv is a dependency of dockyard: its absence is a broken install, not a skip
    return func


@needs_resolver
def test_lock_pins_every_package(tmp_path):
    (tmp_path / "requirements.in").write_text("idna<3.8\nsix\n")
    proc = run_dockyard("deps", "lock", "--python", "3.12", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lock = (tmp_path / "requirements.lock.txt").read_text()
    rf = parse_requirements(lock, "requirements.lock.txt")
    assert rf.errors == ()
    assert [e.key for e in rf.entries] == ["idna", "six"]
    assert all(e.specifier == f"=={e.pinned_version}" for e in rf.entries)
    assert rf.entries[0].pinned_version.startswith("3.")
    assert not any(e.hashes for e in rf.entries)
    assert "dockyard deps lock" in lock
    assert not list(tmp_path.glob("*.tmp"))  # the temporary file was renamed, not left behind


@needs_resolver
def test_lock_with_hashes_from_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent("""\
        [project]
        name = "svc"
        version = "0.1.0"
        dependencies = ["six==1.16.0"]
    """))
    proc = run_dockyard("deps", "lock", "--hashes", "--output", "locked.txt", "--python", "3.12", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    rf = parse_requirements((tmp_path / "locked.txt").read_text(), "locked.txt")
    (six,) = rf.entries
    assert (six.name, six.pinned_version) == ("six", "1.16.0")
    assert six.hashes and all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in six.hashes)
    assert "--hash=sha256:" in (tmp_path / "locked.txt").read_text()


def test_lock_without_input_is_a_usage_error(tmp_path):
    proc = run_dockyard("deps", "lock", cwd=tmp_path)
    assert proc.returncode == 2
    assert "no requirements.in or pyproject.toml" in proc.stderr
    proc = run_dockyard("deps", "lock", "--input", "nope.in", cwd=tmp_path)
    assert proc.returncode == 2
    assert "nope.in not found" in proc.stderr
    (tmp_path / "pyproject.toml").write_text("[tool.x]\n")
    proc = run_dockyard("deps", "lock", cwd=tmp_path)
    assert proc.returncode == 2
    assert "no [project] table" in proc.stderr
    assert not (tmp_path / "requirements.lock.txt").exists()


@needs_resolver
def test_unresolvable_input_fails_and_keeps_the_old_lock(tmp_path):
    (tmp_path / "requirements.in").write_text("six==0.0.0.999\n")
    (tmp_path / "requirements.lock.txt").write_text("six==1.16.0\n")
    proc = run_dockyard("deps", "lock", cwd=tmp_path)
    assert proc.returncode == 1
    assert (tmp_path / "requirements.lock.txt").read_text() == "six==1.16.0\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["requirements.in", "requirements.lock.txt"]


def test_wheelhouse_builds_wheels_with_progress(tmp_path):
    (tmp_path / "requirements.lock.txt").write_text("six==1.16.0\n")
    proc = run_dockyard("deps", "wheelhouse", "--dir", "wh", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in (tmp_path / "wh").iterdir()] == ["six-1.16.0-py2.py3-none-any.whl"]
    assert "[0/1] collecting six==1.16.0" in proc.stderr
    assert "[1/1] saved six-1.16.0-py2.py3-none-any.whl" in proc.stderr
    assert proc.stdout.startswith("1 wheels in ")


def test_wheelhouse_builds_an_sdist_and_names_a_failing_package(tmp_path):
    # a local source tree that builds, and one whose build fails
    good = tmp_path / "goodpkg"
    good.mkdir()
    (good / "setup.py").write_text("from setuptools import setup\nsetup(name='goodpkg', version='1.0')\n")
    bad = tmp_path / "badpkg"
    bad.mkdir()
    (bad / "setup.py").write_text("raise SystemExit('this package cannot be built')\n")
    (tmp_path / "requirements.lock.txt").write_text("./goodpkg\n")
    proc = run_dockyard("deps", "wheelhouse", "--dir", "wh", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "building goodpkg from source" in proc.stderr
    assert [p.name for p in (tmp_path / "wh").iterdir()] == ["goodpkg-1.0-py3-none-any.whl"]

    (tmp_path / "requirements.lock.txt").write_text("six==1.16.0\n./badpkg\n")
    proc = run_dockyard("deps", "wheelhouse", "--dir", "wh2", cwd=tmp_path)
    assert proc.returncode == 1
    assert "wheelhouse build failed at package badpkg" in proc.stderr

    # a C extension whose compilation fails
    broken = tmp_path / "cext"
    broken.mkdir()
    (broken / "setup.py").write_text(
        "from setuptools import Extension, setup\n"
        "setup(name='cext', version='1.0', ext_modules=[Extension('cext._x', ['missing.c'])])\n"
    )
    (tmp_path / "requirements.lock.txt").write_text("./cext\n")
    proc = run_dockyard("deps", "wheelhouse", "--dir", "wh3", cwd=tmp_path)
    assert proc.returncode == 1
    assert "building cext from source" in proc.stderr
    assert "wheelhouse build failed at package cext" in proc.stderr


def test_wheelhouse_missing_distribution_is_named(tmp_path):
    (tmp_path / "requirements.lock.txt").write_text("six==1.16.0\nsix==0.0.0.999\n")
    proc = run_dockyard("deps", "wheelhouse", "--dir", "wh", cwd=tmp_path)
    assert proc.returncode == 1
    assert "wheelhouse build failed at package six" in proc.stderr


def test_wheelhouse_without_lock_is_a_usage_error(tmp_path):
    proc = run_dockyard("deps", "wheelhouse", cwd=tmp_path)
    assert proc.returncode == 2
    assert "lock file" in proc.stderr and "not found" in proc.stderr


def test_an_unreachable_index_is_exit_2_in_every_job(tmp_path, monkeypatch):
    import socket

    with socket.socket() as s:  # a port nothing listens on: the connection is refused, no network is used
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")
    monkeypatch.setenv("PIP_RETRIES", "0")
    requirements = f"--index-url http://user:secret@127.0.0.1:{port}/simple\nsix==1.16.0\n"
    (tmp_path / "requirements.in").write_text(requirements)
    (tmp_path / "requirements.lock.txt").write_text(requirements)
    expected = f"dockyard: error: cannot reach http://user:****@127.0.0.1:{port}/simple"
    for job in (["lock", "--output", "new.lock.txt"], ["wheelhouse", "--dir", "wh"],
                ["wheels-check", "--timeout", "5"]):
        proc = run_dockyard("deps", *job, cwd=tmp_path, isolated=True)
        assert proc.returncode == 2, (job, proc.stderr)
        assert expected in proc.stderr, (job, proc.stderr)
        assert "secret" not in proc.stderr + proc.stdout
    assert not (tmp_path / "new.lock.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["requirements.in", "requirements.lock.txt", "wh"]

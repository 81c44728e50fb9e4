"""A check's report replayed while nothing it read has changed (dockyard.runcache): a second run with the same
command line, folder and environment prints the kept report without checking, and any change to what the first
run read, listed or looked for makes the next run check afresh. Reports that go elsewhere, runs that wrote to
stderr and files changed too recently to tell are never kept, and the cache holds no value of the
environment."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dockyard import runcache

DOCKERFILE = "FROM python:3.12-slim\nRUN pip install flask\nCMD [\"python\", \"app.py\"]\n"
MARK = "REPLAYED FROM THE CACHE\n"


def _run(cwd: Path, cache: Path, *argv: str, racy_ns: int = 0, env: dict | None = None):
    """The console script's ``entry``, in a new process; ``racy_ns`` 0 keeps reports of files written just now
    (each test gives every file it changes a new modification time of its own)."""
    script = ("import sys\nfrom dockyard import runcache\n"
              f"runcache.RACY_NS = {racy_ns}\nsys.argv = ['dockyard', *{list(argv)!r}]\n"
              "from dockyard.cli import entry\nentry()\n")
    environ = {k: v for k, v in os.environ.items() if k != "DOCKYARD_NO_CACHE"}
    environ.update({"DOCKYARD_CACHE_DIR": str(cache), **(env or {})})
    return subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, env=environ)


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "check").glob("*.bin")) if (cache / "check").is_dir() else []


def _mark(cache: Path) -> None:
    """Replace every kept report by MARK: a run that prints it replayed, one that does not checked."""
    for entry in _entries(cache):
        fmt, watched, _out, code = marshal.loads(entry.read_bytes())
        entry.write_bytes(marshal.dumps((fmt, watched, MARK, code)))


def _touch(path: Path, text: str | None = None) -> None:
    """Write ``text`` (when given) and give the file a modification time no earlier run saw."""
    if text is not None:
        path.write_text(text)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 7_000_000_000))


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "repo"
    (root / "api").mkdir(parents=True)
    (root / "Dockerfile").write_text(DOCKERFILE)
    (root / "api" / "main.py").write_text("from fastapi import FastAPI\napp = FastAPI()\n")
    return root, tmp_path / "cache"


def test_a_second_run_replays_the_first_report_and_exit_code(tree):
    root, cache = tree
    first = _run(root, cache, "check", ".")
    assert first.returncode == 1 and "DF040" in first.stdout and first.stderr == ""
    assert len(_entries(cache)) == 1
    second = _run(root, cache, "check", ".")
    assert (second.returncode, second.stdout, second.stderr) == (1, first.stdout, "")
    _mark(cache)
    third = _run(root, cache, "check", ".")
    assert (third.returncode, third.stdout) == (1, MARK)


def _add_compose(root: Path) -> None:
    (root / "compose.yaml").write_text("services:\n  web:\n    build: .\n")


def _edit_dockerfile(root: Path) -> None:
    _touch(root / "Dockerfile", DOCKERFILE.replace("flask", "httpx"))  # the same size, other content


def _add_config_above(root: Path) -> None:
    (root / "pyproject.toml").write_text("[tool.dockyard]\nignore = [\"DF040\"]\n")


def _remove_python(root: Path) -> None:
    (root / "api" / "main.py").unlink()


def _add_dockerfile_below(root: Path) -> None:
    (root / "api" / "Dockerfile").write_text(DOCKERFILE)


def _link_dockerfile(root: Path) -> None:
    (root / "other.Dockerfile").write_text(DOCKERFILE.replace("3.12-slim", "3.11"))
    (root / "Dockerfile").unlink()
    (root / "Dockerfile").symlink_to("other.Dockerfile")


@pytest.mark.parametrize("change", [_add_compose, _edit_dockerfile, _add_config_above, _remove_python,
                                    _add_dockerfile_below, _link_dockerfile])
def test_any_change_to_what_the_run_read_or_looked_for_is_checked_afresh(tree, change):
    root, cache = tree
    assert _run(root, cache, "check", ".").returncode == 1
    _mark(cache)
    assert _run(root, cache, "check", ".").stdout == MARK
    change(root)
    fresh = _run(root, cache, "check", ".", "--no-cache")
    again = _run(root, cache, "check", ".")
    assert MARK not in again.stdout
    assert (again.returncode, again.stdout) == (fresh.returncode, fresh.stdout)


def test_the_environment_is_part_of_the_key(tree):
    root, cache = tree
    (root / "compose.yaml").write_text("services:\n  web:\n    build: .\n    image: app:${TAG}\n")
    _run(root, cache, "check", ".", env={"TAG": "1"})
    _mark(cache)
    assert _run(root, cache, "check", ".", env={"TAG": "1"}).stdout == MARK
    assert MARK not in _run(root, cache, "check", ".", env={"TAG": "2"}).stdout
    assert MARK not in _run(root, cache, "check", ".", "--format", "json", env={"TAG": "1"}).stdout


def test_the_cache_holds_no_value_of_the_environment(tree):
    root, cache = tree
    secret = "Zq8vR2mW9xKp4LtN7yB3"
    _run(root, cache, "check", ".", env={"API_TOKEN": secret})
    [entry] = _entries(cache)
    assert secret.encode() not in entry.read_bytes()


@pytest.mark.parametrize("argv, env", [
    (("check", ".", "--no-cache"), {}),
    (("check", ".", "--output", "report.txt"), {}),
    (("check", ".", "--write-baseline", "baseline.json"), {}),
    (("check", ".", "--select", "NOPE"), {}),  # a usage error, on stderr
    (("check", "."), {"DOCKYARD_NO_CACHE": "1"}),
    (("rules",), {}),
])
def test_reports_that_go_elsewhere_and_failed_runs_are_never_kept(tree, argv, env):
    root, cache = tree
    _run(root, cache, *argv, env=env)
    assert _entries(cache) == []


def test_a_file_changed_within_the_racy_window_is_not_trusted(tree):
    root, cache = tree
    (root / "Dockerfile").write_text(DOCKERFILE)  # just now: a later write in the same clock tick could hide
    _run(root, cache, "check", ".", racy_ns=runcache.RACY_NS)
    assert _entries(cache) == []


def test_a_damaged_entry_is_ignored(tree):
    root, cache = tree
    first = _run(root, cache, "check", ".")
    [entry] = _entries(cache)
    entry.write_bytes(b"\x00not marshal")
    again = _run(root, cache, "check", ".")
    assert (again.returncode, again.stdout) == (first.returncode, first.stdout)


def test_only_a_check_is_replayed(monkeypatch):
    monkeypatch.delenv("DOCKYARD_NO_CACHE", raising=False)
    assert runcache.wanted(["check", "."])
    assert runcache.wanted(["check", "--format", "json"])
    assert not runcache.wanted(["fix", "."])
    assert not runcache.wanted(["env", "render"])
    assert not runcache.wanted(["check", "--no-cache"])
    monkeypatch.setenv("DOCKYARD_NO_CACHE", "1")
    assert not runcache.wanted(["check", "."])


def test_a_replay_imports_nothing_of_the_checker(tree):
    root, cache = tree
    _run(root, cache, "check", ".")
    script = ("import io, json, sys\nfrom dockyard import cli, runcache\nreal, sys.stdout = sys.stdout, io.StringIO()\n"
              "code = runcache.replay(runcache.entry_path(['check', '.']))\nsys.stdout = real\n"
              "print(json.dumps([code, sorted(m for m in sys.modules if m.startswith('dockyard'))]))\n")
    environ = {k: v for k, v in os.environ.items() if k != "DOCKYARD_NO_CACHE"}
    out = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True,
                         env={**environ, "DOCKYARD_CACHE_DIR": str(cache)})
    assert json.loads(out.stdout) == [1, ["dockyard", "dockyard.cache", "dockyard.cli", "dockyard.model",
                                          "dockyard.records", "dockyard.regex", "dockyard.runcache"]]


def test_output_that_goes_around_the_kept_stream_spoils_the_recording():
    import io

    kept, bypassed = [], []
    tee = runcache._Tee(io.StringIO(), kept.append, lambda: bypassed.append(True))
    tee.write("a finding\n")
    assert kept == ["a finding\n"] and bypassed == []
    tee.isatty()
    assert bypassed == []
    getattr(tee, "writelines")
    assert bypassed == [True]


def test_kept_reports_are_readable_by_the_user_alone(tree):
    root, cache = tree
    _run(root, cache, "check", ".")
    [entry] = _entries(cache)
    assert (entry.stat().st_mode & 0o777, entry.parent.stat().st_mode & 0o777) == (0o600, 0o700)
    assert [p.name for p in entry.parent.iterdir()] == [entry.name]  # no temporary file left beside it


def test_an_interrupted_run_keeps_nothing(tree, monkeypatch):
    # an exit code other than 0 and 1 (130 after Ctrl-C) may follow half a report
    root, cache = tree
    monkeypatch.chdir(root)
    monkeypatch.setenv("DOCKYARD_CACHE_DIR", str(cache))
    monkeypatch.setattr(runcache, "RACY_NS", 0)  # the tree was written just now

    def finished(code: int) -> bool:
        recording = runcache.Recording(runcache.entry_path(["check", "."]))
        recording.approved, recording.out = True, ["./: half a rep"]
        recording._saved = (os.stat, os.lstat, sys.stdout, sys.stderr)  # as start() leaves it, without the hooks
        return recording.finish(code)

    assert finished(130) is False and _entries(cache) == []
    assert finished(1) is True and len(_entries(cache)) == 1  # the same run ending as a check does is kept

"""A progress line on stderr while a long check runs, on a terminal only, cleared at the end."""

from __future__ import annotations

import io
import os
import select
import subprocess
import sys
from types import SimpleNamespace

from dockyard.commands.check import run_check
from dockyard.progress import Progress
from tests.helpers import write_tree


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _many_files(root, n):
    write_tree(root, {"Dockerfile": "FROM python\n", **{f"data/f{i:04}.txt": "" for i in range(n)}})
    return root


def _args(path):
    return SimpleNamespace(paths=[str(path)], config=None, select=None, ignore=None, fail_on=None, level=None,
                           explain_scope=False, baseline=None, write_baseline=None)


def test_a_long_walk_shows_a_progress_line_on_a_terminal_and_clears_it(tmp_path):
    stream = Terminal()
    result = run_check(_args(_many_files(tmp_path, 400)), Progress(stream, interval=0))
    assert [f.code for f in result.findings if f.code == "DF004"] == ["DF004"]
    text = stream.getvalue()
    updates = text.split("\r")[1:-1]
    assert updates[0].rstrip() == "dockyard: discovering files: 301"
    assert "dockyard: discovering files: 401" in [u.rstrip() for u in updates]
    assert any(u.startswith("dockyard: checking: rule ") for u in updates)
    # cleared at the end: the last line written over with as many spaces
    assert updates[-1].strip() == "" and len(updates[-1]) == len(updates[-2]) and text.endswith("\r")
    assert "\n" not in text


def test_no_progress_for_a_short_walk_or_off_a_terminal(tmp_path):
    stream = Terminal()
    run_check(_args(_many_files(tmp_path / "small", 250)), Progress(stream, interval=0))
    assert stream.getvalue() == ""
    pipe = io.StringIO()  # not a terminal: a CI log, a file
    run_check(_args(_many_files(tmp_path / "large", 400)), Progress(pipe, interval=0))
    assert pipe.getvalue() == ""


def test_updates_are_throttled():
    stream = Terminal()
    progress = Progress(stream, threshold=0, interval=3600)
    for n in range(1, 1000):
        progress.walked(n)
    progress.clear()
    assert stream.getvalue() == "\rdockyard: discovering files: 1" + "\r" + " " * 30 + "\r"


def _run_with_stderr_on(tmp_path, stderr_is_pty: bool) -> tuple[str, bytes]:
    cmd = [sys.executable, "-m", "dockyard", "check", str(tmp_path), "--select", "DF004"]
    if not stderr_is_pty:
        done = subprocess.run(cmd, capture_output=True, timeout=120)
        return done.stdout.decode(), done.stderr
    primary, secondary = os.openpty()
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=secondary, stdin=subprocess.DEVNULL)
        os.close(secondary)
        chunks = []
        while True:
            ready, _, _ = select.select([primary], [], [], 120)
            if not ready:
                break
            try:
                data = os.read(primary, 65536)
            except OSError:  # the terminal closes with the process
                break
            if not data:
                break
            chunks.append(data)
        out = proc.stdout.read().decode()
        proc.wait(timeout=120)
    finally:
        os.close(primary)
    return out, b"".join(chunks)


def test_a_real_terminal_gets_the_line_and_a_pipe_does_not(tmp_path):
    _many_files(tmp_path, 400)
    out, err = _run_with_stderr_on(tmp_path, stderr_is_pty=True)
    assert b"\rdockyard: discovering files: 301" in err
    assert err.endswith(b"\r")  # the last thing written clears the line
    assert "\r" not in out and out.splitlines()[0].endswith("DF004 base image `python` has no tag and means "
                                                            "`latest`; pin a version such as `python:3.12-slim`")
    out2, err2 = _run_with_stderr_on(tmp_path, stderr_is_pty=False)
    assert err2 == b"" and out2 == out

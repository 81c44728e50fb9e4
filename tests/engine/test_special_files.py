"""Pipes, sockets and devices named like an input are never opened: opening a named pipe blocks until something
writes to it, so each case runs the CLI in a subprocess with a timeout (a regression fails instead of hanging)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import write_tree

TIMEOUT = 20
COMPOSE = "services:\n  app:\n    image: python:3.12-slim\n"


def dockyard(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dockyard", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT, stdin=subprocess.DEVNULL)


def findings(proc: subprocess.CompletedProcess) -> list[tuple[str, str, int, int, str]]:
    assert "Traceback" not in proc.stderr, proc.stderr
    return [(f["code"], f["path"], f["line"], f["column"], f["message"]) for f in json.loads(proc.stdout)["findings"]]


@pytest.fixture
def unix_socket():
    """Bind unix sockets at paths (closed at the end of the test)."""
    opened = []

    def bind(path: Path) -> None:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        opened.append(sock)

    yield bind
    for sock in opened:
        sock.close()


def test_discovery_reports_pipes_and_sockets_named_like_inputs(tmp_path, unix_socket):
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.12-slim\n"})
    for name in (".env", "main.py", "docker-compose.yml", "requirements.txt", ".dockerignore", "svc/Dockerfile"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        os.mkfifo(tmp_path / name)
    unix_socket(tmp_path / ".env.dev")
    os.symlink("requirements.txt", tmp_path / "requirements-dev.txt")
    proc = dockyard(tmp_path, "check", ".", "--select", "DY003", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert findings(proc) == [
        ("DY003", ".dockerignore", 1, 1, "a named pipe (FIFO) named like a .dockerignore: only regular files are read"),
        ("DY003", ".env", 1, 1, "a named pipe (FIFO) named like an env file: only regular files are read"),
        ("DY003", ".env.dev", 1, 1, "a socket named like an env file: only regular files are read"),
        ("DY003", "docker-compose.yml", 1, 1,
         "a named pipe (FIFO) named like a compose file: only regular files are read"),
        ("DY003", "main.py", 1, 1, "a named pipe (FIFO) named like a Python source: only regular files are read"),
        ("DY003", "requirements-dev.txt", 1, 1,
         "a symbolic link to a named pipe (FIFO) named like a requirements file: only regular files are read"),
        ("DY003", "requirements.txt", 1, 1,
         "a named pipe (FIFO) named like a requirements file: only regular files are read"),
        ("DY003", "svc/Dockerfile", 1, 1, "a named pipe (FIFO) named like a Dockerfile: only regular files are read"),
    ]
    # the rest of the tree is still judged
    proc = dockyard(tmp_path, "check", ".", "--select", "DF002", "--format", "json")
    assert [f[:4] for f in findings(proc)] == [("DF002", "Dockerfile", 1, 1)]


@pytest.mark.parametrize("name", [".env", "Dockerfile", "docker-compose.yml", ".dockerignore", "api.env"])
def test_a_named_pipe_given_as_a_path_is_a_usage_error(tmp_path, name):
    os.mkfifo(tmp_path / name)
    proc = dockyard(tmp_path, "check", name)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == (f"dockyard: error: {name}: a named pipe (FIFO), not a regular file: "
                           "dockyard reads regular files only\n")


def test_a_socket_given_as_a_path_is_a_usage_error_and_nothing_is_checked(tmp_path, unix_socket):
    write_tree(tmp_path, {"Dockerfile": "FROM python\n"})
    unix_socket(tmp_path / ".env")
    proc = dockyard(tmp_path, "check", "Dockerfile", ".env")
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "dockyard: error: .env: a socket, not a regular file: dockyard reads regular files only\n"


def test_env_file_target_that_is_a_pipe(tmp_path):
    write_tree(tmp_path, {"compose.yaml": COMPOSE + "    env_file: config/app.env\n"})
    (tmp_path / "config").mkdir()
    os.mkfifo(tmp_path / "config" / "app.env")
    proc = dockyard(tmp_path, "check", ".", "--select", "DY003", "--format", "json")
    assert findings(proc) == [
        ("DY003", "config/app.env", 1, 1, "a named pipe (FIFO) named like an env file: only regular files are read")]
    proc = dockyard(tmp_path, "env", "render")
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == (f"dockyard: {tmp_path}/config/app.env: env file {tmp_path}/config/app.env: "
                           "a named pipe (FIFO), not a regular file\n")


def test_include_target_that_is_a_pipe(tmp_path):
    write_tree(tmp_path, {"compose.yaml": "include:\n  - other.yaml\n" + COMPOSE})
    os.mkfifo(tmp_path / "other.yaml")
    proc = dockyard(tmp_path, "check", ".", "--select", "DY003,CO001", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert findings(proc) == []  # not named like a compose file: never discovered, never opened
    proc = dockyard(tmp_path, "env", "render")
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == (f"dockyard: {tmp_path}/other.yaml: open {tmp_path}/other.yaml: "
                           "a named pipe (FIFO), not a regular file\n")


def test_dockerfile_of_a_compose_build_that_is_a_pipe(tmp_path):
    write_tree(tmp_path, {"compose.yaml": "services:\n  app:\n    build:\n      context: .\n"
                                          "      dockerfile: docker/app.df\n"})
    (tmp_path / "docker").mkdir()
    os.mkfifo(tmp_path / "docker" / "app.df")
    proc = dockyard(tmp_path, "check", ".", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert not [f for f in findings(proc) if f[1].startswith("docker/")]
    proc = dockyard(tmp_path, "env", "render", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["services"]["app"]["build"]["dockerfile"] == "docker/app.df"


def test_env_render_and_check_with_a_pipe_for_dot_env(tmp_path):
    write_tree(tmp_path, {"compose.yaml": COMPOSE})
    os.mkfifo(tmp_path / ".env")
    proc = dockyard(tmp_path, "env", "render")
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == (f"dockyard: {tmp_path}/.env: couldn't read env file {tmp_path}/.env: "
                           "a named pipe (FIFO), not a regular file\n")
    proc = dockyard(tmp_path, "env", "render", "--env-file", ".env")
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "dockyard: error: .env: a named pipe (FIFO), not a regular file\n"
    proc = dockyard(tmp_path, "env", "check", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    project = json.loads(proc.stdout)["project"]
    assert [(f["code"], f["path"], f["line"], f["column"]) for f in project if f["code"] == "DY003"] == [
        ("DY003", ".env", 1, 1)]
    proc = dockyard(tmp_path, "env", "diff", ".env", "compose.yaml")
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "dockyard: error: cannot read .env: a named pipe (FIFO), not a regular file\n"


def test_fix_never_opens_a_pipe(tmp_path):
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.12-slim\n"})
    os.mkfifo(tmp_path / ".env")
    os.mkfifo(tmp_path / ".dockerignore")
    proc = dockyard(tmp_path, "fix", ".", "--select", "DF002")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "Dockerfile").read_text() == "# syntax=docker/dockerfile:1\nFROM python:3.12-slim\n"
    assert proc.stderr == "Fixed 1 finding in 1 file; 0 remaining.\n"


def test_read_regular_checks_the_type_before_opening(tmp_path):
    from dockyard.fsutil import FileTooLarge, NotRegularFile, read_regular

    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(NotRegularFile) as info:
        read_regular(tmp_path / "pipe")
    assert info.value.strerror == "a named pipe (FIFO), not a regular file"
    with pytest.raises(IsADirectoryError):
        read_regular(tmp_path)
    (tmp_path / "big").write_bytes(b"x" * 10)
    assert read_regular(tmp_path / "big") == b"x" * 10
    with pytest.raises(FileTooLarge):
        read_regular(tmp_path / "big", limit=9)
    with pytest.raises(NotRegularFile) as info:
        read_regular("/dev/null")
    assert info.value.strerror == "a character device, not a regular file"

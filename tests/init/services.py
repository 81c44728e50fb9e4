"""PostgreSQL and Redis for the runtime tests: the machine's own servers on 127.0.0.1 when they answer, otherwise a
throwaway server started from a binary found on PATH (or in ``/usr/lib/postgresql/*/bin``), on a free port, in a
temporary folder, stopped and removed afterwards. Neither a server nor a binary: the test fails, saying what to
start. Never a skip. ``DOCKYARD_TEST_POSTGRES`` / ``DOCKYARD_TEST_REDIS`` (``HOST:PORT``) name other addresses.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest

Address = tuple[str, int]
POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
START_TIMEOUT = 30.0


def configured(variable: str, default: Address) -> Address:
    """The address a variable names (``HOST:PORT``, e.g. ``DOCKYARD_TEST_REDIS=127.0.0.1:6380``), else the default."""
    value = os.environ.get(variable, "").strip()
    if not value:
        return default
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        pytest.fail(f"{variable}={value!r}: expected HOST:PORT", pytrace=False)
    return host, int(port)


def reachable(address: Address) -> bool:
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_binary(name: str, debian_lib: str = "/usr/lib/postgresql") -> str | None:
    """A server binary on PATH, else in the newest ``/usr/lib/postgresql/<version>/bin`` (Debian keeps them there)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(os.path.join(glob.escape(debian_lib), "*", "bin", name)),
                        key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parts[-3].split(".")])
    return candidates[-1] if candidates else None


def _redis_ping(address: Address) -> bool:
    try:
        with socket.create_connection(address, timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def _wait(proc: subprocess.Popen, ready, what: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the throwaway {what} exited {proc.returncode}:\n{_tail(log)}")
        if ready():
            return
        time.sleep(0.1)
    raise AssertionError(f"the throwaway {what} did not answer within {START_TIMEOUT:.0f}s:\n{_tail(log)}")


def _tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-3000:]
    except OSError:
        return ""


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # postgres: "smart" would wait for clients; SIGINT is fast shutdown
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _missing(what: str, address: Address, binaries: str, how: str) -> None:
    pytest.fail(f"{what} is not reachable on {address[0]}:{address[1]} and no {binaries} binary was found on PATH "
                f"or in /usr/lib/postgresql/*/bin to start a throwaway one: start {what} on "
                f"{address[0]}:{address[1]} or install it ({how})", pytrace=False)


@contextlib.contextmanager
def redis(address: Address = REDIS) -> Iterator[Address]:
    """Redis at ``address`` if it answers, else a throwaway ``redis-server`` on a free port."""
    if reachable(address):
        yield address
        return
    binary = find_binary("redis-server")
    if binary is None:
        _missing("Redis", address, "redis-server", "Debian/Ubuntu: apt-get install redis-server")
    workdir = Path(tempfile.mkdtemp(prefix="dockyard-redis-"))
    port = free_port()
    log = workdir / "redis.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", "--dir", str(workdir), "--daemonize", "no"],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait(proc, lambda: _redis_ping(("127.0.0.1", port)), "redis-server", log)
        yield ("127.0.0.1", port)
    finally:
        _stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)


def _as_postgres_user() -> dict:
    """PostgreSQL refuses to run as root: then run it as the ``postgres`` account (or ``nobody``)."""
    if os.geteuid() != 0:
        return {}
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return {"user": entry.pw_uid, "group": entry.pw_gid}
    pytest.fail("PostgreSQL cannot run as root and neither a 'postgres' nor a 'nobody' account exists", pytrace=False)


@contextlib.contextmanager
def postgres(address: Address = POSTGRES) -> Iterator[Address]:
    """PostgreSQL at ``address`` if it answers, else a throwaway cluster (trust auth, user ``postgres``, database
    ``test``) on a free port."""
    if reachable(address):
        yield address
        return
    initdb, server = find_binary("initdb"), find_binary("postgres")
    if initdb is None or server is None:
        _missing("PostgreSQL", address, "initdb/postgres", "Debian/Ubuntu: apt-get install postgresql")
    account = _as_postgres_user()
    workdir = Path(tempfile.mkdtemp(prefix="dockyard-postgres-"))
    data = workdir / "data"
    if account:
        os.chown(workdir, account["user"], account["group"])
    log = workdir / "postgres.log"
    init = subprocess.run([initdb, "--pgdata", str(data), "--username", "postgres", "--auth", "trust",
                           "--encoding", "UTF8", "--no-sync"],
                          capture_output=True, text=True, timeout=120, **account)
    if init.returncode != 0:
        shutil.rmtree(workdir, ignore_errors=True)
        raise AssertionError(f"initdb failed:\n{init.stdout[-2000:]}\n{init.stderr[-2000:]}")
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen([server, "-D", str(data), "-p", str(port), "-k", str(workdir),
                                 "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
                                stdout=out, stderr=subprocess.STDOUT, **account)
    try:
        _wait(proc, lambda: reachable(("127.0.0.1", port)), "PostgreSQL server", log)
        psql = find_binary("psql")
        created = _create_database(psql, port, workdir, account)
        if created:
            raise AssertionError(f"creating the database 'test' failed: {created}")
        yield ("127.0.0.1", port)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # fast shutdown
        _stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)


def _create_database(psql: str | None, port: int, socket_dir: Path, account: dict) -> str:
    """'' once database ``test`` exists (the server may still be starting up: retried briefly)."""
    if psql is None:
        return "no psql binary found"
    deadline, last = time.monotonic() + START_TIMEOUT, ""
    while time.monotonic() < deadline:
        done = subprocess.run([psql, "-h", str(socket_dir), "-p", str(port), "-U", "postgres", "-d", "postgres",
                               "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE test"],
                              capture_output=True, text=True, timeout=60, **account)
        if done.returncode == 0:
            return ""
        last = done.stderr.strip()
        time.sleep(0.2)
    return last

"""The runtime tests' backing services: the machine's own when they answer, a throwaway one started for real
when they do not (pointed at a closed port here, so the machine's own servers are never touched), and a failure
that says what to start when no server binary exists."""

from __future__ import annotations

import subprocess

import pytest

from tests.init import services


def _redis_command(address, *command: str) -> bytes:
    import socket

    with socket.create_connection(address, timeout=5) as s:
        s.sendall(("*%d\r\n" % len(command) + "".join(f"${len(c)}\r\n{c}\r\n" for c in command)).encode())
        return s.recv(256)


def test_throwaway_redis_starts_on_a_free_port_when_the_address_is_closed():
    closed = ("127.0.0.1", services.free_port())
    assert not services.reachable(closed)
    with services.redis(closed) as address:
        assert address != closed and address[0] == "127.0.0.1"
        assert _redis_command(address, "PING") == b"+PONG\r\n"
        assert _redis_command(address, "SET", "k", "v") == b"+OK\r\n"
        assert _redis_command(address, "GET", "k") == b"$1\r\nv\r\n"
        # it keeps nothing on disk
        assert _redis_command(address, "CONFIG", "GET", "save") == b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n"
    assert not services.reachable(address)  # torn down


def test_throwaway_postgres_starts_with_the_test_database_when_the_address_is_closed():
    closed = ("127.0.0.1", services.free_port())
    with services.postgres(closed) as address:
        assert address != closed
        psql = services.find_binary("psql")
        result = subprocess.run([psql, "-h", address[0], "-p", str(address[1]), "-U", "postgres", "-d", "test",
                                 "-At", "-c", "select current_database(), current_user"],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "test|postgres"
    assert not services.reachable(address)


def test_a_reachable_server_is_used_as_it_is():
    with services.redis(("127.0.0.1", services.free_port())) as running:
        with services.redis(running) as again:
            assert again == running


@pytest.mark.parametrize("kind, binary", [("redis", "redis-server"), ("postgres", "initdb/postgres")])
def test_no_server_and_no_binary_fails_saying_what_to_start(kind, binary, monkeypatch):
    monkeypatch.setattr(services, "find_binary", lambda name, debian_lib=None: None)
    closed = ("127.0.0.1", services.free_port())
    with pytest.raises(pytest.fail.Exception) as failure:
        with getattr(services, kind)(closed):
            pass
    message = str(failure.value)
    what = {"redis": "Redis", "postgres": "PostgreSQL"}[kind]
    assert message.startswith(f"{what} is not reachable on 127.0.0.1:{closed[1]} and no {binary} binary was found")
    assert f"start {what} on 127.0.0.1:{closed[1]} or install it" in message


def test_binaries_are_found_on_path_or_in_the_newest_debian_postgresql_folder(monkeypatch, tmp_path):
    lib = tmp_path / "lib"
    for version in ("9.6", "15", "16"):
        (lib / version / "bin").mkdir(parents=True)
        (lib / version / "bin" / "initdb").write_text("")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert services.find_binary("initdb", str(lib)) == str(lib / "16" / "bin" / "initdb")
    assert services.find_binary("redis-server", str(lib)) is None
    on_path = tmp_path / "bin"
    on_path.mkdir()
    (on_path / "initdb").write_text("")
    (on_path / "initdb").chmod(0o755)
    monkeypatch.setenv("PATH", str(on_path))
    assert services.find_binary("initdb", str(lib)) == str(on_path / "initdb")


def test_addresses_can_be_named_by_variables(monkeypatch):
    monkeypatch.delenv("DOCKYARD_TEST_REDIS", raising=False)
    assert services.configured("DOCKYARD_TEST_REDIS", services.REDIS) == ("127.0.0.1", 6379)
    monkeypatch.setenv("DOCKYARD_TEST_REDIS", "127.0.0.1:6380")
    assert services.configured("DOCKYARD_TEST_REDIS", services.REDIS) == ("127.0.0.1", 6380)
    monkeypatch.setenv("DOCKYARD_TEST_REDIS", "6380")
    with pytest.raises(pytest.fail.Exception, match="DOCKYARD_TEST_REDIS='6380': expected HOST:PORT"):
        services.configured("DOCKYARD_TEST_REDIS", services.REDIS)

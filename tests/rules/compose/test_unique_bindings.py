"""CO033: no two services of an environment share a `container_name` or a published host address and port."""

from __future__ import annotations

from tests.helpers import run_files

BASE, DEV = "docker-compose.base.yml", "docker-compose.dev.yml"


def _found(tmp_path, base: str, dev: str = "services: {}\n", **more: str):
    files = {BASE: base, DEV: dev, **more}
    return [(f.path, f.position.line, f.position.column, f.message) for f in run_files(tmp_path, files, select="CO033")]


def _two(first: str, second: str, extra_a: str = "", extra_b: str = "") -> str:
    return (f"services:\n  a:\n    image: x:1\n{extra_a}    ports:\n      - \"{first}\"\n"
            f"  b:\n    image: x:1\n{extra_b}    ports:\n      - \"{second}\"\n")


def test_a_container_name_used_twice(tmp_path):
    base = ("services:\n  db:\n    image: postgres:17\n    container_name: app-db\n"
            "  db-replica:\n    image: postgres:17\n    container_name: app-db\n")
    assert _found(tmp_path, base) == [
        (BASE, 7, 21, "`db-replica` sets `container_name: app-db`, which `db` already uses: compose refuses to "
                      "create the second container")]


def test_a_container_name_set_by_an_override_clashes_after_merging(tmp_path):
    base = "services:\n  api:\n    image: x:1\n    container_name: api\n  worker:\n    image: x:1\n"
    dev = "services:\n  worker:\n    container_name: api\n"
    assert _found(tmp_path, base, dev) == [
        (DEV, 3, 21, "`worker` sets `container_name: api`, which `api` already uses: compose refuses to create the "
                     "second container")]


def test_services_in_disjoint_profiles_never_run_together(tmp_path):
    assert _found(tmp_path, _two("8080:80", "8080:80", "    profiles: [local]\n", "    profiles: [ci]\n")) == []
    found = _found(tmp_path, _two("8080:80", "8080:80", "", "    profiles: [tools]\n"))
    assert [(p, line, col) for p, line, col, _m in found] == [(BASE, 10, 9)]
    found = _found(tmp_path, _two("8080:80", "8080:80", "    profiles: [a, b]\n", "    profiles: [b]\n"))
    assert [(p, line, col) for p, line, col, _m in found] == [(BASE, 11, 9)]


def test_interpolated_and_long_syntax_ports_from_two_files(tmp_path):
    base = "services:\n  api:\n    image: x:1\n    ports:\n      - \"${API_PORT:-8000}:8000\"\n"
    dev = ("services:\n  docs:\n    image: y:1\n    ports:\n      - target: 80\n        published: \"8000\"\n"
           "        host_ip: 127.0.0.1\n")
    assert _found(tmp_path, base, dev) == [
        (DEV, 5, 9, "`docs` publishes 8000/tcp on 127.0.0.1, which `api` already publishes (8000/tcp on all "
                    "interfaces): the second container fails to start (`port is already allocated`)")]
    assert _found(tmp_path, base, dev, **{".env.dev": "API_PORT=8001\n"}) == []


def test_one_service_publishing_a_host_port_twice(tmp_path):
    base = "services:\n  a:\n    image: x:1\n    ports:\n      - \"8000:8000\"\n      - \"8000:8001\"\n"
    assert _found(tmp_path, base) == [
        (BASE, 6, 9, "`a` publishes 8000/tcp on all interfaces a second time (first as 8000/tcp on all "
                     "interfaces): the container fails to start (`port is already allocated`)")]

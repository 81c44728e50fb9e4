"""Networks, published ports and container names, per environment."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from dockyard.compose.loader import normalize_project_name
from dockyard.model import Problem
from dockyard.programs import basename, compose_argvs, service_runs_tests
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.compose._common import (
    hardened,
    NOT_DEPLOYED,
    deployed,
    absent,
    at,
    service_backing_kind,
    is_application,
    strip_references,
)
from dockyard.source import FileKind

_BASE = "docker-compose.base.yml"


def _ex(base: str, over: str = "services: {}\n") -> dict:
    return {_BASE: base, "docker-compose.dev.yml": over}


@rule(
    code="CO017", name="compose-custom-networks", scope=Scope.ENVIRONMENT,
    summary="Services attach to declared custom networks rather than only the implicit default",
    why="Named networks document which services may talk to each other (the database only on a backend "
        "network, not next to the public-facing proxy); a service naming an undeclared network fails to start.",
    standard=("CO-NETWORKS",), section="Custom Networks",
    example=_ex("services:\n  app:\n    image: python:3.12-slim\n"),
    use_instead=_ex("services:\n  app:\n    image: python:3.12-slim\n    networks:\n      - backend\n"
                    "networks:\n  backend:\n    driver: bridge\n"),
    notes=NOT_DEPLOYED + "Services with `network_mode` are not held to this, nor are one-off jobs and test runners (as for "
          "CO014); a network a service names must be declared whatever the service. Nor is an environment whose "
          "default network other tools join by its name (`docker run --network app_default` in a CI step, a "
          "development container's `--network=app_default`): moving its services off it would cut them off.",
)
def custom_networks(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    if not deployed(view):
        return
    joined = _default_joined_by_name(ctx.project, view)
    declared = set(view.top("networks"))
    out = []
    for name, svc in view.services.items():
        if svc.get("network_mode"):
            continue
        nets = svc.get("networks")
        if not isinstance(nets, dict) or not nets:
            if hardened(svc, name, view) and joined is None:
                out.append(absent(ctx, name, f"`{name}` uses only the implicit default network: attach it to a "
                                  "declared network"))
            continue
        for net in nets:
            if net not in declared and net != "default":
                out.append(at(view, ("services", name, "networks", net),
                              f"`{name}` attaches to `{net}`, which is not declared under top-level `networks:`"))
    yield from out


# files where other tools name a compose project's network: CI steps (`docker run --network app_default`), a
# development container's arguments, make targets
_NETWORK_USERS = (FileKind.WORKFLOW, FileKind.GITLAB_CI, FileKind.MAKEFILE)
_DEV_CONTAINER = ".devcontainer/devcontainer.json"


def _default_joined_by_name(project, view) -> str | None:
    """A file that joins the environment's default network by its name (``<project>_default``): moving the
    services off it would cut that tool off. The project name is compose's: `name:`, else the folder's."""
    first = view.compose_files[0].path if view.compose_files else ""
    name = view.model.get("name") if isinstance(view.model, dict) else None
    name = normalize_project_name(str(name or posixpath.basename(posixpath.dirname(first)) or project.root.name))
    if not name:
        return None
    network = f"{name}_default"
    return project.memo(f"compose.joined_by_name:{network}", lambda: _file_naming(project, network))


def _file_naming(project, network: str) -> str | None:
    """The first CI file, Makefile or development container's settings that names ``network``; read once a run
    for each network, whatever the number of environments that share it."""
    files = [sf for kind in _NETWORK_USERS for sf in project.files_of(kind)]
    dev_container = project.include(_DEV_CONTAINER)
    for sf in files + ([dev_container] if dev_container is not None else []):
        if sf.text is not None and network in sf.text:
            return sf.path
    return None


def _port_parts(item) -> tuple[str | None, str | None, str]:
    """``(host_ip, published, target)`` of a port entry (short or long syntax)."""
    if isinstance(item, dict):
        pub = item.get("published")
        return (item.get("host_ip"), None if pub in (None, "") else str(pub), str(item.get("target", "")))
    text = str(item)
    if text.startswith("["):  # [::1]:8000:8000
        close = text.find("]")
        ip, rest = text[1:close], text[close + 2:]
        pub, _, tgt = rest.partition(":")
        return ip, pub or None, tgt
    parts = text.split(":")
    if len(parts) == 1:
        return None, None, parts[0]
    if len(parts) == 2:
        return None, parts[0] or None, parts[1]
    return ":".join(parts[:-2]), parts[-2] or None, parts[-1]


@rule(
    code="CO021", name="compose-port-binding", scope=Scope.ENVIRONMENT,
    summary="Published ports come from variables; databases, caches and other backing services are not published "
            "on all interfaces",
    why="A literal host port collides between environments and checkouts; a database or cache published on "
        "0.0.0.0 is reachable from the network (Docker's port publishing bypasses host firewalls such as ufw).",
    standard=("CO-PORT-BIND",), section="Port Mapping",
    example=_ex("services:\n  db:\n    image: postgres:17.2\n    ports:\n      - \"5432:5432\"\n"),
    use_instead=_ex("services:\n  db:\n    image: postgres:17.2\n    ports:\n"
                    "      - \"127.0.0.1:${DB_PUBLISHED_PORT:-5432}:5432\"\n"),
    notes="Backing services are recognised by image family whatever the registry or namespace: postgres (postgis, "
          "timescaledb, bitnami/postgresql), mysql (mariadb, percona), SQL Server, mongo, cassandra/scylla, "
          "clickhouse, influxdb, couchdb, neo4j, cockroach, redis (valkey, keydb, redis-stack), dragonfly, "
          "memcached, elasticsearch/opensearch, rabbitmq, kafka/redpanda, nats, zookeeper/etcd. Their web UIs "
          "(pgAdmin, redis-commander, Kibana) are not; nor is MinIO, whose S3 API is meant to be reached. A service "
          "compose builds from the project's Dockerfile is the family of the image it starts FROM. A test "
          "environment (`test`, `tests`, `testing`, `ci`, `e2e`: `docker-compose.test.yml`) runs the test suite and "
          "is not deployed: its host ports are not asked to come from variables (a backing service it publishes on "
          "all interfaces is still reported); nor are a test runner's (`compose run` publishes none unless asked "
          "to). The suggested variable names the container port when a service "
          "publishes several (`PROXY_PUBLISHED_PORT_443`).",
)
def port_binding(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    out = []
    for name, svc in view.services.items():
        ports = svc.get("ports")
        if not isinstance(ports, list):
            continue
        backend = service_backing_kind(ctx.project, view, svc)
        if backend == "object store":
            backend = None  # an S3 API is meant to be reached, and is authenticated
        several = len({_port_parts(item)[2] for item in ports}) > 1
        open_ports: list[tuple[tuple, str]] = []  # (path, published port) of each port on all interfaces
        for i, item in enumerate(ports):
            path = ("services", name, "ports", i)
            raw = view.raw(path)
            host_ip, published, target = _port_parts(item)
            _, raw_pub, _ = _port_parts(strip_references(raw) if isinstance(raw, str) else raw) \
                if raw is not None else (None, None, "")
            if published is not None and raw_pub is not None and "\x00" not in str(raw_pub) and \
                    "$" not in str(raw_pub) and not view.is_test and not service_runs_tests(name, svc):
                var = _variable_name(name, target if several else "")
                out.append(at(view, path, f"`{name}` publishes host port {published} literally: take it from a "
                              "variable, e.g. `${" + var + ":-" + str(published) + "}`"))
            if backend and (host_ip in (None, "", "0.0.0.0", "::")):
                open_ports.append((path, str(published if published is not None else target)))
        if open_ports:  # one finding per service, at its first open port, naming them all
            listed = ", ".join(f"`{p}`" for _, p in open_ports)
            which = f"port {listed}" if len(open_ports) == 1 else f"ports {listed}"
            out.append(at(view, open_ports[0][0], f"{backend} `{name}` is published on all interfaces ({which}): "
                          "bind it to `127.0.0.1` or do not publish it"))
    yield from out


def _variable_name(service: str, target: str = "") -> str:
    """``PROXY_PUBLISHED_PORT``, or ``PROXY_PUBLISHED_PORT_443`` for one of several container ports."""
    def word(text: str) -> str:
        return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper()

    return word(service) + "_PUBLISHED_PORT" + (f"_{word(target)}" if target else "")


@rule(
    code="CO032", name="compose-fixed-container-name", scope=Scope.ENVIRONMENT,
    summary="Scalable (application) services do not set a fixed `container_name`",
    why="A fixed `container_name` makes `docker compose up --scale` fail and makes two checkouts or two "
        "environments on one host collide on the same name.",
    standard=("CO-CONTAINER-NAME",), section="Basic Compose File",
    severity="warning",
    example=_ex("services:\n  app:\n    build: .\n    container_name: myapp\n"),
    use_instead=_ex("services:\n  app:\n    build: .\n"),
    notes=NOT_DEPLOYED + "The standard's basic compose example sets `container_name: myapp`; the checklist item wins. A service "
          "that runs one of a kind by design is not judged: Celery's `beat` scheduler (two would run every "
          "periodic task twice) and its `flower` monitor, known by their command or, behind a wrapper script, "
          "by the service's name (`celery_beat`, `flower`, `scheduler`); nor is a database or another backing "
          "service compose builds from the project's Dockerfile (`FROM postgres:16` and its init scripts).",
)
def fixed_container_name(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    if not deployed(view):
        return
    services = view.services
    out = []
    for name, svc in services.items():
        if svc.get("container_name") and is_application(svc, view.built_images) and \
                not _one_of_a_kind(name, svc) and service_backing_kind(ctx.project, view, svc) is None:
            out.append(at(view, ("services", name, "container_name"),
                          f"application service `{name}` has a fixed `container_name`: it cannot be scaled"))
    yield from out


_ONE_OF_A_KIND_NAMES = frozenset({"beat", "flower", "scheduler"})


def _one_of_a_kind(name: str, svc) -> bool:
    """The service runs Celery's beat scheduler or its flower monitor, of which one runs by design: its command
    says so, or its name does (`celery_beat`, `flower`, `scheduler`) when the command is a wrapper script."""
    if _ONE_OF_A_KIND_NAMES & set(name.lower().replace("-", "_").split("_")):
        return True
    for argv in compose_argvs(svc):
        words = [basename(a) for a in argv]
        if "flower" in words or ("celery" in words and "beat" in words):
            return True
    return False


_ALL_INTERFACES = frozenset({None, "", "0.0.0.0", "::"})


def _binding(item) -> tuple[str | None, tuple[int, int], str, str] | None:
    """``(host_ip, (first, last) published port, protocol, target)`` of a port entry that publishes a fixed
    host port."""
    host_ip, published, target = _port_parts(item)
    protocol = str(item.get("protocol") or "tcp") if isinstance(item, dict) else \
        (target.rpartition("/")[2] if "/" in target else "tcp")
    if published is None:
        return None
    first, _, last = str(published).partition("-")
    try:
        lo, hi = int(first), int(last or first)
    except ValueError:
        return None
    if lo == 0:  # an ephemeral port chosen by Docker
        return None
    return ((host_ip.strip("[]") if isinstance(host_ip, str) else host_ip), (lo, hi), protocol.lower(),
            target.partition("/")[0])


def _same_address(a: str | None, b: str | None) -> bool:
    """Two host addresses that cannot both be bound on one port: equal, or one is all interfaces (of the
    other's family; no address at all means both families)."""
    if a == b or a in (None, "") or b in (None, ""):
        return True
    v6a, v6b = ":" in a, ":" in b
    if v6a != v6b:
        return False
    return a in ("0.0.0.0", "::") or b in ("0.0.0.0", "::")


def _run_together(a: dict, b: dict) -> bool:
    """Whether two services can be started together: both by default, or a profile of one is a profile of the
    other or the other has none (services only in disjoint profiles are alternatives)."""
    pa, pb = set(a.get("profiles") or ()), set(b.get("profiles") or ())
    return not pa or not pb or bool(pa & pb)


class _Bindings:
    """Published bindings ``(service, ip, (lo, hi), protocol, target)`` in the order they were met, indexed by
    protocol and host port: finding the ones a new binding overlaps reads those ports, not every binding (an
    environment of thousands of services stays linear). Wide ranges (rare) are kept apart and always read."""

    WIDE = 256

    def __init__(self) -> None:
        self.all: list[tuple] = []
        self.by_port: dict[tuple[str, int], list[int]] = {}
        self.wide: list[int] = []

    def append(self, binding: tuple) -> None:
        index = len(self.all)
        self.all.append(binding)
        _, _, (lo, hi), protocol, _ = binding
        if hi - lo > self.WIDE:
            self.wide.append(index)
            return
        for port in range(lo, hi + 1):
            self.by_port.setdefault((protocol, port), []).append(index)

    def overlapping(self, protocol: str, lo: int, hi: int) -> list[tuple]:
        """The bindings of ``protocol`` whose host ports overlap ``lo``-``hi``, in the order they were met."""
        if hi - lo > self.WIDE:
            found = [i for i, b in enumerate(self.all) if b[3] == protocol and b[2][0] <= hi and lo <= b[2][1]]
        else:
            found = {i for port in range(lo, hi + 1) for i in self.by_port.get((protocol, port), ())}
            found.update(i for i in self.wide if self.all[i][3] == protocol and self.all[i][2][0] <= hi
                         and lo <= self.all[i][2][1])
        return [self.all[i] for i in sorted(found)]


def _shown(ip: str | None, ports: tuple[int, int], protocol: str) -> str:
    where = "all interfaces" if ip in _ALL_INTERFACES else ip
    port = str(ports[0]) if ports[0] == ports[1] else f"{ports[0]}-{ports[1]}"
    return f"{port}/{protocol} on {where}"


@rule(
    code="CO033", name="compose-unique-bindings", scope=Scope.ENVIRONMENT,
    summary="No two services of an environment share a `container_name` or a published host address and port",
    why="Compose refuses a configuration in which two services set the same `container_name` (`container name "
        "\"db\" is already in use`); two services publishing the same host port (on the same address, or one of "
        "them on all interfaces) pass `docker compose config`, but the second container fails to start with "
        "`port is already allocated`.",
    standard=("CO-UNIQUE-BINDINGS",), section="Basic Compose File", severity="error",
    example=_ex("services:\n  db:\n    image: postgres:17.2\n    ports:\n      - \"127.0.0.1:5432:5432\"\n"
                "  replica:\n    image: postgres:17.2\n    ports:\n      - \"5432:5432\"\n"),
    use_instead=_ex("services:\n  db:\n    image: postgres:17.2\n    ports:\n      - \"127.0.0.1:5432:5432\"\n"
                    "  replica:\n    image: postgres:17.2\n    ports:\n      - \"127.0.0.1:5433:5432\"\n"),
    notes="Judged on each environment's merged, interpolated configuration. The finding is on the second "
          "occurrence and names the first. Ports conflict when their protocols match, their host port ranges "
          "overlap and their host addresses do: equal, or one of them all interfaces (`0.0.0.0` for IPv4, `::` for "
          "IPv6, none for both); `127.0.0.1:5432` and `192.168.1.5:5432` do not. Services only in disjoint "
          "`profiles` are alternatives that never run together and are not compared; a service without profiles "
          "runs with every profile. Error: the environment does not start.",
)
def unique_bindings(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    services = view.services
    out = []
    names: dict[str, str] = {}
    bound = _Bindings()
    for name, svc in services.items():
        cname = svc.get("container_name")
        if isinstance(cname, str) and cname:
            first = names.get(cname)
            if first is not None and _run_together(services[first], svc):
                out.append(at(view, ("services", name, "container_name"),
                              f"`{name}` sets `container_name: {cname}`, which `{first}` already uses: compose "
                              "refuses to create the second container", value=True))
            else:
                names.setdefault(cname, name)
        ports = svc.get("ports") if isinstance(svc.get("ports"), list) else []
        for i, item in enumerate(ports):
            binding = _binding(item)
            if binding is None:
                continue
            ip, (lo, hi), protocol, target = binding
            clash = next((b for b in bound.overlapping(protocol, lo, hi)
                          if _same_address(b[1], ip) and _run_together(services[b[0]], svc)
                          and (b[0] != name or b[1:] != (ip, (lo, hi), protocol, target))), None)
            if clash is None:
                bound.append((name, ip, (lo, hi), protocol, target))
                continue
            shown, first = _shown(ip, (lo, hi), protocol), _shown(clash[1], clash[2], protocol)
            if clash[0] == name:
                message = (f"`{name}` publishes {shown} a second time (first as {first}): the container fails to "
                           "start (`port is already allocated`)")
            else:
                message = (f"`{name}` publishes {shown}, which `{clash[0]}` already publishes ({first}): the second "
                           "container fails to start (`port is already allocated`)")
            out.append(at(view, ("services", name, "ports", i), message))
    yield from out

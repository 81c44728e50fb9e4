"""Networks, published ports and container names, per environment."""

from __future__ import annotations

import re

from typing import Iterator

from dockyard.model import Problem
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.compose._common import at, backing_kind, is_application, strip_references

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
    notes="Services with `network_mode` are not held to this.",
)
def custom_networks(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    declared = set(view.top("networks"))
    out = []
    for name, svc in view.services.items():
        if svc.get("network_mode"):
            continue
        nets = svc.get("networks")
        if not isinstance(nets, dict) or not nets:
            out.append(at(view, ("services", name), f"`{name}` uses only the implicit default network: attach it "
                          "to a declared network", first=True))
            continue
        for net in nets:
            if net not in declared and net != "default":
                out.append(at(view, ("services", name, "networks", net),
                              f"`{name}` attaches to `{net}`, which is not declared under top-level `networks:`"))
    yield from out


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
          "(pgAdmin, redis-commander, Kibana) are not; nor is MinIO, whose S3 API is meant to be reached.",
)
def port_binding(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    out = []
    for name, svc in view.services.items():
        ports = svc.get("ports")
        if not isinstance(ports, list):
            continue
        backend = backing_kind(svc)
        for i, item in enumerate(ports):
            path = ("services", name, "ports", i)
            raw = view.raw(path)
            host_ip, published, _target = _port_parts(item)
            raw_ip, raw_pub, _ = _port_parts(strip_references(raw) if isinstance(raw, str) else raw) \
                if raw is not None else (None, None, "")
            if published is not None and raw_pub is not None and "\x00" not in str(raw_pub) and "$" not in str(raw_pub):
                var = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper() + "_PUBLISHED_PORT"
                out.append(at(view, path, f"`{name}` publishes host port {published} literally: take it from a "
                              "variable, e.g. `${" + var + ":-" + str(published) + "}`"))
            if backend and (host_ip in (None, "", "0.0.0.0", "::")):
                out.append(at(view, path, f"{backend} `{name}` is published on all interfaces: bind it to "
                              "`127.0.0.1` or do not publish it"))
    yield from out


@rule(
    code="CO032", name="compose-fixed-container-name", scope=Scope.ENVIRONMENT,
    summary="Scalable (application) services do not set a fixed `container_name`",
    why="A fixed `container_name` makes `docker compose up --scale` fail and makes two checkouts or two "
        "environments on one host collide on the same name.",
    standard=("CO-CONTAINER-NAME",), section="Basic Compose File",
    severity="warning",
    example=_ex("services:\n  app:\n    build: .\n    container_name: myapp\n"),
    use_instead=_ex("services:\n  app:\n    build: .\n"),
    notes="The standard's basic compose example sets `container_name: myapp`; the checklist item wins.",
)
def fixed_container_name(ctx: Context) -> Iterator[Problem]:
    view = ctx.environment
    services = view.services
    out = []
    for name, svc in services.items():
        if svc.get("container_name") and is_application(svc, services):
            out.append(at(view, ("services", name, "container_name"),
                          f"application service `{name}` has a fixed `container_name`: it cannot be scaled"))
    yield from out

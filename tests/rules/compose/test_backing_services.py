"""Databases, caches and other backing services are recognised by image family, whatever the registry,
namespace, tag or digest; their web UIs are not backing services."""

from __future__ import annotations

import pytest

from dockyard.images import image_family
from tests.helpers import run_files

BASE, DEV = "docker-compose.base.yml", "docker-compose.dev.yml"

FAMILIES = [
    ("postgres:17.2-alpine", "postgres", "database"),
    ("bitnami/postgresql:16", "postgres", "database"),
    ("docker.io/postgis/postgis:16-3.4", "postgres", "database"),
    ("timescale/timescaledb-ha:pg16", "postgres", "database"),
    ("pgvector/pgvector:pg16", "postgres", "database"),
    ("mariadb:10.6.4-focal", "mysql", "database"),
    ("percona/percona-server:8.0", "mysql", "database"),
    ("mcr.microsoft.com/mssql/server:2022-latest", "mssql", "database"),
    ("mcr.microsoft.com/azure-sql-edge:1.0.4", "mssql", "database"),
    ("mongodb/mongodb-community-server:7.0-ubi8", "mongo", "database"),
    ("scylladb/scylla:6.1", "cassandra", "database"),
    ("clickhouse/clickhouse-server:24.8", "clickhouse", "database"),
    ("docker.io/library/redis:7.4@sha256:0123abcd", "redis", "cache"),
    ("valkey/valkey:8.1.9-alpine", "redis", "cache"),
    ("redis/redis-stack-server:7.4.0-v1", "redis", "cache"),
    ("redislabs/redismod", "redis", "cache"),
    ("ghcr.io/dragonflydb/dragonfly:v1.23.0", "dragonfly", "cache"),
    ("docker.elastic.co/elasticsearch/elasticsearch:8.15.0", "elasticsearch", "search engine"),
    ("opensearchproject/opensearch:2", "elasticsearch", "search engine"),
    ("rabbitmq:4.2.1-management-alpine", "rabbitmq", "message broker"),
    ("confluentinc/cp-kafka:7.6.13", "kafka", "message broker"),
    ("docker.redpanda.com/vectorized/redpanda:v22.2.2", "kafka", "message broker"),
    ("nats:2.12-alpine", "nats", "message broker"),
    ("bitnami/zookeeper:3.9", "zookeeper", "coordination store"),
    ("minio/minio:RELEASE.2024", "minio", "object store"),
]
NOT_BACKING = ["rediscommander/redis-commander:latest", "redis/redisinsight:2.60", "dpage/pgadmin4:8.14",
               "kibana:7.16.1", "mongo-express:1.0", "oliver006/redis_exporter:v1.62.0",
               "edoburu/pgbouncer:v1.25.2-p0", "python:3.12-slim", "mcr.microsoft.com/dotnet/aspnet:8.0", ""]


@pytest.mark.parametrize("image,name,kind", FAMILIES)
def test_images_are_recognised_by_family(image, name, kind):
    family = image_family(image)
    assert family is not None and (family.name, family.kind) == (name, kind)


@pytest.mark.parametrize("image", NOT_BACKING)
def test_web_uis_exporters_and_applications_are_not_backing_services(image):
    assert image_family(image) is None


def test_backing_services_published_on_all_interfaces(tmp_path):
    base = ("services:\n"
            "  db:\n    image: mcr.microsoft.com/mssql/server:2022-CU14-ubuntu-22.04\n    ports:\n"
            "      - \"${DB_PORT:-1433}:1433\"\n"
            "  queue:\n    image: rabbitmq:4.2.1-management-alpine\n    ports:\n"
            "      - \"0.0.0.0:${AMQP_PORT:-5672}:5672\"\n      - \"127.0.0.1:${UI_PORT:-15672}:15672\"\n"
            "  cache:\n    image: ghcr.io/dragonflydb/dragonfly:v1.23.0\n    ports:\n"
            "      - target: 6379\n        published: \"${CACHE_PORT:-6379}\"\n"
            "  commander:\n    image: rediscommander/redis-commander:latest\n    ports:\n"
            "      - \"${COMMANDER_PORT:-8081}:8081\"\n")
    found = run_files(tmp_path, {BASE: base, DEV: "services: {}\n"}, select="CO021")
    assert [(f.position.line, f.position.column, f.message) for f in found] == [
        (5, 9, "database `db` is published on all interfaces (port `1433`): bind it to `127.0.0.1` or do not "
               "publish it"),
        (9, 9, "message broker `queue` is published on all interfaces (port `5672`): bind it to `127.0.0.1` or do "
               "not publish it"),
        (14, 9, "cache `cache` is published on all interfaces (port `6379`): bind it to `127.0.0.1` or do not "
                "publish it"),
    ]


def test_search_engine_data_in_a_bind_mount(tmp_path):
    base = ("services:\n  search:\n    image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0\n    volumes:\n"
            "      - ./esdata:/usr/share/elasticsearch/data\n")
    found = run_files(tmp_path, {BASE: base, DEV: "services: {}\n"}, select="CO018")
    assert [(f.position.line, f.position.column, f.message) for f in found] == [
        (5, 9, "data of `search` is in a bind mount (`./esdata`): use a named volume")]


def test_an_object_store_may_be_published(tmp_path):
    # MinIO's S3 API is meant to be reached (presigned URLs) and authenticates: not a database left open
    text = ("services:\n  minio:\n    image: minio/minio:RELEASE.2024-10-02T17-50-41Z\n    ports:\n"
            "      - \"${MINIO_PORT:-9000}:9000\"\n")
    assert run_files(tmp_path, {"compose.yaml": text}, select="CO021") == []


def test_a_broker_publishing_several_ports_is_one_finding(tmp_path):
    base = ("services:\n  redpanda:\n    image: docker.redpanda.com/redpandadata/redpanda:v24.2.4\n    ports:\n"
            "      - \"${KAFKA_PORT:-9092}:9092\"\n      - \"${ADMIN_PORT:-9644}:9644\"\n"
            "      - \"${PROXY_PORT:-8082}:8082\"\n")
    found = run_files(tmp_path, {BASE: base, DEV: "services: {}\n"}, select="CO021")
    assert [(f.position.line, f.position.column, f.message) for f in found] == [
        (5, 9, "message broker `redpanda` is published on all interfaces (ports `9092`, `9644`, `8082`): bind it to "
               "`127.0.0.1` or do not publish it")]

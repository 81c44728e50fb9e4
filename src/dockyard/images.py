"""Image references (`registry/repository:tag@digest`), what their tag pins, and which backing service an
image is.

Used by the Dockerfile base-image rules (DF003-DF005) and by compose's `image:` rule (CO019), so that a
`FROM` and an `image:` are judged alike; the table of backing services (:data:`BACKING_SERVICES`) is the one the
compose rules (a database published on all interfaces) and the env rules (a service's address) share; what an
image is made of (a Python image, an OS or bare-interpreter image, a Node or nginx runtime) is read by the
classification of files (:mod:`dockyard.roles`).
"""

from __future__ import annotations

from enum import Enum

from dockyard.records import record

__all__ = ["BACKING_SERVICES", "ImageFamily", "ImageRef", "TagKind", "codename_of", "image_family", "image_is_python",
           "image_parts", "image_path", "image_repository", "image_runtime", "parse_ref", "plain_image", "tag_kind"]


@record(frozen=True)
class ImageRef:
    registry: str  # "" for Docker Hub
    repository: str  # "python", "library/python", "tiangolo/uvicorn-gunicorn"
    tag: str | None
    digest: str | None

    @property
    def official_name(self) -> str | None:
        """The Docker Official Image name (`python`), or None for other images."""
        if self.registry not in ("", "docker.io", "index.docker.io", "registry-1.docker.io"):
            return None
        repo = self.repository
        if repo.startswith("library/"):
            repo = repo[len("library/"):]
        return None if "/" in repo else repo

    @property
    def name(self) -> str:
        """The image's own name, the last part of its repository (`public.ecr.aws/docker/library/debian`: `debian`)."""
        return self.repository.rsplit("/", 1)[-1]


def parse_ref(ref: str) -> ImageRef:
    rest, _, digest = ref.partition("@")
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    tag = None
    if colon > slash:
        rest, tag = rest[:colon], rest[colon + 1:]
    registry = ""
    first, sep, remainder = rest.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, rest = first, remainder
    return ImageRef(registry.lower(), rest.lower(), tag, digest or None)


class TagKind(Enum):
    VERSION = "version"  # the tag names a version of the image (`3.12-slim`, `debian:bookworm`, `alpine3.20`)
    DIGEST_ONLY = "digest-only"  # no tag, pinned by digest
    NONE = "none"  # no tag: `latest`
    LATEST = "latest"
    RELEASE_ONLY = "release-only"  # a distribution codename on an image that is not the distribution (`rust:buster`)
    VERSIONLESS = "versionless"  # `slim`, `alpine`, `lts`, `stable-slim`, `lts-bookworm`


# Release codenames: for the distribution's own images they are versions, like `13` (`debian:bookworm`,
# `ubuntu:noble`, `buildpack-deps:trixie-curl`). Debian's `sid`, `testing`, `unstable` and Ubuntu's `devel`
# and `rolling` are aliases that move.
DEBIAN_CODENAMES = frozenset({
    "hamm", "slink", "potato", "woody", "sarge", "etch", "lenny", "squeeze", "wheezy", "jessie", "stretch",
    "buster", "bullseye", "bookworm", "trixie", "forky", "duke",
})
UBUNTU_CODENAMES = frozenset({
    "trusty", "utopic", "vivid", "wily", "xenial", "yakkety", "zesty", "artful", "bionic", "cosmic", "disco",
    "eoan", "focal", "groovy", "hirsute", "impish", "jammy", "kinetic", "lunar", "mantic", "noble", "oracular",
    "plucky", "questing",
})
CODENAMES = DEBIAN_CODENAMES | UBUNTU_CODENAMES
# images whose version is the distribution release their tag names
DISTRIBUTION_IMAGES = frozenset({"debian", "ubuntu", "buildpack-deps"})
# tag words that follow new releases
MOVING_WORDS = frozenset({
    "latest", "stable", "oldstable", "testing", "unstable", "sid", "lts", "edge", "rolling", "current", "devel",
    "mainline", "nightly",
})


def tag_kind(ref: ImageRef) -> TagKind:
    """What ``ref``'s tag pins. Tags holding a digit are versions (`3.12-slim`, `alpine3.20`, `22-bookworm`);
    a tag made of words is a version only for a distribution's own image named by its release codename, with
    variants (`debian:bookworm-slim`, `buildpack-deps:trixie-scm`)."""
    tag = ref.tag
    if tag is None:
        return TagKind.DIGEST_ONLY if ref.digest else TagKind.NONE
    low = tag.lower()
    if low == "latest":
        return TagKind.LATEST
    if any(ch.isdigit() for ch in low):
        return TagKind.VERSION
    words = set(low.replace("_", "-").split("-"))
    if words & MOVING_WORDS or not words & CODENAMES:
        return TagKind.VERSIONLESS
    return TagKind.VERSION if ref.name in DISTRIBUTION_IMAGES else TagKind.RELEASE_ONLY


def codename_of(tag: str) -> str | None:
    """The release codename in ``tag`` (`slim-bookworm` -> `bookworm`), if any."""
    return next((w for w in tag.lower().replace("_", "-").split("-") if w in CODENAMES), None)


# ------------------------------------------------------------------------------------------ backing services
def image_repository(image) -> str:
    """``docker.io/library/postgres:16@sha256:...`` -> ``postgres`` (last path component, lower case)."""
    if not isinstance(image, str):
        return ""
    ref = image.split("@", 1)[0]
    last = ref.rsplit("/", 1)[-1]
    return last.split(":", 1)[0].lower()


def image_path(image) -> str:
    """The repository path without registry port confusion: ``bitnami/redis:7`` -> ``bitnami/redis``."""
    if not isinstance(image, str):
        return ""
    ref = image.split("@", 1)[0]
    head, _, last = ref.rpartition("/")
    return ((head + "/") if head else "") + last.split(":", 1)[0].lower()


@record(frozen=True)
class ImageFamily:
    """Images of one server: ``name`` (``postgres``), ``kind`` (``database``, ``cache``, ``message broker``,
    ``search engine``, ``coordination store``, ``object store``), ``images``: repository names (the last path
    component, ``postgresql``) or, where that is too generic, namespace paths (``mssql/server``), and
    ``prefixes``: how env files name its address (``POSTGRES_HOST``, ``DATABASE_URL``...)."""

    name: str
    kind: str
    images: tuple[str, ...]
    prefixes: tuple[str, ...] = ()


# One table: what dockyard knows is a database, a cache or another stateful backing service.
BACKING_SERVICES = (
    ImageFamily("postgres", "database", ("postgres", "postgis", "postgresql", "timescaledb", "timescaledb-ha",
                                         "pgvector", "postgresql-repmgr", "supabase/postgres",
                                         "cloudnative-pg/postgresql"),
                ("POSTGRES", "DB", "DATABASE", "PG", "POSTGRESQL", "POSTGIS", "TIMESCALE")),
    ImageFamily("mysql", "database", ("mysql", "mysql-server", "mariadb", "percona", "percona-server",
                                      "percona-server-mongodb", "mariadb-galera"),
                ("MYSQL", "MARIADB", "DB", "DATABASE")),
    ImageFamily("mssql", "database", ("mssql/server", "mssql/rhel/server", "azure-sql-edge"),
                ("MSSQL", "SQLSERVER", "DB", "DATABASE")),
    ImageFamily("mongo", "database", ("mongo", "mongodb", "mongodb-community-server", "mongodb-enterprise-server"),
                ("MONGODB", "MONGO", "DB", "DATABASE")),
    ImageFamily("cassandra", "database", ("cassandra", "scylla", "scylladb/scylla"), ("CASSANDRA", "SCYLLA")),
    ImageFamily("clickhouse", "database", ("clickhouse-server", "clickhouse/clickhouse", "clickhouse"),
                ("CLICKHOUSE",)),
    ImageFamily("influxdb", "database", ("influxdb",), ("INFLUXDB", "INFLUX")),
    ImageFamily("couchdb", "database", ("couchdb", "couchbase", "couchbase-server"), ("COUCHDB", "COUCHBASE")),
    ImageFamily("neo4j", "database", ("neo4j",), ("NEO4J",)),
    ImageFamily("cockroach", "database", ("cockroach", "cockroachdb/cockroach"), ("COCKROACH", "DB", "DATABASE")),
    ImageFamily("redis", "cache", ("redis", "valkey", "keydb", "redis-stack", "redis-stack-server", "redismod",
                                   "rejson", "redisearch"),
                ("REDIS", "VALKEY", "CACHE", "CELERY_BROKER", "BROKER")),
    ImageFamily("dragonfly", "cache", ("dragonfly",), ("DRAGONFLY", "REDIS", "CACHE")),
    ImageFamily("memcached", "cache", ("memcached",), ("MEMCACHED", "CACHE")),
    ImageFamily("elasticsearch", "search engine", ("elasticsearch", "opensearch", "elasticsearch/elasticsearch",
                                                   "opensearchproject/opensearch"),
                ("ELASTICSEARCH", "OPENSEARCH", "ELASTIC", "ES", "SEARCH")),
    ImageFamily("rabbitmq", "message broker", ("rabbitmq",), ("RABBITMQ", "AMQP", "BROKER", "CELERY_BROKER")),
    ImageFamily("kafka", "message broker", ("kafka", "cp-kafka", "cp-server", "redpanda"), ("KAFKA", "BROKER")),
    ImageFamily("nats", "message broker", ("nats", "nats-streaming"), ("NATS",)),
    ImageFamily("zookeeper", "coordination store", ("zookeeper", "cp-zookeeper", "etcd"), ("ZOOKEEPER", "ETCD")),
    # an object store's S3 API is meant to be reached (presigned URLs) and is authenticated: it may be published
    ImageFamily("minio", "object store", ("minio", "minio/minio"), ("MINIO", "S3", "AWS_S3")),
)
_BY_NAME = {i: f for f in BACKING_SERVICES for i in f.images if "/" not in i}
_BY_PATH = tuple((i, f) for f in BACKING_SERVICES for i in f.images if "/" in i)


def image_family(image) -> ImageFamily | None:
    """The backing-service family of an image reference, whatever its registry, namespace, tag or digest."""
    path = image_path(image).lower()
    if not path:
        return None
    for suffix, family in _BY_PATH:
        if path == suffix or path.endswith("/" + suffix):
            return family
    return _BY_NAME.get(path.rsplit("/", 1)[-1])


# ------------------------------------------------------------------------- what an image is made of
_CONDA = ("miniconda", "anaconda", "miniforge", "mambaforge", "micromamba")
_OTHER_RUNTIMES = frozenset({
    "node", "golang", "go", "rust", "openjdk", "eclipse-temurin", "amazoncorretto", "maven", "gradle", "ruby",
    "php", "nginx", "httpd", "caddy", "traefik", "haproxy", "bun", "deno", "dotnet", "aspnet", "sdk", "elixir",
    "erlang", "swift", "perl", "playwright", "postgres", "mysql", "mariadb", "redis", "mongo", "tomcat",
    "jetty", "wordpress", "gcc", "clojure", "haskell", "julia", "r-base", "dart",
})


def image_parts(image: str) -> tuple[list[str], str]:
    """The path components of an image reference (registry and namespaces included, lower case) and its tag."""
    ref = image.lower().split("@", 1)[0]
    head, _, last = ref.rpartition("/")
    name, _, tag = last.partition(":")
    parts = (head.split("/") if head else []) + [name]
    return parts, tag


def image_is_python(image: str) -> bool:
    """``python:3.12-slim``, ``pypy``, ``cimg/python``, ``mcr.microsoft.com/playwright/python``,
    ``ghcr.io/astral-sh/uv:python3.12-bookworm``, conda and Jupyter images."""
    parts, tag = image_parts(image)
    for p in parts:
        if "python" in p or p.startswith("pypy") or p.startswith(_CONDA) or p.startswith("jupyter"):
            return True
    return "python" in tag


_PLAIN = frozenset({"debian", "ubuntu", "alpine", "busybox", "scratch", "fedora", "centos", "rockylinux",
                    "almalinux", "amazonlinux", "oraclelinux", "buildpack-deps", "ubi", "ubi-minimal", "ubi8", "ubi9",
                    "wolfi-base", "chainguard"})


def plain_image(image: str) -> bool:
    """An operating-system or bare-interpreter image (`python:3.12-slim`, `debian:12`, `cimg/python`): it brings
    no service of its own, so no server command, no EXPOSE, no application settings to inherit. An
    application-server image (`tiangolo/uvicorn-gunicorn-fastapi`, `nginx`) brings all three."""
    parts, _tag = image_parts(image)
    name = parts[-1] if parts else ""
    return name in _PLAIN or name.startswith(("python", "pypy")) or "distroless" in parts


def image_runtime(image: str) -> str | None:
    """The non-Python runtime an image is known for (``node``, ``nginx``...), or None."""
    parts, _ = image_parts(image)
    name = parts[-1] if parts else ""
    if name in _OTHER_RUNTIMES:
        return name
    return name if name.split("-", 1)[0] in _OTHER_RUNTIMES else None

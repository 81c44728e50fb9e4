"""Values written literally in compose files that must come from the environment: secrets, URLs and hosts,
connection strings, image tags; and commands that start more than one process."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockyard.images import TagKind, parse_ref, tag_kind
from dockyard.model import Position, Problem
from dockyard.regex import lazy_compile
from dockyard.rules.base import Context, Scope, rule
from dockyard.rules.compose._common import (LOCAL_ONLY, file_services, local_only, mapping_items, scalar_span,
                                            strip_references,
                                            value_position)
from dockyard.compose.context import environment_views
from dockyard.parsers.interpolation import InterpolationError, references, substitute
from dockyard.parsers.yamlpos import YSeq
from dockyard.rules.compose._common import strings
from dockyard.secrets import is_secret_name, mask, url_credentials

CONNECTION_NAMES = lazy_compile(r"(^|_)(DATABASE|DB|POSTGRES|MYSQL|MONGO(DB)?|REDIS|CACHE|BROKER|AMQP|RABBITMQ|"
                              r"CELERY_BROKER|CELERY_RESULT_BACKEND|SQLALCHEMY_DATABASE)(_URL|_URI|_DSN)?$|"
                              r"_(URL|URI|DSN)$", re.I)
_CONN_ONLY = lazy_compile(r"(DATABASE|DB|POSTGRES|MYSQL|MONGO|REDIS|CACHE|BROKER|AMQP|RABBITMQ|CELERY|SQLALCHEMY)",
                        re.I)
_URL = lazy_compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*)://([^\s\"'`]*)")
_SCHEME = lazy_compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*)://")
# listen on every interface (`0.0.0.0`, ASP.NET's `+`): an address to bind, not a place to reach
_ANY_ADDRESS = frozenset({"0.0.0.0", "::", "[::]", "+", "*"})
# the part after `scheme://` is a bucket (s3://profiles) or a path, not a host
_NO_HOST_SCHEMES = frozenset({"s3", "s3a", "gs", "gcs", "file"})
_FLAGS = frozenset({"true", "false", "yes", "no", "on", "off"})
_HOST_NAMES = lazy_compile(r"_(HOST|HOSTNAME|DOMAIN|SERVER|ENDPOINT)$", re.I)
_LOCAL_BIND = frozenset({"0.0.0.0", "127.0.0.1", "::", "::1", "localhost"})
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
_SECRET_FLAGS = ("--requirepass", "--masterauth", "--password", "--pass", "-a", "--api-key", "--token")


def _conn_name(name: str) -> bool:
    return bool(CONNECTION_NAMES.search(name)) and bool(_CONN_ONLY.search(name)) or name.upper().endswith("_DSN")


def _url_host(text: str, skip: frozenset | set = frozenset()) -> str | None:
    """The first host named by a URL in ``text`` (references stripped to ``\\x00``), skipping URLs whose host
    comes from a variable, listen-everywhere addresses, schemes without a host and the hosts in ``skip``; None
    when there is none."""
    for m in _SCHEME.finditer(text):
        if m.group(1).lower() in _NO_HOST_SCHEMES:
            continue
        authority = re.split(r"[/?#,\s\"'`]", text[m.end():], maxsplit=1)[0]
        if authority[:1] in ("\x00", "@", ""):
            continue
        hostport = authority.rsplit("@", 1)[-1]
        host = hostport[:hostport.find("]") + 1] if hostport.startswith("[") else hostport.split(":", 1)[0]
        if host and "\x00" not in host and host not in _ANY_ADDRESS and host.lower() not in skip:
            return host
    return None


def _without_port(host: str) -> str:
    """``db:5432`` -> ``db``; a host without a port unchanged."""
    name, sep, port = host.rpartition(":")
    return name if sep and port.isdigit() and name and not name.endswith(":") else host


def _environments_of(ctx: Context) -> list:
    """The environments whose compose files include the file being checked."""
    return [v for v in environment_views(ctx.project) if any(sf.path == ctx.file.path for sf in v.compose_files)]


def _service_names(services) -> set[str]:
    """What compose's DNS answers for on a project network: service names, container names, network aliases
    and link aliases (lower case)."""
    names: set[str] = set()
    for name, svc in services:
        names.add(str(name).lower())
        if not hasattr(svc, "get"):
            continue
        if isinstance(svc.get("container_name"), str):
            names.add(svc["container_name"].lower())
        nets = svc.get("networks")
        for spec in (nets.values() if hasattr(nets, "values") else ()):
            aliases = spec.get("aliases") if hasattr(spec, "get") else None
            names.update(str(a).lower() for a in (aliases or ()) if isinstance(a, str))
        for link in svc.get("links") or ():
            if isinstance(link, str):
                names.add(link.rpartition(":")[2].lower())
    return names


def _compose_dns(ctx: Context, environments: list) -> set[str]:
    """Hosts every environment using this file resolves to one of its own services (the file's own services when
    no environment uses it): the same in every environment, not a deployment's address."""
    if not environments:
        return _service_names(file_services(ctx.model))
    found = [_service_names(v.services.items()) for v in environments]
    return set.intersection(*found)


class _ComposeDns:
    """The hosts compose's DNS answers for in every environment using the checked file (see :func:`_compose_dns`),
    as a container for ``in``. The file's own services answer in all of them; the environments, which cost a
    merge, are built only to ask about another host (and once, shared with :attr:`with_loopback`)."""

    def __init__(self, ctx: Context, extra: frozenset = frozenset(), shared: dict | None = None) -> None:
        self.ctx = ctx
        self.own = _service_names(file_services(ctx.model)) | extra
        self._shared = shared if shared is not None else {}

    @property
    def environments(self) -> list:
        if "environments" not in self._shared:
            self._shared["environments"] = _environments_of(self.ctx)
        return self._shared["environments"]

    @property
    def with_loopback(self) -> "_ComposeDns":
        """The same, with the loopback addresses (a listener's own address is not one to vary)."""
        return _ComposeDns(self.ctx, _LOOPBACK, self._shared)

    def __contains__(self, host) -> bool:
        if host in self.own:
            return True
        if "dns" not in self._shared:
            self._shared["dns"] = _compose_dns(self.ctx, self.environments)
        return host in self._shared["dns"]


def _env_like(svc):
    """``environment`` and ``build.args`` nodes of a service."""
    env = svc.get("environment")
    if env is not None:
        yield env
    build = svc.get("build")
    if isinstance(build, dict) and build.get("args") is not None:
        yield build.get("args")


def _literal(value) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value) != "" and (
        "$" not in str(value) or strip_references(str(value)).replace("\x00", "") == str(value))


@rule(
    code="CO009", name="compose-hardcoded-secret", scope=Scope.COMPOSE,
    summary="No literal secrets (passwords, keys, tokens, credentials in URLs) in compose files",
    why="Compose files are committed and copied around; a password written in one is leaked to everyone "
        "with the repository and is the same in every environment. Secrets come from the env file.",
    standard=("CO-NO-HARDCODED-SECRETS",), section="Secrets Management",
    example="services:\n  app:\n    image: python:3.12-slim\n    environment:\n      - SECRET_KEY=hardcoded-key\n",
    use_instead="services:\n  app:\n    image: python:3.12-slim\n    environment:\n"
                "      - SECRET_KEY=${SECRET_KEY:?SECRET_KEY is required}\n",
    notes=LOCAL_ONLY,
)
def hardcoded_secret(ctx: Context) -> Iterator[Problem]:
    if local_only(ctx.file.path):
        return
    for name, svc in file_services(ctx.model):
        seen = set()
        for node in _env_like(svc):
            for key, value, kpos, spos, off in mapping_items(node):
                if value is None or not is_secret_name(key, str(value)) or not _literal(value):
                    continue
                text = str(value)
                scalar = f"{key}={text}" if off else text
                pos = value_position(ctx.file, spos, scalar, off, text)
                seen.add((pos.line, pos.column))
                yield Problem(f"`{key}` is set to a literal secret ({mask(text, key)}) in service `{name}`: use "
                              f"`${{{key}:?{key} is required}}` and set it in the env file", pos, service=name)
        # a literal connection string with its password is one finding, CO011's (build it from variables)
        connections = {value for _, value, _ in _literal_connections(ctx, svc)} \
            if ctx.project.config.enabled("CO011") and not ctx.project.config.ignored_in_file("CO011", ctx.file.path) \
            else set()
        for path, text, pos in strings(svc):
            if text in connections or text.partition("=")[2] in connections:
                continue
            for m in url_credentials(text):
                password = m.group("password")
                if "$" in password:
                    continue
                where = scalar_span(ctx.file, pos, text, m.start("password"), m.end("password"))
                if (where.line, where.column) in seen:
                    continue
                seen.add((where.line, where.column))
                yield Problem(f"URL in service `{name}` carries a literal password ({mask(m.group(0))}): build it "
                              "from `${...}` components", where, service=name)
        for key in ("command", "entrypoint"):
            cmd = svc.get(key)
            words = list(cmd) if isinstance(cmd, YSeq) else (cmd.split() if isinstance(cmd, str) else [])
            for i, w in enumerate(words[:-1]):
                if str(w) in _SECRET_FLAGS and isinstance(words[i + 1], str) and "$" not in words[i + 1]:
                    secret = words[i + 1]
                    if isinstance(cmd, YSeq):
                        where = cmd.item_pos(i + 1) or svc.key_pos(key)
                    else:
                        text = cmd
                        start = text.find(secret, text.find(str(w)) + len(str(w)))
                        where = scalar_span(ctx.file, svc.value_pos(key), text, start, start + len(secret))
                    yield Problem(f"`{w}` is given a literal secret (********) in service `{name}`: use a "
                                  "`${VAR:?message}` variable", where, service=name)


@rule(
    code="CO010", name="compose-hardcoded-url", scope=Scope.COMPOSE,
    summary="URLs, hostnames and DNS names in service configuration come from variables",
    why="A literal URL or hostname ties the compose file to one deployment: moving to staging, another "
        "cloud or a new domain then means editing compose files instead of the environment's `.env`.",
    standard=("CO-NO-HARDCODED-URLS",), section="URL and DNS Best Practices",
    example="services:\n  app:\n    image: python:3.12-slim\n    environment:\n"
            "      - API_URL=https://api.example.com\n      - REDIS_HOST=redis-cluster-0\n",
    use_instead="services:\n  app:\n    image: python:3.12-slim\n    environment:\n"
                "      - API_URL=${API_URL:?API_URL is required}\n      - REDIS_HOST=${REDIS_HOST:-redis}\n",
    notes=LOCAL_ONLY + "Defaults inside `${VAR:-default}` are allowed (the standard's own examples use them). Connection "
          "strings are checked by CO011. Addresses that mean every interface (`0.0.0.0`, `+`), buckets "
          "(`s3://name`) and on/off values of `*_SERVER`-like settings are not hosts. Nor is compose's own DNS: "
          "the name, container name or network alias of a service of every environment that uses the file "
          "(`SMTP_HOST: mailpit`, `http://backend:8000`) is the same in every environment; nor is the loopback "
          "address of a listener setting (`KAFKA_ADVERTISED_LISTENERS: PLAINTEXT://127.0.0.1:29092`). When an "
          "environment's env file gives the variable another value, `${VAR:-literal}` would silently change "
          "it: the advice is to set it in the env files.",
)
def hardcoded_url(ctx: Context) -> Iterator[Problem]:
    if local_only(ctx.file.path):
        return
    dns = _ComposeDns(ctx)
    listener_dns = dns.with_loopback
    for name, svc in file_services(ctx.model):
        for node in _env_like(svc):
            for key, value, kpos, spos, off in mapping_items(node):
                if value is None or not isinstance(value, str) or _conn_name(key):
                    continue
                scalar = f"{key}={value}" if off else value
                stripped = strip_references(value)
                # a broker's own loopback listener (PLAINTEXT://127.0.0.1:29092) is not an address to vary
                skip = listener_dns if "LISTENER" in key.upper() else dns
                host = _url_host(stripped, skip)
                if host is not None:
                    pos = value_position(ctx.file, spos, scalar, off, value)
                    yield Problem(f"`{key}` in service `{name}` hardcodes the URL host `{host}`: take the URL "
                                  f"(or its base) from the env file, e.g. `${{{key}:?{key} is required}}`", pos,
                                  service=name)
                    continue
                if _SCHEME.search(stripped):
                    continue
                if _HOST_NAMES.search(key) and _literal(value) and value not in _LOCAL_BIND | _ANY_ADDRESS \
                        and value.lower() not in _FLAGS and not value.replace(".", "").isdigit() \
                        and _without_port(value).lower() not in dns:
                    pos = value_position(ctx.file, spos, scalar, off, value)
                    elsewhere = next((v.env_file.path for v in dns.environments if v.env_file is not None and
                                      v.variables.get(key) not in (None, value)), None)
                    if elsewhere is not None:
                        advice = (f"`{elsewhere}` sets `{key}` to another value, which `${{{key}:-{value}}}` would "
                                  f"silently pick up: set it in each environment's env file and write "
                                  f"`${{{key}:?{key} is required}}`")
                    else:
                        advice = f"use `${{{key}:-{value}}}` so each environment can change it"
                    yield Problem(f"`{key}` in service `{name}` hardcodes the host `{value}`: {advice}", pos,
                                  service=name)


@rule(
    code="CO011", name="compose-literal-connection-string", scope=Scope.COMPOSE,
    summary="Connection strings (`DATABASE_URL`, `REDIS_URL`, broker URLs) are built from variable components",
    why="A literal connection string hardcodes host, port, user and often the password; building it from "
        "`${DB_USER}`, `${DB_PASSWORD:?...}`, `${DB_HOST}`... lets each environment point elsewhere and keeps "
        "the password out of the file.",
    standard=("CO-CONN-STRINGS",), section="Connection String Construction",
    example="services:\n  app:\n    image: python:3.12-slim\n    environment:\n"
            "      - REDIS_URL=redis://redis:6379/0\n",
    use_instead="services:\n  app:\n    image: python:3.12-slim\n    environment:\n"
                "      - REDIS_URL=redis://${REDIS_HOST:-redis}:${REDIS_PORT:-6379}/0\n",
    notes=LOCAL_ONLY + "`${REDIS_URL:-redis://${REDIS_HOST:-redis}:...}` is accepted: the whole URL comes from the "
          "environment and its default is built from components.",
)
def literal_connection_string(ctx: Context) -> Iterator[Problem]:
    if local_only(ctx.file.path):
        return
    for name, svc in file_services(ctx.model):
        for key, value, pos in _literal_connections(ctx, svc):
            password = next((m.group("password") for m in url_credentials(value) if "$" not in m.group("password")),
                            None)
            also = " with its password written in it" if password else ""
            yield Problem(f"`{key}` in service `{name}` is a literal connection string ({mask(value)}){also}: build "
                          "it from variables, e.g. `scheme://${USER}:${PASSWORD:?...}@${HOST}:${PORT}/${NAME}`",
                          pos, service=name)


def _literal_connections(ctx: Context, svc) -> Iterator[tuple[str, str, Position]]:
    """(key, value, position of the value) of each connection string a service's environment writes out, host
    included (`DATABASE_URL: postgresql://app:pw@db:5432/app`)."""
    for node in _env_like(svc):
        for key, value, kpos, spos, off in mapping_items(node):
            if value is None or not isinstance(value, str) or not _conn_name(key):
                continue
            m = _URL.search(strip_references(value))
            if not m:
                continue
            rest = m.group(2)
            hostport = rest.rsplit("@", 1)[-1] if "@" in rest.split("/", 1)[0] else rest
            host = re.split(r"[:/?#]", hostport, maxsplit=1)[0]
            if "\x00" in host:
                continue
            scalar = f"{key}={value}" if off else value
            yield key, value, value_position(ctx.file, spos, scalar, off, value)


@rule(
    code="CO019", name="compose-image-tag", scope=Scope.COMPOSE,
    summary="Every `image:` names a specific version tag (not untagged, not `latest`)",
    why="`postgres` or `redis:latest` pulls whatever is newest on the day: two machines run different "
        "versions, and a major upgrade arrives unannounced with the next `pull`.",
    standard=("CO-IMAGE-TAGS",), section="Architecture Principles (Reproducible); Image Tagging",
    example="services:\n  db:\n    image: postgres:latest\n",
    use_instead="services:\n  db:\n    image: postgres:17.2-alpine\n",
    notes="The standard's own production example uses `image: myapp:latest`; the checklist item wins. A tag "
          "from a variable without a default (`myapp:${APP_VERSION:?...}`) is accepted. Tags are judged as DF004 "
          "judges a `FROM`: `redis:alpine` or `node:lts` name no version; `debian:bookworm-slim` does. The `image:` "
          "of a service that has `build:` in the same file names what compose builds from the checkout (the "
          "standard's Image Tagging tags a build `latest` too): nothing is pulled, so it is not judged.",
)
def image_tag(ctx: Context) -> Iterator[Problem]:
    for name, svc in file_services(ctx.model):
        image = svc.get("image")
        if not isinstance(image, str) or not image or "build" in svc:
            continue
        pos = svc.value_pos("image") or svc.key_pos("image")
        refs = [r for r in references(image) if r.depth == 0]
        if any(not r.has_default for r in refs):
            continue
        by_default = ""
        resolved = image
        if refs:
            try:
                resolved = substitute(image, lambda _n: None)
            except (InterpolationError, Exception):
                continue
            by_default = " by default"
        if "@" in resolved:
            continue
        ref = parse_ref(resolved)
        kind = tag_kind(ref)
        if kind is TagKind.NONE:
            yield Problem(f"image `{resolved}` of service `{name}` has no tag{by_default}: pin a version such as "
                          f"`{resolved}:<version>`", pos, service=name)
        elif kind is TagKind.LATEST:
            yield Problem(f"image `{resolved}` of service `{name}` uses `latest`{by_default}: pin a version", pos,
                          service=name)
        elif kind in (TagKind.VERSIONLESS, TagKind.RELEASE_ONLY):
            yield Problem(f"image `{resolved}` of service `{name}` uses the tag `{ref.tag}`{by_default}, which names "
                          "no version and moves with every release: pin a version", pos, service=name)


_BACKGROUND = lazy_compile(r"(?<![&>|<])&(?![&>])")


@rule(
    code="CO023", name="compose-single-process", scope=Scope.COMPOSE,
    summary="A service's command runs one main process (no `&`-backgrounded servers, no supervisors)",
    why="Compose watches one process per container: a server started in the background with `&` is not "
        "restarted when it dies, its logs and signals are lost, and scaling one part scales all of them.",
    standard=("CO-SINGLE-PROCESS",), section="Container Philosophy",
    example="services:\n  app:\n    image: python:3.12-slim\n"
            "    command: sh -c \"celery -A app worker & uvicorn app.main:app\"\n",
    use_instead="services:\n  app:\n    image: python:3.12-slim\n    command: [\"uvicorn\", \"app.main:app\"]\n"
                "  worker:\n    image: python:3.12-slim\n    command: [\"celery\", \"-A\", \"app\", \"worker\"]\n",
)
def single_process(ctx: Context) -> Iterator[Problem]:
    for name, svc in file_services(ctx.model):
        for key in ("command", "entrypoint"):
            cmd = svc.get(key)
            if isinstance(cmd, YSeq):
                parts = [(str(v), cmd.item_pos(i)) for i, v in enumerate(cmd) if isinstance(v, (str, int))]
            elif isinstance(cmd, str):
                parts = [(cmd, svc.value_pos(key))]
            else:
                continue
            words = " ".join(p for p, _ in parts).split()
            if words and words[0].rsplit("/", 1)[-1] in ("supervisord", "supervisor", "s6-svscan", "runit"):
                yield Problem(f"service `{name}` runs a process supervisor (`{words[0]}`): run one process per "
                              "service instead", parts[0][1] or svc.key_pos(key), service=name)
                continue
            for text, pos in parts:
                m = _BACKGROUND.search(text)
                if m and pos is not None:
                    yield Problem(f"service `{name}` starts a process in the background with `&`: give each "
                                  "process its own service", scalar_span(ctx.file, pos, text, m.start(), m.end()),
                                  service=name)
                    break

"""What compose rules share: kinds of services, walking one compose file, positions inside scalars.

Kinds of services (decided on the merged model of an environment, or on one file when that is all there is):

* *application service*: built from the project (``build:``), or running the image a built service produces;
* *FastAPI service*: the service's role (:mod:`dockyard.roles`) is ``fastapi-service``; :func:`judged` keeps
  the services whose role the running rule declares it judges;
* *backing service*: a stateful store other services use (database, cache, message broker, search engine,
  coordination store), recognised by image family in :data:`BACKING_SERVICES` whatever the registry or namespace
  (``bitnami/postgresql``, ``docker.io/library/redis``, ``mcr.microsoft.com/mssql/server``); their web UIs
  (pgAdmin, redis-commander, Kibana...) are other images and not backing services;
* *one-off*: ``restart: "no"`` (or ``deploy.restart_policy.condition: none``) or behind ``profiles``: jobs and
  tools, not held to the rules for long-running services.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dockyard import TYPE_CHECKING
from dockyard.compose.environments import DEVELOPMENT_NAMES, development_file, in_fixture_folder, test_file
from dockyard.compose.model import locate
from dockyard.images import image_family, image_repository
from dockyard.model import Position, Problem
from dockyard.parsers.interpolation import scan
from dockyard.parsers.yamlpos import YMap, YSeq
from dockyard.programs import is_one_off
from dockyard.roles import APP, EVERY, roles

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

    from dockyard.project import Project
    from dockyard.source import SourceFile

DEV_TOOLS = ("mailhog", "mailpit", "maildev", "smtp4dev", "pgadmin", "pgadmin4", "adminer", "phpmyadmin",
             "redis-commander", "redisinsight", "mongo-express", "dbgate", "pgweb",
             # local emulators of cloud services: stand-ins a deployment replaces with the service itself
             "localstack", "tinybird-local", "azurite", "dynamodb-local", "fake-gcs-server")


# -- images ----------------------------------------------------------------------------------------------
def backing_kind(svc: dict) -> str | None:
    """``database``, ``cache``, ``message broker``... for a backing service, else None."""
    family = image_family(svc.get("image")) if isinstance(svc, dict) else None
    return family.kind if family else None


def dockerfile_of(project: "Project", view, svc: dict) -> "SourceFile | None":
    """The project's Dockerfile a service builds from (``build.context`` + ``build.dockerfile``), or None."""
    build = svc.get("build")
    if not isinstance(build, dict) or build.get("dockerfile_inline"):
        return None
    context = build.get("context") or "."
    if not isinstance(context, str) or "://" in context or context.startswith("git@"):
        return None
    dockerfile = build.get("dockerfile") or "Dockerfile"
    if not isinstance(dockerfile, str):
        return None
    base_dir = posixpath.dirname(view.compose_files[0].path) if view.compose_files else ""
    rel = posixpath.normpath(posixpath.join(base_dir, context, dockerfile))
    return project.file(rel)


def service_backing_kind(project: "Project", view, svc: dict) -> str | None:
    """:func:`backing_kind` of the service's image; for a service compose builds from the project's Dockerfile, of
    the image that build starts FROM (``FROM postgres:16`` and its init scripts: a database all the same)."""
    kind = backing_kind(svc)
    if kind is not None or not isinstance(svc, dict) or svc.get("build") is None:
        return kind
    sf = dockerfile_of(project, view, svc)
    df = project.dockerfile(sf) if sf is not None else None
    if df is None or df.final_stage is None:
        return None
    chain = df.ancestry(df.final_stage)
    return backing_kind({"image": chain[-1].base_resolved}) if chain and chain[-1].is_external else None


def is_redis(svc: dict) -> bool:
    family = image_family(svc.get("image")) if isinstance(svc, dict) else None
    return family is not None and family.name == "redis"


def is_postgres(svc: dict) -> bool:
    family = image_family(svc.get("image")) if isinstance(svc, dict) else None
    return family is not None and family.name == "postgres"


def is_dev_tool(name: str, svc: dict) -> bool:
    repo = image_repository(svc.get("image"))
    return any(repo == t or repo.startswith(t) for t in DEV_TOOLS) or name.lower() in DEV_TOOLS


# -- environments ------------------------------------------------------------------------------------------
NOT_DEPLOYED = ("Environments nobody deploys are not judged: compose files under a test folder (`tests/`, `e2e/`), a "
                "development container's (`.devcontainer/`), and development helpers that build nothing and start "
                "only backing services and development tools (local emulators of cloud services among them) for an "
                "application run on the host; services behind a profile the project does not turn on and setup "
                "jobs do not count. ")


STACK_FIXTURES = ("Compose files of a test stack (under `tests/` or `e2e/`) and of a development container "
                  "(`.devcontainer/`) are not judged: they hold the test images' published credentials and the "
                  "addresses a fixture or a workspace needs, and nothing deploys them. ")
LOCAL_ONLY = STACK_FIXTURES + ("Nor are compose files only development runs, under a development folder (`dev/`, "
                               "`local/`) or named for a development environment (`docker-compose.dev.yml`): "
                               "their values are development defaults. ")


def fixture_stack(path: str) -> bool:
    """A compose file of a test stack (under ``tests/``, ``e2e/``) or of a development container."""
    return in_fixture_folder(path)


def local_only(path: str) -> bool:
    """A compose file nothing deploys: a test stack's or a development container's (:func:`fixture_stack`), one
    only development runs (:func:`dockyard.compose.environments.development_file`), or an overlay named for tests
    (:func:`dockyard.compose.environments.test_file`)."""
    return fixture_stack(path) or development_file(path) or test_file(path)


def defined_locally(view, name: str) -> bool:
    """Whether service ``name`` comes only from compose files nothing deploys (:func:`local_only`): a test
    overlay's mock server, a tool of the development override. A service of the base file that such a file
    overrides is the base's."""
    first = view.origin_record(("services", name), first=True)
    return first is not None and local_only(first.path)


def hardened(svc: dict, name: str, view) -> bool:
    """A service the production hardening rules judge: long-running (:func:`is_long_running`), no development
    tool (a mail catcher, a database admin UI), which CO024 puts behind `profiles` instead: behind one it runs on
    demand and is no long-running service either; and not defined only in files nothing deploys
    (:func:`defined_locally`)."""
    return is_long_running(svc, name, view) and not is_dev_tool(name, svc) and not defined_locally(view, name)


def deployed(view) -> bool:
    """Whether an environment may be deployed, and so is held to the standard's production hardening (restart
    policies, resource limits, log rotation, networks, healthchecks, ulimits, one name per container). Not: a
    test stack (compose files under ``tests/``, ``e2e/``...), a development container's (``.devcontainer/``),
    one made only of compose files development alone runs (:func:`local_only`), and a development helper: an environment that builds nothing and whose long-running services (those
    behind profiles it does not turn on and setup jobs aside) are only backing services and development tools
    (databases, caches, mail catchers, admin UIs, local emulators of cloud services) for an application run
    elsewhere. An environment named for development or tests is judged: its base file is usually what a
    deployment runs too (``docker compose up`` reads it alone)."""
    if fixture_stack(view.name) or (view.compose_files and all(local_only(sf.path) for sf in view.compose_files)):
        return False
    services = view.services
    return not services or any(svc.get("build") is not None or (backing_kind(svc) is None and
                                                                 not is_dev_tool(name, svc) and
                                                                 is_long_running(svc, name, view))
                               for name, svc in services.items())


# -- services ----------------------------------------------------------------------------------------------
def is_application(svc: dict, built: set[str] | frozenset[str]) -> bool:
    """Built by compose, or running an image another service of the environment builds (``built``: the
    environment's ``EnvironmentView.built_images``, computed once)."""
    if not isinstance(svc, dict):
        return False
    if svc.get("build") is not None:
        return True
    image = svc.get("image")
    return isinstance(image, str) and image in built


def builds_for_development(svc: dict) -> bool:
    """A service built with ``target: development`` (``dev``, ``local``...: the development environment names of
    :mod:`dockyard.compose.environments`): a development service wherever it is defined."""
    target = dig(svc, "build", "target")
    return isinstance(target, str) and target.lower() in DEVELOPMENT_NAMES


def judged(ctx, name: str) -> bool:
    """Whether service ``name`` of the context's environment has a role the running rule judges
    (``Rule.applies``; see :mod:`dockyard.roles`): an nginx service is no FastAPI service."""
    return ctx.applies == EVERY or roles(ctx.project).service(ctx.environment, name).role in ctx.applies


def has_role(ctx, name: str, wanted: frozenset, view=None) -> bool:
    """Service ``name`` of the context's environment (or of ``view``) has one of the roles ``wanted``
    (:mod:`dockyard.roles`)."""
    return roles(ctx.project).service(view if view is not None else ctx.environment, name).role in wanted


def is_fastapi_service(ctx, name: str) -> bool:
    """Service ``name`` of the context's environment serves the FastAPI app (role ``fastapi-service``)."""
    return roles(ctx.project).service(ctx.environment, name).role == APP


def is_long_running(svc: dict, name: str = "", view=None) -> bool:
    """Not a one-off job, tool or test runner (:func:`dockyard.programs.is_one_off`) in the environment ``view``:
    its services decide who waits for whom to complete, its `COMPOSE_PROFILES` which profiles run by default."""
    if view is None:
        return isinstance(svc, dict) and not is_one_off(svc, name)
    return isinstance(svc, dict) and not is_one_off(svc, name, view.services, view.active_profiles,
                                                    view.waited_for_completion)


def dig(d: Any, *keys: Any) -> Any:
    for k in keys:
        if isinstance(d, dict):
            d = d.get(k)
        elif isinstance(d, list) and isinstance(k, int) and 0 <= k < len(d):
            d = d[k]
        else:
            return None
    return d


def healthcheck_test_words(test: Any) -> tuple[str, list[str]]:
    """``(form, words)`` of a healthcheck ``test``: form ``CMD``, ``CMD-SHELL``, ``NONE`` or ``""``."""
    if isinstance(test, str):
        return "CMD-SHELL", test.split()
    if isinstance(test, list) and test:
        form = str(test[0]).upper()
        rest = [str(x) for x in test[1:]]
        if form == "CMD-SHELL":
            return form, " ".join(rest).split()
        return form, rest
    return "", []


def healthcheck_disabled(hc: Any) -> bool:
    if not isinstance(hc, dict):
        return False
    if hc.get("disable") is True:
        return True
    form, _ = healthcheck_test_words(hc.get("test"))
    return form == "NONE"


# -- environment rules: positions and de-duplication ---------------------------------------------------------
def service_of(path: tuple) -> str | None:
    """The service a model path such as ``("services", "app", "ports", 0)`` is about."""
    return str(path[1]) if len(path) > 1 and path[0] == "services" else None


def at(view, path: tuple, message: str, first: bool = False, value: bool = False) -> Problem:
    """A problem located where ``path`` was written (the last file that set it, or the first with ``first``).

    The problem names the service of ``path``: where several services share the text (a YAML anchor, merge
    key or ``x-`` field), the engine reports it once, at the shared text, naming the services."""
    o = view.origin_record(path, first=first)
    if o is None:
        f = view.compose_files[0].path if view.compose_files else "."
        return Problem(message, Position.whole_file(), path=f, service=service_of(path))
    return Problem(message, o.value if value else o.key, path=o.path, service=service_of(path))


def raw_entry(view, path: tuple) -> Any:
    """The value at ``path`` as written (before interpolation); for an entry of a mapping written as a list
    (``environment: [KEY=value]``), the text after ``KEY=``."""
    raw = view.raw(path)
    key = f"{path[-1]}=" if path else ""
    if isinstance(raw, str) and raw.startswith(key) and isinstance(view.raw(path[:-1]), list):
        return raw[len(key):]
    return raw


# -- one compose file -------------------------------------------------------------------------------------
def file_services(doc) -> Iterator[tuple[str, Any]]:
    """``(name, YMap)`` of each service of a parsed compose file."""
    root = getattr(doc, "root", None)
    if not isinstance(root, YMap):
        return
    services = root.get("services")
    if not isinstance(services, YMap):
        return
    for name, svc in services.items():
        if isinstance(svc, YMap):
            yield str(name), svc


def scalar_span(sf, vpos: Position, template: str, start: int, end: int) -> Position:
    return locate(sf, vpos, template, start, end)


def mapping_items(node) -> Iterator[tuple[str, Any, Position, Position, int]]:
    """Entries of an ``environment``/``args``/``labels`` node written as a mapping or as ``K=V`` items.

    Yields ``(key, value, key position, scalar position, value offset)``: the value text starts ``offset``
    characters into the scalar written at ``scalar position`` (0 for a mapping value). ``value`` is None for
    a bare ``KEY`` item.
    """
    if isinstance(node, YMap):
        for k, v in node.items():
            kp = node.key_pos(k) or node.pos
            yield str(k), v, kp, node.value_pos(k) or kp, 0
    elif isinstance(node, YSeq):
        for i, item in enumerate(node):
            if not isinstance(item, str):
                continue
            ip = node.item_pos(i) or node.pos
            k, sep, v = item.partition("=")
            yield k, (v if sep else None), ip, ip, len(k) + 1


def value_position(sf, scalar_pos: Position, scalar_text: str, offset: int, value: str) -> Position:
    """The position of ``value`` (which starts at ``offset`` in ``scalar_text``) in the file."""
    if offset == 0:
        return scalar_pos
    return scalar_span(sf, scalar_pos, scalar_text, offset, offset + len(value))


def strings(node, path: tuple = ()) -> Iterator[tuple[tuple, str, Position]]:
    """Every string scalar value under ``node`` (keys excluded) with its path and position."""
    if isinstance(node, YMap):
        for k, v in node.items():
            vp = node.value_pos(k) or node.pos
            if isinstance(v, str):
                yield path + (k,), v, vp
            else:
                yield from strings(v, path + (k,))
    elif isinstance(node, YSeq):
        for i, v in enumerate(node):
            ip = node.item_pos(i) or node.pos
            if isinstance(v, str):
                yield path + (i,), v, ip
            else:
                yield from strings(v, path + (i,))


def strip_references(text: str) -> str:
    """``text`` with each top-level ``${...}``/``$NAME`` replaced by ``\\x00`` (a variable part)."""
    if "$" not in text:
        return text
    out = []
    pos = 0
    for ref in scan(text).refs:
        if ref.depth != 0 or ref.start < pos:
            continue
        out.append(text[pos:ref.start])
        out.append("\x00")
        pos = ref.end
    out.append(text[pos:])
    return "".join(out).replace("$$", "$")


def in_file(view, path: tuple, message: str, index: int = -1) -> Problem:
    """A problem in one file of the environment (default: its override), at the deepest part of ``path``
    that file writes (the file's first line when it writes none of it)."""
    if not view.compose_files:
        return Problem(message, path=".", service=service_of(path))
    sf = view.compose_files[index]
    doc = view.documents[index] if -len(view.documents) <= index < len(view.documents) else None
    node = getattr(doc, "root", None)
    pos = Position.whole_file()
    for step in path:
        if isinstance(node, YMap) and step in node:
            pos = node.key_pos(step) or pos
            node = node[step]
        else:
            break
    return Problem(message, pos, path=sf.path, service=service_of(path))


# -- what services share through a merge key ----------------------------------------------------------------
def absent(ctx, name: str, message: str) -> Problem:
    """A problem about a setting service ``name`` lacks, at the service's name; when the service is a variant of
    a mapping that other services of its file merge as well (``<<: *netbox``: the merged mapping gives it its
    ``image`` or ``build``), at that mapping's key (the anchor), where one added setting fixes every service
    that merges it: the engine then reports it once, naming the services (see :func:`at`). A small anchor
    merged for one setting (``<<: *restart_policy``) does not make services variants of one another."""
    view = ctx.environment
    shared = _shared_anchor(ctx, view, name)
    if shared is not None:
        path, pos = shared
        return Problem(message, pos, path=path, service=name)
    return at(view, ("services", name), message, first=True)


def _shared_anchor(ctx, view, name: str) -> tuple[str, Position] | None:
    """``(file, position of the anchor's key)`` when service ``name`` merges a mapping that at least one other
    service also merges (or owns, as the service the anchor is written on), else None."""
    o = view.origin_record(("services", name), first=True)
    if o is None:
        return None
    doc = next((d for sf, d in zip(view.compose_files, view.documents) if sf.path == o.path), None)
    root = getattr(doc, "root", None)
    services = root.get("services") if isinstance(root, YMap) else None
    if not isinstance(services, YMap):
        return None
    owners = ctx.project.memo(("compose.key_owners", o.path), lambda: _key_owners(root))
    anchor = _merged_from(services, name, owners)
    if anchor is None:
        return None
    sharing = {other for other in services if _merged_from(services, str(other), owners) == anchor}
    sharing |= {str(k) for k in services if services.key_pos(k) == anchor}  # the service the anchor is written on
    return (o.path, anchor) if len(sharing) > 1 else None


def _merged_from(services, name: str, owners: dict) -> Position | None:
    """The key of the mapping service ``name`` takes its ``image`` (or ``build``) from through a merge key, or
    None when it writes its own. A merged key keeps the position it was written at, inside the anchor, which
    YAML requires before its alias."""
    svc = services.get(name)
    own = services.key_pos(name)
    if not hasattr(svc, "key_pos") or own is None:
        return None
    for key in ("image", "build"):
        p = svc.key_pos(key)
        if p is not None and (p.line, p.column) < (own.line, own.column):
            return owners.get((p.line, p.column))
    return None


def _key_owners(root) -> dict[tuple[int, int], Position]:
    """For every key written in a document, the key of the mapping it is written in: the earliest such key,
    as merged copies of a mapping repeat its keys' positions under later keys."""
    owners: dict[tuple[int, int], Position] = {}
    # depth first in the file's order, with a stack rather than a closure calling itself (a reference cycle);
    # an entry: (node, the key it is the value of, (that key's position, the key of the mapping it is written in))
    stack: list = [(root, None, None)]
    while stack:
        node, at_key, owner = stack.pop()
        if owner is not None:
            kp, outer = owner
            where = (kp.line, kp.column)
            best = owners.get(where)
            if best is None or (outer.line, outer.column) < (best.line, best.column):
                owners[where] = outer
        if isinstance(node, YMap):
            below = []
            for k, v in node.items():
                kp = node.key_pos(k)
                below.append((v, kp, (kp, at_key) if kp is not None and at_key is not None else None))
            stack.extend(reversed(below))
        elif isinstance(node, YSeq):
            stack.extend(reversed([(v, node.item_pos(i), None) for i, v in enumerate(node)]))
    return owners

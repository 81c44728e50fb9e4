"""Find FastAPI applications and their routes statically, with ``ast``: project code is never imported or run.
Each module is read by :mod:`dockyard.parsers.fastapi_ast`; this module joins what they declare.

Understood: ``app = FastAPI(...)`` at module level or inside a factory function; ``APIRouter(prefix=...)``;
route decorators (``@app.get("/health")``, ``@router.api_route(path, methods=[...])``); ``add_api_route``;
``include_router(router, prefix=...)`` across modules (``from app.api import health``,
``from app.api.health import router as health_router``, ``health.router``), with prefixes concatenated; apps
mounted into another (``app.mount("/api/v1", api)``, ``app.host(host, admin_app)``), which that one serves.
String constants for paths and prefixes are resolved when they are module-level literals, of the module or
imported from another one of the project (``from .contract import HEALTH_PATH``); another prefix
(``prefix=settings.API_V1_STR``) is kept as ``<settings.API_V1_STR>``. A module is found by its dotted name from
the project root or from a source root below it (``backend/app/main.py`` imports ``app.api``).
"""

from __future__ import annotations

from collections.abc import Callable

from dockyard.records import field, record
from dockyard.source import FileKind

HTTP_METHODS = {"get", "post", "put", "delete", "patch", "options", "head", "trace"}
# marks a constant imported from another module in a path or prefix (``IMPORTED + module + IMPORTED + name +
# IMPORTED``) until every module is read; then :func:`analyse` puts its value in
IMPORTED = "\x00"


@record(frozen=True, slots=True)
class Route:
    method: str  # upper-case
    path: str  # full path with prefixes
    module: str
    line: int
    column: int


@record
class RouterObject:
    module: str
    name: str  # variable name (module-level, or "<function>.<var>" inside a factory)
    kind: str  # "app" | "router"
    prefix: str
    line: int
    column: int
    routes: list[tuple[str, str, int, int]] = field(default_factory=list)  # (method, path, line, col)
    includes: list[tuple[tuple[str, str] | None, str, int]] = field(default_factory=list)  # (target ref, prefix, line)
    mounts: list[tuple[str, str]] = field(default_factory=list)  # refs of the apps it mounts (`mount`, `host`)


@record
class ModuleInfo:
    name: str  # dotted module name
    path: str  # relative path
    constants: dict[str, str] = field(default_factory=dict)
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # local -> (module, attr or None)
    objects: dict[str, RouterObject] = field(default_factory=dict)


@record
class AppModel:
    apps: list[RouterObject]
    routes: dict[int, list[Route]]  # id(app) -> its routes
    modules: dict[str, ModuleInfo]
    mounted: set[int] = field(default_factory=set)  # id() of the apps another app mounts: it serves them

    def is_mounted(self, app: RouterObject) -> bool:
        return id(app) in self.mounted

    def routes_of(self, app: RouterObject) -> list[Route]:
        return self.routes.get(id(app), [])


def module_name(relpath: str) -> str:
    parts = relpath[:-3].split("/") if relpath.endswith(".py") else relpath.split("/")
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def analyse(sources: dict[str, str], others: Callable[[str], tuple[str, str] | None] | None = None) -> AppModel:
    """``sources``: relative path -> text of the Python files worth reading. ``others``: (path, text) of another
    module of the project by dotted name, read when a path constant is imported from it (a module of constants
    mentions no FastAPI)."""
    modules: dict[str, ModuleInfo] = {}
    if sources:
        from dockyard.parsers.fastapi_ast import read_module  # lazy: ast costs 3 ms; most trees have no app

        for path, text in sources.items():
            info = read_module(path, text)
            if info is not None:
                modules[info.name] = info

    by_suffix: dict[str, list[str]] = {}

    def index(name: str) -> None:  # `backend/app/main.py` is module `app.main` when `backend/` is the source root
        parts = name.split(".")
        for i in range(1, len(parts)):
            by_suffix.setdefault(".".join(parts[i:]), []).append(name)

    for name in modules:
        index(name)
    tried: set[str] = set()  # modules asked of ``others``

    def module(mod: str) -> ModuleInfo | None:
        info = modules.get(mod)
        if info is None:
            candidates = by_suffix.get(mod, ())
            info = modules[candidates[0]] if len(candidates) == 1 else None
        if info is None and others is not None and mod not in tried:
            tried.add(mod)
            found = others(mod)
            if found is not None and (info := read_module(*found)) is not None:
                modules[info.name] = info
                index(info.name)
        return info

    apps = [o for m in modules.values() for o in m.objects.values() if o.kind == "app"]
    routes: dict[int, list[Route]] = {}
    for app in apps:
        out: list[Route] = []
        stack = [(app, app.prefix, 0)]
        seen: set[int] = set()
        while stack:
            obj, prefix, depth = stack.pop()
            if id(obj) in seen or depth > 20:
                continue
            seen.add(id(obj))
            for method, path, line, col in obj.routes:
                own = _imported(path, module, False)
                if own is not None:  # a path whose constant is not found is not known
                    out.append(Route(method, _imported(prefix, module, True) + own, obj.module, line, col))
            for ref, inc_prefix, _ in obj.includes:
                target = _resolve(ref, module)
                if target is not None:
                    stack.append((target, prefix + inc_prefix + target.prefix, depth + 1))
        routes[id(app)] = out
    mounted = {id(target) for app in apps for ref in app.mounts if (target := _resolve(ref, module)) is not None}
    return AppModel(apps, routes, modules, mounted)


def _imported(text: str, module: Callable[[str], ModuleInfo | None], keep: bool) -> str | None:
    """``text`` with the value of each constant it imports; one not found is ``<NAME>`` with ``keep`` (a prefix
    only known at run time), else the whole text is unknown (None)."""
    if IMPORTED not in text:
        return text
    parts = text.split(IMPORTED)  # text, module, name, text, module, name, ..., text
    out = [parts[0]]
    for i in range(1, len(parts) - 1, 3):
        value = _constant(parts[i], parts[i + 1], module)
        if value is None and not keep:
            return None
        out += [value if value is not None else f"<{parts[i + 1]}>", parts[i + 2]]
    return "".join(out)


def _constant(mod: str, name: str, module: Callable[[str], ModuleInfo | None], depth: int = 0) -> str | None:
    """The string constant ``name`` of module ``mod``, following re-exports."""
    info = module(mod)
    if info is None or depth > 10:
        return None
    if name in info.constants and IMPORTED not in info.constants[name]:
        return info.constants[name]
    m2, a2 = info.imports.get(name, ("", None))
    return _constant(m2, a2, module, depth + 1) if a2 else None


def _resolve(ref: tuple[str, str] | None, module: Callable[[str], ModuleInfo | None]) -> RouterObject | None:
    """The object ``ref`` (module, name) names, following re-exports; ``module`` finds a module by name. (Not a
    closure of :func:`analyse`: one that calls itself is a reference cycle, freed only by a full collection.)"""
    if ref is None:
        return None
    mod, name = ref
    info = module(mod)
    if info is None:
        return None
    if name in info.objects:
        return info.objects[name]
    if name in info.imports:  # re-exported
        m2, a2 = info.imports[name]
        return _resolve((m2, a2), module) if a2 else None
    return None


# Folders whose FastAPI objects are not the service's (test apps, docs snippets, migrations).
SKIP_PARTS = frozenset({"tests", "test", "docs", "examples", "migrations", "alembic"})


def project_apps(project) -> AppModel:
    """The FastAPI apps of a project's Python sources (only files that mention FastAPI/APIRouter are parsed),
    computed once per run."""
    def compute() -> AppModel:
        sources = {}
        rest = {}  # dotted name (and each shorter suffix: a source root below the project's) -> the others
        for sf in project.files_of(FileKind.PYTHON):
            parts = set(sf.path.split("/")[:-1])
            if parts & SKIP_PARTS or sf.path.rsplit("/", 1)[-1].startswith("test_"):
                continue
            project.read(sf)
            if sf.text and ("FastAPI" in sf.text or "APIRouter" in sf.text or "include_router" in sf.text):
                sources[sf.path] = sf.text
            elif sf.text:
                name = module_name(sf.path).split(".")
                for i in range(len(name)):
                    rest.setdefault(".".join(name[i:]), []).append(sf)

        def other(mod: str) -> tuple[str, str] | None:
            found = rest.get(mod, ())
            return (found[0].path, found[0].text) if len(found) == 1 else None

        return analyse(sources, other)

    return project.memo("python.apps", compute)

"""The FastAPI app exposes a liveness endpoint."""

from __future__ import annotations

from collections.abc import Iterator

from dockyard import roles
from dockyard.model import Position, Problem
from dockyard.parsers.fastapi_app import project_apps
from dockyard.rules.base import Context, Scope, rule
from dockyard.source import FileKind


@rule(
    code="PY001",
    name="health-endpoint",
    scope=Scope.PROJECT, applies=roles.FASTAPI_SERVICE, needs=(FileKind.PYTHON,),
    summary="The FastAPI application defines `GET /health`",
    why="Container healthchecks, compose `depends_on: service_healthy` and orchestrators probe `/health`; without "
    "it a healthy container is reported unhealthy (or a broken one healthy). The endpoint is found statically: "
    "decorators on the app and on routers included into it (with their prefixes), and `add_api_route`. An app "
    "that another mounts (`app.mount(\"/api/v1\", api)`, `app.host(...)`) is served by that one, whose endpoint "
    "the probes request: it is not asked for its own.",
    standard=("PY-HEALTH-ENDPOINT",),
    section="Health Check Endpoint",
    example={"app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get(\"/\")\ndef root():\n    return {}\n"},
    use_instead={
        "app/main.py": "from fastapi import FastAPI\n\nfrom app.api import health\n\napp = FastAPI()\n"
        "app.include_router(health.router)\n",
        "app/api/health.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get(\"/health\")\n"
        "async def health():\n    return {\"status\": \"ok\"}\n",
    },
)
def health_endpoint(ctx: Context) -> Iterator[Problem]:
    model = project_apps(ctx.project)
    for app in model.apps:
        if model.is_mounted(app):
            continue  # a sub-app another app mounts: the process's probe is the app that serves it
        routes = model.routes_of(app)
        if any(r.method in ("GET", "HEAD") and r.path.rstrip("/") == "/health" for r in routes):
            continue
        if any(r.method in ("GET", "HEAD") and r.path.startswith("<") and r.path.rstrip("/").endswith("/health")
               for r in routes):
            continue  # `/health` under a prefix only known at run time: it may well be served at the root
        info = next((m for m in model.modules.values() if m.name == app.module), None)
        path = info.path if info else "."
        name = app.name.rsplit(".", 1)[-1]
        other = next((r for r in routes if r.method in ("GET", "HEAD") and "health" in r.path.lower()), None)
        # the app may be handed to functions that add routers to it: no count is claimed when none was found
        found = (f" (its health check is `GET {other.path}`, but the probes the standard writes request `/health`)"
                 if other else f" (found {len(routes)} route{'s' if len(routes) != 1 else ''})" if routes else "")
        yield Problem(
            f"FastAPI app `{name}` has no `GET /health` route{found}; add a liveness endpoint that touches no "
            "dependencies",
            Position(app.line, app.column, app.line, app.column + len(name)),
            path=path,
        )

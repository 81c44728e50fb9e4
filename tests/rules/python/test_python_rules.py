from dockyard.parsers.fastapi_app import analyse
from tests.helpers import described, run_files, triples

APP_NO_HEALTH = "from fastapi import FastAPI\n\napp = FastAPI(title='x')\n\n\n@app.get('/items')\ndef items():\n    return []\n"


def test_health_missing_points_at_the_app_object(tmp_path):
    found = run_files(tmp_path, {"app/main.py": APP_NO_HEALTH}, select="PY001")
    assert triples(found) == [("PY001", 3, 1)]
    assert found[0].path == "app/main.py"
    assert found[0].position.end_column == 4


def test_health_found_through_routers_prefixes_and_factories(tmp_path):
    files = {
        "app/main.py": (
            "from fastapi import FastAPI\nfrom app.api.routes import api_router\n\n"
            "def create_app() -> FastAPI:\n    application = FastAPI()\n"
            "    application.include_router(api_router, prefix=PREFIX)\n    return application\n\n"
            "PREFIX = ''\napp = create_app()\n"
        ),
        "app/api/__init__.py": "",
        "app/api/routes.py": "from fastapi import APIRouter\nfrom . import health\n\napi_router = APIRouter()\n"
                             "api_router.include_router(health.router)\n",
        "app/api/health.py": "from fastapi import APIRouter\n\nrouter = APIRouter(prefix='/health')\n\n\n"
                             "@router.get('')\nasync def live():\n    return {'status': 'ok'}\n",
    }
    assert run_files(tmp_path, files, select="PY001") == []


def test_health_with_wrong_method_or_prefix_is_reported(tmp_path):
    files = {
        "main.py": "from fastapi import FastAPI, APIRouter\nr = APIRouter(prefix='/api')\n"
                   "@r.get('/health')\ndef h():\n    return 1\napp = FastAPI()\napp.include_router(r)\n"
                   "app.add_api_route('/health', h, methods=['POST'])\n",
    }
    assert triples(run_files(tmp_path, files, select="PY001")) == [("PY001", 6, 1)]


def test_apps_mounted_into_the_served_app_are_not_asked_for_their_own_health_endpoint(tmp_path):
    # the API and the admin app are mounted into the app the server runs: it is the one the probes request
    files = {
        "app/main.py": ("from fastapi import FastAPI\n"                                  # 1
                        "from app.admin import app as admin_app\n"                       # 2
                        "\n"                                                             # 3
                        "app = FastAPI()\n"                                              # 4
                        "api = FastAPI()\n"                                              # 5
                        "app.mount('/api/v1', app=api)\n"                                # 6
                        "app.host('admin.example.com', admin_app)\n"                     # 7
                        "orphan = FastAPI()\n"),                                         # 8
        "app/admin.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
    }
    found = run_files(tmp_path, files, select="PY001")
    # the served app still lacks one; an app nobody mounts is judged too
    assert [(f.path, *t) for f, t in zip(found, triples(found))] == [("app/main.py", "PY001", 4, 1),
                                                                     ("app/main.py", "PY001", 8, 1)]


def test_routers_included_and_routes_added_by_keyword_are_found(tmp_path):
    # `include_router(router=api_router, prefix="/api")` in an app factory, the router's own router re-exported by
    # its package's `__init__`; `add_api_route(path=..., endpoint=...)`
    files = {
        "pkg/web/application.py": "from fastapi import FastAPI\nfrom pkg.web.api.router import api_router\n\n\n"
                                  "def get_app() -> FastAPI:\n    app = FastAPI()\n"
                                  "    app.include_router(router=api_router, prefix=\"/api\")\n    return app\n",
        "pkg/web/api/router.py": "from fastapi.routing import APIRouter\nfrom pkg.web.api import monitoring\n\n"
                                 "api_router = APIRouter()\n"
                                 "api_router.include_router(monitoring.router, prefix=\"/monitoring\")\n",
        "pkg/web/api/monitoring/__init__.py": "from pkg.web.api.monitoring.views import router\n",
        "pkg/web/api/monitoring/views.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
                                           "@router.get(\"/health\")\ndef health():\n    return None\n",
        "other/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n\ndef ping():\n    return 1\n\n\n"
                         "app.add_api_route(path=\"/health\", endpoint=ping)\n",
    }
    found = run_files(tmp_path, files, select="PY001")
    assert described(found, path=True, message=False) == [("pkg/web/application.py", "PY001", 6, 5)]
    assert "(its health check is `GET /api/monitoring/health`, but the probes the standard writes request " \
           "`/health`)" in found[0].message


def test_routes_a_module_adds_to_the_app_its_factory_built_are_the_app_s(tmp_path):
    # `app = create_app()`, then `@app.get("/health")` after the factory returned it
    text = ("from fastapi import FastAPI\n\n\ndef create_app() -> FastAPI:\n    app = FastAPI()\n"
            "    return app\n\n\napp = create_app()\n\n\n@app.get(\"/health\")\ndef health():\n"
            "    return {\"status\": \"ok\"}\n")
    assert run_files(tmp_path, {"api/app.py": text}, select=("PY001",)) == []
    without = text.replace('@app.get("/health")', '@app.get("/items")')
    found = run_files(tmp_path / "b", {"api/app.py": without}, select=("PY001",))
    assert described(found, path=True, message=False) == [("api/app.py", "PY001", 5, 5)]


def test_app_in_a_sub_folder_source_root_sees_its_routers(tmp_path):
    # a monorepo backend: `backend/` is the source root, `backend/app/main.py` imports `app.api.main`
    files = {
        "backend/app/main.py": "from fastapi import FastAPI\nfrom app.api.main import api_router\n"
                               "from app.core.config import settings\n\napp = FastAPI()\n"
                               "app.include_router(api_router, prefix=settings.API_V1_STR)\n",
        "backend/app/api/main.py": "from fastapi import APIRouter\nfrom app.api.routes import items, utils\n\n"
                                   "api_router = APIRouter()\napi_router.include_router(items.router)\n"
                                   "api_router.include_router(utils.router)\n",
        "backend/app/api/routes/items.py": "from fastapi import APIRouter\nrouter = APIRouter(prefix='/items')\n"
                                           "@router.get('/')\ndef read():\n    return []\n",
        "backend/app/api/routes/utils.py": "from fastapi import APIRouter\nrouter = APIRouter(prefix='/utils')\n"
                                           "@router.get('/health-check/')\ndef hc():\n    return True\n",
    }
    found = run_files(tmp_path, files, select="PY001")
    assert triples(found) == [("PY001", 5, 1)]
    # the routes are found (not "0 routes"), under a prefix known only at run time
    assert found[0].message == ("FastAPI app `app` has no `GET /health` route (its health check is "
                                "`GET <settings.API_V1_STR>/utils/health-check/`, but the probes the standard writes "
                                "request `/health`); add a liveness endpoint that touches no dependencies")


def test_health_under_a_runtime_prefix_and_apps_built_elsewhere(tmp_path):
    under_prefix = {"main.py": "from fastapi import FastAPI, APIRouter\nfrom config import PREFIX\nr = APIRouter()\n"
                               "@r.get('/health')\ndef h():\n    return 1\napp = FastAPI()\n"
                               "app.include_router(r, prefix=PREFIX)\n"}
    assert run_files(tmp_path / "a", under_prefix, select="PY001") == []
    # routers added by a helper the app is handed to: no route count is claimed
    handed = {"server.py": "from fastapi import FastAPI\nfrom api import router\n\n"
                           "def init_routers(app_: FastAPI) -> None:\n    app_.include_router(router)\n\n"
                           "def create_app() -> FastAPI:\n    app_ = FastAPI()\n    init_routers(app_=app_)\n"
                           "    return app_\n"}
    found = run_files(tmp_path / "b", handed, select="PY001")
    assert triples(found) == [("PY001", 8, 5)]
    assert found[0].message == ("FastAPI app `app_` has no `GET /health` route; add a liveness endpoint that "
                                "touches no dependencies")


def test_route_analysis_resolves_prefix_concatenation():
    model = analyse({
        "svc/app.py": "from fastapi import FastAPI\nfrom svc.routers import items as it\napp = FastAPI()\n"
                      "app.include_router(it.router, prefix='/v1')\n@app.api_route('/health', methods=['GET', 'HEAD'])\n"
                      "def h():\n    pass\n",
        "svc/routers/items.py": "from fastapi import APIRouter\nrouter = APIRouter(prefix='/items')\n"
                                "@router.get('/{id}')\ndef get(id: int):\n    pass\n",
    })
    (app,) = model.apps
    assert sorted((r.method, r.path) for r in model.routes_of(app)) == [
        ("GET", "/health"), ("GET", "/v1/items/{id}"), ("HEAD", "/health")]


def test_a_health_path_imported_from_a_contract_module_is_found(tmp_path):
    files = {"sandbox_daemon/contract.py": "SIDECAR_HEALTH_PATH = \"/health\"\n",
             "sandbox_daemon/server.py": "from fastapi import FastAPI\n\nfrom .contract import SIDECAR_HEALTH_PATH\n\n"
                                         "app = FastAPI()\n\n\n@app.get(SIDECAR_HEALTH_PATH)\ndef health():\n"
                                         "    return {}\n"}
    assert run_files(tmp_path, files, select="PY001") == []
    files["sandbox_daemon/contract.py"] = "SIDECAR_HEALTH_PATH = \"/ping\"\n"
    assert triples(run_files(tmp_path / "b", files, select="PY001")) == [("PY001", 5, 1)]


def test_route_paths_and_prefixes_held_in_constants_of_other_modules():
    model = analyse({
        "daemon/contract.py": "HEALTH_PATH = '/health'\nAPI = '/api'\nSTATUS = API + '/status'\n",
        "daemon/paths.py": "from daemon.contract import HEALTH_PATH as HP, API\n",  # re-exported under a new name
        "daemon/server.py": "from fastapi import FastAPI, APIRouter\nfrom .contract import STATUS\n"
                            "from .paths import HP, API\nfrom .settings import PREFIX, MISSING\n"
                            "app = FastAPI()\nrouter = APIRouter(prefix=API)\n@app.get(HP)\ndef h():\n    pass\n"
                            "@app.get(STATUS)\ndef s():\n    pass\n@router.get('/items')\ndef i():\n    pass\n"
                            "@app.get(MISSING)\ndef m():\n    pass\napp.include_router(router, prefix=PREFIX)\n",
        "daemon/settings.py": "import os\nPREFIX = os.environ['PREFIX']\n",
    })
    (app,) = model.apps
    # a path whose constant is not found is not known; a prefix that is not, only at run time
    assert sorted((r.method, r.path) for r in model.routes_of(app)) == [
        ("GET", "/api/status"), ("GET", "/health"), ("GET", "<PREFIX>/api/items")]


GOOD = (
    "import os\n\n\ndef _cpus():\n    try:\n        q, p = open('/sys/fs/cgroup/cpu.max').read().split()\n"
    "        return max(1, int(q) // int(p)) if q != 'max' else len(os.sched_getaffinity(0))\n"
    "    except (OSError, ValueError):\n        return len(os.sched_getaffinity(0))\n\n\n"
    "bind = os.getenv('BIND', '0.0.0.0:8000')\nworkers = int(os.getenv('WEB_CONCURRENCY', _cpus() * 2 + 1))\n"
    "worker_class = 'uvicorn_worker.UvicornWorker'\ntimeout = 60\nkeepalive = 5\nmax_requests = 1000\n"
    "max_requests_jitter = 50\naccesslog = '-'\nerrorlog = '-'\n"
)


def test_good_gunicorn_config_passes_every_py_rule(tmp_path):
    assert run_files(tmp_path, {"gunicorn_config.py": GOOD, "app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n"
                                "@app.get('/health')\ndef h():\n    return {}\n"}, select="PY00") == []


def test_missing_settings_are_listed_once_at_the_config_file(tmp_path):
    found = run_files(tmp_path, {"gunicorn_config.py": "bind = '0.0.0.0:8000'\nworkers = 3\naccesslog = '/var/log/a.log'\n"},
                      select="PY002")
    assert triples(found) == [("PY002", 1, 1), ("PY002", 3, 13)]
    assert "`worker_class`, `timeout`, `keepalive`, `max_requests`, `max_requests_jitter`" in found[0].message


def test_settings_from_dockerfile_command_flags(tmp_path):
    dockerfile = ("FROM python:3.12-slim\nCMD [\"gunicorn\", \"app.main:app\", \"-k\", \"uvicorn.workers.UvicornWorker\", "
                  "\"-w\", \"4\", \"--bind\", \"0.0.0.0:8000\"]\n")
    found = run_files(tmp_path, {"Dockerfile": dockerfile}, select=("PY002", "PY003"))
    assert triples(found) == [("PY002", 2, 5), ("PY003", 2, 5)]
    assert "`timeout`" in found[0].message and "`bind`" not in found[0].message


def test_worker_class_not_uvicorn(tmp_path):
    found = run_files(tmp_path, {"gunicorn.conf.py": GOOD.replace("uvicorn_worker.UvicornWorker", "sync")}, select="PY002")
    assert triples(found) == [("PY002", 14, 16)]


def test_fixed_worker_count(tmp_path):
    assert triples(run_files(tmp_path, {"gunicorn_config.py": "import os\nworkers = 8\n"}, select="PY003")) == [("PY003", 2, 11)]
    assert run_files(tmp_path / "b", {"gunicorn_config.py": "import multiprocessing\nworkers = multiprocessing.cpu_count() * 2 + 1\n"},
                     select="PY003") == []


def test_cpu_count_without_quota(tmp_path):
    found = run_files(tmp_path, {"gunicorn_config.py": "import os\nworkers = int(os.getenv('W', os.cpu_count() * 2 + 1))\n"},
                      select="PY004")
    assert triples(found) == [("PY004", 2, 30)]
    assert found[0].position.end_column == 44


def test_preload_with_async_worker_in_command(tmp_path):
    compose = "services:\n  app:\n    image: x:1\n    command: gunicorn app:app -k uvicorn_worker.UvicornWorker --preload\n"
    assert triples(run_files(tmp_path, {"compose.yaml": compose}, select="PY005")) == [("PY005", 4, 14)]
    sync = compose.replace("-k uvicorn_worker.UvicornWorker ", "")
    assert run_files(tmp_path / "b", {"compose.yaml": sync}, select="PY005") == []


def test_worker_connections_with_uvicorn(tmp_path):
    cfg = "worker_class = 'uvicorn_worker.UvicornWorker'\nworker_connections = 1000\n"
    assert triples(run_files(tmp_path, {"gunicorn_config.py": cfg}, select="PY006")) == [("PY006", 2, 22)]
    cfg2 = "worker_class = 'gevent'\nworker_connections = 1000\n"
    assert run_files(tmp_path / "b", {"gunicorn_config.py": cfg2}, select="PY006") == []


def test_deprecated_worker_fix(tmp_path):
    from dockyard.fix import apply_edits

    text = "worker_class = 'uvicorn.workers.UvicornWorker'  # async\n"
    (f,) = run_files(tmp_path, {"gunicorn_config.py": text}, select="PY007")
    assert (f.code, f.position.line, f.position.column, f.position.end_column) == ("PY007", 1, 16, 47)
    assert apply_edits(text, list(f.fix.edits)) == "worker_class = 'uvicorn_worker.UvicornWorker'  # async\n"


def test_lock_file_missing_unpinned_and_included(tmp_path):
    files = {
        "Dockerfile": "FROM python:3.12-slim\nRUN pip install -r requirements.lock.txt\n",
        "requirements.lock.txt": "-r base.lock.txt\nfastapi==0.115.0\nuvicorn>=0.30\n",
        "base.lock.txt": "six\n",
    }
    found = run_files(tmp_path, files, select="PY008")
    assert [(f.path, f.position.line, f.position.column) for f in found] == [
        ("base.lock.txt", 1, 1), ("requirements.lock.txt", 3, 1)]
    # the absent lock is reported at the install that names it, not at a file that does not exist; nothing names
    # the build context, so the message says where the file was looked for, not that the context lacks it
    missing = run_files(tmp_path / "b", {"Dockerfile": "FROM python:3.12-slim\nRUN pip install -r req.lock\n"}, select="PY008")
    assert [(f.path, f.position.line, f.position.column, f.position.end_column) for f in missing] == [
        ("Dockerfile", 2, 20, 28)]
    assert missing[0].message.startswith("no lock file: `req.lock` is installed here, but it is not at `req.lock` "
                                         "(where it was looked for: nothing names this Dockerfile's build context")


def test_lock_hashes_is_informational(tmp_path):
    found = run_files(tmp_path, {"requirements.lock.txt": "six==1.16.0 \\\n    --hash=sha256:" + "a" * 64 + "\nidna==3.7\n"},
                      select="PY009")
    assert triples(found) == [("PY009", 3, 1)]
    assert found[0].severity.label == "info"


def test_settings_read_through_module_level_names(tmp_path):
    # `workers` and `worker_class` name variables computed earlier in the file: the environment override and the
    # uvicorn default are found through them, so neither PY002 nor PY003 fires.
    config = (
        "import os\n"
        "concurrency_env = os.getenv('WEB_CONCURRENCY')\n"
        "if concurrency_env:\n"
        "    concurrency = int(concurrency_env)\n"
        "else:\n"
        "    concurrency = 3\n"
        "klass = os.getenv('KLASS', 'uvicorn_worker.UvicornWorker')\n"
        "workers = concurrency\n"
        "worker_class = klass\n"
    )
    assert run_files(tmp_path, {"gunicorn_config.py": config}, select=("PY003",)) == []
    found = run_files(tmp_path / "b", {"gunicorn_config.py": config}, select=("PY002",))
    assert [f.message for f in found if "worker class" in f.message] == []
    # a name bound to a fixed number is still a fixed worker count, reported at the setting
    fixed = "count = 4\nworkers = count\n"
    assert triples(run_files(tmp_path / "c", {"gunicorn_config.py": fixed}, select="PY003")) == [("PY003", 2, 11)]
    # a name bound to something that is not a uvicorn worker is still reported
    sync = "klass = 'sync'\nworker_class = klass\n"
    found = run_files(tmp_path / "d", {"gunicorn_config.py": sync}, select="PY002")
    assert [(f.code, f.position.line, f.position.column) for f in found if "worker class" in f.message] == [("PY002", 2, 16)]


def test_lock_line_with_a_global_pip_option_is_not_a_parse_error(tmp_path):
    # pip accepts `--no-binary` after a requirement (and ignores it there): the lock is pinned and parses
    files = {
        "Dockerfile": "FROM python:3.12-slim\nCOPY requirements-container.txt /\nRUN pip install -r /requirements-container.txt\n",
        "requirements-container.txt": "django-auth-ldap==4.8.0\npython3-saml==1.16.0 --no-binary lxml,xmlsec\n"
                                      "sentry-sdk[django]==2.14.0\n",
    }
    assert run_files(tmp_path, files, select="PY008") == []


STANDARD_GUNICORN_CONFIG = (
    "# gunicorn_config.py\nimport multiprocessing\n\nbind = \"0.0.0.0:8000\"\n"
    "workers = (multiprocessing.cpu_count() * 2) + 1\nworker_class = \"uvicorn.workers.UvicornWorker\"\n"
    "timeout = 30\nkeepalive = 2\nmax_requests = 1000\nmax_requests_jitter = 50\naccesslog = \"-\"\nerrorlog = \"-\"\n"
)


def test_standard_gunicorn_config_follows_the_worker_formula(tmp_path):
    # the standard's own config satisfies PY-WORKERS; that it counts the host's CPUs is PY004's finding
    found = run_files(tmp_path, {"gunicorn_config.py": STANDARD_GUNICORN_CONFIG}, select=("PY003", "PY004"))
    assert triples(found) == [("PY004", 5, 12)]


def test_worker_formula_spellings_and_environment_overrides(tmp_path):
    accepted = [
        "import os\nworkers = (2 * os.cpu_count()) + 1\n",
        "from multiprocessing import cpu_count\nworkers = 1 + 2 * cpu_count()\n",
        "import os\nworkers = len(os.sched_getaffinity(0)) * 2 + 1\n",
        "import os\ncores = os.cpu_count() or 1\nworkers = cores * 2 + 1\n",
        "import os\nworkers = int(os.getenv(\"WEB_CONCURRENCY\", \"4\"))\n",
        "from os import environ\nworkers = int(environ.get(\"WEB_CONCURRENCY\", 2))\n",
    ]
    for i, text in enumerate(accepted):
        assert run_files(tmp_path / str(i), {"gunicorn_config.py": text}, select="PY003") == [], text
    rejected = {
        "import os\nworkers = os.cpu_count() * 4\n": (2, 11),
        "import os\nworkers = 2 * os.cpu_count()\n": (2, 11),
        "workers = 2 * 4 + 1\n": (1, 11),
    }
    for i, (text, where) in enumerate(rejected.items()):
        assert triples(run_files(tmp_path / f"r{i}", {"gunicorn_config.py": text}, select="PY003")) == [
            ("PY003", *where)], text


APP_MAIN = "from fastapi import FastAPI\n\napp = FastAPI()\n"


def test_no_gunicorn_is_said_by_df056_when_the_service_dockerfile_starts_another_server(tmp_path):
    # shaped like a full-stack template: the backend image runs `fastapi run`; DF056 asks it for gunicorn
    files = {"backend/app/main.py": APP_MAIN,
             "backend/Dockerfile": "FROM python:3.12-slim\nCOPY ./app /app/app\n"
                                   "CMD [\"fastapi\", \"run\", \"--workers\", \"4\", \"app/main.py\"]\n"}
    found = run_files(tmp_path, files, select=("PY002", "DF056"))
    assert [(f.code, f.path, f.position.line) for f in found] == [("DF056", "backend/Dockerfile", 3)]


def test_no_gunicorn_is_said_at_the_app_when_no_dockerfile_asks_for_it(tmp_path):
    # shell-form command (DF056 judges exec form only, DF055 asks for it) and no Dockerfile at all
    shell = "FROM python:3.12-slim\nCOPY . /app\nCMD poetry run alembic upgrade head && poetry run uvicorn app.main:app\n"
    found = run_files(tmp_path / "a", {"app/main.py": APP_MAIN, "Dockerfile": shell}, select=("PY002", "DF056"))
    assert [(f.code, f.path, f.position.line) for f in found] == [("PY002", "app/main.py", 3)]
    found = run_files(tmp_path / "b", {"app/main.py": APP_MAIN}, select=("PY002", "DF056"))
    assert [(f.code, f.path, f.position.line) for f in found] == [("PY002", "app/main.py", 3)]


def test_deprecated_worker_fix_is_safe_only_when_uvicorn_worker_is_a_dependency(tmp_path):
    # without the `uvicorn-worker` package the new class path makes gunicorn fail to boot
    text = "worker_class = \"uvicorn.workers.UvicornWorker\"\n"
    (f,) = run_files(tmp_path / "bare", {"gunicorn_config.py": text, "requirements.txt": "fastapi\nuvicorn\n"},
                     select="PY007")
    assert (f.code, f.position.line, f.position.column) == ("PY007", 1, 16)
    assert f.fix.applicability.value == "unsafe"
    for i, files in enumerate([{"requirements.txt": "fastapi\nuvicorn-worker==0.3.0 \\\n    --hash=sha256:ab\n"},
                               {"poetry.lock": "[[package]]\nname = \"uvicorn-worker\"\nversion = \"0.3.0\"\n"},
                               {"pyproject.toml": "[project]\nname = \"a\"\ndependencies = [\"uvicorn_worker\"]\n"}]):
        (f,) = run_files(tmp_path / str(i), {"gunicorn_config.py": text, **files}, select="PY007")
        assert f.fix.applicability.value == "safe", files

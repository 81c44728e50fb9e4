from tests.helpers import described, run_files, triples

BASE = ("services:\n  api:\n    image: registry.example.com/api:1.0\n    build: .\n    depends_on: [db]\n"
        "    environment:\n      CACHE: redis://cache:6379/0\n"
        "  db:\n    image: postgres:16-alpine\n"
        "  cache:\n    image: docker.io/library/redis:7\n  worker:\n    image: registry.example.com/api:1.0\n")
DEV = "services:\n  api:\n    env_file: [.env.dev]\n"
APP = "FROM python:3.12-slim\nCOPY . /app\nCMD [\"uvicorn\", \"app.main:app\"]\n"


def _files(env):
    return {"docker-compose.base.yml": BASE, "docker-compose.dev.yml": DEV, ".env.dev.example": env, "Dockerfile": APP}


def test_missing_base_urls_and_service_addresses_in_one_finding(tmp_path):
    found = run_files(tmp_path, _files("DEBUG=true\n"), select="EN011")
    assert triples(found) == [("EN011", 1, 1)] and found[0].path == ".env.dev.example"
    assert found[0].message == (
        "`.env.dev.example` does not define `BASE_URL` and `API_BASE_URL`; nor the address of `cache` (redis): "
        "`REDIS_HOST` and `REDIS_PORT`, or a `REDIS_URL`; nor the address of `db` (postgres): `POSTGRES_HOST` and "
        "`POSTGRES_PORT`, or a `POSTGRES_URL` (environment `dev`): define them so that links, redirects and "
        "connections follow the deployment")


def test_defined_by_host_and_port_or_url(tmp_path):
    env = ("BASE_URL=http://localhost:8150\nAPI_BASE_URL=${BASE_URL}/api\nDB_HOST=db\nDB_PORT=5432\n"
           "REDIS_URL=redis://cache:6379/0\n")
    assert run_files(tmp_path, _files(env), select="EN011") == []


def test_defined_by_a_connection_string_under_another_suffix(tmp_path):
    # `DATABASE_STRING` holding a URL is the database's address; a plain value under such a name is not
    env = ("BASE_URL=http://localhost:8150\nAPI_BASE_URL=${BASE_URL}/api\n"
           "DATABASE_STRING=\"postgresql+psycopg://app@db/app\"\nREDIS_CONNECTION=redis://cache:6379/0\n")
    assert run_files(tmp_path, _files(env), select="EN011") == []
    found = run_files(tmp_path / "b", _files(env.replace("redis://cache:6379/0", "cache")), select="EN011")
    assert triples(found) == [("EN011", 1, 1)] and "`cache`" in found[0].message and "`db`" not in found[0].message


def test_host_without_port_is_not_enough(tmp_path):
    env = "BASE_URL=http://x\nAPI_BASE_URL=http://x/api\nDB_HOST=db\nREDIS_HOST=cache\nREDIS_PORT=6379\n"
    found = run_files(tmp_path, _files(env), select="EN011")
    assert triples(found) == [("EN011", 1, 1)] and "`db`" in found[0].message and "`cache`" not in found[0].message


def test_database_and_admin_ui_alone_need_no_urls(tmp_path):
    # shaped like a postgres + pgAdmin stack: no application builds links, and pgAdmin is pointed at the database
    # in its UI, so no service reads a postgres address from the environment
    compose = ("services:\n  postgres:\n    image: postgres:latest\n    environment:\n"
               "      - POSTGRES_USER=${POSTGRES_USER}\n      - POSTGRES_PASSWORD=${POSTGRES_PW}\n"
               "  pgadmin:\n    image: dpage/pgadmin4:latest\n    environment:\n"
               "      - PGADMIN_DEFAULT_EMAIL=${PGADMIN_MAIL}\n      - PGADMIN_DEFAULT_PASSWORD=${PGADMIN_PW}\n")
    env = "POSTGRES_USER=yourUser\nPOSTGRES_PW=changeit\nPGADMIN_MAIL=your@email.com\nPGADMIN_PW=changeit\n"
    assert run_files(tmp_path, {"postgresql-pgadmin/compose.yaml": compose, "postgresql-pgadmin/.env": env},
                     select="EN011") == []


def test_a_backing_service_someone_connects_to_needs_an_address(tmp_path):
    # the same stack with an application that reaches the database through a URL naming it
    compose = ("services:\n  web:\n    build: .\n    environment:\n"
               "      DATABASE: postgresql://app:${PW}@postgres:5432/app\n"
               "  postgres:\n    image: postgres:16\n  adminer:\n    image: adminer\n    links: [postgres]\n")
    found = run_files(tmp_path, {"compose.yaml": compose, ".env": "PW=x\n", "Dockerfile": APP}, select="EN011")
    assert triples(found) == [("EN011", 1, 1)]
    assert "`BASE_URL` and `API_BASE_URL`; nor the address of `postgres` (postgres)" in found[0].message


def test_one_finding_for_an_env_file_two_environments_read(tmp_path):
    # shaped like a full-stack template: compose's default environment and a deploy override both read `.env`
    compose = ("services:\n  backend:\n    build:\n      context: .\n      dockerfile: backend/Dockerfile\n"
               "    depends_on: [db]\n    environment:\n      DATABASE_URL: postgresql://postgres:${PW}@db:5432/app\n"
               "  db:\n    image: postgres:18\n")
    files = {"compose.yml": compose, "compose.override.yml": "services:\n  backend:\n    ports: ['8000:8000']\n",
             "compose.deploy.yml": "services:\n  backend:\n    restart: always\n",
             ".env": "PW=x\nDATABASE_URL=postgresql://postgres:x@localhost:5432/app\n",
             "backend/Dockerfile": APP}
    found = run_files(tmp_path, files, select="EN011")
    assert described(found, path=True) == [
        (".env", "EN011", 1, 1, "`.env` does not define `BASE_URL` and `API_BASE_URL` (environments `default` and "
         "`deploy`): define them so that links, redirects and connections follow the deployment")]


def test_the_application_address_under_its_own_name_counts(tmp_path):
    # an app whose settings read DOMAIN / FRONTEND_HOST: its env file gives the address, links follow it
    env = "DOMAIN=example.com\nFRONTEND_HOST=https://dashboard.example.com\nDB_HOST=db\nDB_PORT=5432\n" \
          "REDIS_URL=redis://cache:6379/0\n"
    assert run_files(tmp_path, _files(env), select="EN011") == []


def test_an_address_variable_compose_interpolates_counts(tmp_path):
    # compose builds the app's URLs from ${DOMAIN}: the project names its address itself
    files = _files("DB_HOST=db\nDB_PORT=5432\nREDIS_URL=redis://cache:6379/0\n")
    files["docker-compose.dev.yml"] = ("services:\n  api:\n    env_file: [.env.dev]\n    environment:\n"
                                       "      FRONTEND_URL: https://dashboard.${DOMAIN:-localhost}\n")
    assert run_files(tmp_path, files, select="EN011") == []


def test_an_admin_ui_that_reads_no_env_file_asks_no_address_of_it(tmp_path):
    # a local postgres and its admin UI beside it (for an app run on the host): pgAdmin depends on postgres, but it
    # is pointed at the database in its own UI and loads no env file: the address would configure nobody
    compose = ("services:\n  postgres:\n    image: postgres:16\n    ports: ['5432:5432']\n"
               "    environment:\n      POSTGRES_PASSWORD: dev\n"
               "  pgadmin:\n    image: dpage/pgadmin4\n    depends_on: [postgres]\n"
               "    environment:\n      PGADMIN_DEFAULT_PASSWORD: admin\n")
    env = "APP_UI_URL=\"\"\nDATABASE_HOSTNAME=\"\"\nDATABASE_CREDENTIALS=\"\"\n"
    files = {"local/compose.yaml": compose, "local/.env.example": env}
    assert run_files(tmp_path / "a", files, select="EN011") == []
    # once a service that connects to postgres loads the file, the file is asked for the address
    files["local/compose.yaml"] = compose.replace("    depends_on: [postgres]\n",
                                                  "    depends_on: [postgres]\n    env_file: [.env]\n")
    found = run_files(tmp_path / "b", files, select="EN011")
    assert described(found, path=True) == [
        ("local/.env.example", "EN011", 1, 1, "`local/.env.example` does not define the address of `postgres` "
         "(postgres): `POSTGRES_HOST` and `POSTGRES_PORT`, or a `POSTGRES_URL` (environment `local/default`): "
         "define them so that links, redirects and connections follow the deployment")]
    # `<PREFIX>_HOSTNAME` names the host as `<PREFIX>_HOST` does
    files["local/.env.example"] = env + "DATABASE_PORT=5432\n"
    files["local/.env.example"] = files["local/.env.example"].replace("DATABASE_HOSTNAME=\"\"", "DATABASE_HOSTNAME=postgres")
    assert run_files(tmp_path / "c", files, select="EN011") == []

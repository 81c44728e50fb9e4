import subprocess

from tests.helpers import described, run_files, triples

BASE = "services:\n  api:\n    image: api:1.0\n"
OVERRIDE = "services:\n  api:\n    env_file: [.env.{env}]\n"


def test_real_file_without_template(tmp_path):
    found = run_files(tmp_path, {".env.dev.example": "A=1\n", ".env.prod": "A=2\n"}, select="EN002")
    assert triples(found) == [("EN002", 1, 1)]
    assert found[0].path == ".env.prod"
    assert "`.env.prod.example`" in found[0].message


def test_environment_from_compose_override_without_env_files(tmp_path):
    files = {"docker-compose.base.yml": BASE, "docker-compose.staging.yml": OVERRIDE.format(env="staging"),
             "docker-compose.dev.yml": OVERRIDE.format(env="dev"), ".env.dev.example": "A=1\n"}
    found = run_files(tmp_path, files, select="EN002")
    assert described(found, path=True, message=False) == [("docker-compose.staging.yml", "EN002", 1, 1)]


APP = "FROM python:3.12-slim\nCOPY . /app\nCMD [\"uvicorn\", \"app.main:app\"]\n"
NAMES = ("no per-environment env files: create `.env.dev.example`, `.env.staging.example` and `.env.prod.example` "
         "templates (and the real `.env.<env>` files from them, never committed)")


def test_single_environment_of_an_application(tmp_path):
    # shaped like a FastAPI service with one compose file and one `.env.example`
    files = {"compose.yaml": "services:\n  app:\n    build: .\n    env_file: [.env]\n", ".env.example": "A=1\n",
             "Dockerfile": APP}
    found = run_files(tmp_path, files, select="EN002")
    assert described(found, path=True) == [(".env.example", "EN002", 1, 1, NAMES)]


def test_single_environment_of_third_party_images_is_not_judged(tmp_path):
    # shaped like a pi-hole appliance: one compose file, one `.env`, images the project does not build
    files = {"compose.yaml": "services:\n  pihole:\n    image: pihole/pihole:latest\n"
                             "    environment:\n      WEBPASSWORD: ${PIHOLE_PW}\n", ".env": "PIHOLE_PW=x\n"}
    assert run_files(tmp_path, files, select="EN002") == []


def test_no_env_file_for_an_application_run_on_the_host(tmp_path):
    # shaped like a boilerplate whose compose file only runs the database; the FastAPI app lives in the sources
    files = {"docker/docker-compose.yml": "services:\n  mysql:\n    image: mysql:8.0.33\n    environment:\n"
                                          "      MYSQL_USER: fastapi\n      MYSQL_PASSWORD: fastapi\n",
             "app/server.py": "from fastapi import FastAPI\n\napp_ = FastAPI()\n"}
    found = run_files(tmp_path, files, select="EN002")
    assert described(found, path=True, message=False) == [("docker/docker-compose.yml", "EN002", 1, 1)]


def test_environments_the_project_names_are_the_advice(tmp_path):
    # shaped like a full-stack template: compose's default environment (base + override) and `deploy` both read
    # the committed `.env`; one finding, for the environment that has no file of its own
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    files = {"compose.yml": "services:\n  backend:\n    build: .\n", "compose.override.yml": "services: {}\n",
             "compose.deploy.yml": "services:\n  backend:\n    restart: always\n", ".env": "A=1\n", "Dockerfile": APP}
    run_files(tmp_path, files)
    subprocess.run(["git", "-C", str(tmp_path), "add", "."], check=True)
    found = run_files(tmp_path, {}, select="EN002")
    assert described(found, path=True) == [
        ("compose.deploy.yml", "EN002", 1, 1,
         "environment `deploy` has no env file of its own (it reads `.env`, as `default` does): create `.env.deploy` "
         "from a committed template `.env.deploy.example`, with `CHANGE_ME_...` placeholders for its secrets")]


def test_default_environment_beside_named_ones_needs_a_template_of_its_env_file(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    files = {"compose.yml": "services:\n  backend:\n    build: .\n", "compose.override.yml": "services: {}\n",
             "compose.prod.yml": "services: {}\n", ".env": "A=1\n", ".env.prod.example": "A=2\n", "Dockerfile": APP}
    run_files(tmp_path, files)
    subprocess.run(["git", "-C", str(tmp_path), "add", ".env.prod.example"], check=True)
    found = run_files(tmp_path, {}, select="EN002")
    assert described(found, path=True) == [
        (".env", "EN002", 1, 1, "environment `default` reads `.env`, which has no committed template `.env.example`: "
         "commit one, with `CHANGE_ME_...` placeholders for its secrets")]


def test_each_project_of_a_catalogue_is_judged_on_its_own(tmp_path):
    # shaped like a catalogue of samples: a configured FastAPI sample, an unconfigured hello-world Flask sample,
    # and a media server configured by its `.env`
    files = {"fastapi/compose.yaml": "services:\n  api:\n    build: .\n    environment:\n      DEBUG: '1'\n",
             "fastapi/Dockerfile": APP,
             "flask/compose.yaml": "services:\n  web:\n    build: app\n    ports: ['8000:8000']\n",
             "flask/app/Dockerfile": "FROM python:3.10-alpine\nCOPY . /src\nCMD [\"python3\", \"app.py\"]\n",
             "plex/compose.yaml": "services:\n  plex:\n    image: linuxserver/plex\n", "plex/.env": "A=1\n"}
    found = run_files(tmp_path, files, select="EN002")
    assert described(found, path=True) == [
        ("fastapi/compose.yaml", "EN002", 1, 1, NAMES)]


def test_sample_suffix_is_not_a_template(tmp_path):
    found = run_files(tmp_path, {".env.prod.sample": "A=1\n"}, select="EN002")
    assert triples(found) == [("EN002", 1, 1)]
    assert "*.example" in found[0].message


def test_untracked_template_in_git(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    found = run_files(tmp_path, {".env.dev.example": "A=1\n"}, select="EN002")
    assert triples(found) == [("EN002", 1, 1)] and "not committed" in found[0].message
    subprocess.run(["git", "-C", str(tmp_path), "add", ".env.dev.example"], check=True)
    assert run_files(tmp_path, {}, select="EN002") == []


def test_passes(tmp_path):
    files = {"docker-compose.base.yml": BASE, "docker-compose.dev.yml": OVERRIDE.format(env="dev"),
             "docker-compose.prod.yml": OVERRIDE.format(env="prod"),
             ".env.dev.example": "A=1\n", ".env.prod.example": "A=2\n", ".env.prod": "A=3\n"}
    assert run_files(tmp_path, files, select="EN002") == []


def test_nothing_to_judge(tmp_path):
    assert run_files(tmp_path, {"Dockerfile": "FROM python:3.12-slim\n"}, select="EN002") == []


def test_a_secret_free_variable_file_names_no_environment(tmp_path):
    # `.env.ports` holds compose's port numbers and a log path: no secret, no compose file or configuration
    # selects a `ports` environment, and `ports` is no environment name; files that hold a secret (even an empty
    # one), carry an environment's name or are selected by a compose file are still environments
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    files = {"deploy/.env.ports": "APP_PORT=8000\nLOG_DIR=./logs\n", "deploy/.env.mail": "SMTP_PASSWORD=''\n",
             "deploy/.env.staging": "APP_PORT=8001\n", "blue/compose.yaml": "services:\n  app:\n    image: app:1.0\n",
             "blue/compose.blue.yaml": "services: {}\n", "blue/.env.blue": "APP_PORT=8002\n",
             "blue/.env.blue.example": "APP_PORT=8002\n", "green/.env.green": "APP_PORT=8003\n"}
    run_files(tmp_path, files)
    subprocess.run(["git", "-C", str(tmp_path), "add", "-f", "."], check=True)
    write = {"green/compose.yaml": "services:\n  app:\n    image: app:1.0\n",
             "green/compose.green.yaml": "services: {}\n"}
    found = run_files(tmp_path, write, select="EN002")
    assert described(found, path=True) == [
        ("deploy/.env.mail", "EN002", 1, 1, "environment `mail` has no template `deploy/.env.mail.example`: commit "
         "one, with `CHANGE_ME_...` placeholders for its secrets"),
        ("deploy/.env.staging", "EN002", 1, 1, "environment `staging` has no template `deploy/.env.staging.example`: "
         "commit one, with `CHANGE_ME_...` placeholders for its secrets"),
        ("green/.env.green", "EN002", 1, 1, "environment `green` has no template `green/.env.green.example`: "
         "commit one, with `CHANGE_ME_...` placeholders for its secrets")]


def test_an_env_file_committed_on_purpose_is_its_own_template(tmp_path):
    # the test suite's configuration, re-included after `.env.*`: public by that choice, nothing to template
    files = {".gitignore": ".env\n.env.*\n!.env.*.example\n!.env.testing\n",
             "server/.env.testing": "APP_ENV=testing\nDATABASE_URL=postgresql://test:test@127.0.0.1/test\n",
             "server/.env.staging": "APP_ENV=staging\n"}
    found = run_files(tmp_path, files, select="EN002")
    assert [(f.path, f.message.split(" has ")[0]) for f in found] == [("server/.env.staging", "environment `staging`")]


def test_the_advice_is_given_at_the_folder_s_own_env_file_not_a_sample_s(tmp_path):
    files = {"examples/demo/.env.example": "OPENAI_API_KEY=\n", "server/.env.example": "DATABASE_URL=\n",
             "server/Dockerfile": "FROM python:3.12-slim\nCOPY . /app\nCMD [\"uvicorn\", \"main:app\"]\n",
             "server/docker-compose.yaml": "services:\n  api:\n    build: .\n    env_file: .env\n"}
    found = run_files(tmp_path, files, select="EN002")
    assert [f.path for f in found if f.message.startswith("no per-environment env files")] == ["server/.env.example"]


def test_a_frontend_s_public_build_settings_are_their_own_template(tmp_path):
    # Next.js reads `.env.production` when it builds: committed public settings, nothing to template
    files = {"web/package.json": "{\"name\": \"web\"}\n", "web/.env.production": "NEXT_PUBLIC_ENV='production'\n",
             "web/.env.development": "NEXT_PUBLIC_ENV='development'\n",
             "api/.env.staging": "APP_ENV=staging\nAPI_TOKEN=\n"}
    found = run_files(tmp_path, files, select="EN002")
    assert described(found, path=True, message=False) == [("api/.env.staging", "EN002", 1, 1)]

"""What each file is before it is judged (dockyard.roles), and rules judging only what they fit.

Fixtures are written for these tests in the shapes real repositories have: a docker-library style base image,
a monorepo with a Node frontend beside a FastAPI backend, a Flask app under gunicorn, a cookiecutter tree.
"""

import json

from dockyard.cli import main
from dockyard.project import Project
from dockyard.roles import APP, BASE, OTHER, PYTHON, roles
from dockyard.templates import has_template_markers, template_path
from tests.helpers import at, chdir, run_files, triples, write_tree

SLIM = "python:3.12-slim"


def role_of(tmp_path, files: dict[str, str], dockerfile: str = "Dockerfile"):
    write_tree(tmp_path, files)
    project = Project.discover(tmp_path)
    return roles(project).dockerfile(project.file(dockerfile))


# ------------------------------------------------------------------------------------ Dockerfiles
def test_asgi_server_in_the_command_makes_the_fastapi_service(tmp_path):
    for i, cmd in enumerate(('CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]',
                             'CMD ["fastapi", "run", "app/main.py"]',
                             'ENTRYPOINT ["tini", "--"]\nCMD ["python", "-m", "uvicorn", "app.main:app"]',
                             'CMD gunicorn -k uvicorn_worker.UvicornWorker app.main:app',
                             'CMD ["gunicorn", "-c", "gunicorn_config.py", "app.main:app"]')):
        found = role_of(tmp_path / str(i), {"Dockerfile": f"FROM {SLIM}\n{cmd}\n"})
        assert found.role == APP, (cmd, found)


def test_fastapi_dependency_or_app_decides_when_the_command_does_not(tmp_path):
    dockerfile = f"FROM {SLIM}\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"main.py\"]\n"
    by_dep = role_of(tmp_path / "a", {"Dockerfile": dockerfile, "requirements.txt": "fastapi==0.115.0\n"})
    assert (by_dep.role, by_dep.reason) == (APP, "built on `python:3.12-slim`; FastAPI is a dependency in "
                                                 "`requirements.txt`")
    by_app = role_of(tmp_path / "b", {"Dockerfile": dockerfile,
                                      "main.py": "from fastapi import FastAPI\napp = FastAPI()\n"})
    assert (by_app.role, by_app.reason) == (APP, "built on `python:3.12-slim`; a FastAPI app is defined in "
                                                 "`main.py`")
    by_uv_lock = role_of(tmp_path / "c", {"Dockerfile": dockerfile,
                                          "uv.lock": 'version = 1\n\n[[package]]\nname = "fastapi"\nversion = "0.115.0"\n'})
    assert by_uv_lock.role == APP


def test_a_keyword_in_pyproject_is_no_dependency(tmp_path):
    # a project generator whose pyproject mentions FastAPI in its description and keywords only
    pyproject = ('[project]\nname = "service_generator"\ndescription = "FastAPI project generator"\n'
                 'keywords = [\n    "FastAPI",\n    "cookiecutter",\n]\ndependencies = ["cookiecutter>=2"]\n')
    found = role_of(tmp_path, {"Dockerfile": f"FROM {SLIM}\nCOPY . /src\nENTRYPOINT [\"python\", \"-m\", \"gen\"]\n",
                               "pyproject.toml": pyproject})
    assert found.role == PYTHON


def test_workers_wsgi_apps_and_other_runtimes(tmp_path):
    worker = role_of(tmp_path / "w", {"Dockerfile": f"FROM {SLIM}\nCMD [\"celery\", \"-A\", \"app\", \"worker\"]\n",
                                      "requirements.txt": "fastapi==0.115.0\ncelery==5.4.0\n"})
    assert (worker.role, worker.reason) == (PYTHON, "built on `python:3.12-slim`; runs `celery`, not a FastAPI server")
    flask = role_of(tmp_path / "f", {"Dockerfile": f"FROM {SLIM}\nCMD [\"gunicorn\", \"-w\", \"4\", \"app:app\"]\n",
                                     "requirements.txt": "Flask==3.0.3\ngunicorn==22.0.0\n"})
    assert (flask.role, flask.reason) == (PYTHON, "its command starts gunicorn for a WSGI app (Django/Flask)")
    node = role_of(tmp_path / "n", {"Dockerfile": "FROM node:20-alpine\nRUN apk add --no-cache python3 make g++\n"
                                                  "COPY . .\nCMD [\"node\", \"server.js\"]\n"})
    assert (node.role, node.reason) == (OTHER, "built on `node:20-alpine`, no Python")
    debian = role_of(tmp_path / "d", {"Dockerfile": "FROM debian:12-slim\nRUN apt-get update && apt-get install -y "
                                                    "python3 python3-venv\nCOPY . /app\nCMD [\"/app/run\"]\n"})
    assert (debian.role, debian.reason) == (PYTHON, "installs `python3`; no FastAPI app in its build context")


def test_base_images_run_no_service_of_their_own(tmp_path):
    # the shape of an official language image: built from source on a distribution image, `CMD ["python3"]`
    official = ("FROM buildpack-deps:bookworm\nENV PYTHON_VERSION 3.12.7\n"
                "RUN set -eux; wget -O python.tar.xz \"https://example.org/$PYTHON_VERSION.tar.xz\"\n"
                "CMD [\"python3\"]\n")
    found = role_of(tmp_path / "a", {"3.12/bookworm/Dockerfile": official}, "3.12/bookworm/Dockerfile")
    assert (found.role, found.reason) == (BASE, "only starts `python3`, copies no source, built by no compose service")
    team_base = f"FROM {SLIM}\nCOPY requirements.txt /tmp/\nRUN pip install -r /tmp/requirements.txt\n"
    assert role_of(tmp_path / "b", {"Dockerfile.base": team_base}, "Dockerfile.base").role == BASE
    # the same text named `Dockerfile` is the image of the service, whose command compose or k8s supplies
    assert role_of(tmp_path / "c", {"Dockerfile": team_base}).role == PYTHON
    # copying the source tree is what an application image does, whatever its command
    app = "FROM python:3.12-slim\nCOPY . /app\nCMD [\"python3\"]\n"
    assert role_of(tmp_path / "d", {"Dockerfile": app}).role == PYTHON


def test_entry_script_and_compose_command_are_read(tmp_path):
    script = role_of(tmp_path / "a", {"Dockerfile": f"FROM {SLIM}\nCOPY start.sh /start.sh\nCMD [\"/start.sh\"]\n",
                                      "start.sh": "#!/bin/sh\nalembic upgrade head\nexec uvicorn app.main:app\n"})
    assert (script.role, script.reason) == (APP, "its command starts `uvicorn`")
    compose = role_of(tmp_path / "b", {"backend/Dockerfile": f"FROM {SLIM}\nCOPY . /app\n",
                                       "compose.yaml": "services:\n  api:\n    build: ./backend\n"
                                                       "    command: uvicorn app.main:app --reload\n"},
                      "backend/Dockerfile")
    assert (compose.role, compose.reason) == (APP, "compose service `api` starts `uvicorn`")
    # compose splits a string command without a shell; the script of `sh -c "..."` is what runs
    shell = role_of(tmp_path / "c", {"Dockerfile": f"FROM {SLIM}\nCOPY . /app\n",
                                     "compose.yaml": "services:\n  app:\n    build: .\n    command: sh -c "
                                                     "\"alembic upgrade head && gunicorn main:app -k "
                                                     "uvicorn.workers.UvicornWorker\"\n"})
    assert (shell.role, shell.reason) == (APP, "compose service `app` starts `gunicorn with uvicorn`")


def test_the_image_is_its_final_or_production_stage_and_each_stage_is_classified(tmp_path):
    text = ("FROM node:20 AS frontend\nRUN npm ci && npm run build\n"
            f"FROM {SLIM} AS production\nCOPY --from=frontend /dist /app/static\nCMD [\"uvicorn\", \"app:app\"]\n"
            "FROM alpine:3.20 AS tools\nRUN apk add --no-cache curl\n")
    write_tree(tmp_path, {"Dockerfile": text})
    project = Project.discover(tmp_path)
    found = roles(project).dockerfile_roles(project.file("Dockerfile"))
    assert found.file.role == APP
    assert [s.role for s in found.stages] == [OTHER, PYTHON, OTHER]


# ------------------------------------------------------------------------------------ the engine
NGINX = "FROM nginx:1.27-alpine\nCOPY nginx.conf /etc/nginx/nginx.conf\n"
PY_RULES = ("DF003", "DF006", "DF008", "DF009", "DF010", "DF011", "DF012", "DF013", "DF014", "DF016", "DF056",
            "DF063")


def test_python_and_fastapi_rules_do_not_judge_an_nginx_image(tmp_path):
    found = run_files(tmp_path, {"proxy/Dockerfile": NGINX, "proxy/nginx.conf": "events {}\n"}, select="DF")
    codes = {f.code for f in found}
    assert not codes & set(PY_RULES), codes
    # Docker-generic rules keep judging it, with advice that fits it
    assert ("DF040", 1, 1) in at(found, "proxy/Dockerfile") and ("DF043", 1, 1) in at(found, "proxy/Dockerfile")
    assert not [f for f in found if "python" in f.message.lower()]


def test_a_base_image_is_judged_by_build_hygiene_only(tmp_path):
    official = ("FROM debian:12-slim\nENV PYTHON_VERSION 3.12.7\n"
                "RUN apt-get update && apt-get install -y ca-certificates\n"
                "CMD [\"python3\"]\n")
    found = run_files(tmp_path, {"3.12/slim/Dockerfile": official}, select="DF")
    assert triples(found) == [("DF049", 3, 1), ("DF048", 3, 31)]


def test_a_flask_image_gets_python_advice_but_no_fastapi_advice(tmp_path):
    text = f"FROM {SLIM}\nCOPY . /app\nCMD [\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"app:app\"]\n"
    found = run_files(tmp_path, {"Dockerfile": text, "requirements.txt": "flask==3.0.3\n"}, select=("DF006", "DF056"))
    assert triples(found) == [("DF006", 1, 1)]


def test_expose_is_asked_of_other_images_only_when_their_command_binds_a_port(tmp_path):
    worker = f"FROM {SLIM}\nCOPY . /app\nCMD [\"celery\", \"-A\", \"app\", \"worker\"]\n"
    web = "FROM node:20-alpine\nCOPY . .\nCMD [\"npx\", \"serve\", \"--port\", \"3000\"]\n"
    found = run_files(tmp_path, {"worker/Dockerfile": worker, "web/Dockerfile": web}, select="DF061")
    assert at(found, "worker/Dockerfile") == []
    assert at(found, "web/Dockerfile") == [("DF061", 1, 1)] and "EXPOSE 3000" in found[0].message


def test_ignore_file_of_a_node_build_is_asked_only_the_generic_entries(tmp_path):
    files = {"web/Dockerfile": "FROM node:20-alpine\nCOPY . .\nRUN npm ci && npm run build\n",
             "web/.dockerignore": ".git\nnode_modules\n"}
    found = run_files(tmp_path, files, select=("DI002", "DI003"))
    assert at(found, "web/.dockerignore") == [("DI002", 1, 1)]
    assert "environment files" in found[0].message and "bytecode" not in found[0].message
    assert "build output" not in found[0].message  # a Node build copies its dist/


def test_ignore_file_no_build_uses_is_not_judged(tmp_path):
    # a root .dockerignore beside services that are each built from their own folder: its entries change nothing
    files = {".dockerignore": ".git\n", "cron/Dockerfile": "FROM alpine:3.20\nCOPY entry.sh /entry.sh\n"}
    assert run_files(tmp_path, files, select="DI") == []


def test_compose_fastapi_rules_judge_the_fastapi_service_only(tmp_path):
    files = {
        "docker-compose.base.yml": "services:\n  api:\n    build: ./api\n    restart: unless-stopped\n"
                                   "  web:\n    build: ./web\n    restart: unless-stopped\n",
        "docker-compose.dev.yml": "services: {}\n",
        "api/Dockerfile": f"FROM {SLIM}\nCOPY . /app\nCMD [\"uvicorn\", \"app.main:app\"]\n",
        "web/Dockerfile": "FROM node:20-alpine\nCOPY . .\nCMD [\"npm\", \"start\"]\n",
    }
    found = run_files(tmp_path, files, select=("CO025", "CO007"))
    assert [(f.code, f.path, f.message) for f in found] == [
        ("CO025", "docker-compose.base.yml", "application service `api` does not set `ulimits.nofile`"),
        ("CO007", "docker-compose.dev.yml",
         "application service `api` does not load `.env.dev`: add `env_file: [.env.dev]` (environment `dev`)"),
    ]


# ------------------------------------------------------------------------------------ templates
def test_template_markers():
    assert template_path("gen/{{cookiecutter.slug}}/docker/Dockerfile") == "gen/{{cookiecutter.slug}}"
    assert template_path("{% if x %}a{% endif %}/Dockerfile") == "{% if x %}a{% endif %}"
    assert template_path("app/Dockerfile") is None
    assert has_template_markers("FROM {{ base_image }}\n")
    assert has_template_markers("{% if postgres %}\nRUN true\n{% endif %}\n")
    assert has_template_markers("FROM python:{{cookiecutter.python_version}}-slim\n")
    # GitHub expressions and Go templates are not Jinja
    assert not has_template_markers("image: ghcr.io/o/app:${{ github.sha }}\n")
    assert not has_template_markers("RUN docker inspect -f '{{ .State.Health.Status }}' db\n")
    assert not has_template_markers("RUN echo '{{json .}}'\n")


def test_templates_are_set_aside_once_per_tree_and_counted(tmp_path, capsys):
    files = {
        "gen/{{cookiecutter.slug}}/Dockerfile": "FROM python:{{cookiecutter.py}}-slim\n",
        "gen/{{cookiecutter.slug}}/compose.yaml": "services:\n  app:\n    build: .\n",
        "gen/{{cookiecutter.slug}}/.env": "SECRET_KEY=changeme\n",
        "deploy/Dockerfile.j2": "FROM {{ base }}\n",
        "deploy/Dockerfile": "# syntax=docker/dockerfile:1\n{% if slim %}\nFROM python:3.12-slim\n{% endif %}\n",
    }
    found = run_files(tmp_path, files)
    # nothing inside the templates is judged: one finding per template tree, at the tree or the first marker
    assert [(f.code, f.path, f.position.line, f.position.column) for f in found] == [
        ("DY004", "deploy/Dockerfile", 2, 1), ("DY004", "deploy/Dockerfile.j2", 1, 6),
        ("DY004", "gen/{{cookiecutter.slug}}/", 1, 1)]
    assert found[0].message == ("`deploy/Dockerfile` is a template (`{% if slim %}`): not judged as a Dockerfile; "
                                "check the rendered file instead")
    assert found[2].message == ("`gen/{{cookiecutter.slug}}/` is a template tree (3 files with Jinja/cookiecutter "
                                "markers in their path): not judged; check a project rendered from it instead")
    assert main(["check", str(tmp_path), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["skipped"] == {"template": 5}
    main(["check", str(tmp_path)])
    assert "Skipped 5 template files (Jinja/cookiecutter markers; see DY004): not judged." in capsys.readouterr().out


# ------------------------------------------------------------------------------------ --explain-scope
def test_explain_scope_in_text_and_json(tmp_path, capsys):
    write_tree(tmp_path, {
        "compose.yaml": "services:\n  api:\n    build: .\n  db:\n    image: postgres:17\n",
        "Dockerfile": f"FROM {SLIM}\nCOPY . /app\nCMD [\"uvicorn\", \"app.main:app\"]\n",
        "tpl/{{x}}/Dockerfile": "FROM {{ img }}\n",
    })
    with chdir(tmp_path):
        main(["check", ".", "--explain-scope", "--format", "json", "--select", "DY"])
    scope = json.loads(capsys.readouterr().out)["scope"]
    assert scope == [
        {"kind": "dockerfile", "path": "Dockerfile", "role": APP, "reason": "its command starts `uvicorn`",
         "purpose": "service"},
        {"kind": "build-context", "path": "compose.yaml", "role": APP, "reason": "its command starts `uvicorn`",
         "name": "./"},
        {"kind": "service", "path": "compose.yaml", "role": APP,
         "reason": "builds `Dockerfile`: its command starts `uvicorn`", "name": "default/api"},
        {"kind": "service", "path": "compose.yaml", "role": OTHER, "reason": "runs `postgres:17`",
         "name": "default/db"},
        {"kind": "template", "path": "tpl/{{x}}/", "role": "template",
         "reason": "1 file with Jinja/cookiecutter markers: not judged"},
    ]
    with chdir(tmp_path):
        main(["check", ".", "--explain-scope", "--select", "DY"])
    out = capsys.readouterr().out
    assert out.startswith("Scope (what each file was judged as):\n"
                          "  Dockerfile (dockerfile): fastapi-service: its command starts `uvicorn`\n")


def test_compose_files_a_folder_copies_from_another_are_judged_once_there(tmp_path, capsys):
    # a tool embeds two of the deployment's compose files byte for byte: the same environments, judged once
    base = "services:\n  api:\n    image: example/api:latest\n"
    prod = "services:\n  api:\n    restart: always\n"
    files = {"deployment/docker_compose/docker-compose.yml": base,
             "deployment/docker_compose/docker-compose.prod.yml": prod,
             "deployment/docker_compose/docker-compose.gpu.yml": "services:\n  api:\n    runtime: nvidia\n",
             "cli/internal/embedded/docker_compose/docker-compose.yml": base,
             "cli/internal/embedded/docker_compose/docker-compose.prod.yml": prod}
    found = run_files(tmp_path, files, select="CO019")
    assert sorted({f.path for f in found}) == ["deployment/docker_compose/docker-compose.yml"]
    with chdir(tmp_path):
        main(["check", ".", "--explain-scope", "--format", "json", "--select", "DY"])
    scope = json.loads(capsys.readouterr().out)["scope"]
    assert [e for e in scope if e["kind"] == "copy"] == [
        {"kind": "copy", "path": "cli/internal/embedded/docker_compose/", "role": "copy",
         "reason": "its 2 compose files are, byte for byte, those of `deployment/docker_compose/`: judged there"}]
    # twins: the folder nearer the root is judged
    twins = {"a/b/compose.yaml": base, "a/b/compose.prod.yaml": prod, "c/compose.yaml": base,
             "c/compose.prod.yaml": prod}
    assert sorted({f.path for f in run_files(tmp_path / "twins", twins, select="CO019")}) == ["c/compose.yaml"]
    # one file alike in two sample projects is two projects' file: both are judged
    samples = {"fastapi/compose.yaml": base, "flask/compose.yaml": base}
    assert sorted({f.path for f in run_files(tmp_path / "samples", samples, select="CO019")}) == [
        "fastapi/compose.yaml", "flask/compose.yaml"]


# ------------------------------------------------------------------------------------ purposes
def test_a_dockerfile_named_like_a_development_or_test_environment_is_tooling():
    from dockyard.compose.environments import DEVELOPMENT_NAMES, TEST_NAMES
    from dockyard.compose.environments import dev_dockerfile_name

    # one definition of what development and test environments are called: every such name marks a Dockerfile
    for name in sorted(DEVELOPMENT_NAMES | TEST_NAMES):
        assert dev_dockerfile_name(f"docker/Dockerfile.{name}") and dev_dockerfile_name(f"{name}.Dockerfile")
    assert dev_dockerfile_name(".devcontainer/Dockerfile") and dev_dockerfile_name("Dockerfile.cypress")
    assert not dev_dockerfile_name("Dockerfile") and not dev_dockerfile_name("Dockerfile.prod")


def test_what_an_image_is_for(tmp_path):
    from dockyard.roles import DEV, JOB, SERVICE

    def purpose(sub, files, path="Dockerfile"):
        write_tree(tmp_path / sub, files)
        project = Project.discover(tmp_path / sub)
        c = roles(project).dockerfile(project.file(path))
        return c.purpose, c.purpose_reason

    # an end-to-end test image, by name and by command
    assert purpose("a", {"frontend/Dockerfile.playwright": "FROM mcr.microsoft.com/playwright:v1.49.0-noble\n"
                                                          "COPY ./frontend /app\n"}, "frontend/Dockerfile.playwright") \
        == (DEV, "`Dockerfile.playwright` is named for development or tests")
    assert purpose("b", {"Dockerfile": f"FROM {SLIM}\nCOPY . /app\nCMD [\"pytest\", \"-x\"]\n"}) == (
        DEV, "it runs the test runner `pytest`")
    # a command-line tool: an ENTRYPOINT program, nothing exposed, no compose service
    assert purpose("c", {"jq/Dockerfile": "FROM debian:12-slim\nRUN apt-get update && apt-get install -y jq\n"
                                          "ENTRYPOINT [\"jq\"]\n"}, "jq/Dockerfile") == (
        JOB, "its ENTRYPOINT runs `jq` as a command-line tool (no EXPOSE, no compose service)")
    # an image compose only runs as a one-off job
    assert purpose("d", {"migrate/Dockerfile": f"FROM {SLIM}\nCOPY . /app\nCMD [\"alembic\", \"upgrade\", \"head\"]\n",
                         "compose.yaml": "services:\n  migrate:\n    build: ./migrate\n  api:\n    image: api:1\n"
                                         "    depends_on:\n      migrate:\n"
                                         "        condition: service_completed_successfully\n"},
                   "migrate/Dockerfile") == (JOB, "compose runs it only as a one-off job (`migrate`)")
    # a server is a service even with an ENTRYPOINT
    assert purpose("e", {"Dockerfile": "FROM node:20-alpine\nCOPY . .\nEXPOSE 3000\nENTRYPOINT [\"node\", \"server.js\"]\n"}) \
        == (SERVICE, "")


def test_service_rules_skip_test_runners_and_tools(tmp_path):
    files = {
        "frontend/Dockerfile.playwright": "FROM mcr.microsoft.com/playwright:v1.49.0-noble\nWORKDIR /app\n"
                                          "COPY ./frontend /app\n",
        # a project generator run with `docker run --rm -it`: it needs its toolchain when it runs
        "Dockerfile": "FROM python:3.13-alpine\nRUN apk add --no-cache gcc musl-dev git\nCOPY . /src\n"
                      "RUN pip install /src\nUSER 1000\nENTRYPOINT [\"python\", \"-m\", \"generator\"]\n",
    }
    found = run_files(tmp_path, files, select=("DF040", "DF043", "DF054", "DF055", "DF015", "DF061", "DF013"))
    # none of them judges a test image or a command-line tool: they are about images that run a service
    assert at(found, "frontend/Dockerfile.playwright") == []
    assert at(found, "Dockerfile") == []


def test_a_dev_environments_stage_is_not_the_runtime(tmp_path):
    # Docker Dev Environments' tooling stage on top of the stage compose runs: the runtime is `builder`
    text = ("FROM node:20-slim AS builder\nWORKDIR /app\nCOPY . .\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n"
            "FROM builder AS dev-envs\nRUN useradd -s /bin/bash -m vscode\nCMD [\"node\", \"server.js\"]\n")
    found = run_files(tmp_path, {"Dockerfile": text}, select=("DF040", "DF054"))
    assert triples(found) == [("DF040", 1, 1), ("DF054", 1, 1)]
    # an image that is the `development` stage is development tooling, not a shipped image
    dev = text.replace("AS builder", "AS development").replace("FROM builder", "FROM development")
    assert run_files(tmp_path / "dev", {"Dockerfile": dev}, select=("DF040", "DF054")) == []


def test_an_application_server_base_image_brings_its_command_and_port(tmp_path):
    # tiangolo/uvicorn-gunicorn-fastapi starts gunicorn itself and EXPOSEs its port: nothing to add
    text = "FROM tiangolo/uvicorn-gunicorn-fastapi:python3.11-slim\nCOPY ./app /app/app\n"
    files = {"Dockerfile": text, "requirements.txt": "fastapi==0.115.0\n"}
    assert run_files(tmp_path, files, select=("DF055", "DF061")) == []
    plain = {"Dockerfile": "FROM python:3.12-slim\nCOPY ./app /app/app\n", "requirements.txt": "fastapi==0.115.0\n"}
    assert triples(run_files(tmp_path / "plain", plain, select=("DF055", "DF061"))) == [("DF055", 1, 1),
                                                                                       ("DF061", 1, 1)]


def test_no_command_is_reported_only_where_the_inherited_one_is_wrong(tmp_path):
    files = {
        "proxy/Dockerfile": "FROM nginx:1.27-alpine\nCOPY nginx.conf /etc/nginx/nginx.conf\n",
        "vendor/Dockerfile": "ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY . /usr/src/app\n",
        "api/Dockerfile": f"FROM {SLIM}\nCOPY . /app\nRUN pip install /app\n",
        "api/requirements.txt": "fastapi==0.115.0\n",
        "worker/Dockerfile": f"FROM {SLIM}\nCOPY . /app\n",
        "compose.yaml": "services:\n  worker:\n    build: ./worker\n    command: [\"celery\", \"-A\", \"app\", \"worker\"]\n",
    }
    found = run_files(tmp_path, files, select="DF055")
    assert [(f.path, f.position.line, f.position.column) for f in found] == [("api/Dockerfile", 1, 1)]


def test_gunicorn_started_by_compose_for_a_flask_app_is_no_fastapi_service(tmp_path):
    files = {"flask/Dockerfile": f"FROM {SLIM}\nCOPY . /app\nEXPOSE 8000\n",
             "flask/requirements.txt": "Flask==3.0.3\ngunicorn==22.0.0\n",
             "compose.yaml": "services:\n  flask-app:\n    build: ./flask\n    command: gunicorn -w 3 -b 0.0.0.0:8000 app:app\n"}
    write_tree(tmp_path, files)
    project = Project.discover(tmp_path)
    from dockyard.compose.context import environment_views

    view = environment_views(project)[0]
    found = roles(project).service(view, "flask-app")
    assert (found.role, found.reason) == (PYTHON, "its command starts gunicorn for a WSGI app (Django/Flask)")
    assert run_files(tmp_path, {}, select=("PY002", "PY003", "CO025")) == []


def test_a_command_line_tool_or_test_image_ships_no_python_service(tmp_path):
    # a project generator published as a CLI image: no Makefile of lock/wheelhouse targets is asked for it
    files = {"Dockerfile": "FROM python:3.13-alpine\nCOPY . /src\nRUN pip install /src\n"
                           "ENTRYPOINT [\"python\", \"-m\", \"generator\"]\n",
             "pyproject.toml": "[project]\nname = \"generator\"\nversion = \"1.0\"\n"}
    assert run_files(tmp_path, files, select=("CI006", "CI002")) == []


# ------------------------------------------------------------------------------------ development beside production
DEV_IMAGE = (f"FROM {SLIM}\nWORKDIR /srv\nCOPY requirements-dev.txt ./\nRUN pip install -r requirements-dev.txt\n"
             "COPY . .\n")
PROD_IMAGE = (f"FROM {SLIM} AS builder\nCOPY requirements.txt ./\n"
              "RUN pip wheel --wheel-dir /wheels -r requirements.txt\n"
              f"FROM {SLIM} AS production\nCOPY --from=builder /wheels /wheels\n"
              "RUN pip install --no-index --find-links /wheels /wheels/*\nCOPY . .\n"
              "CMD [\"gunicorn\", \"-k\", \"uvicorn_worker.UvicornWorker\", \"main:app\"]\n")
DEV_COMPOSE = ("services:\n  api:\n    build: ./app\n    command: uvicorn main:app --reload\n"
               "    volumes:\n      - ./app:/srv\n  db:\n    build: ./db\n")
SEEDED_DB = "FROM postgres:17.2\nCOPY seed.sql /docker-entrypoint-initdb.d/\n"


def classified(tmp_path, files: dict[str, str], path: str):
    write_tree(tmp_path, files)
    project = Project.discover(tmp_path)
    c = roles(project).dockerfile(project.file(path))
    return c.role, c.purpose, c.purpose_reason


def test_a_dockerfile_beside_its_production_sibling_is_the_development_image(tmp_path):
    from dockyard.roles import DEV, SERVICE

    files = {"app/Dockerfile": DEV_IMAGE, "app/Dockerfile.prod": PROD_IMAGE, "compose.yaml": DEV_COMPOSE,
             "db/Dockerfile": SEEDED_DB, "app/requirements.txt": "fastapi==0.115.0\n"}
    assert classified(tmp_path / "a", files, "app/Dockerfile") == (
        APP, DEV, "`app/Dockerfile.prod` beside it is the production image (named for production): this one is "
                  "for development")
    assert classified(tmp_path / "a", {}, "app/Dockerfile.prod") == (APP, SERVICE, "")
    # the database image only that development stack builds, running its base image's command
    assert classified(tmp_path / "a", {}, "db/Dockerfile") == (
        OTHER, DEV, "only the development stack builds it (`compose.yaml`, which builds the development image "
                    "`app/Dockerfile`), with no command of its own")
    # `Dockerfile.production` too, without any compose file
    alone = {"svc/Dockerfile": DEV_IMAGE, "svc/Dockerfile.production": PROD_IMAGE}
    assert classified(tmp_path / "b", alone, "svc/Dockerfile")[1] == DEV


def test_ci_or_a_production_compose_file_tells_which_image_is_the_production_one(tmp_path):
    from dockyard.roles import DEV, SERVICE

    workflow = ("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: docker build --file ./app/Dockerfile.k8s -t ghcr.io/acme/api:1 ./app\n")
    files = {"app/Dockerfile": DEV_IMAGE, "app/Dockerfile.k8s": PROD_IMAGE, "compose.yaml": DEV_COMPOSE,
             "db/Dockerfile": SEEDED_DB, ".github/workflows/ci.yml": workflow}
    assert classified(tmp_path / "a", files, "app/Dockerfile") == (
        APP, DEV, "`app/Dockerfile.k8s` beside it is the production image (CI builds it): this one is for "
                     "development")
    prod_compose = {"app/Dockerfile": DEV_IMAGE, "app/Dockerfile.k8s": PROD_IMAGE, "compose.yaml": DEV_COMPOSE,
                    "compose.prod.yaml": "services:\n  api:\n    build:\n      context: ./app\n"
                                         "      dockerfile: Dockerfile.k8s\n"}
    assert classified(tmp_path / "b", prod_compose, "app/Dockerfile")[2] == (
        "`app/Dockerfile.k8s` beside it is the production image (`compose.prod.yaml` builds it): this one is for "
        "development")
    # a plain Dockerfile that CI builds itself is shipped, whatever lies beside it
    both = dict(files, **{".github/workflows/ci.yml": workflow + "      - run: docker build -f app/Dockerfile ./app\n"})
    assert classified(tmp_path / "c", both, "app/Dockerfile")[1:] == (SERVICE, "")
    # two images of one folder, one of them built by CI: the other is no development image unless compose builds it
    worker = {"app/Dockerfile": DEV_IMAGE, "app/Dockerfile.k8s": PROD_IMAGE, ".github/workflows/ci.yml": workflow}
    assert classified(tmp_path / "d", worker, "app/Dockerfile")[1:] == (SERVICE, "")
    # an image compose builds beside a service that is not a development image is part of that stack
    stack = {"app/Dockerfile": PROD_IMAGE, "compose.yaml": DEV_COMPOSE, "db/Dockerfile": SEEDED_DB}
    assert classified(tmp_path / "e", stack, "db/Dockerfile")[1:] == (SERVICE, "")


LIBRARY_IMAGE = ("FROM python:3.12-slim\nCOPY --from=ghcr.io/astral-sh/uv:0.9.5 /uv /bin/\nWORKDIR /srv\n"
                 "COPY . /srv\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --locked --no-dev\n")


def test_an_image_with_no_command_built_only_by_make_is_a_development_image(tmp_path):
    from dockyard.roles import DEV, SERVICE

    release = ("on: {push: {tags: ['*']}}\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n"
               "      - uses: actions/checkout@v4\n      - run: uv build && uv publish\n")
    files = {"Dockerfile": LIBRARY_IMAGE, "Makefile": "image:\n\tdocker build .\n\ntest:\n\tuv run pytest\n",
             "pyproject.toml": "[project]\nname = \"lib\"\nversion = \"1.0\"\ndependencies = [\"fastapi\"]\n",
             ".github/workflows/release.yml": release}
    assert classified(tmp_path / "a", files, "Dockerfile") == (
        APP, DEV, "it sets no command and only `make image` (`Makefile`) builds it: no compose service runs it, "
                  "no CI job builds it")
    # what keeps it a service: a Makefile that pushes it, a CI job that builds images or runs its target, a
    # command of its own, a port, a compose service
    pushes = dict(files, Makefile="image:\n\tdocker build -t ghcr.io/acme/lib .\n\tdocker push ghcr.io/acme/lib\n")
    ci_make = dict(files, **{".github/workflows/release.yml": release + "      - run: make image\n"})
    ci_build = dict(files, **{".github/workflows/release.yml": release + "      - uses: docker/build-push-action@v6\n"})
    command = dict(files, Dockerfile=LIBRARY_IMAGE + "CMD [\"uvicorn\", \"lib.app:app\"]\n")
    port = dict(files, Dockerfile=LIBRARY_IMAGE + "EXPOSE 8000\n")
    compose = dict(files, **{"compose.yaml": "services:\n  api:\n    build: .\n"})
    for i, case in enumerate((pushes, ci_make, ci_build, command, port, compose)):
        assert classified(tmp_path / f"k{i}", case, "Dockerfile")[1:] == (SERVICE, ""), i
    # without the Makefile nothing says how it runs: its command may come from a deployment manifest
    no_make = {k: v for k, v in files.items() if k != "Makefile"}
    assert classified(tmp_path / "n", no_make, "Dockerfile")[1:] == (SERVICE, "")


def test_a_development_container_is_judged_only_on_whether_it_builds_and_what_it_leaks(tmp_path):
    from dockyard.roles import EDITOR

    # a VS Code development container: the editor's workspace, built on an image that brings its user and tools
    devcontainer = (
        "FROM mcr.microsoft.com/vscode/devcontainers/python:3.12\n"                      # 1
        "ENV PYTHONUNBUFFERED=1\n"                                                      # 2
        "RUN apt-get install -y make\n"                                                 # 3 no update first
        "RUN curl -fsSL https://example.org/tool.tgz | tar -xz -C /usr/local/bin\n"     # 4 no pipefail
        "RUN pip install poetry\n"                                                      # 5
        "USER vscode\n")                                                                # 6
    files = {".devcontainer/Dockerfile": devcontainer, ".devcontainer/devcontainer.json": "{}\n"}
    c = role_of(tmp_path, files, ".devcontainer/Dockerfile")
    assert (c.purpose, c.purpose_reason) == (EDITOR, "`.devcontainer/Dockerfile` is a development container "
                                                     "(under `.devcontainer/`)")
    found = run_files(tmp_path / "run", files)
    # the base image, digest, layers, Python settings and cache mounts are the editor's business; whether apt
    # lists are there and whether a failing download fails the build are not
    assert at(found, ".devcontainer/Dockerfile") == [("DF046", 3, 13), ("DF064", 4, 45)]


def test_an_image_only_development_s_compose_files_build_is_a_developer_s_machine_s(tmp_path):
    from dockyard.roles import EDITOR

    # a hot-reload image that only the development stack under `dev/` builds: its base pin, apt hygiene and Python
    # settings are the developer's business; whether apt lists are there is not
    image = ("FROM python:3.12-slim\n"                                                   # 1
             "RUN apt-get install -y git build-essential\n"                              # 2 no update first
             "WORKDIR /app\n"                                                           # 3
             "CMD [\"uvicorn\", \"app.main:app\", \"--reload\"]\n")                      # 4
    stack = "services:\n  api:\n    build:\n      context: ../..\n      dockerfile: dev/docker/Dockerfile.api\n"
    files = {"dev/docker/Dockerfile.api": image, "dev/docker/docker-compose.yml": stack}
    c = role_of(tmp_path, files, "dev/docker/Dockerfile.api")
    assert (c.purpose, c.purpose_reason) == (EDITOR, "only compose files development alone runs build it "
                                                     "(`dev/docker/docker-compose.yml`): an image for a developer's "
                                                     "machine")
    found = run_files(tmp_path / "run", files, select="DF")
    assert at(found, "dev/docker/Dockerfile.api") == [("DF046", 2, 13)]
    # the same image that a deployment's compose file builds too is judged as the service
    files["docker-compose.yml"] = stack.replace("../..", ".")
    assert role_of(tmp_path / "deployed", files, "dev/docker/Dockerfile.api").purpose != EDITOR


def test_a_development_stage_last_beside_a_production_stage_ships_that_one(tmp_path):
    from dockyard.roles import DEV, SERVICE

    text = (f"FROM {SLIM} AS prod\nCOPY . /app\nCMD [\"python\", \"-m\", \"app\"]\n"
            "FROM prod AS dev\nRUN pip install pytest\n")
    assert role_of(tmp_path / "a", {"Dockerfile": text}).purpose == SERVICE
    # the `prod` stage is the image: what it lacks is said there
    found = run_files(tmp_path / "run", {"Dockerfile": text}, select=("DF040",))
    assert [(f.code, f.position.line, f.message.split(" runs")[0]) for f in found] == [("DF040", 1, "stage `prod`")]
    assert role_of(tmp_path / "b", {"Dockerfile": text.replace(" AS prod", " AS base").replace("FROM prod", "FROM base")
                                    }).purpose == DEV


def test_an_image_that_runs_a_javascript_development_server_is_development_tooling(tmp_path):
    from dockyard.roles import DEV

    for i, cmd in enumerate(['CMD ["npm", "run", "dev"]', 'CMD ["next", "dev"]', 'ENTRYPOINT ["nodemon", "server.js"]',
                             'CMD ["yarn", "dev", "--host"]']):
        c = role_of(tmp_path / str(i), {"Dockerfile": f"FROM node:20-alpine\nCOPY . /app\n{cmd}\n"})
        assert c.purpose == DEV and c.purpose_reason.startswith("it runs the development server `"), cmd
    # what a deployment serves is a service: `next start`, a build served by nginx
    for i, cmd in enumerate(['CMD ["npm", "start"]', 'CMD ["next", "start"]', 'CMD ["vite", "preview"]']):
        c = role_of(tmp_path / f"s{i}", {"Dockerfile": f"FROM node:20-alpine\nCOPY . /app\n{cmd}\n"})
        assert c.purpose != DEV, cmd
    # a Python service started with reload is still judged as the service it is meant to be (DF056 says so)
    c = role_of(tmp_path / "py", {"Dockerfile": f"FROM {SLIM}\nCOPY . /app\nCMD [\"uvicorn\", \"main:app\", \"--reload\"]\n",
                                  "requirements.txt": "fastapi==0.115.0\n"})
    assert c.purpose != DEV


def test_an_image_under_a_test_or_documentation_folder_nothing_releases_is_tooling(tmp_path):
    from dockyard.roles import EDITOR

    # a mock server of the integration tests, a load test harness, a documentation sample: none is shipped
    server = (f"FROM {SLIM}\n"                                                               # 1
              "RUN apt-get install -y curl\n"                                                # 2 no update first
              "COPY . /app\n"                                                                # 3
              "CMD [\"uvicorn\", \"server:app\", \"--host\", \"0.0.0.0\"]\n")              # 4
    for i, path in enumerate(["backend/tests/integration/mock_server/Dockerfile", "loadtest/Dockerfile",
                              "docs/discord-bot/Dockerfile", ".github/actions/scan/Dockerfile"]):
        c = role_of(tmp_path / str(i), {path: server}, path)
        folder = path.split("/")[1 if path.startswith("backend/") else 0]
        assert (c.purpose, c.purpose_reason) == (
            EDITOR, f"`{path}` is under `{folder}/` and nothing releases it: test or documentation tooling"), path
        # whether it builds is still judged; production advice (stages, user, healthcheck, labels) is not
        assert at(run_files(tmp_path / f"run{i}", {path: server}, select="DF"), path) == [("DF046", 2, 13)]
    # one that CI releases is judged as the service it is
    files = {"docs/Dockerfile": server, ".github/workflows/docs.yml": (
        "on: push\njobs:\n  docs:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: docker build -f docs/Dockerfile -t acme/docs:latest . && docker push acme/docs:latest\n")}
    assert role_of(tmp_path / "released", files, "docs/Dockerfile").purpose != EDITOR


def test_an_image_only_compose_files_of_tests_build_is_test_tooling(tmp_path):
    from dockyard.roles import DEV

    image = f"FROM {SLIM}\nCOPY . /app\nCMD [\"uvicorn\", \"app.main:app\", \"--host\", \"0.0.0.0\"]\n"
    stack = "services:\n  server:\n    build:\n      context: .\n      dockerfile: Dockerfile\n"
    files = {"Dockerfile": image, "docker-compose.test-auth.yml": stack, "requirements.txt": "fastapi==0.115.0\n"}
    c = role_of(tmp_path / "a", files)
    assert (c.purpose, c.purpose_reason) == (DEV, "only compose files of tests build it (`docker-compose.test-auth.yml`)")
    # production advice is not asked of it; what fits any image is
    found = run_files(tmp_path / "run", files, select=("DF043", "DF005"))
    assert at(found, "Dockerfile") == [("DF005", 1, 6)]
    # one that CI releases too is the service
    files[".github/workflows/release.yml"] = ("on: push\njobs:\n  r:\n    runs-on: ubuntu-latest\n    steps:\n"
                                              "      - run: docker build -f Dockerfile -t acme/api:1 . && docker push acme/api:1\n")
    assert role_of(tmp_path / "b", files).purpose != DEV


def test_a_build_context_shared_with_a_development_container_is_the_service_s(tmp_path):
    # the dev container builds in the repository root, as the service's image does: the root's ignore file is
    # still judged for the service
    files = {".devcontainer/Dockerfile": "FROM mcr.microsoft.com/vscode/devcontainers/python:3.12\n",
             ".devcontainer/devcontainer.json": "{}\n",
             ".devcontainer/docker-compose.yml": "services:\n  app:\n    build:\n      context: ..\n"
                                                 "      dockerfile: .devcontainer/Dockerfile\n",
             "Dockerfile": f"FROM {SLIM}\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"-m\", \"app\"]\n",
             ".dockerignore": "__pycache__\n"}
    found = run_files(tmp_path, files, select=("DI003",))
    assert at(found, ".dockerignore") == [("DI003", 1, 1)]


def test_a_lambda_function_stage_after_the_production_stage_is_not_the_service(tmp_path):
    text = ("FROM python:3.12-slim AS production\n"                                        # 1
            "WORKDIR /app\n"                                                               # 2
            "COPY . .\n"                                                                   # 3
            "RUN pip install --no-cache-dir -r requirements.lock.txt\n"                    # 4
            "CMD [\"uvicorn\", \"app.main:app\", \"--host\", \"0.0.0.0\"]\n"               # 5
            "FROM public.ecr.aws/lambda/python:3.12 AS lambda\n"                          # 6
            "COPY . ${LAMBDA_TASK_ROOT}\n"                                                 # 7
            "CMD [\"app.worker.handler\"]\n")                                               # 8
    found = run_files(tmp_path, {"Dockerfile": text, "requirements.lock.txt": "fastapi==0.115.0\n"},
                      select=("DF003", "DF040", "DF043", "DF056", "DF061"))
    # the service rules judge the production stage, which runs uvicorn as root with no healthcheck: not the
    # function Lambda invokes per event, on the base image its bootstrap needs
    assert at(found, "Dockerfile") == [("DF040", 1, 1), ("DF043", 1, 1), ("DF061", 1, 1), ("DF056", 5, 5)]
    # and name that stage: it is not the final one
    assert next(f.message for f in found if f.code == "DF040").startswith("stage `production` runs as root")


DESKTOP = ("FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y --no-install-recommends xfce4=4.18 "
           "x11vnc=0.9.16 xvfb=2:21.1 build-essential=12.10 python3-pip=24.0 && rm -rf /var/lib/apt/lists/*\n"
           "RUN pip install pyautogui\n"
           "CMD [\"/bin/sh\", \"-c\", \"Xvfb :99 -screen 0 1280x720x24 & x11vnc -display :99 -forever & startxfce4\"]\n")


def test_an_image_whose_command_starts_a_desktop_is_a_workstation_not_a_service(tmp_path):
    from dockyard.roles import DEV

    files = {"computer.Dockerfile": DESKTOP, "pyproject.toml": "[project]\nname = \"agent\"\ndependencies = [\"fastapi\"]\n"}
    c = role_of(tmp_path, files, "computer.Dockerfile")
    assert (c.role, c.purpose) == (PYTHON, DEV)
    assert c.purpose_reason == "it starts `Xvfb`: a desktop workstation, whose build tools are its purpose"
    # its build tools are what it is for; how it installs them is judged as in any image
    found = run_files(tmp_path / "rules", files, select=("DF009", "DF013", "DF015", "DF043"))
    assert [(f.code, f.path, f.position.line, f.position.column) for f in found] == [
        ("DF009", "computer.Dockerfile", 3, 17)]


def test_a_compose_command_that_runs_an_entry_script_is_judged_by_the_server_the_script_starts(tmp_path):
    script = ("#!/usr/bin/env bash\nset -e\nexport WORKER_CLASS=${WORKER_CLASS:-\"uvicorn.workers.UvicornWorker\"}\n"
              "gunicorn -k \"$WORKER_CLASS\" -c gunicorn/gunicorn_conf.py src.main:app\n")
    files = {"Dockerfile": f"FROM {SLIM}\nWORKDIR /src\nCOPY . .\n", "entrypoints/gunicorn.sh": script,
             "src/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
             "requirements.txt": "fastapi==0.115.0\ngunicorn==23.0.0\nuvicorn==0.30.0\n",
             "compose.yaml": "services:\n  app:\n    build: .\n    command:\n      - entrypoints/gunicorn.sh\n"
                             "    volumes:\n      - ./logging.ini:/src/logging.ini\n"}
    write_tree(tmp_path, files)
    project = Project.discover(tmp_path)
    from dockyard.compose.context import environment_views

    found = roles(project).service(environment_views(project)[0], "app")
    # the worker class's module path names no server of its own: gunicorn runs, with uvicorn workers
    assert (found.role, found.reason) == (APP, "its command's script starts `gunicorn with uvicorn`")
    # a file the command hands over (a log configuration that mentions uvicorn's loggers) is no script
    files["compose.yaml"] = ("services:\n  app:\n    build: .\n    command: --log-config conf/log.yml\n")
    files["conf/log.yml"] = "loggers:\n  uvicorn:\n    level: INFO\n"
    write_tree(tmp_path / "b", files)
    project = Project.discover(tmp_path / "b")
    found = roles(project).service(environment_views(project)[0], "app")
    assert found.reason != "its command's script starts `uvicorn`"


def test_an_image_ci_pushes_is_no_developer_s_image_whatever_compose_builds_it(tmp_path):
    from dockyard.roles import EDITOR, SERVICE

    files = {"Dockerfile": f"FROM {SLIM}\nCOPY . /app\nCMD [\"uvicorn\", \"app.main:app\"]\n",
             "requirements.txt": "fastapi==0.115.0\n",
             "docker-compose.dev.yml": "services:\n  api:\n    build: .\n    volumes: ['./app:/app/app']\n"}
    assert role_of(tmp_path / "dev", files).purpose == EDITOR
    # pushed by digest: no tag names it, the build pushes it itself
    workflow = ("on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
                "      - uses: docker/build-push-action@v6\n        with:\n          context: .\n"
                "          target: production\n          outputs: type=image,name=ghcr.io/acme/api,push-by-digest=true,"
                "push=true\n")
    c = role_of(tmp_path / "ci", {**files, ".github/workflows/image.yml": workflow})
    assert c.purpose == SERVICE

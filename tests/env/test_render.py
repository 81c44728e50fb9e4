"""``env render`` agrees with the real ``docker compose config --format json``."""

import json
import os

import pytest

from dockyard.cli import main
from tests.compose import _oracle
from tests.env._projects import DB_PASSWORD, SECRET, project
from tests.helpers import chdir, write_tree


FIXTURES = {
    "standard": (project(), ["docker-compose.base.yml", "docker-compose.prod.yml"], [".env.prod"]),
    "single-file": ({
        "compose.yaml": "name: shop\nservices:\n  web:\n    image: nginx:${NGINX_TAG:-1.27}\n"
                        "    command: [\"echo\", \"$${HOME}\", \"${GREETING}\"]\n"
                        "    environment:\n      - API_TOKEN=${API_TOKEN}\n      - PLAIN\n"
                        "    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 30s\n",
        ".env": f"GREETING=\"hello world\"\nAPI_TOKEN={SECRET}\nNGINX_TAG=1.27.1\n",
    }, [], []),
    "override-and-extends": ({
        "compose.yaml": "services:\n  base:\n    image: python:3.12-slim\n    environment: [A=1, B=2]\n"
                        "    volumes: [\"./data:/data\"]\n  app:\n    extends: base\n    ports: [\"8000:8000\"]\n"
                        "    labels:\n      com.example.password: ${DB_PASSWORD}\n",
        "compose.override.yaml": "services:\n  app:\n    environment:\n      B: ${B_VALUE:-three}\n"
                                 "    depends_on: [base]\n",
        "settings.env": f"DB_PASSWORD={DB_PASSWORD}\nB_VALUE='single $quoted'\n",
    }, ["compose.yaml", "compose.override.yaml"], ["settings.env"]),
    # compose names the project's secrets and configs (`<project>_<key>`, an external one by its key) and mounts a
    # service's secret at /run/secrets/<name> unless told where
    "secrets-and-configs": ({
        "compose.yaml": "services:\n  app:\n    image: python:3.12-slim\n    environment:\n"
                        "      DB_PASSWORD: ${DB_PASSWORD}\n"
                        "    secrets: [db, shared, {source: db, target: db.txt}, {source: api, uid: \"1000\"}]\n"
                        "    configs: [{source: nginx, target: /etc/nginx.conf}, plain]\n"
                        "secrets:\n  db:\n    environment: DB_PASSWORD\n  shared:\n    external: true\n"
                        "  api:\n    file: ./api.txt\n    name: given-name\n"
                        "configs:\n  nginx:\n    content: \"server {}\"\n  plain:\n    external: false\n"
                        "    file: ./plain.conf\n",
        ".env": f"DB_PASSWORD={DB_PASSWORD}\n",
        "api.txt": "", "plain.conf": "",
    }, [], []),
}


def _dockyard_render(tmp_path, capsys, files, env_files, *extra):
    args = ["env", "render"]
    for f in files:
        args += ["-f", f]
    for e in env_files:
        args += ["--env-file", e]
    with chdir(tmp_path):
        code = main(args + list(extra))
    return code, capsys.readouterr()


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_show_secrets_json_equals_docker_compose_config(name, tmp_path, capsys, monkeypatch):
    tree, files, env_files = FIXTURES[name]
    write_tree(tmp_path, tree)
    for k in list(os.environ):
        monkeypatch.delenv(k)
    for k, v in _oracle.BASE_ENV.items():
        monkeypatch.setenv(k, v)
    rc, expected, err = _oracle.run_config(tmp_path, files, env_files=env_files)
    assert rc == 0, err
    code, out = _dockyard_render(tmp_path, capsys, files, env_files, "--format", "json", "--show-secrets")
    assert code == 0, out.err
    assert json.loads(out.out) == expected


@pytest.mark.parametrize("name", sorted(FIXTURES))
@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_masked_by_default(name, fmt, tmp_path, capsys):
    tree, files, env_files = FIXTURES[name]
    write_tree(tmp_path, tree)
    code, out = _dockyard_render(tmp_path, capsys, files, env_files, "--format", fmt)
    assert code == 0, out.err
    assert SECRET not in out.out and DB_PASSWORD not in out.out and "********" in out.out


def test_environment_by_name(tmp_path, capsys, monkeypatch):
    write_tree(tmp_path, project())
    monkeypatch.delenv("SECRET_KEY", raising=False)
    rc, expected, err = _oracle.run_config(tmp_path, ["docker-compose.base.yml", "docker-compose.dev.yml"],
                                           env_files=[".env.dev"])
    code, out = _dockyard_render(tmp_path, capsys, [], [], "--env", "dev", "--format", "json", "--show-secrets")
    assert (rc, code) == (0, 0)
    assert json.loads(out.out) == expected


def test_missing_required_variable_fails_like_compose(tmp_path, capsys):
    write_tree(tmp_path, project(**{".env.prod": "BASE_URL=https://api.example.com\n"}))
    rc, _, err = _oracle.run_config(tmp_path, ["docker-compose.base.yml"], env_files=[".env.prod"])
    code, out = _dockyard_render(tmp_path, capsys, ["docker-compose.base.yml"], [".env.prod"])
    assert rc == 1 and code == 1
    assert "required variable" in err and "required variable" in out.err and out.out == ""


def test_usage_errors(tmp_path, capsys):
    assert _dockyard_render(tmp_path, capsys, [], [])[0] == 2
    assert _dockyard_render(tmp_path, capsys, ["nope.yaml"], [])[0] == 2
    write_tree(tmp_path, project())
    code, out = _dockyard_render(tmp_path, capsys, [], [], "--env", "qa")
    assert code == 2 and "unknown environment 'qa'" in out.err


# compose's defaults: `docker compose` with no -f reads compose.yml + compose.override.yml, and without
# --env-file interpolates from the folder's .env (shaped like full-stack-fastapi-template)
DEFAULTS = {
    "compose.yml": "services:\n  db:\n    image: postgres:18\n    environment:\n"
                   "      - POSTGRES_PASSWORD=${POSTGRES_PASSWORD:?Variable not set}\n"
                   "  backend:\n    image: \"backend:${TAG:-latest}\"\n    build:\n      context: .\n"
                   "    environment:\n      SMTP_HOST: ${SMTP_HOST:-localhost}\n",
    "compose.override.yml": "services:\n  backend:\n    ports:\n      - \"8000:8000\"\n"
                            "    environment:\n      SMTP_HOST: mailpit\n",
    "compose.deploy.yml": "services:\n  backend:\n    labels:\n"
                          "      - traefik.http.routers.backend.rule=Host(`${DOMAIN:?Variable not set}`)\n",
    ".env": f"DOMAIN=example.com\nPOSTGRES_PASSWORD={DB_PASSWORD}\nTAG=1.4\nSMTP_HOST=smtp.example.com\n",
}


def _clean_environ(monkeypatch):
    for k in list(os.environ):
        monkeypatch.delenv(k)
    for k, v in _oracle.BASE_ENV.items():
        monkeypatch.setenv(k, v)


@pytest.mark.parametrize("args", [[], ["--env", "default"]], ids=["no-arguments", "env-default"])
def test_default_environment_renders_like_docker_compose_without_f(args, tmp_path, capsys, monkeypatch):
    write_tree(tmp_path, DEFAULTS)
    _clean_environ(monkeypatch)
    rc, expected, err = _oracle.run_config(tmp_path)
    assert rc == 0, err
    assert expected["services"]["backend"]["ports"][0]["published"] == "8000"  # compose read the override
    code, out = _dockyard_render(tmp_path, capsys, [], [], *args, "--format", "json", "--show-secrets")
    assert code == 0, out.err
    assert json.loads(out.out) == expected


def test_environment_without_its_env_file_renders_with_dot_env_like_compose(tmp_path, capsys, monkeypatch):
    write_tree(tmp_path, DEFAULTS)
    _clean_environ(monkeypatch)
    rc, expected, err = _oracle.run_config(tmp_path, ["compose.yml", "compose.deploy.yml"])
    assert rc == 0, err
    assert expected["services"]["backend"]["image"] == "backend:1.4"  # compose read .env
    code, out = _dockyard_render(tmp_path, capsys, [], [], "--env", "deploy", "--format", "json", "--show-secrets")
    assert code == 0, out.err
    assert json.loads(out.out) == expected


def test_environment_with_its_env_file_does_not_read_dot_env(tmp_path, capsys, monkeypatch):
    write_tree(tmp_path, dict(DEFAULTS, **{".env.deploy": f"DOMAIN=deploy.example.com\nPOSTGRES_PASSWORD={SECRET}\n"}))
    _clean_environ(monkeypatch)
    rc, expected, err = _oracle.run_config(tmp_path, ["compose.yml", "compose.deploy.yml"], env_files=[".env.deploy"])
    assert rc == 0, err
    assert expected["services"]["backend"]["image"] == "backend:latest"  # TAG is only in .env
    code, out = _dockyard_render(tmp_path, capsys, [], [], "--env", "deploy", "--format", "json", "--show-secrets")
    assert code == 0, out.err
    assert json.loads(out.out) == expected


SERVICE_FOLDER = {
    "svc/compose.yaml": "services:\n  worker:\n    image: worker:${TAG:?TAG is required}\n",
    "svc/compose.dev.yaml": "services:\n  worker:\n    environment:\n      MODE: ${MODE:-dev}\n",
    "svc/.env.dev": "TAG=1.2\nMODE=debug\n",
    "other/deep/compose.yaml": "services:\n  x:\n    image: x:${X:?}\n",
}


def test_an_environment_is_found_in_its_own_folder_without_walking_the_rest_of_the_tree(tmp_path, capsys,
                                                                                       monkeypatch):
    import dockyard.project

    write_tree(tmp_path, dict(project(), **SERVICE_FOLDER))
    _clean_environ(monkeypatch)
    listed = []
    scandir = os.scandir

    def recording(path):
        listed.append(os.path.relpath(path, tmp_path))
        return scandir(path)

    monkeypatch.setattr(dockyard.project.os, "scandir", recording)
    code, named = _dockyard_render(tmp_path, capsys, [], [], "--env", "svc/dev", "--format", "json")
    assert code == 0, named.err
    assert sorted(listed) == [".", "svc"]  # the root (its .env.dev could serve) and the environment's folder
    monkeypatch.setattr(dockyard.project.os, "scandir", scandir)
    code, explicit = _dockyard_render(tmp_path, capsys, ["svc/compose.yaml", "svc/compose.dev.yaml"],
                                      ["svc/.env.dev"], "--format", "json")
    assert code == 0 and named.out == explicit.out and '"MODE": "debug"' in named.out
    # an unknown name lists every environment of the tree, sub-folders included
    code, out = _dockyard_render(tmp_path, capsys, [], [], "--env", "qa")
    assert code == 2 and out.err.strip().endswith("(environments: dev, other/deep/default, prod, svc/dev)")


def test_a_configured_environment_is_rendered_from_its_configured_files(tmp_path, capsys, monkeypatch):
    write_tree(tmp_path, dict(project(), **{
        "dockyard.toml": '[environments.live]\ncompose = ["docker-compose.base.yml", "docker-compose.prod.yml"]\n'
                         'env-file = "config/live.env"\n',
        "config/live.env": project()[".env.prod"]}))
    _clean_environ(monkeypatch)
    code, named = _dockyard_render(tmp_path, capsys, [], [], "--env", "live", "--format", "json")
    code2, explicit = _dockyard_render(tmp_path, capsys, ["docker-compose.base.yml", "docker-compose.prod.yml"],
                                       ["config/live.env"], "--format", "json")
    assert (code, code2) == (0, 0) and named.out == explicit.out

import subprocess

from tests.helpers import run_files, triples

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
    assert [(f.path, *t) for f, t in zip(found, triples(found))] == [("docker-compose.staging.yml", "EN002", 1, 1)]


def test_single_env_file_only(tmp_path):
    found = run_files(tmp_path, {"compose.yaml": BASE, ".env": "A=1\n"}, select="EN002")
    assert triples(found) == [("EN002", 1, 1)] and found[0].path == ".env"


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

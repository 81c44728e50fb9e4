from tests.helpers import at, run_files, triples

DOCKERFILE = ("FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.lock.txt ./\n"
              "COPY [\"gunicorn_config.py\", \"./\"]\nCOPY app/ ./app/\nCOPY --from=builder /wheels /wheels\n"
              "COPY *.md ./\nCOPY . .\n")


def test_excluded_sources(tmp_path):
    ignore = "*.txt\n*.py\napp\n!app/main.py\n"
    found = run_files(tmp_path, {"Dockerfile": DOCKERFILE, ".dockerignore": ignore}, select="DF060")
    assert triples(found) == [("DF060", 3, 6), ("DF060", 4, 8), ("DF060", 5, 6)]
    assert "`*.txt` (.dockerignore line 1)" in found[0].message


def test_exceptions_and_root_anchoring_pass(tmp_path):
    ignore = "**/*.pyc\n*.txt\n!requirements.lock.txt\nsrc/*.py\n"
    assert run_files(tmp_path, {"Dockerfile": DOCKERFILE, ".dockerignore": ignore}, select="DF060") == []


def test_dockerfile_specific_ignore_file_takes_precedence(tmp_path):
    files = {"docker/api.Dockerfile": DOCKERFILE, "docker/.dockerignore": "*.txt\n",
             "docker/api.Dockerfile.dockerignore": "app/\n"}
    assert at(run_files(tmp_path, files, select="DF060"), "docker/api.Dockerfile") == [("DF060", 5, 6)]


def test_compose_build_context_is_used(tmp_path):
    files = {"docker/Dockerfile": DOCKERFILE, "docker/.dockerignore": "app\n", ".dockerignore": "*.txt\n",
             "compose.yaml": "services:\n  api:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile\n"}
    assert at(run_files(tmp_path, files, select="DF060"), "docker/Dockerfile") == [("DF060", 3, 6)]

import os

from dockyard.fix import apply_edits
from dockyard.parsers.dockerignore import parse_dockerignore
from dockyard.rules.dockerignore.entries import GROUPS, STANDARD_IGNORE
from tests.helpers import at, run_files, triples

DF = "FROM python:3.12-slim\nCOPY . /app\n"


def test_standard_entries_exclude_every_probe():
    ig = parse_dockerignore(STANDARD_IGNORE)
    assert all(ig.excluded(p) for g in GROUPS for e in g.entries for p in e.probes)
    assert not ig.excluded("app/main.py") and not ig.excluded("requirements.lock.txt")


def test_missing_ignore_file_for_dockerfile_and_compose_context(tmp_path):
    files = {"Dockerfile": DF, "svc/Dockerfile": DF,
             "compose.yaml": "services:\n  api:\n    build: ./svc\n  web:\n    build:\n      context: web\n",
             "web/.dockerignore": STANDARD_IGNORE}
    found = run_files(tmp_path, files, select="DI001")
    assert [(f.path, f.position.line, f.position.column) for f in found] == [
        ("Dockerfile", 1, 1), ("compose.yaml", 3, 12)]
    fix = found[0].fix
    assert fix.path == ".dockerignore" and fix.edits[0].replacement == STANDARD_IGNORE


def test_context_that_sends_only_named_files_needs_no_ignore_file(tmp_path):
    # shaped like official image folders: a Dockerfile alone, or with the entrypoint script it copies by name
    files = {
        "3.14/slim/Dockerfile": "FROM debian:trixie-slim\nRUN apt-get update\nCMD [\"python3\"]\n",
        "cron/Dockerfile": "FROM debian:trixie-slim\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT [\"/entrypoint.sh\"]\n",
        "cron/entrypoint.sh": "#!/bin/sh\nexec \"$@\"\n",
        "cfg/Dockerfile": "FROM nginx:1.27\nCOPY <<EOF /etc/nginx/conf.d/x.conf\nserver {}\nEOF\n",
    }
    assert run_files(tmp_path, files, select="DI001") == []


def test_folders_wildcards_and_bind_mounts_need_an_ignore_file(tmp_path):
    files = {
        "a/Dockerfile": "FROM python:3.12-slim\nCOPY requirements.txt ./\nCOPY app /srv/app\n", "a/app/main.py": "",
        "a/requirements.txt": "",
        "b/Dockerfile": "FROM python:3.12-slim\nCOPY *.py /srv/\n",
        "c/Dockerfile": "FROM python:3.12-slim\nRUN --mount=type=bind,target=/src pip install /src\n",
        "compose.yaml": "services:\n  d:\n    build:\n      context: d\n      dockerfile: missing.Dockerfile\n",
    }
    found = run_files(tmp_path, files, select="DI001")
    assert [(f.path, f.position.line) for f in found] == [
        ("a/Dockerfile", 1), ("b/Dockerfile", 1), ("c/Dockerfile", 1), ("compose.yaml", 4)]
    assert "`COPY app` (line 3 of `a/Dockerfile`) copies whatever it holds" in found[0].message


def test_dockerfile_specific_ignore_counts(tmp_path):
    files = {"api.Dockerfile": DF, "api.Dockerfile.dockerignore": STANDARD_IGNORE}
    assert run_files(tmp_path, files, select="DI001") == []


def test_missing_groups_in_one_finding_with_append_fix(tmp_path):
    text = ".git\n**/.env*\n.venv\nvenv\nenv\n**/__pycache__\n**/*.py[cod]"
    found = run_files(tmp_path, {"Dockerfile": DF, ".dockerignore": text}, select="DI002")
    assert at(found, ".dockerignore") == [("DI002", 1, 1)]
    msg = found[0].message
    assert "test and coverage output" in msg and "logs" in msg and "build output" in msg and "git" not in msg
    new = apply_edits(text, list(found[0].fix.edits))
    assert new.startswith(text + "\n\n# Test and coverage output\n")
    ig = parse_dockerignore(new)
    assert all(ig.excluded(p) for g in GROUPS for e in g.entries for p in e.probes)


def test_complete_file_passes(tmp_path):
    assert run_files(tmp_path, {"Dockerfile": DF, ".dockerignore": STANDARD_IGNORE}, select="DI00") == []


def test_root_only_bytecode_patterns(tmp_path):
    text = "__pycache__/\n  /*.pyc\n!keep.pyc\n**/*.pyo\n"
    found = run_files(tmp_path, {"Dockerfile": DF, ".dockerignore": text}, select="DI003")
    assert triples(found) == [("DI003", 1, 1), ("DI003", 2, 3)]
    new = text
    for f in sorted(found, key=lambda f: -f.fix.edits[0].start):
        new = apply_edits(new, list(f.fix.edits))
    assert new == "**/__pycache__/\n  **/*.pyc\n!keep.pyc\n**/*.pyo\n"


def test_only_the_missing_entries_are_named_and_appended(tmp_path):
    # shaped like a FastAPI project's ignore file: bytecode and the uv virtualenv excluded everywhere, coverage
    # data and logs listed, the rest of their groups missing
    text = ".git\n.env\n.env.*\n**/__pycache__\n**/.venv\n.coverage\n.coverage.*\n*.log\n"
    found = run_files(tmp_path, {"Dockerfile": DF, ".dockerignore": text}, select="DI002")
    assert at(found, ".dockerignore") == [("DI002", 1, 1)]
    assert found[0].message == (
        "the ignore file does not exclude virtual environments: `venv/`, `env/`; test and coverage output: "
        "`.pytest_cache/`, `htmlcov/`; logs: `logs/`; IDE files: `.vscode/`, `.idea/`, `*.swp`; build output: "
        "`build/`, `dist/`, `*.egg-info/`")
    new = apply_edits(text, list(found[0].fix.edits))
    assert new == text + ("\n# Virtual environments\nvenv/\nenv/\n\n# Test and coverage output\n.pytest_cache/\n"
                          "htmlcov/\n\n# Logs\nlogs/\n\n# IDE files\n.vscode/\n.idea/\n*.swp\n\n"
                          "# Build output\nbuild/\ndist/\n*.egg-info/\n")
    assert run_files(tmp_path, {".dockerignore": new}, select="DI002") == []


def test_bytecode_is_covered_by_pycache_alone(tmp_path):
    # Python 3 writes bytecode only into __pycache__: `*.py[cod]` is not asked for beside `**/__pycache__`
    text = STANDARD_IGNORE.replace("**/*.py[cod]\n", "")
    assert run_files(tmp_path / "a", {"Dockerfile": DF, ".dockerignore": text}, select="DI002") == []
    text = STANDARD_IGNORE.replace("**/__pycache__/\n", "").replace("**/*.py[cod]\n", "")
    found = run_files(tmp_path / "b", {"Dockerfile": DF, ".dockerignore": text}, select="DI002")
    assert found[0].message == "the ignore file does not exclude Python bytecode: `**/__pycache__/`, `**/*.py[cod]`"


MONOREPO = {
    # shaped like a full-stack template: compose builds each Dockerfile of a sub-folder from the project root,
    # so only the root's ignore file is read; the ones beside the Dockerfiles are left over
    "compose.yml": "services:\n  backend:\n    build:\n      context: .\n      dockerfile: backend/Dockerfile\n"
                   "  playwright:\n    build:\n      context: .\n      dockerfile: frontend/Dockerfile.playwright\n",
    "backend/Dockerfile": "FROM python:3.12-slim\nCOPY ./backend/app /app/backend/app\nCMD [\"fastapi\", \"run\"]\n",
    "backend/.dockerignore": "# Python\n__pycache__\napp.egg-info\n*.pyc\n.venv\n",
    "frontend/Dockerfile.playwright": "FROM node:20\nCOPY ./frontend /app/frontend\n",
    "frontend/.dockerignore": "node_modules\ndist\n",
    ".dockerignore": STANDARD_IGNORE,
}


def test_ignore_files_no_build_reads_are_not_judged_but_said_unused(tmp_path):
    found = run_files(tmp_path, MONOREPO, select="DI")
    assert [(f.code, f.path, f.position.line, f.position.column) for f in found] == [
        ("DI005", "backend/.dockerignore", 1, 1), ("DI005", "frontend/.dockerignore", 1, 1)]
    assert found[0].message == (
        "no build reads this file: `backend/Dockerfile` is built with the project root as its context "
        "(`compose.yml`), which reads `.dockerignore`: move the entries the build needs there, relative to that "
        "context (`backend/...`), and delete this file")


CI_ROOT_BUILD = ("on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
                 "      - uses: docker/build-push-action@v6\n        with:\n          context: .\n"
                 "          file: {file}\n          push: true\n          tags: acme/api:latest\n")


def test_an_ignore_file_beside_a_dockerfile_ci_builds_from_the_root_is_unused(tmp_path):
    # no compose file builds `docker/Dockerfile`; CI builds it with the project root as its context (through a
    # root `Dockerfile` that links to it, as git checks the link out): the root's ignore file is the one read, and
    # the one beside the Dockerfile is left over, as beside a Dockerfile compose builds from the root
    files = {"docker/Dockerfile": "FROM python:3.12-slim\nCOPY . /app\nCMD [\"uvicorn\", \"app.main:app\"]\n",
             "docker/.dockerignore": "node_modules\n", ".dockerignore": STANDARD_IGNORE,
             ".github/workflows/image.yml": CI_ROOT_BUILD.format(file="./Dockerfile")}
    root = tmp_path / "a"
    root.mkdir()
    os.symlink("docker/Dockerfile", root / "Dockerfile")
    found = run_files(root, files, select="DI")
    assert [(f.code, f.path, f.position.line, f.position.column) for f in found] == [
        ("DI005", "docker/.dockerignore", 1, 1)]
    assert found[0].message == (
        "no build reads this file: `docker/Dockerfile` is built with the project root as its context "
        "(`.github/workflows/image.yml`), which reads `.dockerignore`: move the entries the build needs there, "
        "relative to that context (`docker/...`), and delete this file")
    # nor is the folder asked for an ignore file of its own
    del files["docker/.dockerignore"]
    root = tmp_path / "c"
    root.mkdir()
    os.symlink("docker/Dockerfile", root / "Dockerfile")
    assert run_files(root, files, select="DI") == []
    files["docker/.dockerignore"] = "node_modules\n"
    # built from its own folder, the file beside it is read and judged
    files[".github/workflows/image.yml"] = CI_ROOT_BUILD.format(file="docker/Dockerfile").replace(
        "context: .", "context: docker")
    found = run_files(tmp_path / "b", files, select="DI")
    assert [(f.code, f.path) for f in found] == [("DI002", "docker/.dockerignore")]


def test_unused_ignore_file_whose_build_context_has_none(tmp_path):
    files = dict(MONOREPO)
    del files[".dockerignore"], files["frontend/.dockerignore"]
    found = run_files(tmp_path, files, select="DI005")
    assert at(found, "backend/.dockerignore") == [("DI005", 1, 1)]
    assert found[0].message.endswith("which has no ignore file: move this one to `.dockerignore`, with its entries "
                                     "relative to that context (`backend/...`)")


def test_root_ignore_file_without_dockerfile_is_neither_judged_nor_said_unused(tmp_path):
    # shaped like a self-hosted stack: every build context is a sub-folder; a build dockyard does not see may
    # still read the root's file
    files = {".dockerignore": "certificates/.gitignore\n",
             "compose.yaml": "services:\n  web:\n    build:\n      context: ./sentry\n",
             "sentry/Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n", "sentry/.dockerignore": STANDARD_IGNORE,
             "cron/Dockerfile": "FROM alpine:3.20\nCOPY entry.sh /entry.sh\n"}
    assert run_files(tmp_path, files, select="DI") == []


def test_named_ignore_file_is_judged_alone(tmp_path):
    from dockyard.config import Config
    from dockyard.engine import run_rules
    from dockyard.project import Project

    (tmp_path / ".dockerignore").write_text(".git\n")
    project = Project.from_files(tmp_path, [tmp_path / ".dockerignore"], Config())
    found = [f for f in run_rules(project).findings if f.code.startswith("DI")]
    assert triples(found) == [("DI002", 1, 1)] and "virtual environments" not in found[0].message


# -- a written or edited ignore file never excludes what a build copies (DF060 would report it) ----------------
COPIES = ("FROM python:3.12-slim\nCOPY dist/*.whl /wheels/\nCOPY build/ /srv/build/\nCOPY env/ /srv/env/\n"
          "COPY logs/.keep /var/log/app/\nCOPY . /app\n")


def test_created_ignore_file_keeps_what_the_dockerfile_copies(tmp_path):
    (f,) = run_files(tmp_path, {"Dockerfile": COPIES}, select="DI001")
    created = f.fix.edits[0].replacement
    ig = parse_dockerignore(created)
    assert not any(ig.excluded(p) for p in ("dist/a.whl", "build", "env", "logs/.keep"))
    assert {"dist/", "build/", "env/", "logs/"}.isdisjoint(created.splitlines())
    assert ".git" in created.splitlines() and "*.egg-info/" in created.splitlines()
    # written, it satisfies DI002 and DF060 alike
    again = run_files(tmp_path / "again", {"Dockerfile": COPIES, ".dockerignore": created}, select=("DI", "DF060"))
    assert again == []


def test_appended_entries_keep_what_any_build_of_the_context_copies(tmp_path):
    files = {"Dockerfile": DF, "worker.Dockerfile": "FROM python:3.12-slim\nCOPY dist/ /wheels/\n",
             "compose.yaml": "services:\n  api:\n    build: .\n  worker:\n    build:\n      context: .\n"
                             "      dockerfile: worker.Dockerfile\n",
             ".dockerignore": ".git\n"}
    (f,) = run_files(tmp_path, files, select="DI002")
    assert at([f], ".dockerignore") == [("DI002", 1, 1)]
    assert "`dist/`" not in f.message and "`build/`" in f.message
    appended = apply_edits(files[".dockerignore"], list(f.fix.edits))
    assert not parse_dockerignore(appended).excluded("dist") and parse_dockerignore(appended).excluded("build")


def test_root_only_bytecode_fix_is_not_offered_when_it_would_exclude_a_copy(tmp_path):
    files = {"Dockerfile": "FROM python:3.12-slim\nCOPY . /app\nCOPY vendored/__pycache__ /cache\n",
             ".dockerignore": STANDARD_IGNORE.replace("**/__pycache__/", "__pycache__/")}
    found = run_files(tmp_path, files, select="DI003")
    assert at(found, ".dockerignore") == [("DI003", 16, 1)] and found[0].fix is None
    assert STANDARD_IGNORE.splitlines()[15] == "**/__pycache__/"

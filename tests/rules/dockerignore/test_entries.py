from dockyard.fix import apply_edits
from dockyard.parsers.dockerignore import parse_dockerignore
from dockyard.rules.dockerignore.entries import GROUPS, STANDARD_IGNORE
from tests.helpers import at, run_files, triples

DF = "FROM python:3.12-slim\nCOPY . /app\n"


def test_standard_entries_exclude_every_probe():
    ig = parse_dockerignore(STANDARD_IGNORE)
    assert all(ig.excluded(p) for _, _, probes, _ in GROUPS for p in probes)
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
    assert all(ig.excluded(p) for _, _, probes, _ in GROUPS for p in probes)


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

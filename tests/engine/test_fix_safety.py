"""Safe means safe: a fix leaves files the real tools accept, and converges.

For random Dockerfiles (with the files around them that rules read: a requirements file, an ignore file, a
gunicorn config, a compose file) and for corpus-shaped trees written here, every fix `dockyard fix` applies keeps
BuildKit parsing the Dockerfile, keeps every RUN valid shell (`sh -n`), keeps the other files loading, and a
second `fix` changes nothing (:func:`tests.engine._fix_safety.assert_fix_is_safe`). The unsafe fixes are held to
the same: they may change behaviour, never the syntax.

Budget: ``FIX_SAFETY_EXAMPLES`` random trees per mode (default 25; each costs two fix runs and one `sh -n` per
RUN), so the suite stays fast; run with a larger value to search longer.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.engine._fix_safety import assert_fix_is_safe, buildkit, run_bodies, shell_ok
from tests.helpers import write_tree

EXAMPLES = int(os.environ.get("FIX_SAFETY_EXAMPLES", "25"))

# -- random Dockerfiles ---------------------------------------------------------------------------------------
PACKAGES = ("curl", "git", "zlib1g", "build-essential", "ca-certificates", "libpq-dev", "Unit=1.2")
ENDINGS = ("", ";", " &", " # why", " ; # why", " \\\n    # a comment line\n    && true")
COMMANDS = (
    "exec python app.py", "python app.py", "cd /app && python app.py", ". ./env.sh; exec app", "python $APP",
    "exec gunicorn -k uvicorn.workers.UvicornWorker app:app", "gunicorn -k uvicorn.workers.UvicornWorker app:app",
    "source venv/bin/activate", "export A=1", "python app.py > /tmp/log 2>&1", "A=1 python app.py", "exec",
    "set -e", "uvicorn app:app --host 0.0.0.0 # serve", "exec -a app python app.py", "python app.py &",
    '["python", "app.py"]', '["exec", "python"]',
)


@st.composite
def package_list(draw) -> str:
    pkgs = draw(st.lists(st.sampled_from(PACKAGES), min_size=1, max_size=5, unique=True))
    layout = draw(st.sampled_from(("line", "lines", "labelled")))
    if layout == "line" or len(pkgs) < 3:
        return " ".join(pkgs)
    if layout == "lines":
        return " \\\n    " + " \\\n    ".join(pkgs)
    cut = len(pkgs) // 2
    return (" \\\n    # group one\n    " + " \\\n    ".join(pkgs[:cut]) + " \\\n    # group two\n    "
            + " \\\n    ".join(pkgs[cut:]))


@st.composite
def apt_run(draw) -> str:
    update = draw(st.booleans())
    yes = draw(st.sampled_from(("-y ", "", "-qq ")))
    recommends = draw(st.sampled_from(("--no-install-recommends ", "")))
    head = "apt-get update && " if update else ""
    body = f"{head}apt-get install {yes}{recommends}{draw(package_list())}"
    clean = draw(st.sampled_from(("", " && rm -rf /var/lib/apt/lists/*")))
    mount = draw(st.sampled_from(("", "--mount=type=cache,target=/var/lib/apt,sharing=locked ")))
    shape = draw(st.sampled_from(("plain", "set", "if", "subshell")))
    if shape == "set":
        body = "set -eux; " + body.replace(" && ", "; ", 1)
    elif shape == "if":
        body = f"if [ -f /etc/debian_version ]; then {body}; fi"
    elif shape == "subshell":
        body = f"({body})"
    return f"RUN {mount}{body}{clean}{draw(st.sampled_from(ENDINGS))}"


@st.composite
def simple_run(draw) -> str:
    body = draw(st.sampled_from(("echo a", "groupadd app", "useradd -g app app", "pip install b a", "cd /app",
                                 "pip install --no-cache-dir fastapi uvicorn-worker", "a && b || c", "apk add x")))
    return f"RUN {body}{draw(st.sampled_from(ENDINGS))}"


OTHER = st.sampled_from(("COPY . /app", "COPY dist/*.whl /wheels/", "COPY build/ /srv/", "COPY logs/ /var/log/app/",
                         "COPY env/ /srv/env/", "WORKDIR /app", "ENV A=1", "USER app", "EXPOSE 8000",
                         "# a comment", "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]"))


@st.composite
def dockerfiles(draw) -> str:
    lines = []
    if draw(st.booleans()):
        lines.append("# syntax=docker/dockerfile:1")
    stages = draw(st.integers(1, 2))
    for i in range(stages):
        base = "python:3.12-slim" if i == 0 else "Base"
        alias = draw(st.sampled_from((" AS Base", " as base", " AS base", ""))) if i == 0 else ""
        lines.append(f"{draw(st.sampled_from(('FROM', 'from')))} {base if i == 0 else 'base'}{alias}")
        lines += draw(st.lists(st.one_of(apt_run(), simple_run(), OTHER), max_size=5))
    for keyword in draw(st.lists(st.sampled_from(("ENTRYPOINT", "CMD")), max_size=2, unique=True)):
        lines.append(f"{keyword} {draw(st.sampled_from(COMMANDS))}")
    return "\n".join(lines) + "\n"


@st.composite
def trees(draw) -> dict[str, str]:
    files = {"Dockerfile": draw(dockerfiles())}
    if draw(st.booleans()):
        files["requirements.txt"] = draw(st.sampled_from(("fastapi\nuvicorn\n", "fastapi\nuvicorn-worker==0.3.0\n")))
    if draw(st.booleans()):
        files[".dockerignore"] = draw(st.sampled_from((".git\n", "__pycache__/\n*.pyc\n", ".git\n!dist/\n")))
    if draw(st.booleans()):
        files["gunicorn_config.py"] = "worker_class = \"uvicorn.workers.UvicornWorker\"\n"
    if draw(st.booleans()):
        files["compose.yaml"] = "version: \"3.8\"\nservices:\n  api:\n    build: .\n"
    if draw(st.booleans()):
        files[".env.example"] = draw(st.sampled_from(("SECRET_KEY=abc123\nDEBUG=0\n",
                                                      "export API_TOKEN=''  # set me\n")))
        files[".gitignore"] = draw(st.sampled_from(("*.pyc\n", ".env\n", "")))
    for folder in ("dist", "build", "logs", "env"):
        files[f"{folder}/keep.whl"] = ""
    return files


def _valid_input(files: dict[str, str]) -> bool:
    """Inputs BuildKit parses whose RUNs are valid shell: the property is about what fixes do to such files."""
    try:
        commands = buildkit(files["Dockerfile"])
    except Exception:
        return False
    return all(shell_ok(b) for b in run_bodies(commands))


def _check(files: dict[str, str], unsafe: bool) -> None:
    from hypothesis import assume

    assume(_valid_input(files))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_tree(root, files)
        assert_fix_is_safe(root, unsafe)


SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@SETTINGS
@given(trees())
def test_safe_fixes_keep_dockerfiles_valid_and_converge(files):
    _check(files, unsafe=False)


@SETTINGS
@given(trees())
def test_unsafe_fixes_keep_dockerfiles_valid_and_converge(files):
    _check(files, unsafe=True)


# -- corpus-shaped trees --------------------------------------------------------------------------------------
# Written here after shapes seen in public FastAPI and compose repositories: long apt lists with labels, RUNs
# ending in `;`, comments and background jobs, shell-form commands with builtins, COPYs of build output.
CASES = {
    "apt-labelled-groups": {
        "Dockerfile": "FROM python:3.12-slim\nRUN apt-get update \\\n    && apt-get install -y \\\n"
                      "    # build deps\n    libpq-dev gcc \\\n    build-essential \\\n    # runtime\n"
                      "    curl \\\n    ca-certificates ;\nCOPY . /app\nCMD exec gunicorn app:app\n",
    },
    "apt-trailing-comment-then-more-installs": {
        "Dockerfile": "FROM python:3.12-slim AS base\nRUN apt-get update && apt-get install -y --no-install-recommends "
                      "curl # for healthchecks\nRUN apt-get install -y --no-install-recommends git\n"
                      "FROM base\nRUN apt-get install -y jq && rm -rf /var/lib/apt/lists/*\n",
    },
    "background-and-semicolons": {
        "Dockerfile": "FROM python:3.12-slim\nRUN service postgresql start &\nRUN echo ready;\nRUN echo done\n"
                      "ENTRYPOINT cd /app && exec python main.py\n",
    },
    "wheels-built-outside": {
        "Dockerfile": "FROM python:3.12-slim\nCOPY dist/*.whl /tmp/\nRUN pip install /tmp/*.whl\n"
                      "COPY build/static /srv\n"
                      "COPY env/ /etc/app/env/\nCOPY logs/.keep /var/log/app/\nCOPY . /app\n"
                      "CMD gunicorn -k uvicorn.workers.UvicornWorker app:app\n",
        "dist/app-1.0-py3-none-any.whl": "", "build/static/app.js": "", "env/base": "", "logs/.keep": "",
        "requirements.txt": "fastapi==0.115.0\nuvicorn-worker==0.3.0\n",
        "gunicorn_config.py": "worker_class = 'uvicorn.workers.UvicornWorker'\n",
    },
    "compose-with-version-and-backend-context": {
        "compose.yaml": "version: '3.9'\nservices:\n  api:\n    build:\n      context: backend\n",
        "backend/Dockerfile": "FROM python:3.12-slim\nWORKDIR /app\nCOPY dist/ ./dist/\nCOPY . .\n"
                              "RUN apt-get update && apt-get install -y curl zlib1g-dev &&\\\n    pip install -r "
                              "requirements.txt\nCMD python -m app\n",
        "backend/dist/app.whl": "", "backend/requirements.txt": "fastapi\n",
    },
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
def test_corpus_shaped_trees_stay_valid_and_converge(tmp_path, name, unsafe):
    write_tree(tmp_path, CASES[name])
    for rel in CASES[name]:
        if rel.endswith("Dockerfile"):
            assert all(shell_ok(b) for b in run_bodies(buildkit(CASES[name][rel]))), rel
    assert_fix_is_safe(tmp_path, unsafe)


FIXTURES = sorted((Path(__file__).parent.parent / "fixtures" / "dockerfiles").glob("*"))


@pytest.mark.parametrize("path", FIXTURES, ids=[p.name for p in FIXTURES])
def test_parser_fixtures_stay_valid_and_converge(tmp_path, path):
    write_tree(tmp_path, {"Dockerfile": path.read_bytes()})
    assert_fix_is_safe(tmp_path, unsafe=True)

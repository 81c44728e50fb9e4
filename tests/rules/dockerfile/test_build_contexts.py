"""Where a Dockerfile is built from: a symbolic link to it, a Tiltfile's `docker_build`, or only a guess."""

import os

from dockyard.analysis.build_contexts import build_contexts
from dockyard.project import Project
from dockyard.projects import ci_names
from tests.helpers import described, run_files, write_tree

PINNED = "fastapi==0.115.0\nuvicorn==0.30.6\n"
# an image that copies its requirements from the context root, then the app
IMAGE = ("FROM python:3.12-slim\nWORKDIR /srv\nCOPY ./requirements.txt /srv/requirements.txt\n"
         "RUN pip install -r requirements.txt\nCOPY ./app /srv/app\n")


def contexts(root):
    return sorted((c.dir, c.dockerfile, c.origin, c.guessed) for c in build_contexts(Project.discover(root)))


# ---------------------------------------------------------------- a Dockerfile and a link to it
def test_a_linked_dockerfile_is_judged_once_at_the_real_file(tmp_path):
    write_tree(tmp_path, {"build/Dockerfile": IMAGE + "CMD [\"python3\", \"-m\", \"app\"]\n"})
    os.symlink("build/Dockerfile", tmp_path / "Dockerfile")
    found = run_files(tmp_path, {}, select="DF002")
    assert described(found, path=True, message=False) == [("build/Dockerfile", "DF002", 1, 1)]


def test_the_real_file_is_built_from_the_folder_of_its_link(tmp_path):
    # `docker build .` at the root reads the link: the root is the context, and the root's pinned requirements
    # file is the one installed; the Dockerfile's own folder holds none
    files = {"build/Dockerfile": IMAGE, "requirements.txt": PINNED, "app/main.py": "",
             ".dockerignore": ".git\n", "build/.dockerignore": "*\n"}
    write_tree(tmp_path, files)
    os.symlink("build/Dockerfile", tmp_path / "Dockerfile")
    assert contexts(tmp_path) == [("", "build/Dockerfile", "build/Dockerfile", True)]
    found = run_files(tmp_path, {}, select=("DF009", "PY008", "DI002", "DI005"))
    # the root's ignore file is read by the build and judged; the one beside the real file is read by none
    assert described(found, path=True, message=False) == [(".dockerignore", "DI002", 1, 1)]


def test_compose_naming_the_link_builds_the_real_file(tmp_path):
    files = {"build/Dockerfile": IMAGE, "requirements.txt": PINNED, "app/main.py": "",
             "compose.yaml": "services:\n  api:\n    build: .\n"}
    write_tree(tmp_path, files)
    os.symlink("build/Dockerfile", tmp_path / "Dockerfile")
    assert contexts(tmp_path) == [("", "build/Dockerfile", "compose.yaml", False)]


def test_ci_naming_the_link_names_the_real_file(tmp_path):
    files = {"build/Dockerfile": IMAGE,
             ".github/workflows/image.yml": "on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    steps:\n"
                                             "      - run: docker build -f ./Dockerfile .\n"}
    write_tree(tmp_path, files)
    os.symlink("build/Dockerfile", tmp_path / "Dockerfile")
    project = Project.discover(tmp_path)
    assert [sf.path for sf in project.dockerfiles()] == ["build/Dockerfile"]
    assert project.file("Dockerfile") is project.file("build/Dockerfile")
    assert ci_names(project, "build/Dockerfile")


def test_a_link_read_as_another_kind_is_judged_as_that_kind(tmp_path):
    # `.dockerignore` -> `.gitignore`: one file, read by git and by the builder; both readings are judged
    write_tree(tmp_path, {"Dockerfile": "FROM python:3.12-slim\nCOPY . /app\n", ".gitignore": ".git\n"})
    os.symlink(".gitignore", tmp_path / ".dockerignore")
    project = Project.discover(tmp_path)
    assert [(sf.path, sf.kind) for sf in project.files] == [
        (".dockerignore", "dockerignore"), (".gitignore", "gitignore"), ("Dockerfile", "dockerfile")]


def test_fixing_the_real_file_leaves_the_link_a_link(tmp_path):
    from dockyard.fix import WriteBack, fix_project

    write_tree(tmp_path, {"build/Dockerfile": IMAGE + "CMD [\"python3\", \"-m\", \"app\"]\n"})
    os.symlink("build/Dockerfile", tmp_path / "Dockerfile")
    fix_project(lambda: Project.discover(tmp_path), WriteBack.WRITE)
    assert os.readlink(tmp_path / "Dockerfile") == "build/Dockerfile"
    assert (tmp_path / "build/Dockerfile").read_text().count("# syntax=") == 1


# ---------------------------------------------------------------- Tilt's docker_build
TILT_IMAGE = IMAGE + "CMD [\"uvicorn\", \"app.main:app\", \"--host\", \"0.0.0.0\"]\n"


def test_a_tiltfile_names_the_context_its_dockerfile_is_built_from(tmp_path):
    # the Dockerfile lies in `svc/docker/`, Tilt builds it from `svc/`: the pinned requirements file there is
    # the one installed, and `svc/` is the context that needs an ignore file
    files = {"Tiltfile": "k8s_yaml('k8s/api.yaml')\ndocker_build('api', 'svc', dockerfile='svc/docker/api.dockerfile')\n",
             "svc/docker/api.dockerfile": TILT_IMAGE, "svc/requirements.txt": PINNED,
             "svc/app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n"}
    found = run_files(tmp_path, files, select=("DF009", "PY008", "DI001"))
    assert described(found, path=True) == [
        ("Tiltfile", "DI001", 2, 21, "the build context `svc/` has no `.dockerignore`: `COPY ./app` (line 5 of "
         "`svc/docker/api.dockerfile`) copies whatever it holds; create `svc/.dockerignore`")]


def test_docker_build_arguments_by_keyword_by_position_and_by_default(tmp_path):
    files = {
        "Tiltfile": ("docker_build('a', 'a', {'V': '1'}, 'a/docker/a.dockerfile')\n"
                     "docker_build(ref='b', context='./b')\n"
                     "docker_build('c', context='.', dockerfile='c/Dockerfile', only=['c'])\n"
                     "load_dynamic('./deploy/Tiltfile')\n"),
        "deploy/Tiltfile": "docker_build('d', '../d', dockerfile='../d/Dockerfile')\n",
        "a/docker/a.dockerfile": "FROM python:3.12-slim\n", "b/Dockerfile": "FROM python:3.12-slim\n",
        "c/Dockerfile": "FROM python:3.12-slim\n", "d/Dockerfile": "FROM python:3.12-slim\n",
    }
    write_tree(tmp_path, files)
    found = build_contexts(Project.discover(tmp_path))
    assert sorted((c.dir, c.dockerfile, c.origin, c.position.line, c.position.column, c.filtered)
                  for c in found) == [
        ("", "c/Dockerfile", "Tiltfile", 3, 27, True),
        ("a", "a/docker/a.dockerfile", "Tiltfile", 1, 19, False),
        ("b", "b/Dockerfile", "Tiltfile", 2, 31, False),
        ("d", "d/Dockerfile", "deploy/Tiltfile", 1, 19, False)]


def test_only_literal_docker_build_calls_outside_functions_are_read(tmp_path):
    files = {
        "Tiltfile": ("for name in ['a', 'b']:\n    docker_build(name, name)\n"
                     "def image(ref, path):\n    docker_build(ref, 'a', dockerfile=path)\n"
                     "docker_build('c', 'c', dockerfile_contents='FROM scratch')\n"
                     "docker_build('a', 'a' + '/', dockerfile='a/Dockerfile')\n"
                     "docker_build('a', '/abs', dockerfile='a/Dockerfile')\n"
                     "docker_build('a', '..', dockerfile='../a/Dockerfile')\n"),
        "a/Dockerfile": "FROM python:3.12-slim\n",
    }
    write_tree(tmp_path, files)
    assert contexts(tmp_path) == [("a", "a/Dockerfile", "a/Dockerfile", True)]


def test_a_tiltfile_that_does_not_parse_names_nothing(tmp_path):
    from dockyard.parsers.tiltfile import parse_tiltfile

    assert parse_tiltfile("docker_build('a', 'a'\n") == []
    # columns count characters, not the UTF-8 bytes Python's parser counts
    (build,) = parse_tiltfile("x = 'é'; docker_build('é', 'ctx')\n")
    assert (build.ref, build.context, build.dockerfile) == ("é", "ctx", "ctx/Dockerfile")
    assert (build.position.line, build.position.column, build.position.end_column) == (1, 28, 33)


def test_two_builds_of_one_folder_lack_one_ignore_file(tmp_path):
    files = {"Tiltfile": ("docker_build('api', 'svc', dockerfile='svc/api.dockerfile')\n"
                          "docker_build('worker', 'svc', dockerfile='svc/worker.dockerfile')\n"
                          "docker_build('web', 'web', only=['./src'])\n"),
             "svc/api.dockerfile": TILT_IMAGE, "svc/worker.dockerfile": TILT_IMAGE, "svc/app/main.py": "",
             "web/Dockerfile": "FROM node:22-slim\nCOPY . /app\n"}
    found = run_files(tmp_path, files, select="DI001")
    assert described(found, path=True, message=False) == [("Tiltfile", "DI001", 1, 21)]


# ---------------------------------------------------------------- a context that is only a guess
ABSENT = "FROM python:3.12-slim\nWORKDIR /srv\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\n"


def test_a_requirements_file_not_found_in_a_guessed_context_is_not_judged(tmp_path):
    # nothing names the context: the file may well be in the one the build really uses, and pinned
    found = run_files(tmp_path, {"svc/Dockerfile": ABSENT + "CMD [\"python3\", \"-m\", \"svc\"]\n"},
                      select=("DF009", "PY008"))
    assert described(found, path=True) == [
        ("svc/Dockerfile", "PY008", 4, 20, "no lock file: `requirements.txt` is installed here, but it is not at "
         "`svc/requirements.txt` (where it was looked for: nothing names this Dockerfile's build context, so its "
         "folder was assumed) and the tree holds no lock file; generate one with `dockyard deps lock` (or `make "
         "lock-deps`) and commit it")]


def test_a_requirements_file_missing_from_a_named_context_is_said_so(tmp_path):
    files = {"compose.yaml": "services:\n  api:\n    build:\n      context: .\n      dockerfile: svc/Dockerfile\n",
             "svc/Dockerfile": ABSENT + "CMD [\"python3\", \"-m\", \"svc\"]\n"}
    found = run_files(tmp_path, files, select=("DF009", "PY008"))
    assert described(found, path=True) == [
        ("svc/Dockerfile", "DF009", 4, 20, "`pip install -r requirements.txt` installs a file the tree does not hold "
         "(looked for `requirements.txt`), so nothing shows it pinned; commit a pinned lock such as "
         "`requirements.lock.txt` to the build context and install it"),
        ("svc/Dockerfile", "PY008", 4, 20, "no lock file: `requirements.txt` is installed here but is not in the "
         "build context; generate it with `dockyard deps lock` (or `make lock-deps`) and commit it")]


def test_a_lock_file_elsewhere_in_the_tree_may_be_in_a_guessed_context(tmp_path):
    poetry = ("FROM python:3.12-slim\nWORKDIR /srv\nCOPY pyproject.toml poetry.lock ./\n"
              "RUN poetry install --no-root\nCMD [\"python3\", \"-m\", \"svc\"]\n")
    # `docker/` is only assumed to be the context; the root, which holds the lock, may well be the real one
    assert run_files(tmp_path, {"docker/Dockerfile": poetry, "poetry.lock": ""}, select="DF009") == []
    found = run_files(tmp_path / "b", {"docker/Dockerfile": poetry}, select="DF009")
    assert described(found, path=True) == [
        ("docker/Dockerfile", "DF009", 4, 12, "`poetry install` resolves the dependencies afresh: the tree has no "
         "`poetry.lock`; commit it and copy it in before installing")]


def test_a_dockerfile_copying_what_only_a_folder_above_holds_is_built_from_there(tmp_path):
    # `integrations/mcp/Dockerfile` copies the root's `pyproject.toml` and `uv.lock`: `docker build -f
    # integrations/mcp/Dockerfile .` at the root, whose `.dockerignore` it reads
    mcp = ("FROM python:3.12-slim\nCOPY pyproject.toml uv.lock /tmp/\nCOPY . /app\n"
           "CMD [\"python3\", \"-m\", \"mcp_server\"]\n")
    files = {"integrations/mcp/Dockerfile": mcp, "integrations/mcp/README.md": "# mcp\n", "pyproject.toml": "",
             "uv.lock": "", ".dockerignore": ".git\n.env\n"}
    write_tree(tmp_path, files)
    assert contexts(tmp_path) == [("", "integrations/mcp/Dockerfile", "integrations/mcp/Dockerfile", True)]
    assert run_files(tmp_path, {}, select="DI001") == []
    # what it copies is in its own folder: that folder, as before
    write_tree(tmp_path / "b", {**files, "integrations/mcp/pyproject.toml": "", "integrations/mcp/uv.lock": ""})
    assert contexts(tmp_path / "b") == [("integrations/mcp", "integrations/mcp/Dockerfile",
                                         "integrations/mcp/Dockerfile", True)]
    assert described(run_files(tmp_path / "b", {}, select="DI001"), path=True, message=False) == [
        ("integrations/mcp/Dockerfile", "DI001", 1, 1)]
    # nowhere holds all of it: its own folder
    write_tree(tmp_path / "c", {k: v for k, v in files.items() if k != "uv.lock"})
    assert contexts(tmp_path / "c")[0][0] == "integrations/mcp"

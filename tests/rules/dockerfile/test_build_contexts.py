"""Where a Dockerfile is built from: a symbolic link to it, or only a guess."""

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

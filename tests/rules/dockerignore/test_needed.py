from tests.helpers import run_files

PYPROJECT = ("[project]\nname = \"app\"\nversion = \"1\"\nreadme = {file = \"README.md\", content-type = \"text/markdown\"}\n"
             "license = {file = \"LICENSE\"}\n")
DF = "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -e \".[prod]\"\n"


def test_readme_and_license_excluded(tmp_path):
    files = {"Dockerfile": DF, "pyproject.toml": PYPROJECT, ".dockerignore": ".git\n*.md\ndocs/\nLICENSE\n"}
    found = [f for f in run_files(tmp_path, files, select="DI004")]
    assert [(f.path, f.position.line, f.position.column) for f in found] == [
        (".dockerignore", 2, 1), (".dockerignore", 4, 1)]
    assert "`readme`" in found[0].message


def test_exception_or_no_project_install_passes(tmp_path):
    files = {"Dockerfile": DF, "pyproject.toml": PYPROJECT, ".dockerignore": "*.md\n!README.md\n"}
    assert run_files(tmp_path / "a", files, select="DI004") == []
    other = {"Dockerfile": "FROM python:3.12-slim\nRUN pip install -r requirements.lock.txt\n",
             "pyproject.toml": PYPROJECT, ".dockerignore": "*.md\n"}
    assert run_files(tmp_path / "b", other, select="DI004") == []

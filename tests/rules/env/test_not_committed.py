import subprocess

from tests.helpers import run_files, triples, write_tree


def _git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_tracked_real_env_files(tmp_path):
    _git(tmp_path.parent, "init", "-q", str(tmp_path))
    write_tree(tmp_path, {".env": "A=1\n", ".env.prod": "SECRET_KEY=x\n", ".env.prod.example": "A=1\n",
                          "deploy/.env.staging": "A=1\n", ".env.dev.sample": "A=1\n", ".env.dev": "A=1\n"})
    _git(tmp_path, "add", "-f", ".env", ".env.prod", ".env.prod.example", "deploy/.env.staging", ".env.dev.sample")
    found = run_files(tmp_path, {}, select="EN003")
    assert [(f.path, *t) for f, t in zip(found, triples(found))] == [
        (".env", "EN003", 1, 1), (".env.dev.sample", "EN003", 1, 1), (".env.prod", "EN003", 1, 1),
        ("deploy/.env.staging", "EN003", 1, 1)]
    assert "git rm --cached .env.prod" in found[2].message
    assert "rename it `.env.dev.example`" in found[1].message


def test_untracked_and_templates_pass(tmp_path):
    _git(tmp_path.parent, "init", "-q", str(tmp_path))
    write_tree(tmp_path, {".env.prod": "A=1\n", ".env.prod.example": "A=1\n"})
    _git(tmp_path, "add", ".env.prod.example")
    assert run_files(tmp_path, {}, select="EN003") == []


def test_outside_git_nothing_is_claimed(tmp_path):
    assert run_files(tmp_path, {".env.prod": "A=1\n"}, select="EN003") == []

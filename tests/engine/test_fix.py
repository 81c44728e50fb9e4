"""dockyard fix: safe fixes applied, idempotent, line endings and modes kept, one code path for write/diff/check."""

import os
import stat

from dockyard.cli import main
from dockyard.fix import WriteBack, apply_edits, fix_project
from dockyard.model import Edit
from dockyard.project import Project
from tests.helpers import write_tree

DOCKERFILE = ("FROM python:3.12-slim\nRUN apt-get update && apt-get install --no-install-recommends zlib1g curl && "
              "rm -rf /var/lib/apt/lists/*\nCOPY . /app\n")  # the COPY of the folder makes DI001 apply


def _fixed(tmp_path, files, unsafe=False):
    write_tree(tmp_path, files)
    report = fix_project(lambda: Project.discover(tmp_path), WriteBack.WRITE, unsafe)
    return report


def test_apply_edits_sorted_and_crlf_aware():
    text = "a\r\nb\r\n"
    assert apply_edits(text, [Edit(3, 3, "x\n"), Edit(0, 0, "# top\n")]) == "# top\r\na\r\nx\r\nb\r\n"


def test_fix_applies_several_safe_fixes_and_converges(tmp_path):
    report = _fixed(tmp_path, {"Dockerfile": DOCKERFILE})
    text = (tmp_path / "Dockerfile").read_text()
    assert text.startswith("# syntax=docker/dockerfile:1\n")  # DF002
    assert "apt-get install -y" in text or "install --no-install-recommends -y" in text  # DF047
    assert "curl zlib1g" in text  # DF052 sorted
    assert (tmp_path / ".dockerignore").is_file()  # DI001 created the ignore file
    assert report.passes >= 1
    remaining_codes = {f.code for f in report.remaining}
    assert not remaining_codes & {"DF002", "DF047", "DF052", "DI001"}
    # a second run changes nothing
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    again = fix_project(lambda: Project.discover(tmp_path), WriteBack.WRITE)
    assert again.total == 0
    assert before == {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}


def test_fix_keeps_crlf_and_file_mode(tmp_path):
    write_tree(tmp_path, {"Dockerfile": DOCKERFILE.replace("\n", "\r\n")})
    os.chmod(tmp_path / "Dockerfile", 0o640)
    fix_project(lambda: Project.discover(tmp_path), WriteBack.WRITE)
    data = (tmp_path / "Dockerfile").read_bytes()
    assert data.startswith(b"# syntax=docker/dockerfile:1\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert stat.S_IMODE(os.stat(tmp_path / "Dockerfile").st_mode) == 0o640


def test_unsafe_fixes_need_opting_in(tmp_path):
    df = "# syntax=docker/dockerfile:1\nFROM python:3.12-slim\nRUN echo a\nRUN echo b\n"
    _fixed(tmp_path / "safe", {"Dockerfile": df})
    assert (tmp_path / "safe" / "Dockerfile").read_text().count("RUN") == 2  # DF051 merge is unsafe
    _fixed(tmp_path / "unsafe", {"Dockerfile": df}, unsafe=True)
    assert (tmp_path / "unsafe" / "Dockerfile").read_text().count("RUN") == 1


def test_diff_and_check_modes_write_nothing(tmp_path, capsys):
    write_tree(tmp_path, {"Dockerfile": DOCKERFILE})
    assert main(["fix", str(tmp_path), "--check"]) == 1
    assert main(["fix", str(tmp_path), "--diff"]) == 1
    out = capsys.readouterr().out
    assert "+# syntax=docker/dockerfile:1" in out and "--- a/" in out
    assert (tmp_path / "Dockerfile").read_text() == DOCKERFILE
    assert not (tmp_path / ".dockerignore").exists()


def test_a_tree_named_twice_is_fixed_once(tmp_path, capsys):
    write_tree(tmp_path, {"Dockerfile": DOCKERFILE, "svc/Dockerfile": DOCKERFILE})
    assert main(["fix", str(tmp_path), "--diff", "--select", "DF002"]) == 1
    once = capsys.readouterr().out
    assert once.count("+# syntax=docker/dockerfile:1") == 2
    assert main(["fix", str(tmp_path), str(tmp_path) + "/.", str(tmp_path / "svc"), "--diff", "--select", "DF002"]) == 1
    assert capsys.readouterr().out == once


def test_fix_never_rewrites_an_unreadable_file(tmp_path):
    write_tree(tmp_path, {"Dockerfile": b"\xff\xfe FROM python\n"})
    fix_project(lambda: Project.discover(tmp_path), WriteBack.WRITE)
    assert (tmp_path / "Dockerfile").read_bytes() == b"\xff\xfe FROM python\n"

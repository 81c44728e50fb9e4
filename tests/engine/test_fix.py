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
    assert report.total >= 4  # one fix of each of the four rules at least
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


# -- never lose a write --------------------------------------------------------------------------------------
def test_a_file_changed_after_it_was_read_is_not_overwritten(tmp_path, capsys):
    write_tree(tmp_path, {"Dockerfile": DOCKERFILE, "svc/Dockerfile": DOCKERFILE})
    project = Project.discover(tmp_path)  # read now; fixes are computed from these texts
    edited = DOCKERFILE + "LABEL edited=by-hand\n"
    (tmp_path / "Dockerfile").write_text(edited)
    report = fix_project(project, WriteBack.WRITE)
    assert (tmp_path / "Dockerfile").read_text() == edited  # the hand edit survives
    assert "changed since it was checked" in report.not_written["Dockerfile"]
    assert "Dockerfile" not in report.applied and report.unwritten > 0
    assert (tmp_path / "svc" / "Dockerfile").read_text().startswith("# syntax=docker/dockerfile:1\n")


def test_a_created_file_that_appeared_meanwhile_is_not_overwritten(tmp_path):
    write_tree(tmp_path, {"Dockerfile": DOCKERFILE})
    project = Project.discover(tmp_path)
    (tmp_path / ".dockerignore").write_text(".git\n")
    report = fix_project(project, WriteBack.WRITE)
    assert (tmp_path / ".dockerignore").read_text() == ".git\n"
    assert ".dockerignore" in report.not_written


def test_a_symlink_is_followed_and_stays_a_link(tmp_path):
    write_tree(tmp_path, {"docker/base.Dockerfile": DOCKERFILE})
    (tmp_path / "Dockerfile").symlink_to("docker/base.Dockerfile")
    report = fix_project(lambda: Project.discover(tmp_path), WriteBack.WRITE)
    assert not report.not_written
    assert (tmp_path / "Dockerfile").is_symlink()
    assert os.readlink(tmp_path / "Dockerfile") == "docker/base.Dockerfile"
    assert (tmp_path / "docker" / "base.Dockerfile").read_text().startswith("# syntax=docker/dockerfile:1\n")
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_a_read_only_file_is_left_alone_unless_forced(tmp_path, capsys):
    write_tree(tmp_path, {"Dockerfile": DOCKERFILE})
    os.chmod(tmp_path / "Dockerfile", 0o444)
    assert main(["fix", str(tmp_path), "--select", "DF002"]) == 1
    err = capsys.readouterr().err
    assert "Dockerfile: not fixed: read-only; left as it is (`--force` writes it anyway)" in err
    assert (tmp_path / "Dockerfile").read_text() == DOCKERFILE
    assert main(["fix", str(tmp_path), "--select", "DF002", "--force"]) == 0
    assert (tmp_path / "Dockerfile").read_text().startswith("# syntax=docker/dockerfile:1\n")
    assert stat.S_IMODE(os.stat(tmp_path / "Dockerfile").st_mode) == 0o444


def test_ownership_and_mode_are_kept(tmp_path):
    write_tree(tmp_path, {"Dockerfile": DOCKERFILE})
    os.chmod(tmp_path / "Dockerfile", 0o664)
    if os.geteuid() == 0:
        os.chown(tmp_path / "Dockerfile", 4321, 4321)
    before = os.stat(tmp_path / "Dockerfile")
    fix_project(lambda: Project.discover(tmp_path), WriteBack.WRITE)
    after = os.stat(tmp_path / "Dockerfile")
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (
        before.st_uid, before.st_gid, 0o664)
    assert after.st_ino != before.st_ino  # replaced by rename, not rewritten in place


def test_a_folder_that_cannot_be_written_is_a_clear_error_per_file(tmp_path, capsys, monkeypatch):
    import tempfile

    write_tree(tmp_path, {"Dockerfile": DOCKERFILE, "svc/Dockerfile": DOCKERFILE})
    real = tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):
        if str(dir).endswith("svc"):
            raise PermissionError(13, "Permission denied")
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    assert main(["fix", str(tmp_path), "--select", "DF002"]) == 1
    err = capsys.readouterr().err
    assert "svc/Dockerfile: not fixed: cannot be written: Permission denied" in err
    assert "internal error" not in err
    assert "Fixed 1 finding in 1 file; 1 remaining." in err
    assert (tmp_path / "Dockerfile").read_text().startswith("# syntax=docker/dockerfile:1\n")
    assert (tmp_path / "svc" / "Dockerfile").read_text() == DOCKERFILE


# -- one discovery per run -------------------------------------------------------------------------------------
def test_the_tree_is_discovered_once_per_run(tmp_path, monkeypatch):
    files = {f"s{i}/Dockerfile": DOCKERFILE for i in range(4)}
    write_tree(tmp_path, files)
    walks = []
    real = Project._walk
    monkeypatch.setattr(Project, "_walk", lambda self: (walks.append(self.root), real(self))[1])
    assert main(["fix", str(tmp_path)]) in (0, 1)
    assert len(walks) == 1
    assert all((tmp_path / p).read_text().startswith("# syntax=docker/dockerfile:1\n") for p in files)
    assert all((tmp_path / p).parent.joinpath(".dockerignore").is_file() for p in files)

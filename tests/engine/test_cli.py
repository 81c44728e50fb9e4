"""The command line end to end: exit codes, formats, robustness of discovery."""

import json
import os
import subprocess
import sys


from dockyard.cli import main
from tests.helpers import chdir, write_tree

GOOD_ENOUGH = {"Dockerfile": "FROM python:3.12-slim\n"}


def test_exit_1_with_findings_and_0_with_exit_zero(tmp_path, capsys):
    write_tree(tmp_path, GOOD_ENOUGH)
    assert main(["check", str(tmp_path)]) == 1
    assert main(["check", str(tmp_path), "--exit-zero"]) == 0


def test_exit_0_when_nothing_selected_fails(tmp_path, capsys):
    write_tree(tmp_path, {"Dockerfile": "# syntax=docker/dockerfile:1\nFROM python:3.12-slim\n"})
    assert main(["check", str(tmp_path), "--select", "DF002"]) == 0
    assert "All checks passed" in capsys.readouterr().out


def test_fail_on_threshold(tmp_path, capsys):
    write_tree(tmp_path, {"Dockerfile": "# syntax=docker/dockerfile:1\nFROM python:3.12-slim\n"})
    assert main(["check", str(tmp_path), "--select", "DF005"]) == 1  # a warning fails by default
    assert main(["check", str(tmp_path), "--select", "DF005", "--fail-on", "error"]) == 0


def test_paths_are_shown_relative_to_the_working_directory(tmp_path, capsys):
    write_tree(tmp_path / "svc", {"Dockerfile": "FROM python\n"})
    with chdir(tmp_path):
        assert main(["check", "svc", "--select", "DF004", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [(f["path"], f["line"], f["column"]) for f in doc["findings"]] == [("svc/Dockerfile", 1, 6)]


def test_a_finding_about_the_checked_folder_is_shown_as_that_folder(tmp_path, capsys):
    write_tree(tmp_path / "svc", {"Dockerfile": "FROM python:3.12-slim\n"})
    with chdir(tmp_path):
        assert main(["check", "svc", "--select", "PY008"]) == 1
        assert capsys.readouterr().out.splitlines()[0].startswith("svc/: PY008 no lock file")
        with chdir(tmp_path / "svc"):
            main(["check", "--select", "PY008", "--format", "json"])
    assert [f["path"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["./"]


def test_single_file_argument_is_checked_as_its_kind(tmp_path, capsys):
    write_tree(tmp_path, {"docker/api.Dockerfile": "FROM python\n"})
    with chdir(tmp_path):
        assert main(["check", "docker/api.Dockerfile", "--select", "DF004", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [(f["path"], f["line"], f["column"]) for f in doc["findings"]] == [("docker/api.Dockerfile", 1, 6)]


def test_robust_inputs_give_findings_not_tracebacks(tmp_path, capsys):
    files = {
        "empty/Dockerfile": "",
        "binary/Dockerfile": b"\x00\x01\x02\xff",
        "latin1/Dockerfile": "FROM python:3.12-slim\nLABEL a=\xe9\n".encode("latin-1"),
        "crlf/Dockerfile": "FROM python:3.12-slim\r\nRUN echo hi\r\n",
        "bom/Dockerfile": "\ufeffFROM python:3.12-slim\n".encode("utf-8"),
        "heredoc/Dockerfile": "FROM python:3.12-slim\nRUN <<EOF\necho never closed\n",
        "continuation/Dockerfile": "FROM python:3.12-slim\nRUN echo \\\n" + "  a \\\n" * 2000 + "  end\n",
        "compose-bad/compose.yaml": "services: [\n",
        "env-bad/.env.dev": "A='unterminated\n",
    }
    write_tree(tmp_path, files)
    (tmp_path / "dir-named" / "Dockerfile").mkdir(parents=True)
    os.symlink("loop-b", tmp_path / "loop-a")
    os.symlink("loop-a", tmp_path / "loop-b")
    os.symlink("/etc/passwd", tmp_path / "outside.Dockerfile")
    # a socket file: open() fails even for root, so this is a truly unreadable "Dockerfile"
    import socket

    (tmp_path / "unreadable").mkdir()
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "unreadable" / "Dockerfile"))
    with chdir(tmp_path):
        code = main(["check", ".", "--format", "json"])
    out = capsys.readouterr()
    assert code == 1, out.err
    doc = json.loads(out.out)
    by_path = {}
    for f in doc["findings"]:
        by_path.setdefault(f["path"], set()).add(f["code"])
    assert "DF001" in by_path["binary/Dockerfile"]
    assert "DF001" in by_path["latin1/Dockerfile"]
    assert "DF001" in by_path["heredoc/Dockerfile"]
    assert "DF001" in by_path["empty/Dockerfile"]
    assert "CO001" in by_path["compose-bad/compose.yaml"]
    assert "EN001" in by_path["env-bad/.env.dev"]
    assert "DY003" in by_path["outside.Dockerfile"]
    assert "DY003" in by_path["unreadable/Dockerfile"]  # a socket: never opened
    sock.close()
    assert "DF001" not in by_path.get("crlf/Dockerfile", set())
    assert "DF001" not in by_path.get("bom/Dockerfile", set())
    assert "internal" not in out.err and "Traceback" not in out.err
    assert not [f for f in doc["findings"] if f["code"] == "DY002"]


def test_directory_named_dockerfile_given_as_path(tmp_path, capsys):
    (tmp_path / "Dockerfile").mkdir()
    assert main(["check", str(tmp_path / "Dockerfile"), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["message"]) for f in doc["findings"]] == [("DF001", "cannot check this file: is a directory")]


def test_python_dash_m_and_version():
    out = subprocess.run([sys.executable, "-m", "dockyard", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("dockyard ")
    out = subprocess.run([sys.executable, "-m", "dockyard"], capture_output=True, text=True)
    assert out.returncode == 2


def test_rule_doc_names_the_module_that_defines_it(capsys):
    assert main(["rule", "CO035"]) == 0
    assert "Defined in: dockyard.rules.compose.parse" in capsys.readouterr().out.splitlines()


def test_rules_json_contract(capsys):
    assert main(["rules", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert {tuple(sorted(r)) for r in rules} == {("applies", "code", "family", "fixable", "level", "module", "name",
                                                  "purposes", "severity", "standard", "summary")}
    by_code = {r["code"]: r for r in rules}
    # where each rule is defined: the module a reader opens to change it
    assert [by_code[c]["module"] for c in ("DF004", "CO035", "EN001")] == [
        "dockyard.rules.dockerfile.base_image", "dockyard.rules.compose.parse", "dockyard.rules.env.syntax"]
    # the strictest checklist level of the rule's items; rules about the run itself have none
    assert [by_code[c]["level"] for c in ("DF004", "DF005", "DF017", "CI001", "DY001")] == [
        "REQ", "REC", "BEY", "REQ", None]
    # what each rule judges: Docker-generic hygiene every image, Python rules Python images, the rest narrower
    assert by_code["DF004"]["applies"] == ["fastapi-service", "python-image", "other-image", "base-image"]
    assert by_code["DF040"]["applies"] == ["fastapi-service", "python-image", "other-image"]
    assert by_code["DF006"]["applies"] == ["fastapi-service", "python-image"]
    assert by_code["DF056"]["applies"] == ["fastapi-service"]
    # what the images are for: a HEALTHCHECK is asked of services, labels of shipped images, tags of all
    assert by_code["DF043"]["purposes"] == ["service"]
    assert by_code["DF016"]["purposes"] == ["service", "job"]
    assert by_code["DF004"]["purposes"] == ["service", "job", "dev"]


def test_rule_command_prints_docs_and_rejects_unknown(capsys):
    assert main(["rule", "DF004"]) == 0
    out = capsys.readouterr().out
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "DF-BASE-TAG"):
        assert section in out
    assert main(["rule", "base-image-tag"]) == 0
    capsys.readouterr()
    assert main(["rule", "DF0004"]) == 2
    assert "unknown rule" in capsys.readouterr().err


def test_oversized_file_is_reported_not_read(tmp_path, capsys):
    with open(tmp_path / "Dockerfile", "wb") as fh:
        fh.write(b"FROM python:3.12-slim\n" + b"# padding\n" * (17 * 1024 * 1024 // 10))
    assert main(["check", str(tmp_path), "--format", "json", "--select", "DF001"]) == 1
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    assert finding["code"] == "DF001" and "too large" in finding["message"]


def test_trees_outside_the_working_directory_are_shown_relative_to_it(tmp_path, capsys):
    write_tree(tmp_path / "a", {"Dockerfile": "FROM python\n"})
    write_tree(tmp_path / "b", {"Dockerfile": "FROM python\n"})
    (tmp_path / "here").mkdir()
    with chdir(tmp_path / "here"):
        main(["check", str(tmp_path / "a"), str(tmp_path / "b"), "--select", "DF004", "--format", "json"])
    paths = [f["path"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert paths == ["../a/Dockerfile", "../b/Dockerfile"]


def test_git_is_asked_once_per_repository_index(tmp_path, monkeypatch):
    """Checking several trees of one repository spawns `git ls-files` once; outside a repository, never."""
    import subprocess

    from dockyard import project as project_module
    from dockyard.project import Project

    calls = []
    real_run = subprocess.run

    def counting_run(argv, *a, **kw):  # the real git runs; the wrapper only counts
        if argv[:1] == ["git"]:
            calls.append(argv)
        return real_run(argv, *a, **kw)

    monkeypatch.setattr(subprocess, "run", counting_run)
    repo = tmp_path / "repo"
    write_tree(repo, {"a/.env.dev.example": "A=1\n", "b/.env.dev.example": "A=1\n"})
    real_run(["git", "init", "-q", str(repo)], check=True)
    real_run(["git", "-C", str(repo), "add", "a"], check=True)
    project_module._TRACKED.clear()
    assert Project.discover(repo / "a").git_tracked() == {".env.dev.example"}
    assert Project.discover(repo / "b").git_tracked() == set()
    assert len(calls) == 1
    write_tree(tmp_path / "loose", {"x.txt": "1\n"})
    assert project_module._work_tree(tmp_path / "loose") is None  # pytest's temporary folders are in no repository
    assert Project.discover(tmp_path / "loose").git_tracked() is None
    assert len(calls) == 1


# -- each tree and file once, and nothing silently unchecked ----------------------------------------------------
def _json_findings(capsys) -> list[tuple[str, str, int, int]]:
    doc = json.loads(capsys.readouterr().out)
    return [(f["code"], f["path"], f["line"], f["column"]) for f in doc["findings"]]


def test_the_same_tree_named_twice_is_checked_once(tmp_path, capsys):
    write_tree(tmp_path, {"Dockerfile": "FROM python\n", "svc/Dockerfile": "FROM node\n"})
    with chdir(tmp_path):
        assert main(["check", ".", ".", "--select", "DF004", "--format", "json"]) == 1
        once = _json_findings(capsys)
        assert once == [("DF004", "Dockerfile", 1, 6), ("DF004", "svc/Dockerfile", 1, 6)]
        for args in ([".", str(tmp_path)], [".", "./"], [".", "svc"], ["svc/..", "."], [".", "Dockerfile"],
                     [".", "./svc/Dockerfile", "svc/../Dockerfile"]):
            assert main(["check", *args, "--select", "DF004", "--format", "json"]) == 1
            assert _json_findings(capsys) == once, args
        # the same file named twice is judged once too
        assert main(["check", "Dockerfile", "./Dockerfile", "--select", "DF004", "--format", "json"]) == 1
        assert _json_findings(capsys) == [("DF004", "Dockerfile", 1, 6)]


def test_a_named_file_discovery_skips_is_still_checked_beside_its_tree(tmp_path, capsys):
    write_tree(tmp_path, {"Dockerfile": "FROM python\n", ".gitignore": "build/\n", "build/Dockerfile": "FROM node\n"})
    with chdir(tmp_path):
        assert main(["check", ".", "build/Dockerfile", "--select", "DF004", "--format", "json"]) == 1
    assert _json_findings(capsys) == [("DF004", "Dockerfile", 1, 6), ("DF004", "build/Dockerfile", 1, 6)]


def test_a_path_of_no_checked_kind_is_a_usage_error(tmp_path, capsys):
    write_tree(tmp_path, {"README.md": "# svc\n", "Dockerfile": "FROM python\n", "Makefile": "all:\n\ttrue\n",
                          ".github/workflows/ci.yml": "on: push\n"})
    with chdir(tmp_path):
        assert main(["check", "README.md"]) == 2
        out = capsys.readouterr()
        assert out.out == ""
        assert out.err == ("dockyard: error: README.md: not a file dockyard checks (a Dockerfile, a .dockerignore, "
                           "a compose file or an env file; or a directory to discover)\n")
        # several paths: the run stops before checking anything, naming every path it cannot check
        assert main(["check", "Dockerfile", "README.md", ".github/workflows/ci.yml", "Makefile"]) == 2
        out = capsys.readouterr()
        assert out.out == ""
        assert out.err.startswith("dockyard: error: README.md: not a file dockyard checks")
        assert ("; .github/workflows/ci.yml: a GitHub Actions workflow is judged only with the repository around "
                "it: check its directory instead; Makefile: a Makefile is judged only") in out.err


def test_a_named_star_env_file_is_checked_as_an_env_file(tmp_path, capsys):
    write_tree(tmp_path, {"env/app.env": "A=1\nA=2\n"})
    with chdir(tmp_path):
        assert main(["check", "env/app.env", "--select", "EN001", "--format", "json"]) == 1
    assert _json_findings(capsys) == [("EN001", "env/app.env", 2, 1)]


def test_a_directory_named_like_a_dockerfile_is_reported_by_discovery(tmp_path, capsys):
    write_tree(tmp_path, {"Dockerfile/Dockerfile": "FROM python:3.12-slim\n", ".env/bin/python": "",
                          "svc/docker-compose.yml/.keep": ""})
    with chdir(tmp_path):
        assert main(["check", ".", "--select", "DY003", "--format", "json"]) == 1
        doc = json.loads(capsys.readouterr().out)
        assert [(f["path"], f["message"]) for f in doc["findings"]] == [
            ("Dockerfile/", "a directory named like a Dockerfile: docker cannot read it as one"),
            ("svc/docker-compose.yml/", "a directory named like a compose file: docker cannot read it as one"),
        ]
        # named beside its tree, it is reported once
        assert main(["check", ".", "Dockerfile", "--select", "DY003,DF001", "--format", "json"]) == 1
        assert [f[:2] for f in _json_findings(capsys)] == [("DY003", "Dockerfile/"), ("DY003", "svc/docker-compose.yml/")]


def test_help_is_as_wide_as_argparse_makes_it_without_importing_shutil(monkeypatch):
    # dockyard's parser reads the terminal width itself (argparse imports shutil for it, which loads the bz2
    # and lzma extensions); the help must come out exactly as argparse's own formatter writes it
    import argparse
    import shutil

    from dockyard import cli

    for columns in ("52", "137", None):
        if columns is None:
            monkeypatch.delenv("COLUMNS", raising=False)
        else:
            monkeypatch.setenv("COLUMNS", columns)
        assert cli._terminal_columns() == shutil.get_terminal_size().columns
        ours, theirs = (cli._build_parser("check")._subparsers._group_actions[0].choices["check"] for _ in "ab")
        theirs._get_formatter = lambda p=theirs: argparse.HelpFormatter(prog=p.prog)
        help_text = ours.format_help()
        assert help_text == theirs.format_help() and "--write-baseline" in help_text


def _env_subcommands(words):
    from dockyard import cli

    env = cli._build_parser("env", words)._subparsers._group_actions[0].choices["env"]
    return sorted(env._subparsers._group_actions[0].choices)


def test_env_builds_only_the_sub_parser_its_command_line_names():
    assert _env_subcommands(["render"]) == ["render"]
    assert _env_subcommands(["check", "render"]) == ["check"]  # `env check render`: the path is named render
    assert _env_subcommands([]) == ["check", "diff", "init", "render"]
    assert _env_subcommands(["bogus"]) == ["check", "diff", "init", "render"]


def test_an_unknown_env_sub_command_is_refused_with_every_choice(capsys):
    assert main(["env", "bogus"]) == 2
    assert "(choose from 'check', 'render', 'diff', 'init')" in capsys.readouterr().err


# ---- the console script's exit: main(), flushed streams and exit handlers, no interpreter teardown


def _entry(tmp_path, argv: list[str], prelude: str = "", **kw):
    script = f"import sys\n{prelude}\nsys.argv = ['dockyard', *{argv!r}]\nfrom dockyard.cli import entry\nentry()\n"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, **kw)


def test_the_console_script_keeps_the_exit_code_and_the_whole_report(tmp_path):
    for i in range(40):  # a report far larger than a pipe buffer: everything written is flushed before exiting
        (tmp_path / f"svc{i}").mkdir()
        (tmp_path / f"svc{i}" / "Dockerfile").write_text("FROM python\nRUN pip install fastapi\n")
    run = _entry(tmp_path, ["check", ".", "--format", "json"])
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)
    assert {f"svc{i}/Dockerfile" for i in range(40)} <= {f["path"] for f in report["findings"]}
    assert report["summary"]["findings"] == len(report["findings"])  # the last bytes (the summary) arrived too
    assert _entry(tmp_path, ["check", "--no-such-option"]).returncode == 2


def test_the_console_script_runs_exit_handlers_before_it_leaves(tmp_path):
    marker = tmp_path / "handler-ran"
    prelude = f"import atexit, pathlib\natexit.register(lambda: pathlib.Path({str(marker)!r}).write_text('yes'))"
    run = _entry(tmp_path, ["rules"], prelude)
    assert run.returncode == 0 and "DF001" in run.stdout
    assert marker.read_text() == "yes"


def test_the_console_script_exits_as_the_interpreter_does_when_a_thread_still_runs(tmp_path):
    prelude = ("import threading, time, pathlib\n"
               f"def late(): time.sleep(0.3); pathlib.Path({str(tmp_path / 'thread-done')!r}).write_text('yes')\n"
               "threading.Thread(target=late).start()")
    run = _entry(tmp_path, ["rules"], prelude)
    assert run.returncode == 0
    assert (tmp_path / "thread-done").read_text() == "yes"  # the interpreter waited for it

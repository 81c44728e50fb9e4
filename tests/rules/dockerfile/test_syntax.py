from tests.helpers import run_files, triples


def apply_fixes(text, findings):
    edits = sorted((e for f in findings if f.fix for e in f.fix.edits), key=lambda e: e.start, reverse=True)
    for e in edits:
        text = text[: e.start] + e.replacement + text[e.end:]
    return text


def test_missing_directive_is_fixed_by_inserting_it(tmp_path):
    text = "FROM python:3.12-slim\nRUN echo hi\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF002")
    assert triples(found) == [("DF002", 1, 1)]
    assert found[0].fix.applicability.value == "safe"
    assert apply_fixes(text, found) == "# syntax=docker/dockerfile:1\nFROM python:3.12-slim\nRUN echo hi\n"


def test_missing_directive_mentions_run_mount(tmp_path):
    text = "FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip --version\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF002")
    assert triples(found) == [("DF002", 1, 1)]
    assert "RUN --mount" in found[0].message


def test_fix_keeps_crlf_and_existing_escape_directive(tmp_path):
    text = "# escape=`\r\nFROM python:3.12-slim\r\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF002")
    assert triples(found) == [("DF002", 1, 1)]
    assert apply_fixes(text, found) == "# syntax=docker/dockerfile:1\r\n# escape=`\r\nFROM python:3.12-slim\r\n"


def test_directive_after_a_blank_line_is_only_a_comment(tmp_path):
    text = "\n# syntax=docker/dockerfile:1\nFROM python:3.12-slim\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF002")
    assert triples(found) == [("DF002", 2, 1)]
    assert found[0].fix is None


def test_unstable_frontend_is_reported_at_the_directive(tmp_path):
    for value in ("docker/dockerfile:experimental", "docker/dockerfile:latest", "docker/dockerfile:0.9",
                  "example.com/frontend:1"):
        text = f"# syntax={value}\nFROM python:3.12-slim\n"
        found = run_files(tmp_path / value.replace("/", "_").replace(":", "_"), {"Dockerfile": text},
                          select="DF002")
        assert triples(found) == [("DF002", 1, 1)], value


def test_accepted_directives(tmp_path):
    for i, value in enumerate(("docker/dockerfile:1", "docker/dockerfile:1.7", "docker/dockerfile:1.7.1",
                               "docker.io/docker/dockerfile:1", "docker/dockerfile:1@sha256:" + "a" * 64)):
        text = f"# syntax={value}\n# escape=\\\nFROM python:3.12-slim\n"
        assert run_files(tmp_path / str(i), {"Dockerfile": text}, select="DF002") == [], value
    text = "# escape=`\n# syntax=docker/dockerfile:1\nFROM python:3.12-slim\n"
    assert run_files(tmp_path / "esc", {"Dockerfile": text}, select="DF002") == []


def test_bom_file_gets_directive_after_the_bom(tmp_path):
    text = "\ufeffFROM python:3.12-slim\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF002")
    assert [(f.code, f.position.line, f.position.column, f.fixable) for f in found] == [("DF002", 1, 1, True)]
    from dockyard.fix import WriteBack, fix_project
    from dockyard.project import Project

    fix_project(lambda: Project.discover(tmp_path), WriteBack.WRITE)
    assert (tmp_path / "Dockerfile").read_bytes() == (
        b"\xef\xbb\xbf# syntax=docker/dockerfile:1\nFROM python:3.12-slim\n")

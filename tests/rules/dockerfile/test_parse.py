from tests.helpers import run_files, triples


def test_unterminated_heredoc_is_reported_at_the_instruction(tmp_path):
    text = "FROM python:3.12-slim\nRUN <<EOF\necho never terminated\n"
    assert triples(run_files(tmp_path, {"Dockerfile": text}, select="DF001")) == [("DF001", 2, 1)]


def test_unknown_instruction_and_instruction_before_from(tmp_path):
    text = "RUN echo hi\nFROM python:3.12-slim\nFROB x\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF001")
    assert triples(found) == [("DF001", 1, 1), ("DF001", 3, 1)]
    assert "before the first FROM" in found[0].message
    assert "unknown instruction" in found[1].message


def test_bad_escape_directive(tmp_path):
    text = "# escape=x\nFROM python:3.12-slim\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF001")
    assert triples(found) == [("DF001", 1, 1)]


def test_unreadable_dockerfile_reported_by_engine_under_df001(tmp_path):
    found = run_files(tmp_path, {"Dockerfile": b"\xff\xfe\x00FROM"}, select="DF001")
    assert triples(found) == [("DF001", 1, 1)]


def test_one_finding_per_file_with_several_dockerfiles(tmp_path):
    found = run_files(tmp_path, {
        "Dockerfile": "FROM python:3.12-slim\n",
        "docker/Dockerfile.worker": "FROM python:3.12-slim\nRUN <<EOF\n",
        "api.Dockerfile": "FROM python:3.12-slim\nFROB\n",
    }, select="DF001")
    assert sorted((f.path, f.position.line) for f in found) == [
        ("api.Dockerfile", 2), ("docker/Dockerfile.worker", 2)]


def test_good_files_parse_cleanly(tmp_path):
    text = ("# syntax=docker/dockerfile:1\n# escape=`\nFROM python:3.12-slim\nRUN echo a `\n    && echo b\n"
            "run <<EOF\nset -e\nEOF\n")
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF001") == []

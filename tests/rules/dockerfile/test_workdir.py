from tests.helpers import run_files, triples


def run(tmp_path, text):
    return run_files(tmp_path, {"Dockerfile": text}, select="DF007")


def test_copy_to_relative_destination_without_workdir(tmp_path):
    found = run(tmp_path, "FROM python:3.12-slim\nCOPY requirements.lock.txt ./\nCOPY . .\n")
    assert triples(found) == [("DF007", 2, 28)]


def test_run_with_relative_requirement_file(tmp_path):
    text = "FROM python:3.12-slim\nCOPY r.lock /r.lock\nRUN apt-get update && \\\n    pip install -r requirements.lock.txt\n"
    found = run(tmp_path, text)
    assert triples(found) == [("DF007", 4, 20)]
    assert "`requirements.lock.txt`" in found[0].message


def test_run_with_project_path_and_heredoc(tmp_path):
    text = "FROM python:3.12-slim\nRUN <<EOF\nset -e\npython -m pip install --no-deps .\nEOF\n"
    assert triples(run(tmp_path, text)) == [("DF007", 4, 33)]


def test_a_symbolic_link_target_is_relative_to_the_link_not_the_working_directory(tmp_path):
    text = ("FROM python:3.12-slim\nRUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && \\\n"
            "    ln -sf ../share/tool /usr/local/bin/tool\n")
    assert run(tmp_path, text) == []
    # the link's own path is the working directory's when relative; a hard link's target is too
    text = "FROM python:3.12-slim\nRUN ln -s /opt/tool ./tool\nRUN ln ../data/a /srv/a\n"
    assert triples(run(tmp_path / "b", text)) == [("DF007", 2, 21)]


def test_relative_workdir(tmp_path):
    text = "FROM python:3.12-slim\nWORKDIR app\nCOPY . .\n"
    assert triples(run(tmp_path, text)) == [("DF007", 2, 9)]


def test_workdir_inherited_from_parent_stage(tmp_path):
    text = "FROM python:3.12-slim AS base\nWORKDIR /app\nFROM base AS production\nCOPY . .\n"
    assert run(tmp_path, text) == []


def test_each_stage_judged_once(tmp_path):
    text = ("FROM python:3.12-slim AS builder\nCOPY a ./\nCOPY b ./\n"
            "FROM python:3.12-slim AS production\nWORKDIR /app\nCOPY . .\n")
    assert triples(run(tmp_path, text)) == [("DF007", 2, 8)]


def test_absolute_paths_and_cd_need_no_workdir(tmp_path):
    text = ("FROM python:3.12-slim\nCOPY requirements.lock.txt /tmp/\nRUN pip install -r /tmp/requirements.lock.txt\n"
            "RUN cd /src && pip install .\nENV APP=/app\nCOPY . $APP\nWORKDIR /app\nCOPY . .\n")
    assert run(tmp_path, text) == []


def test_escape_backtick(tmp_path):
    text = "# escape=`\nFROM python:3.12-slim\nRUN pip install `\n    -r req.lock\n"
    assert triples(run(tmp_path, text)) == [("DF007", 4, 8)]


def test_a_binary_copied_from_another_stage_is_no_source_tree(tmp_path):
    text = ("FROM rust:1.83 AS builder\nWORKDIR /src\nCOPY . .\nRUN cargo build --release\n"
            "FROM debian:bookworm-slim AS query_service\nCOPY --from=builder /src/target/release/query_service .\n"
            "ENTRYPOINT [\"./query_service\"]\n"
            "FROM debian:bookworm-slim AS tool\nCOPY config.yaml .\n")
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF007")
    assert triples(found) == [("DF007", 9, 18)]


def test_an_image_from_the_project_s_own_image_keeps_its_working_directory(tmp_path):
    files = {"Dockerfile": "FROM python:3.12-slim\nWORKDIR /backend\nCOPY . .\n",
             "compose.yaml": "services:\n  api:\n    build: .\n    image: acme/api:latest\n",
             "tools/migrate/Dockerfile": "FROM acme/api:latest\nCOPY migrate.py .\nCMD [\"python\", \"migrate.py\"]\n"}
    assert run_files(tmp_path, files, select="DF007") == []
    other = {**files, "tools/migrate/Dockerfile": "FROM acme/other:latest\nCOPY migrate.py .\n"}
    assert [(f.path, f.code, f.position.line, f.position.column)
            for f in run_files(tmp_path / "b", other, select="DF007")] == [("tools/migrate/Dockerfile", "DF007", 2, 17)]

from tests.helpers import run_files, triples


def test_literal_secrets_in_env_and_arg_are_masked(tmp_path):
    text = "FROM python:3.12-slim\nENV APP_ENV=prod API_KEY=secret123\nARG DB_PASSWORD=\"hunter2\"\n"
    found = run_files(tmp_path, {"Dockerfile": text}, select="DF053")
    assert triples(found) == [("DF053", 2, 18), ("DF053", 3, 5)]
    assert all("secret123" not in f.message and "hunter2" not in f.message for f in found)
    assert "API_KEY=********" in found[0].message


def test_references_empty_and_harmless_names_pass(tmp_path):
    text = ("FROM python:3.12-slim\nARG API_TOKEN\nENV API_TOKEN=${API_TOKEN} SECRET_KEY_FILE=/run/secrets/key "
            "JWT_ALGORITHM=HS256\nENV PASSWORD=\n")
    assert run_files(tmp_path, {"Dockerfile": text}, select="DF053") == []

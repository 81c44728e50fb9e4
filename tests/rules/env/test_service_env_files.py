"""Files a compose service loads with `env_file:` are env files whatever their name (`env/app.env`): the rules
about a file's content judge them; the rules about the standard's `.env.<env>` names, templates and `.gitignore`
do not (their advice, renaming or ignoring the file, would break the compose file that loads it)."""

from tests.helpers import at, run_files

STRONG = "q7H2vN9xLc4RtY8wZ1mKp3Bs6Dg0Jf5Ua2Xe"
COMPOSE = ("services:\n"
           "  api:\n    image: python:3.12-slim\n    env_file: env/api.env\n"
           "  worker:\n    image: python:3.12-slim\n    env_file:\n      - path: ./config/worker.env\n"
           "        required: false\n      - ${STAGE:-dev}.env\n      - settings.json\n"
           "  db:\n    image: postgres:16\n    env_file: [env/db.env, env/api.env]\n")


def test_env_files_named_by_services_are_judged_for_their_content(tmp_path):
    files = {
        "compose.yaml": COMPOSE,
        ".gitignore": ".env\n.env.*\n!.env.*.example\nenv/db.env\n",
        "env/api.env": "API_URL=http://api:8000/${API_PATH}\nAPI_PATH=v1\nAPI_PATH=v2\n",
        "config/worker.env": f"SECRET_KEY=short-secret\nDB_PASSWORD={STRONG}\n",
        "env/db.env": "POSTGRES_PASSWORD='unterminated\n",  # ignored by git: still read, as `.env` files are
        "settings.json": '{"a": 1}\n',  # named by env_file but no KEY=VALUE file: not judged
        "other.env": "A=1\nA=2\n",  # named by nothing: not an env file
    }
    found = run_files(tmp_path, files, select="EN")
    assert at(found, "env/api.env") == [("EN010", 1, 25), ("EN001", 3, 1)]
    assert at(found, "config/worker.env") == [("EN009", 1, 12)]
    assert at(found, "env/db.env") == [("EN001", 1, 19)]
    assert {f.path for f in found} <= {"env/api.env", "config/worker.env", "env/db.env", "./", "compose.yaml"}
    # the naming and .gitignore rules judge `.env`/`.env.<env>` files only
    assert not [f for f in found if f.code in ("EN003", "EN004", "EN006") and f.path.startswith(("env/", "config/"))]
    assert not any("env/" in f.message or "worker.env" in f.message for f in found if f.code in ("EN002", "EN004"))


def test_a_service_env_file_outside_the_tree_or_interpolated_is_not_read(tmp_path):
    (tmp_path / "outside.env").write_text("A=1\nA=2\n")
    files = {"app/compose.yaml": "services:\n  api:\n    image: python:3.12-slim\n"
                                 "    env_file: [../../outside.env, /etc/app.env, \"${X}.env\"]\n"}
    found = run_files(tmp_path / "app", files, select="EN001")
    assert found == []

import os
import stat

from dockyard.cli import main
from dockyard.envtools import weakness
from dockyard.parsers.dotenv import parse_env
from tests.env._projects import project
from tests.helpers import chdir, run_files, write_tree

TEMPLATE = (
    "# Secrets (REQUIRED - change these!)\r\n"
    "SECRET_KEY=CHANGE_ME_PROD_SECRET_KEY_MIN_32_CHARS\r\n"
    "JWT_SECRET_KEY=\"CHANGE_ME_PROD_JWT\"  # inline comment\r\n"
    "DB_PASSWORD='CHANGE_ME_DB_PASSWORD'\r\n"
    "DATABASE_URL=postgresql://app:CHANGE_ME_DB_PASSWORD@db:5432/app\r\n"
    "BASE_URL=https://api.example.com\r\n"
    "ADMIN_EMAIL=CHANGE_ME@example.com\r\n"
)


def test_creates_file_with_generated_secrets(tmp_path, capsys):
    write_tree(tmp_path, {".env.prod.example": TEMPLATE, ".gitignore": ".env\n.env.*\n!.env.*.example\n"})
    assert main(["env", "init", "--env", "prod", "--project-directory", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    target = tmp_path / ".env.prod"
    text = target.read_bytes().decode()
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    env = parse_env(text).as_dict()
    secrets = [env["SECRET_KEY"], env["JWT_SECRET_KEY"], env["DB_PASSWORD"]]
    assert all(weakness(s) is None and len(s) >= 32 for s in secrets)
    assert len(set(secrets)) == 3
    assert env["DATABASE_URL"] == f"postgresql://app:{env['DB_PASSWORD']}@db:5432/app"  # same placeholder, same secret
    lines = text.split("\r\n")
    assert lines[0] == "# Secrets (REQUIRED - change these!)"
    assert lines[2] == f'JWT_SECRET_KEY="{env["JWT_SECRET_KEY"]}"  # inline comment'
    assert lines[3] == f"DB_PASSWORD='{env['DB_PASSWORD']}'"
    assert lines[5:] == ["BASE_URL=https://api.example.com", "ADMIN_EMAIL=CHANGE_ME@example.com", ""]
    path = tmp_path.as_posix()
    assert captured.out.replace(path + "/", "") == (
        "created .env.prod from .env.prod.example (mode 0600)\n"
        "generated 4 secrets: SECRET_KEY, JWT_SECRET_KEY, DB_PASSWORD, DATABASE_URL\n"
        "still to fill in: ADMIN_EMAIL (line 7)\n")
    for s in secrets:
        assert s not in captured.out and s not in captured.err
    found = run_files(tmp_path, {}, select=("EN009",))
    assert found == []


def test_secrets_behind_markers_of_another_spelling_are_generated(tmp_path, capsys):
    template = "SECRET_KEY=\"*** REPLACE ***\"\nDB_PASSWORD=__UNSET__\nSENTRY_DSN=<your-dsn>\nSMTP_HOST=TODO\n"
    write_tree(tmp_path, {".env.prod.example": template, ".gitignore": ".env\n.env.*\n!.env.*.example\n"})
    assert main(["env", "init", "--env", "prod", "--project-directory", str(tmp_path)]) == 0
    env = parse_env((tmp_path / ".env.prod").read_text()).as_dict()
    assert all(weakness(env[k]) is None for k in ("SECRET_KEY", "DB_PASSWORD"))
    assert (env["SENTRY_DSN"], env["SMTP_HOST"]) == ("<your-dsn>", "TODO")
    assert capsys.readouterr().out.endswith("generated 2 secrets: SECRET_KEY, DB_PASSWORD\n"
                                            "still to fill in: SENTRY_DSN (line 3)\nstill to fill in: SMTP_HOST (line 4)\n")


def test_generated_file_passes_the_env_rules(tmp_path, capsys):
    files = project()
    del files[".env.prod"]
    write_tree(tmp_path, files)
    with chdir(tmp_path):
        assert main(["env", "init", "--env", "prod"]) == 0
    out = capsys.readouterr().out
    assert out == ("created .env.prod from .env.prod.example (mode 0600)\n"
                   "generated 2 secrets: SECRET_KEY, POSTGRES_PASSWORD\n")
    assert [f for f in run_files(tmp_path, {}, select="EN") if f.path == ".env.prod"] == []


def test_refuses_to_overwrite(tmp_path, capsys):
    write_tree(tmp_path, {".env.prod.example": TEMPLATE, ".env.prod": "KEEP=me\n"})
    assert main(["env", "init", "--env", "prod", "--project-directory", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "already exists; not overwriting it" in err
    assert (tmp_path / ".env.prod").read_text() == "KEEP=me\n"


def test_force_template_and_warning_when_not_ignored(tmp_path, capsys):
    write_tree(tmp_path, {"templates/prod.env": "API_TOKEN=CHANGE_ME\n"})
    with chdir(tmp_path):
        assert main(["env", "init", "--env", "prod", "--force-template", "templates/prod.env"]) == 0
    captured = capsys.readouterr()
    assert captured.out == ("created .env.prod from templates/prod.env (mode 0600)\n"
                            "generated 1 secret: API_TOKEN\n")
    assert ".env.prod is not ignored" in captured.err
    token = parse_env((tmp_path / ".env.prod").read_text()).as_dict()["API_TOKEN"]
    assert weakness(token) is None


def test_missing_template_is_a_usage_error(tmp_path, capsys):
    assert main(["env", "init", "--env", "qa", "--project-directory", str(tmp_path)]) == 2
    assert "no template" in capsys.readouterr().err
    assert main(["env", "init", "--env", "../x", "--project-directory", str(tmp_path)]) == 2

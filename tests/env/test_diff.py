import json

from dockyard.cli import main
from tests.env._projects import SECRET, project
from tests.helpers import chdir, write_tree

A = f"BASE_URL=http://localhost:8150\nDEBUG=true\nSECRET_KEY={SECRET}\nSAME=1\nDB_URL=postgresql://u:pw1@db/x\n"
B = "BASE_URL=https://api.example.com\nSECRET_KEY=other-secret-value\nSAME=1\nSENTRY_DSN=\nDB_URL=postgresql://u:pw2@db/x\n"


def _run(tmp_path, capsys, *args):
    with chdir(tmp_path):
        code = main(["env", "diff", *args])
    return code, capsys.readouterr().out


def test_by_environment_name_masked(tmp_path, capsys):
    write_tree(tmp_path, {".env.dev": A, ".env.prod.example": B})
    code, out = _run(tmp_path, capsys, "dev", "prod")
    assert code == 1
    assert out == ("--- .env.dev\n+++ .env.prod.example\nonly in .env.dev:\n  - DEBUG\nonly in .env.prod.example:\n"
                   "  + SENTRY_DSN\ndifferent values:\n  ~ BASE_URL\n  ~ SECRET_KEY\n  ~ DB_URL\n")


def test_show_values_keeps_secrets_masked(tmp_path, capsys):
    write_tree(tmp_path, {"a.env": A, "b.env": B})
    code, out = _run(tmp_path, capsys, "a.env", "b.env", "--show-values")
    assert code == 1
    assert ("  ~ BASE_URL: 'http://localhost:8150' -> 'https://api.example.com'\n"
            "  ~ SECRET_KEY: '********' -> '********'\n"
            "  ~ DB_URL: 'postgresql://u:********@db/x' -> 'postgresql://u:********@db/x'\n") in out
    assert SECRET not in out and "other-secret-value" not in out and "pw1" not in out


def test_same_keys_exit_zero_and_json(tmp_path, capsys):
    write_tree(tmp_path, project())
    code, out = _run(tmp_path, capsys, ".env.dev.example", ".env.prod.example", "--format", "json")
    assert code == 0
    assert json.loads(out) == {"a": ".env.dev.example", "b": ".env.prod.example", "only_in_a": [], "only_in_b": [],
                               "different": [{"key": "BASE_URL"}, {"key": "API_BASE_URL"}, {"key": "SECRET_KEY"},
                                             {"key": "POSTGRES_PASSWORD"}]}
    code, out = _run(tmp_path, capsys, ".env.dev.example", ".env.dev")
    assert (code, out) == (0, "--- .env.dev.example\n+++ .env.dev\nsame keys, same values\n")


def test_unknown_names_are_usage_errors(tmp_path, capsys):
    with chdir(tmp_path):
        assert main(["env", "diff", "dev", "prod"]) == 2
    assert "no env file for environment 'dev'" in capsys.readouterr().err

"""A secret value from an env file never appears in any output unless explicitly asked for."""

import pytest

from dockyard.cli import main
from tests.env._projects import DB_PASSWORD, SECRET, project
from tests.helpers import chdir, write_tree

WEAK = "hunter2-weak"
TEMPLATE_LEAK = "committed-real-secret-9Xk2"
KNOWN = (SECRET, DB_PASSWORD, WEAK, TEMPLATE_LEAK)


def _tree(tmp_path):
    files = project(**{
        ".env.staging": f"SECRET_KEY={WEAK}\nPOSTGRES_PASSWORD=\"{DB_PASSWORD}\nBROKEN=1\n",
        ".env.staging.example": f"SECRET_KEY={TEMPLATE_LEAK}\nAPI_KEY=\nX=${{Y}}\nY=1\n",
        ".env.dev": project()[".env.dev"] + f"ADMIN_PASSWORD={WEAK}\nAPI$KEY={SECRET}\n",
        "docker-compose.staging.yml": "services:\n  api:\n    env_file: [.env.staging]\n",
    })
    write_tree(tmp_path, files)


def _assert_clean(captured):
    for value in KNOWN:
        assert value not in captured.out and value not in captured.err


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_check_reports(fmt, tmp_path, capsys):
    _tree(tmp_path)
    assert main(["check", str(tmp_path), "--format", fmt]) == 1
    captured = capsys.readouterr()
    assert "EN009" in captured.out and "EN007" in captured.out
    _assert_clean(captured)


@pytest.mark.parametrize("args", [
    ["env", "check", "."], ["env", "check", ".", "--format", "json"], ["env", "check", ".", "--env", "staging"],
    ["env", "render", "--env", "prod"], ["env", "render", "--env", "prod", "--format", "json"],
    ["env", "render", "-f", "docker-compose.base.yml", "--env-file", ".env.prod"],
    ["env", "diff", "prod", "staging"], ["env", "diff", "prod", "staging", "--show-values"],
    ["env", "diff", ".env.prod", ".env.dev", "--show-values", "--format", "json"],
    ["env", "init", "--env", "qa"], ["env", "init", "--env", "prod"],
])
def test_env_commands(args, tmp_path, capsys):
    _tree(tmp_path)
    (tmp_path / ".env.qa.example").write_text(f"SECRET_KEY=CHANGE_ME\nOTHER_SECRET={SECRET}\n")
    with chdir(tmp_path):
        main(args)
    captured = capsys.readouterr()
    _assert_clean(captured)
    if args[:2] == ["env", "init"] and args[-1] == "qa":
        generated = (tmp_path / ".env.qa").read_text().splitlines()[0].split("=", 1)[1]
        assert generated not in captured.out and generated not in captured.err


def test_show_secrets_does_show_them(tmp_path, capsys):
    _tree(tmp_path)
    with chdir(tmp_path):
        assert main(["env", "render", "--env", "prod", "--show-secrets"]) == 0
    assert SECRET in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_render_masks_list_form_variables_in_extension_fields(fmt, tmp_path, capsys):
    # compose keeps `x-` fields in its output; a `KEY=value` list item there is masked like `environment:` is
    (tmp_path / "compose.yaml").write_text(
        "x-app: &app\n  image: nginx:1.27\n  environment:\n    - DB_PASSWORD=${DB_PASSWORD}\n    - MODE=dev\n"
        "services:\n  web:\n    <<: *app\n")
    (tmp_path / ".env").write_text(f"DB_PASSWORD={DB_PASSWORD}\n")
    with chdir(tmp_path):
        assert main(["env", "render", "--format", fmt]) == 0
    captured = capsys.readouterr()
    _assert_clean(captured)
    assert "DB_PASSWORD=********" in captured.out and "MODE=dev" in captured.out

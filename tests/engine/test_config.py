from pathlib import Path

import pytest

from dockyard.cli import main
from dockyard.config import Config, parse_config
from dockyard.model import Severity, UsageError

CODES = ["DF001", "DF010", "DF011", "DI001", "CO001", "DY001"]


def test_unknown_key_is_an_error_with_a_suggestion():
    with pytest.raises(UsageError, match=r"unknown key 'selct'.*did you mean 'select'"):
        parse_config({"selct": ["DF"]}, "pyproject.toml", CODES)


def test_unknown_code_is_an_error_with_a_suggestion():
    with pytest.raises(UsageError, match=r"unknown rule code 'DF0100'.*did you mean 'DF010'"):
        parse_config({"ignore": ["DF0100"]}, "dockyard.toml", CODES)


def test_longest_prefix_wins_between_select_and_ignore():
    cfg = parse_config({"select": ["DF", "DF011"], "ignore": ["DF01"]}, "x", CODES)
    assert cfg.enabled("DF001")
    assert not cfg.enabled("DF010")
    assert cfg.enabled("DF011")
    assert not cfg.enabled("CO001")


def test_default_selects_everything_and_all_keyword():
    assert Config().enabled("CO001")
    cfg = parse_config({"select": ["ALL"], "ignore": ["CO"]}, "x", CODES)
    assert cfg.enabled("DF001") and not cfg.enabled("CO001")


def test_severity_overrides_and_fail_on():
    cfg = parse_config({"severity": {"DF": "warning", "DF010": "info"}, "fail-on": "warning"}, "x", CODES)
    assert cfg.severity_for("DF001", Severity.ERROR) is Severity.WARNING
    assert cfg.severity_for("DF010", Severity.ERROR) is Severity.INFO
    assert cfg.severity_for("CO001", Severity.ERROR) is Severity.ERROR
    assert cfg.fail_on is Severity.WARNING
    with pytest.raises(UsageError, match="unknown severity"):
        parse_config({"severity": {"DF": "fatal"}}, "x", CODES)


def test_per_file_ignores_and_exclude_globs():
    cfg = parse_config({"per-file-ignores": {"docker/*.Dockerfile": ["DF01"]}, "exclude": ["legacy/", "*.bak"]}, "x", CODES)
    assert cfg.ignored_in_file("DF010", "docker/app.Dockerfile")
    assert not cfg.ignored_in_file("DF001", "docker/app.Dockerfile")
    assert not cfg.ignored_in_file("DF010", "Dockerfile")
    assert cfg.excluded("legacy/Dockerfile") and cfg.excluded("a/b/x.bak") and not cfg.excluded("Dockerfile")


def test_environments_table_is_strict():
    cfg = parse_config({"environments": {"qa": {"compose": ["a.yml", "b.yml"], "env-file": ".env.qa"}}}, "x", CODES)
    assert cfg.environments == {"qa": {"compose": ["a.yml", "b.yml"], "env_file": ".env.qa"}}
    with pytest.raises(UsageError, match=r"unknown key 'envfile' in environments.qa.*did you mean 'env-file'"):
        parse_config({"environments": {"qa": {"envfile": ".env.qa"}}}, "x", CODES)


def test_cli_exits_2_on_bad_config(tmp_path: Path, capsys):
    (tmp_path / "pyproject.toml").write_text('[tool.dockyard]\nignroe = ["DF"]\n')
    assert main(["check", str(tmp_path)]) == 2
    assert "did you mean 'ignore'" in capsys.readouterr().err


def test_cli_exits_2_on_invalid_toml(tmp_path: Path, capsys):
    (tmp_path / "dockyard.toml").write_text("select = [\n")
    assert main(["check", str(tmp_path)]) == 2
    assert "invalid TOML" in capsys.readouterr().err


def test_cli_exits_2_on_missing_path(tmp_path: Path, capsys):
    assert main(["check", str(tmp_path / "nope")]) == 2
    assert "no such file or directory" in capsys.readouterr().err


@pytest.mark.parametrize("compose, message", [
    ('"notalist"', 'environments.qa.compose must be a list of compose files, not a string: '
                   'write compose = ["notalist"]'),
    ("[]", "environments.qa.compose is empty: list the environment's compose files"),
    ("[1]", "environments.qa.compose must be a list of compose file names"),
    ('["compose.yaml", "missing.yml"]', "environments.qa.compose: missing.yml: no such file (paths are relative to "),
    ('["sub"]', "environments.qa.compose: sub: it is a directory"),
])
def test_a_configured_environment_names_existing_compose_files(tmp_path: Path, capsys, compose, message):
    (tmp_path / "compose.yaml").write_text("services:\n  app:\n    image: python:3.12-slim\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "dockyard.toml").write_text(f"[tool.dockyard.environments.qa]\ncompose = {compose}\n")
    for command in (["check", str(tmp_path)], ["env", "check", str(tmp_path)]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"dockyard: error: {tmp_path / 'dockyard.toml'}: {message}"), err


def test_a_configured_environment_without_compose_is_an_error_and_its_env_file_may_be_absent(tmp_path: Path,
                                                                                            capsys):
    with pytest.raises(UsageError, match=r"environments.qa.compose is missing: list the environment's compose"):
        parse_config({"environments": {"qa": {"env-file": ".env.qa"}}}, "x", CODES)
    (tmp_path / "compose.yaml").write_text("services:\n  app:\n    image: python:3.12-slim\n")
    (tmp_path / "dockyard.toml").write_text('[tool.dockyard.environments.qa]\ncompose = ["compose.yaml"]\n'
                                            'env-file = ".env.qa"\n')
    assert main(["check", str(tmp_path), "--select", "CO019"]) == 0  # the real env file is not in a checkout
    # files named alone are judged without the environments: their compose files are not asked for
    (tmp_path / "dockyard.toml").write_text('[tool.dockyard.environments.qa]\ncompose = ["gone.yml"]\n')
    assert main(["check", str(tmp_path / "compose.yaml"), "--select", "CO019"]) == 0

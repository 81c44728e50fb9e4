"""init never overwrites silently; --force backs up; --update three-way merges; usage errors exit 2."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import yaml

from dockyard.scaffold.update import ANSWERS_FILE, PRISTINE_FILE, merge3
from tests.init.conftest import generate, run_init, snapshot


def test_conflicting_files_stop_init_and_change_nothing(tmp_path: Path, capsys) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "README.md").write_text("mine\n")
    (tmp_path / "Dockerfile").chmod(0o600)
    before = snapshot(tmp_path)
    assert run_init(tmp_path, name="svc") == 1
    assert snapshot(tmp_path) == before
    err = capsys.readouterr().err
    assert "Dockerfile" in err and "README.md" in err and "nothing was written" in err


def test_force_backs_up_each_conflicting_file_and_keeps_its_mode(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    (tmp_path / "Dockerfile").chmod(0o600)
    assert run_init(tmp_path, "--force", name="svc") == 0
    backups = list(tmp_path.glob("Dockerfile.dockyard-bak-*"))
    assert len(backups) == 1 and backups[0].read_text() == "FROM scratch\n"
    assert (tmp_path / "Dockerfile").read_text().startswith("# syntax=docker/dockerfile:1")
    assert stat.S_IMODE((tmp_path / "Dockerfile").stat().st_mode) == 0o600
    assert not list(tmp_path.rglob("*.tmp"))


def test_identical_files_are_not_conflicts(tmp_path: Path) -> None:
    generate(tmp_path)
    assert run_init(tmp_path, name="svc") == 0  # same answers, same render: nothing to do


def test_answers_are_recorded(tmp_path: Path) -> None:
    generate(tmp_path, db="none", worker="celery")
    answers = yaml.safe_load((tmp_path / ANSWERS_FILE).read_text())
    assert answers["db"] == "none" and answers["worker"] == "celery" and answers["name"] == "svc"
    assert answers["_dockyard_version"]


def test_celery_without_cache_still_gets_redis_as_broker(tmp_path: Path, capsys) -> None:
    generate(tmp_path, cache="none", worker="celery")
    base = yaml.safe_load((tmp_path / "docker-compose.base.yml").read_text())
    assert {"redis", "worker"} <= set(base["services"])
    assert "REDIS_URL" not in base["services"]["app"]["environment"]
    assert not (tmp_path / "app" / "cache.py").exists()
    assert "broker" in capsys.readouterr().err


@pytest.mark.parametrize("flags", [("--python", "2.7"), ("--name", "Bad Name"), ("--port", "0")])
def test_usage_errors_exit_2(tmp_path: Path, flags) -> None:
    from dockyard.cli import main

    assert main(["init", str(tmp_path / "x"), "--no-input", *flags]) == 2
    assert not (tmp_path / "x").exists()


def test_update_without_answers_is_a_usage_error(tmp_path: Path) -> None:
    from dockyard.cli import main

    assert main(["init", str(tmp_path), "--update"]) == 2


def _age_project(root: Path, rel: str, old: str, new: str) -> None:
    """Make the recorded pristine render (and the file, as the user got it) look like an older template."""
    record = json.loads((root / PRISTINE_FILE).read_text())
    record["files"][rel] = record["files"][rel].replace(new, old)
    record["dockyard_version"] = "0.0.1"
    (root / PRISTINE_FILE).write_text(json.dumps(record))
    path = root / rel
    path.write_text(path.read_text().replace(new, old))


def test_update_from_an_older_template_keeps_the_users_edit(tmp_path: Path) -> None:
    generate(tmp_path)
    # the older template had a different keepalive default; the user then edited the timeout line
    _age_project(tmp_path, "gunicorn_config.py", '_env_int("GUNICORN_KEEPALIVE", 2)', '_env_int("GUNICORN_KEEPALIVE", 5)')
    config = tmp_path / "gunicorn_config.py"
    config.write_text(config.read_text().replace('_env_int("GUNICORN_TIMEOUT", 30)', '_env_int("GUNICORN_TIMEOUT", 90)'))
    readme = tmp_path / "README.md"
    readme.write_text(readme.read_text() + "\n## Team notes\nkept\n")  # edit of a file the template did not change
    assert run_init(tmp_path, "--update") == 0
    text = config.read_text()
    assert '_env_int("GUNICORN_TIMEOUT", 90)' in text  # the user's edit survives
    assert '_env_int("GUNICORN_KEEPALIVE", 5)' in text  # the template's change arrives
    assert readme.read_text().endswith("## Team notes\nkept\n")
    assert json.loads((tmp_path / PRISTINE_FILE).read_text())["dockyard_version"] != "0.0.1"


def test_update_conflict_writes_nothing_without_force(tmp_path: Path, capsys) -> None:
    generate(tmp_path)
    _age_project(tmp_path, "gunicorn_config.py", '_env_int("GUNICORN_KEEPALIVE", 2)', '_env_int("GUNICORN_KEEPALIVE", 5)')
    config = tmp_path / "gunicorn_config.py"
    config.write_text(config.read_text().replace('_env_int("GUNICORN_KEEPALIVE", 2)', '_env_int("GUNICORN_KEEPALIVE", 9)'))
    before = snapshot(tmp_path)
    assert run_init(tmp_path, "--update") == 1
    assert snapshot(tmp_path) == before
    assert "gunicorn_config.py" in capsys.readouterr().err
    assert run_init(tmp_path, "--update", "--force") == 1  # written with markers, still reported
    assert "<<<<<<< yours" in config.read_text()
    assert list(tmp_path.glob("gunicorn_config.py.dockyard-bak-*"))


def test_update_can_change_an_answer(tmp_path: Path) -> None:
    generate(tmp_path, worker="none")
    assert run_init(tmp_path, "--update", worker="celery") == 0
    assert (tmp_path / "app" / "worker.py").exists()
    assert yaml.safe_load((tmp_path / ANSWERS_FILE).read_text())["worker"] == "celery"


@pytest.mark.parametrize(
    "base, ours, theirs, expected, conflicts",
    [
        ("a\nb\nc\n", "a\nB\nc\n", "a\nb\nC\n", "a\nB\nC\n", 0),
        ("a\nb\nc\n", "a\nb\nc\nd\n", "z\na\nb\nc\n", "z\na\nb\nc\nd\n", 0),
        ("a\nb\nc\n", "a\nX\nc\n", "a\nY\nc\n", "a\n<<<<<<< yours\nX\n=======\nY\n>>>>>>> template\nc\n", 1),
        ("a\nb\n", "a\nb\n", "a\nb\nc\n", "a\nb\nc\n", 0),
        ("a\nb\nc\n", "a\nc\n", "a\nb\nc\n", "a\nc\n", 0),
        ("a\nb\nc\n", "a\nQ\nc\n", "a\nQ\nc\n", "a\nQ\nc\n", 0),
    ],
)
def test_merge3(base, ours, theirs, expected, conflicts) -> None:
    assert merge3(base, ours, theirs) == (expected, conflicts)

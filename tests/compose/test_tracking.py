"""The engine's extensions the environment views rely on: reading through a ``reader``, the tracked
(pre-normalisation) merged model with provenance, located interpolation issues, and never leaving the tree."""

import os
from pathlib import Path

import pytest

from dockyard.compose.context import environment_views, source_reader
from dockyard.compose.loader import load_project
from dockyard.compose.merge import merge_models
from dockyard.project import Project


def _write(root: Path, files: dict) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def test_reader_supplies_every_file(tmp_path):
    texts = {tmp_path / "compose.yaml": "services:\n  app:\n    image: ${IMG}\n    env_file: app.env\n",
             tmp_path / "app.env": "A=1\n", tmp_path / "vars.env": "IMG=python:3.12\n"}

    def reader(p):
        if Path(p) not in texts:
            raise FileNotFoundError(2, "missing", str(p))
        return texts[Path(p)]

    project = load_project([tmp_path / "compose.yaml"], [tmp_path / "vars.env"], environ={}, reader=reader)
    assert project.ok, project.problems
    assert project.services["app"]["image"] == "python:3.12"
    assert project.services["app"]["environment"] == {"A": "1"}
    assert not any(tmp_path.iterdir())  # nothing was on the disk


def test_tracked_model_keeps_values_as_written_and_their_origin(tmp_path):
    _write(tmp_path, {"a.yml": "services:\n  app:\n    image: x\n    ports:\n      - \"${P:-8000}:8000\"\n"
                               "    command: run --port ${P:-8000}\n    environment:\n      - A=1\n",
                      "b.yml": "services:\n  app:\n    ports:\n      - \"9000:9000\"\n    environment:\n      B: 2\n"})
    project = load_project([tmp_path / "a.yml", tmp_path / "b.yml"], [], environ={}, track=True,
                           label=lambda p: Path(p).name)
    app = project.raw_model["services"]["app"]
    assert list(app["ports"]) == ["8000:8000", "9000:9000"]
    assert app["command"] == "run --port 8000"
    assert dict(app["environment"]) == {"A": "1", "B": 2}
    last, first = app.prov["environment"]
    assert (last.path, first.path) == ("b.yml", "a.yml")
    assert app["ports"].prov[0][0].raw == "${P:-8000}:8000"
    assert app["ports"].prov[1][0].path == "b.yml"
    assert project.model["services"]["app"]["ports"][0]["target"] == 8000  # the normalised model is kept too


def test_issues_point_at_the_reference(tmp_path):
    _write(tmp_path, {"compose.yaml": "services:\n  app:\n    image: x\n    environment:\n"
                                      "      S: \"pre-${SECRET:?set it}\"\n      H: ${HOST}\n"})
    project = load_project([tmp_path / "compose.yaml"], [], environ={}, track=True)
    got = {(i.kind, i.variable, i.position.line, i.position.column) for i in project.issues}
    assert got == {("required", "SECRET", 5, 15), ("unset", "HOST", 6, 10)}


def test_logging_options_do_not_survive_a_driver_change():
    base = {"services": {"app": {"logging": {"driver": "json-file", "options": {"max-size": "1m"}}}}}
    merge_models(base, {"services": {"app": {"logging": {"driver": "fluentd"}}}})
    assert base["services"]["app"]["logging"] == {"driver": "fluentd"}


def test_short_volumes_are_keyed_by_target():
    base = {"services": {"db": {"volumes": ["./a:/data", "v:/other"]}}}
    merge_models(base, {"services": {"db": {"volumes": ["named:/data"]}}})
    assert base["services"]["db"]["volumes"] == ["named:/data", "v:/other"]


def test_view_reads_env_file_not_named_dot_env_through_the_project(tmp_path):
    _write(tmp_path, {"docker-compose.base.yml": "services:\n  app:\n    image: x\n    env_file: config/app.env\n",
                      "docker-compose.dev.yml": "services: {}\n", "config/app.env": "A=1\n", ".env.dev": "X=1\n"})
    project = Project.discover(tmp_path)
    (view,) = environment_views(project)
    assert view.name == "dev" and view.variables == {"X": "1"}
    assert view.services["app"]["env_file"] == ["config/app.env"]
    assert view.defined_in(("services", "app", "env_file", 0)) == "docker-compose.base.yml"
    assert source_reader(project)(tmp_path / "config" / "app.env") == "A=1\n"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_links_out_of_the_tree_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    root = tmp_path / "repo"
    _write(outside, {"common.yml": "services:\n  base:\n    image: leaked\n    environment:\n      LEAK: yes\n",
                     "inc.yml": "services:\n  other:\n    image: leaked\n", "secret.env": "LEAK=1\n"})
    _write(root, {"docker-compose.base.yml": "include:\n  - inc.yml\nservices:\n  app:\n    image: x\n"
                                             "    extends:\n      file: common.yml\n      service: base\n"
                                             "    env_file: secret.env\n",
                  "docker-compose.dev.yml": "services: {}\n"})
    for name in ("common.yml", "inc.yml", "secret.env"):
        (root / name).symlink_to(outside / name)
    project = Project.discover(root)
    reader = source_reader(project)
    for name in ("common.yml", "inc.yml", "secret.env"):
        with pytest.raises(OSError):
            reader(root / name)
    (view,) = environment_views(project)
    app = view.services["app"]
    assert app["image"] == "x" and "environment" not in app
    assert "other" not in view.services
    lp = load_project([root / "docker-compose.base.yml"], [], environ={}, reader=reader)
    assert "LEAK" not in (lp.services["app"].get("environment") or {})
    assert not lp.ok  # compose's own errors: the files are missing as far as the check is concerned

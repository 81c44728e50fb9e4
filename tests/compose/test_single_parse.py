"""Each compose file's YAML is parsed once per run: the rules and every environment's load share one parse (the
load changes only its own copy), and one load parses a file once however often it is extended or included."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from dockyard.cli import main
from dockyard.compose.loader import load_project
from dockyard.parsers import yamlpos

BASE = """\
services:
  base:
    image: python:${PY:-3.12}-slim
    restart: unless-stopped
    env_file: app.env
  app:
    extends: base
    command: ["uvicorn", "app.main:app"]
  worker:
    extends:
      service: base
    command: ["celery", "worker"]
  api:
    extends:
      file: common.yaml
      service: shared
"""
COMMON = "services:\n  shared:\n    image: python:3.12-slim\n    environment:\n      LEVEL: ${LEVEL:-info}\n"
OVERRIDE = "services:\n  app:\n    ports:\n      - \"127.0.0.1:8000:8000\"\n"
PROD = "services:\n  app:\n    image: registry.example.com/app:${TAG:?set TAG}\n"
FILES = {"compose.yaml": BASE, "compose.override.yaml": OVERRIDE, "compose.prod.yaml": PROD,
         "common.yaml": COMMON, ".env": "PY=3.12\n", ".env.prod": "TAG=1.0.0\nLEVEL=warning\n", "app.env": "A=1\n"}


@pytest.fixture
def parses(monkeypatch):
    """How many times each text was parsed as YAML (every parse goes through ``yamlpos._load``)."""
    counts: Counter = Counter()
    load = yamlpos._load

    def counting(text, go_anchors):
        counts[text] += 1
        return load(text, go_anchors)

    monkeypatch.setattr(yamlpos, "_load", counting)
    return counts


def _project(root: Path) -> Path:
    for rel, text in FILES.items():
        (root / rel).write_text(text)
    return root


@pytest.mark.parametrize("command", [["check"], ["env", "check", "--format", "json"]])
def test_a_run_parses_each_compose_file_once(tmp_path, parses, capsys, command):
    root = _project(tmp_path)
    assert main([*command, str(root)]) in (0, 1)
    out = capsys.readouterr().out
    if command[0] == "env":  # both environments were loaded: the base file twice, from one parse
        assert [e["name"] for e in json.loads(out)["environments"]] == ["default", "prod"]
    compose = {FILES[rel] for rel in ("compose.yaml", "compose.override.yaml", "compose.prod.yaml", "common.yaml")}
    assert {text: n for text, n in parses.items() if text in compose} == {text: 1 for text in compose}
    assert set(parses) <= compose  # nothing else here is YAML


@pytest.mark.parametrize("args", [["--env", "prod"], ["-f", "compose.yaml", "-f", "compose.prod.yaml",
                                                      "--env-file", ".env.prod"]])
def test_env_render_parses_each_file_once(tmp_path, parses, capsys, monkeypatch, args):
    # with --env, finding the environment parsed the base file already (it names an env_file): not parsed again
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    assert main(["env", "render", *args, "--format", "json", "--show-secrets"]) == 0
    model = json.loads(capsys.readouterr().out)
    assert model["services"]["app"]["image"] == "registry.example.com/app:1.0.0"
    assert model["services"]["worker"]["image"] == "python:3.12-slim"
    assert model["services"]["worker"]["environment"] == {"A": "1"}
    assert model["services"]["api"]["environment"] == {"LEVEL": "warning"}
    assert parses == Counter({BASE: 1, PROD: 1, COMMON: 1})


def test_a_load_leaves_the_tree_it_was_given_as_parsed(tmp_path):
    root = _project(tmp_path)
    given: dict = {}

    def parse(path, data):
        assert path not in given  # once per file
        given[path] = yamlpos.load_yaml(data) if isinstance(data, str) else yamlpos.load_yaml_bytes(data)
        return given[path]

    project = load_project([root / "compose.yaml", root / "compose.prod.yaml"], [root / ".env.prod"], environ={},
                           parse=parse, track=True)
    assert project.ok, project.problems
    assert project.services["app"]["image"] == "registry.example.com/app:1.0.0"
    assert sorted(p.name for p in given) == ["common.yaml", "compose.prod.yaml", "compose.yaml"]
    for path, doc in given.items():  # interpolation, extends and normalisation changed copies only
        fresh = yamlpos.load_yaml(path.read_text())
        assert yamlpos.to_plain(doc.root) == yamlpos.to_plain(fresh.root)
    app = given[root / "compose.yaml"].root["services"]["app"]
    assert app["extends"] == "base" and app.key_pos("extends").line == 7
    assert given[root / "compose.yaml"].root["services"]["base"]["image"] == "python:${PY:-3.12}-slim"


def test_copy_tree_keeps_positions_and_tags_and_shares_nothing():
    doc = yamlpos.load_yaml("a: !reset []\nb:\n  - x\n  - !override {c: 1}\n")
    copy = yamlpos.copy_tree(doc.root)
    assert copy == doc.root and copy is not doc.root
    assert copy.key_pos("b") == doc.root.key_pos("b") and copy.tag("a") == "!reset"
    assert copy["b"].item_pos(1) == doc.root["b"].item_pos(1) and copy["b"].item_tags == {1: "!override"}
    copy["b"].append("y")
    copy["b"][1]["c"] = 2
    assert doc.root["b"] == ["x", {"c": 1}]

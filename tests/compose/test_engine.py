"""Fixture projects render like ``docker compose config --format json``; hostile input yields values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.compose import _oracle

from dockyard.compose.environments import discover_environments  # noqa: E402
from dockyard.compose.loader import load_project  # noqa: E402
from dockyard.compose.render import render  # noqa: E402
from dockyard.parsers.dotenv import parse_env, parse_env_bytes  # noqa: E402
from dockyard.parsers.yamlpos import load_yaml, load_yaml_bytes  # noqa: E402

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "compose"

CASES = [
    ("multi", ["compose.yaml", "compose.override.yaml"], {"PLAIN": "p"}),
    ("multi", ["compose.yaml"], {"PLAIN": "p", "COMPOSE_PROFILES": "tools"}),
    ("include", ["compose.yaml"], {}),
    ("include", ["compose.yaml"], {"COMPOSE_PROFILES": "debug", "MODE": "shell"}),
]


@pytest.mark.parametrize("name,files,env", CASES)
def test_fixture_renders_like_compose(name, files, env):
    d = FIX / name
    rc, expected, err = _oracle.run_config(d, files=files, env=env)
    assert rc == 0, err
    project = load_project([d / f for f in files], environ=dict(_oracle.BASE_ENV, **env))
    assert project.ok, project.problems
    assert json.loads(render(project, "json", mask_secrets=False)) == expected


def test_masking_and_origin():
    d = FIX / "multi"
    project = load_project([d / "compose.yaml", d / "compose.override.yaml"], environ={"PLAIN": "p"})
    out = json.loads(render(project, "json"))
    env = out["services"]["api"]["environment"]
    assert env["SECRET_KEY"] == "********"
    assert "s3cr3t" not in json.dumps(out["services"]["api"])
    file, pos = project.origin(("services", "api", "command"))
    assert file.name == "compose.override.yaml" and pos.line == 3
    assert render(project, "yaml").startswith("name:") or "services:" in render(project, "yaml")


def test_environments(tmp_path):
    for n in ("docker-compose.base.yml", "docker-compose.dev.yml", "docker-compose.prod.yml", ".env.dev",
              ".env.prod.example"):
        (tmp_path / n).write_text("")
    envs = {e.name: e for e in discover_environments(tmp_path)}
    assert set(envs) == {"dev", "prod"}
    assert envs["prod"].env_file_is_template and not envs["dev"].env_file_is_template
    over = discover_environments(tmp_path, {"qa": {"compose": ["a.yml", "b.yml"], "env_file": ".env.qa"}})
    assert over[0].compose_files[1].name == "b.yml"


HOSTILE_YAML = [
    "a: [1\n",
    "a:\n\tb: 1\n",
    "a: 1\na: 2\n",
    "a: *nope\n",
    "a: &a [*a]\n",
    "[" * 3000 + "]" * 3000,
    "services: !!binary |\n  ####\n",
    "\x00\x01\x02",
    "a: 'unterminated\n",
]


@pytest.mark.parametrize("text", HOSTILE_YAML)
def test_hostile_yaml_is_an_error_value(text):
    doc = load_yaml(text)
    assert isinstance(doc.errors, tuple)


def test_billion_laughs_is_bounded():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghij":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    doc = load_yaml("\n".join(lines) + "\n")
    assert any(e.kind == "alias-bomb" for e in doc.errors)


def test_huge_and_binary_files():
    big = "services:\n" + "".join(f"  s{i}:\n    image: x:{i}\n    ports: ['{i % 60000 + 1}:80']\n"
                                   for i in range(20000))
    doc = load_yaml(big)
    assert doc.ok and len(doc.root["services"]) == 20000
    assert not load_yaml_bytes(b"\x7fELF\x00\x00\x01").ok
    assert not load_yaml_bytes(b"a: \xff\xfe\n").ok


def test_env_files_never_raise():
    assert parse_env('A="unterminated\nB=1\n').errors
    res = parse_env_bytes(b"A=\xff\xfe\nB=2\n")
    assert res.errors[0].kind == "encoding" and res.as_dict()["B"] == "2"
    dup = parse_env("A=1\nA=2\n")
    assert dup.as_dict() == {"A": "2"} and list(dup.duplicates()) == ["A"]
    assert parse_env_bytes(bytes(range(256)) * 50) is not None


def test_broken_project_is_problems_not_exceptions(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  a:\n    image: ${X:?need X}\n    ports: ['${']\n")
    project = load_project([tmp_path / "compose.yaml"], environ={})
    assert not project.ok
    assert any("required variable X" in p.message for p in project.problems)
    (tmp_path / "bad.yaml").write_bytes(b"\xff\x00garbage")
    assert not load_project([tmp_path / "bad.yaml"], environ={}).ok
    assert not load_project([tmp_path / "missing.yaml"], environ={}).ok

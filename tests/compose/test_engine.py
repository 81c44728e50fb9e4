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


TYPED = """\
services:
  web:
    image: nginx:1.27
    privileged: ${PRIV:-no}
    read_only: ${RO:-true}
    tty: false
    stdin_open: ${SO-off}
    init: ${INIT:-false}
    pids_limit: ${PIDS:-100}
    healthcheck:
      test: ["CMD", "true"]
      retries: ${RETRIES:-3}
      disable: false
    deploy:
      replicas: ${REPLICAS:-2}
    ulimits:
      nofile:
        soft: ${SOFT:-1024}
        hard: 2048
      nproc: ${NPROC:-512}
    volumes:
      - type: volume
        source: data
        target: /data
        read_only: ${VRO:-yes}
    networks: [front]
networks:
  front:
    external: ${FRONT_EXTERNAL:-false}
    internal: ${FRONT_INTERNAL:-false}
    enable_ipv6: ${V6:-false}
volumes:
  data:
    external: false
"""


def test_interpolated_values_take_compose_types_and_false_flags_are_omitted(tmp_path):
    # compose casts interpolated booleans and numbers at known paths, and leaves out the boolean flags that are
    # false; `external: ${X:-false}` is the string "false" only before the cast, so the network is the project's.
    (tmp_path / "compose.yaml").write_text(TYPED)
    rc, expected, err = _oracle.run_config(tmp_path, files=["compose.yaml"])
    assert rc == 0, err
    project = load_project([tmp_path / "compose.yaml"], environ=dict(_oracle.BASE_ENV))
    assert project.ok, project.problems
    ours = json.loads(render(project, "json", mask_secrets=False))
    assert ours == expected
    web = ours["services"]["web"]
    assert web["healthcheck"]["retries"] == 3 and web["deploy"]["replicas"] == 2 and web["read_only"] is True
    assert "privileged" not in web and "tty" not in web and web["init"] is False
    assert ours["networks"]["front"] == {"name": f"{tmp_path.name.lower()}_front", "ipam": {}, "enable_ipv6": False}


def test_interpolated_value_that_cannot_be_cast_is_a_problem(tmp_path):
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx:1.27\n    healthcheck:\n"
                                           "      retries: ${RETRIES:-many}\n    privileged: ${P:-1}\n")
    rc, _, err = _oracle.run_config(tmp_path, files=["compose.yaml"])
    assert rc != 0 and "failed to cast to expected type" in err
    project = load_project([tmp_path / "compose.yaml"], environ={})
    messages = sorted(p.message for p in project.problems)
    assert messages == [
        "error while interpolating services.web.healthcheck.retries: failed to cast to expected type: "
        "strconv.Atoi: parsing \"many\": invalid syntax",
        "error while interpolating services.web.privileged: failed to cast to expected type: invalid boolean: 1",
    ]
    assert {(p.kind, p.position.line) for p in project.problems} == {("interpolation", 5), ("interpolation", 6)}


def test_an_interpolation_error_in_a_list_item_names_the_path_as_compose_does(tmp_path):
    # compose-go's interpolation names a list item `[]`: `services.web.labels.[]`, never an index
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx:1.27\n    labels:\n"
                                           "      - ok=1\n      - host=${DOMAIN?Variable not set}\n")
    rc, _, err = _oracle.run_config(tmp_path, files=["compose.yaml"])
    message = "error while interpolating services.web.labels.[]: required variable DOMAIN is missing a value: " \
              "Variable not set"
    assert rc != 0 and message in err
    project = load_project([tmp_path / "compose.yaml"], environ={})
    assert [(p.message, p.position.line) for p in project.problems] == [(message, 6)]


def test_a_mapping_as_a_key_is_an_invalid_map_key_as_compose_says(tmp_path):
    # a Helm template's `{{ .Values.namespace }}` is a flow mapping used as a key
    (tmp_path / "compose.yaml").write_text("metadata:\n  namespace: {{ .Values.namespace }}\n")
    rc, _, err = _oracle.run_config(tmp_path, files=["compose.yaml"])
    assert rc != 0 and "yaml: invalid map key:" in err
    project = load_project([tmp_path / "compose.yaml"], environ={})
    assert [(p.message, p.position.line, p.position.column) for p in project.problems] == [
        ("invalid map key: a mapping key must be a scalar", 2, 15)]


def test_develop_watch_paths_are_absolute_like_compose(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx:1.27\n    develop:\n      watch:\n"
        "        - path: ./src\n          action: sync\n          target: /app/src\n          ignore: [.venv]\n"
        "        - path: pyproject.toml\n          action: rebuild\n")
    rc, expected, err = _oracle.run_config(tmp_path, files=["compose.yaml"])
    assert rc == 0, err
    project = load_project([tmp_path / "compose.yaml"], environ=dict(_oracle.BASE_ENV))
    ours = json.loads(render(project, "json", mask_secrets=False))
    assert ours == expected
    assert [w["path"] for w in ours["services"]["web"]["develop"]["watch"]] == [
        str(tmp_path / "src"), str(tmp_path / "pyproject.toml")]


def test_obsolete_version_key_is_not_rendered(tmp_path):
    (tmp_path / "compose.yaml").write_text('version: "3.7"\nservices:\n  web:\n    image: nginx:1.27\n')
    rc, expected, err = _oracle.run_config(tmp_path, files=["compose.yaml"])
    assert rc == 0, err
    project = load_project([tmp_path / "compose.yaml"], environ=dict(_oracle.BASE_ENV))
    ours = json.loads(render(project, "json", mask_secrets=False))
    assert "version" not in ours and ours == expected

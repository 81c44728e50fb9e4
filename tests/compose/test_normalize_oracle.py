"""compose's normalisation (compose-go v2.9.1: loader/normalize.go, paths/, transform/, the types' decoders),
against the real `docker compose config --format json`: the shapes the fixture-tree bench
(bench/compose_oracle.py) found, each in a file written for this test."""

from __future__ import annotations

import json

import pytest

from tests.compose import _oracle

from dockyard.compose.loader import load_project  # noqa: E402
from dockyard.compose.render import render  # noqa: E402

HEAD = "services:\n  app:\n    image: alpine\n"
ENV = {**_oracle.BASE_ENV, "FROM_SHELL": "shell-value"}


SHAPES = {
    "expose numbers and ranges become strings": HEAD + "    expose: [80, '90-91', 8080/udp]\n",
    "labels and sysctls in list form": HEAD + "    labels: [a=1, b, c=x=y]\n"
                                              "    sysctls: [net.core.somaxconn=1024, kernel.x]\n",
    "sysctls as a map of numbers": HEAD + "    sysctls: {net.core.somaxconn: 1024, a.b: 1.5}\n",
    "deploy labels as a list": HEAD + "    deploy:\n      labels: [k=v, flag]\n",
    "resource labels as lists": HEAD + "    networks: [n]\n    volumes: [v:/v]\n"
                                       "networks:\n  n:\n    labels: [k=v]\nvolumes:\n  v:\n    labels: [a, b=2]\n",
    "string-or-list fields": HEAD + "    dns: 8.8.8.8\n    dns_search: example.com\n    tmpfs: /run\n",
    "extra_hosts in every form": HEAD + "    extra_hosts: [a=1.2.3.4, 'b:5.6.7.8', 'c=[::1]', 'd=1.1.1.1,2.2.2.2']\n",
    "extra_hosts as a map": HEAD + "    extra_hosts: {z: 1.2.3.4, y: ['::1', 10.0.0.1]}\n",
    "volume paths cleaned": HEAD + "    volumes:\n      - /media/:/media/\n      - ./a/../b/:/data/\n"
                                   "      - .:/app/./x\n      - type: bind\n        source: ./x/\n"
                                   "        target: /y/\n      - type: bind\n        source: /abs/\n"
                                   "        target: /abs\n",
    "Windows and UNC sources kept as written": HEAD + "    volumes:\n      - C:\\docker\\project:/win\n"
                                                      "      - 'D:/data:/d:ro'\n      - \\\\server\\share:/unc\n",
    "volume options": HEAD + "    volumes:\n      - named:/n:nocopy,ro\n      - ./z:/z:rshared,Z\n"
                             "      - ./w:/w:rw\n      - /anon\nvolumes:\n  named: {}\n",
    "a relative bind device of a local volume": HEAD + "    volumes: [data:/data]\nvolumes:\n  data:\n"
                                                      "    driver: local\n    driver_opts: {type: none, o: bind,"
                                                      " device: ./data/../store}\n",
    "a device that is not a bind": HEAD + "    volumes: [data:/data]\nvolumes:\n  data:\n    driver: local\n"
                                          "    driver_opts: {type: nfs, o: 'addr=1.2.3.4', device: ':/x'}\n",
    "secrets and configs named after the project": HEAD + "    secrets: [s, {source: t, target: /x, mode: 0440}]\n"
                                                          "    configs: [c]\nsecrets:\n  s:\n    file: ./s.txt\n"
                                                          "  t:\n    environment: FROM_SHELL\nconfigs:\n  c:\n"
                                                          "    file: ./c.txt\n",
    "a secret mode as a string": HEAD + "    secrets: [{source: s, mode: '0400'}, {source: t, mode: 256}]\n"
                                        "    configs: [{source: c, mode: '${MODE:-0444}'}]\nsecrets:\n  s:\n"
                                        "    file: s.txt\n  t:\n    file: s.txt\nconfigs:\n  c:\n    file: c.txt\n",
    "external resources keep their name": HEAD + "    secrets: [s]\n    networks: [n]\nsecrets:\n  s:\n"
                                                 "    external: true\nnetworks:\n  n:\n    external: true\n",
    "build secrets keep their top-level secret": HEAD + "    build:\n      context: .\n      secrets: [b]\n"
                                                        "secrets:\n  b:\n    environment: FROM_SHELL\n",
    "implicit depends_on": "services:\n  db:\n    image: postgres\n  web:\n    image: nginx\n    links: [db]\n"
                           "  side:\n    image: busybox\n    network_mode: service:db\n    ipc: service:db\n"
                           "  data:\n    image: busybox\n    volumes_from: [db, 'container:other', 'web:ro']\n"
                           "  ns:\n    image: busybox\n    pid: service:db\n    uts: service:web\n",
    "a link alias and an explicit depends_on": "services:\n  db:\n    image: postgres\n  web:\n    image: nginx\n"
                                               "    links: ['db:database']\n    depends_on:\n      db:\n"
                                               "        condition: service_healthy\n",
    "build dockerfile defaults": "services:\n  a:\n    build: .\n  b:\n    build:\n      context: .\n"
                                 "      dockerfile_inline: FROM alpine\n  c:\n    build:\n      context: .\n"
                                 "      dockerfile: ''\n  d:\n    build:\n      context: .\n"
                                 "      dockerfile: other.Dockerfile\n",
    "build args without a value": "services:\n  a:\n    build:\n      context: .\n"
                                  "      args: [FROM_SHELL, MISSING, SET=1, EMPTY=]\n  b:\n    build:\n"
                                  "      context: .\n      args: {FROM_SHELL: null, MISSING: null, N: 2}\n",
    "empty strings compose leaves out": HEAD + "    platform: ''\n    user: ''\n    working_dir: ''\n"
                                               "    hostname: ''\n",
    "hook and watch exec commands split": "services:\n  app:\n    build: .\n    post_start:\n"
                                          "      - command: sh -c 'echo \"started\" > /tmp/x'\n    pre_stop:\n"
                                          "      - command: [echo, stop]\n    develop:\n      watch:\n"
                                          "        - path: ./src\n          action: sync+exec\n"
                                          "          target: /src\n          include: '*.py'\n"
                                          "          ignore: tests/\n          exec:\n"
                                          "            command: echo \"synced now\"\n",
    "extensions": "x-top: {a: 1}\n" + HEAD + "    x-service: 1\n"
                  "    build:\n      context: .\n      x-build: 1\n"
                  "    networks:\n      n:\n        x-attach: 1\nnetworks:\n  n:\n    x-net: 1\n",
    "models are not printed": HEAD + "    models: [m]\nmodels:\n  m:\n    model: ai/smollm2\n",
    "no services at all": "volumes:\n  v: {}\n",
    "devices, gpus and device reservations": HEAD + "    devices: ['/dev/sda:/dev/xvda:r', /dev/null, '/dev/a:/dev/b']\n"
                                                    "    gpus: all\n    deploy:\n      resources:\n"
                                                    "        reservations:\n          devices:\n"
                                                    "            - capabilities: [gpu]\n"
                                                    "            - {capabilities: [gpu], count: '2'}\n"
                                                    "            - {capabilities: [gpu], device_ids: ['0']}\n",
    "block IO throttles as Go prints them": HEAD + "    blkio_config:\n      weight: 0\n"
                                                  "      device_read_bps: [{path: /dev/sda, rate: 1mb}]\n"
                                                  "      device_write_iops: [{path: /dev/sda, rate: 100}]\n"
                                                  "      weight_device: [{path: /dev/sda, weight: 10}]\n",
    "zero numbers and flags compose leaves out": HEAD + "    cpu_shares: 0\n    oom_score_adj: 0\n    cpus: 0\n"
                                                        "    pids_limit: 0\n    mem_swappiness: 0\n"
                                                        "    oom_kill_disable: false\n",
    "pull policy, logging options, group_add": HEAD + "    pull_policy: if_not_present\n    logging:\n"
                                                      "      driver: json-file\n      options: {max-file: 3}\n"
                                                      "    group_add: [100, audio]\n",
    "label files under the service's labels": HEAD + "    label_file: [labels.txt]\n    labels: {owner: svc}\n",
    "duplicate list entries": HEAD + "    expose: [80, '80']\n    cap_add: [NET_ADMIN, NET_ADMIN]\n"
                                     "    dns: [8.8.8.8, '', 8.8.8.8]\n    ports: ['80:80', '80:80']\n",
    "empty lists and maps": HEAD + "    cap_add: []\n    labels: {}\n    environment: []\n    networks: []\n"
                                   "    command: []\n",
    "an env file read raw": HEAD + "    env_file:\n      - path: raw.env\n        format: raw\n"
                                   "      - plain.env\n",
}


@pytest.mark.parametrize("text", SHAPES.values(), ids=SHAPES.keys())
def test_dockyard_normalises_as_compose_does(tmp_path, text):
    extra = {"raw.env": "# comment\nQUOTED='{\"k\": \"v\"}'\n  SPACED=a b \nFROM_SHELL\nMISSING\n",
             "plain.env": "PLAIN='x'\n", "labels.txt": "owner=file\ntier=web\nref=${tier}-x\n", "s.txt": "secret\n", "c.txt": "config\n"}
    assert _oracle.same_as_compose(tmp_path, text, extra, ENV) is not None


def test_implicit_dependencies_carry_what_compose_fills(tmp_path):
    model = _oracle.same_as_compose(tmp_path, SHAPES["implicit depends_on"], env=ENV)
    services = model["services"]
    assert services["web"]["depends_on"] == {"db": {"condition": "service_started", "restart": True,
                                                    "required": True}}
    assert services["data"]["depends_on"] == {"db": {"condition": "service_started", "required": True},
                                              "web": {"condition": "service_started", "required": True}}
    assert set(services["ns"]["depends_on"]) == {"db", "web"}


def test_the_project_name_comes_from_compose_project_name_first(tmp_path):
    (tmp_path / "compose.yaml").write_text("name: from-file\n" + HEAD)
    env = {**_oracle.BASE_ENV, "COMPOSE_PROJECT_NAME": "from-env"}
    rc, expected, _ = _oracle.run_config(tmp_path, files=["compose.yaml"], env=env)
    project = load_project([tmp_path / "compose.yaml"], environ=env)
    assert rc == 0 and expected["name"] == project.name == "from-env"
    (tmp_path / ".env").write_text("COMPOSE_PROJECT_NAME=dotenv\n")
    rc, expected, _ = _oracle.run_config(tmp_path, files=["compose.yaml"])
    project = load_project([tmp_path / "compose.yaml"], environ=dict(_oracle.BASE_ENV))
    assert rc == 0 and expected["name"] == project.name == "dotenv"


def test_an_override_file_merges_the_normalised_shapes(tmp_path):
    (tmp_path / "compose.yaml").write_text(HEAD + "    sysctls: [a.b=1]\n    expose: [80]\n    dns: 1.1.1.1\n"
                                                  "    volumes: ['./d/:/data/']\n")
    (tmp_path / "override.yaml").write_text("services:\n  app:\n    sysctls: {a.b: 2, c.d: 3}\n"
                                            "    expose: ['80', 81]\n    dns: [8.8.8.8]\n"
                                            "    volumes: ['./e:/data']\n")
    files = ["compose.yaml", "override.yaml"]
    rc, expected, err = _oracle.run_config(tmp_path, files=files)
    assert rc == 0, err
    project = load_project([tmp_path / f for f in files], environ=dict(_oracle.BASE_ENV))
    assert project.ok, project.problems
    assert json.loads(render(project, "json", mask_secrets=False)) == expected
    assert expected["services"]["app"]["sysctls"] == {"a.b": "2", "c.d": "3"}


REFUSED = {
    "a volume spec with too many colons": HEAD + "    volumes: ['./a:/b:ro:extra']\n",
    "an empty section between colons": HEAD + "    volumes: ['./a::/b']\n",
    "a missing label file": HEAD + "    label_file: nowhere.txt\n",
    "a mode that is not octal": HEAD + "    secrets: [{source: s, mode: '0o400'}]\nsecrets:\n  s:\n    file: s.txt\n",
    "an env file of an unknown format": HEAD + "    env_file:\n      - path: raw.env\n        format: toml\n",
}


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_what_compose_refuses_while_normalising_dockyard_refuses(tmp_path, text):
    assert _oracle.same_as_compose(tmp_path, text, {"raw.env": "A=1\n"}, ENV) is None


def test_normalised_values_point_at_their_source(tmp_path):
    text = ("services:\n  db:\n    image: postgres\n  web:\n    image: nginx\n    links:\n      - db\n"
            "    sysctls:\n      - net.core.somaxconn=1024\n    expose:\n      - 80\n"
            "  side:\n    image: busybox\n    network_mode: service:db\n"
            "  data:\n    image: busybox\n    volumes_from:\n      - web\n")
    (tmp_path / "compose.yaml").write_text(text)
    project = load_project([tmp_path / "compose.yaml"], environ={})
    assert project.ok, project.problems
    assert project.services["web"]["depends_on"]["db"]["restart"] is True

    def where(*path):
        file, pos = project.origin(path)
        return file.name, pos.line, pos.column

    assert where("services", "web", "depends_on", "db") == ("compose.yaml", 7, 9)  # the `links` item
    assert where("services", "side", "depends_on", "db") == ("compose.yaml", 14, 5)  # `network_mode:`
    assert where("services", "data", "depends_on", "web") == ("compose.yaml", 18, 9)  # the `volumes_from` item
    assert where("services", "web", "sysctls", "net.core.somaxconn") == ("compose.yaml", 9, 9)
    assert where("services", "web", "expose", 0) == ("compose.yaml", 11, 9)


def test_the_rules_model_holds_only_what_was_written(tmp_path):
    """The tracked model the rules judge (``raw_model``) is the file as written, with positions: nothing
    normalisation synthesises (an implicit dependency, a default Dockerfile, a secret's target) appears in it."""
    text = ("services:\n  db:\n    image: postgres\n    secrets: [pw]\n  web:\n    build: .\n    links:\n"
            "      - db\nsecrets:\n  pw:\n    file: ./pw.txt\n")
    (tmp_path / "compose.yaml").write_text(text)
    project = load_project([tmp_path / "compose.yaml"], environ={}, track=True, label=lambda p: p.name)
    assert project.ok, project.problems
    web = project.raw_model["services"]["web"]
    assert "depends_on" not in web and web["build"] == {"context": "."}
    assert list(project.raw_model["services"]["db"]["secrets"]) == ["pw"]
    link = web["links"].prov[0][0]
    assert (link.path, link.key.line, link.key.column) == ("compose.yaml", 8, 9)
    normalised = project.services["web"]
    assert normalised["depends_on"]["db"] == {"condition": "service_started", "restart": True, "required": True}
    assert normalised["build"]["dockerfile"] == "Dockerfile"
    assert project.services["db"]["secrets"] == [{"source": "pw", "target": "/run/secrets/pw"}]


def test_a_null_override_keeps_what_it_overrides_except_in_key_value_mappings(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        "services:\n  app:\n    image: alpine\n    networks:\n      n: {priority: 10}\n"
        "    environment: {A: '1', B: '2'}\n    labels: {L: x}\n    user: u\n    build: {context: ., args: {X: '1'}}\n"
        "networks:\n  n: {driver: bridge}\n")
    (tmp_path / "override.yaml").write_text(
        "services:\n  app:\n    networks:\n      n: null\n    environment: {A: null}\n    labels: {L: null}\n"
        "    user: null\n    build: {args: {X: null}}\nnetworks:\n  n: null\n")
    files = ["compose.yaml", "override.yaml"]
    rc, expected, err = _oracle.run_config(tmp_path, files=files)
    assert rc == 0, err
    project = load_project([tmp_path / f for f in files], environ=dict(_oracle.BASE_ENV))
    assert json.loads(render(project, "json", mask_secrets=False)) == expected
    app = expected["services"]["app"]
    assert app["networks"] == {"n": {"priority": 10}} and app["user"] == "u"
    assert app["environment"] == {"A": None, "B": "2"}  # a null there unsets the value


def _base_and_override(tmp_path, base: str, override: str):
    """compose.yaml and override.yaml loaded by the real binary, then by dockyard: (exit code, compose's model,
    its stderr, dockyard's project)."""
    (tmp_path / "compose.yaml").write_text(base)
    (tmp_path / "override.yaml").write_text(override)
    files = ["compose.yaml", "override.yaml"]
    rc, expected, err = _oracle.run_config(tmp_path, files=files)
    return rc, expected, err, load_project([tmp_path / f for f in files], environ=dict(_oracle.BASE_ENV))


# compose-go's mergeExtraHosts: the base's entries, then the override's ones the base does not hold as written; a
# mapping counts as its sorted `host=ip` entries (one per address), so `{h1: a}` and `{h1: b}` keep both
EXTRA_HOSTS = [
    ("['h1=10.0.0.1', 'h2:10.0.0.2']", "['h1=10.0.0.1']"),
    ("['h1:10.0.0.1']", "['h1=10.0.0.1']"),
    ("{h1: 10.0.0.1}", "{h1: 10.0.0.2}"),
    ("{h1: 10.0.0.1, h0: 1.1.1.1}", "{h2: 10.0.0.2}"),
    ("{h1: [10.0.0.1, 10.0.0.9]}", "['h1=10.0.0.9']"),
    ("{h1: 10.0.0.1}", "['h1=10.0.0.1']"),
    ("['h1=::1']", "{h1: '::1', h3: 10.0.0.3}"),
]


@pytest.mark.parametrize(("base", "override"), EXTRA_HOSTS)
def test_extra_hosts_merge_as_compose_merges_them(tmp_path, base, override):
    rc, expected, err, project = _base_and_override(
        tmp_path, HEAD + f"    extra_hosts: {base}\n    build:\n      context: .\n      extra_hosts: {base}\n",
        f"services:\n  app:\n    extra_hosts: {override}\n    build:\n      extra_hosts: {override}\n")
    assert rc == 0, err
    assert project.ok, project.problems
    assert json.loads(render(project, "json", mask_secrets=False)) == expected


# one splitter of the short port syntax serves validation and the model (compose/decoding.split_port_spec); an
# IPv6 address without brackets before the last two parts used to lose the service's ports
@pytest.mark.parametrize("port", ["::1:8080:80", "[::1]:8080:80", "fe80::1:8000-8001:80-81", "::1::80",
                                  "[fe80::1]::80", "127.0.0.1:8080:80/udp", "80"])
def test_short_port_syntax_renders_as_compose_renders_it(tmp_path, port):
    expected = _oracle.same_as_compose(tmp_path, HEAD + f"    ports: ['{port}']\n")
    assert expected["services"]["app"]["ports"]


# compose validates the model merged so far after each file: lists its merge appends to without making them unique
# (compose/decoding.MERGED_UNIQUE) refuse an override that repeats an entry of the base
MERGED_LISTS = [
    ("security_opt: [no-new-privileges]", "security_opt: [no-new-privileges]"),
    ("security_opt: [a, b]", "security_opt: [c, b]"),
    ("security_opt: [a, b]", "security_opt: !override [a]"),
    ("group_add: [audio]", "group_add: [audio]"),
    ("group_add: [100]", "group_add: ['100']"),
    ("group_add: [100]", "group_add: [100]"),
    ("external_links: [db]", "external_links: [db]"),
    ("device_cgroup_rules: ['c 1:3 mr']", "device_cgroup_rules: ['c 1:3 mr']"),
]


@pytest.mark.parametrize(("base", "override"), MERGED_LISTS)
def test_an_override_repeating_its_base_is_refused_as_compose_refuses_it(tmp_path, base, override):
    rc, expected, err, project = _base_and_override(tmp_path, HEAD + f"    {base}\n",
                                                    f"services:\n  app:\n    {override}\n")
    if rc != 0:
        assert [p.message for p in project.problems] == [err.strip().split(": ", 1)[1]], err
        assert project.problems[0].file == tmp_path / "override.yaml"
        return
    assert project.ok, project.problems
    assert json.loads(render(project, "json", mask_secrets=False)) == expected

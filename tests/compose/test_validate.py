"""dockyard refuses what compose refuses: ``env render`` stops with compose's message, and ``check`` / ``env check``
report it at the offending key. The real ``docker compose config`` refuses every case too, naming the same
problem (the files are written for these tests)."""

import re

import pytest

from dockyard.cli import main
from tests.compose import _oracle
from tests.helpers import chdir, run_files, write_tree

IMAGE = "    image: nginx:1.27\n"

# name: (compose.yaml, dockyard's message, the finding's (code, line, column))
CASES = {
    "unknown-key": ("services:\n  web:\n" + IMAGE + "    restrat: always\n",
                    "services.web additional properties 'restrat' not allowed", ("CO002", 4, 5)),
    "unknown-top-level-key": ("services:\n  web:\n" + IMAGE + "service:\n  db: {}\n",
                              "additional properties 'service' not allowed", ("CO002", 4, 1)),
    "wrong-type": ("services:\n  web:\n" + IMAGE + "    restart: 3\n",
                   "services.web.restart must be a string", ("CO002", 4, 5)),
    "not-in-enum": ("services:\n  web:\n" + IMAGE + "    depends_on:\n      db:\n        condition: ready\n"
                    "  db:\n" + IMAGE,
                    "services.web.depends_on.db.condition value must be one of 'service_started', "
                    "'service_healthy', 'service_completed_successfully'", ("CO002", 6, 9)),
    "missing-property": ("services:\n  web:\n" + IMAGE + "    develop:\n      watch:\n        - path: ./src\n",
                         "services.web.develop.watch.0 missing property 'action'", ("CO002", 6, 11)),
    "pattern": ("services:\n  web:\n" + IMAGE + "    pull_policy: sometimes\n",
                "services.web.pull_policy 'sometimes' does not match pattern "
                "'always|never|build|if_not_present|missing|refresh|daily|weekly|every_([0-9]+[wdhms])+'",
                ("CO002", 4, 5)),
    "service-not-a-mapping": ("services:\n  web: nginx\n", "services.web must be a mapping", ("CO002", 2, 3)),
    "service-empty": ("services:\n  web:\n  db:\n" + IMAGE, "services.web must be a mapping", ("CO002", 2, 3)),
    "helm-chart": ("apiVersion: v2\nname: chart\ndescription: A chart\nversion: 0.1.0\n",
                   "additional properties 'apiVersion', 'description' not allowed", ("CO002", 1, 1)),
    "empty-file": ("", "empty compose file", ("CO001", 1, 1)),
    "self-dependency": ("services:\n  web:\n" + IMAGE + "    depends_on: [web]\n",
                        "dependency cycle detected: web -> web", ("CO035", 4, 18)),
    "dependency-cycle": ("services:\n  a:\n" + IMAGE + "    depends_on:\n      b:\n        condition: service_started\n"
                         "  b:\n" + IMAGE + "    depends_on:\n      c:\n        condition: service_started\n"
                         "  c:\n" + IMAGE + "    depends_on:\n      a:\n        condition: service_started\n",
                         "dependency cycle detected: a -> b -> c -> a", ("CO035", 15, 7)),
    "undefined-dependency": ("services:\n  web:\n" + IMAGE + "    depends_on: [db]\n",
                             'service "web" depends on undefined service "db": invalid compose project',
                             ("CO035", 4, 18)),
    "undefined-link": ("services:\n  web:\n" + IMAGE + "    links:\n      - db:database\n",
                       'service "web" depends on undefined service "db": invalid compose project', ("CO035", 5, 9)),
    "undefined-volumes-from": ("services:\n  web:\n" + IMAGE + "    volumes_from:\n      - data:ro\n",
                               'service "web" depends on undefined service "data": invalid compose project',
                               ("CO035", 5, 9)),
    "undefined-network-mode-service": ("services:\n  web:\n" + IMAGE + "    network_mode: service:vpn\n",
                                       'service "web" depends on undefined service "vpn": invalid compose project',
                                       ("CO035", 4, 5)),
    "undefined-network": ("services:\n  web:\n" + IMAGE + "    networks:\n      backend: {}\n",
                          'service "web" refers to undefined network backend: invalid compose project',
                          ("CO035", 5, 7)),
    "undefined-network-in-list": ("services:\n  web:\n" + IMAGE + "    networks: [front, back]\nnetworks:\n"
                                  "  front: {}\n",
                                  'service "web" refers to undefined network back: invalid compose project',
                                  ("CO035", 4, 23)),
    "undefined-volume": ("services:\n  web:\n" + IMAGE + "    volumes:\n      - pgdata:/var/lib/data\n",
                         'service "web" refers to undefined volume pgdata: invalid compose project', ("CO035", 5, 9)),
    "undefined-secret": ("services:\n  web:\n" + IMAGE + "    secrets:\n      - db_password\n",
                         'service "web" refers to undefined secret db_password: invalid compose project',
                         ("CO035", 5, 9)),
    "undefined-config": ("services:\n  web:\n" + IMAGE + "    configs:\n      - source: nginx_conf\n"
                         "        target: /etc/nginx/nginx.conf\n",
                         'service "web" refers to undefined config nginx_conf: invalid compose project',
                         ("CO035", 5, 9)),
    "undefined-build-secret": ("services:\n  web:\n    build:\n      context: .\n      secrets: [npmrc]\n",
                               'service "web" refers to undefined build secret npmrc: invalid compose project',
                               ("CO035", 5, 17)),
    "no-image-no-build": ("services:\n  web:\n    command: [\"sleep\", \"1\"]\n",
                          'service "web" has neither an image nor a build context specified: invalid compose project',
                          ("CO035", 2, 3)),
    "platform-not-built": ("services:\n  web:\n    platform: linux/amd64\n    build:\n      context: .\n"
                           "      platforms: [linux/arm64]\n",
                           'service.build.platforms MUST include service.platform "linux/amd64": invalid compose '
                           "project", ("CO035", 3, 5)),
    "secret-without-source": ("services:\n  web:\n" + IMAGE + "    secrets: [token]\nsecrets:\n  token: {}\n",
                              "secrets.token: one of file|environment must be set", ("CO035", 6, 3)),
    "external-volume-with-driver": ("services:\n  web:\n" + IMAGE + "    volumes: [\"data:/data\"]\nvolumes:\n"
                                    "  data:\n    external: true\n    driver: local\n",
                                    'volumes.data: conflicting parameters "external" and "driver" specified',
                                    ("CO035", 8, 5)),
    "volume-empty-section": ("services:\n  web:\n" + IMAGE + "    volumes:\n      - :/data\n",
                             "invalid spec: :/data: empty section between colons", ("CO035", 5, 9)),
    "volume-too-many-colons": ("services:\n  web:\n" + IMAGE + "    volumes:\n      - ./src:/app:ro:z\n",
                               "invalid spec: ./src:/app:ro:z: too many colons", ("CO035", 5, 9)),
    "port-not-a-number": ("services:\n  web:\n" + IMAGE + "    ports:\n      - \"8000:http\"\n",
                          "invalid containerPort: http", ("CO035", 5, 9)),
    "port-out-of-range": ("services:\n  web:\n" + IMAGE + "    ports:\n      - \"80000:80\"\n",
                          "invalid hostPort: 80000", ("CO035", 5, 9)),
    "port-bad-address": ("services:\n  web:\n" + IMAGE + "    ports:\n      - \"127.0.0:80:80\"\n",
                         "invalid IP address: 127.0.0", ("CO035", 5, 9)),
    "port-ranges-differ": ("services:\n  web:\n" + IMAGE + "    ports:\n      - \"8000:9000-9001\"\n",
                           "invalid ranges specified for container and host Ports: 9000-9001 and 8000",
                           ("CO035", 5, 9)),
    "ssh-key-spec": ("services:\n  web:\n    build:\n      context: .\n      ssh:\n        - default\n"
                     "        - mykey\n", 'invalid ssh key "mykey"', ("CO035", 7, 11)),
    "healthcheck-test": ("services:\n  web:\n" + IMAGE + "    healthcheck:\n      test: [\"curl\", \"-f\", \"x\"]\n",
                         'healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"', ("CO035", 5, 7)),
    "duplicate-container-name": ("services:\n  web:\n" + IMAGE + "    container_name: app\n  worker:\n" + IMAGE +
                                 "    container_name: app\n",
                                 'services.worker: container name "app" is already in use by service "web"',
                                 ("CO035", 7, 5)),
    "extends-unknown-service": ("services:\n  web:\n" + IMAGE + "    extends: base\n",
                                'cannot extend service "web" in compose.yaml: service "base" not found',
                                ("CO035", 4, 5)),
    "non-string-key": ("services:\n  web:\n" + IMAGE + "    labels:\n      1: one\n",
                       "non-string key in services.web.labels: 1", ("CO035", 5, 7)),
    "port-without-target": ("services:\n  web:\n" + IMAGE + "    ports:\n      - published: 8080\n",
                            "service ports services.web.ports.[0] is missing a target port", ("CO035", 5, 9)),
    "volume-without-target": ("services:\n  web:\n" + IMAGE + "    volumes:\n      - type: volume\n"
                              "        source: data\nvolumes:\n  data: {}\n",
                              "service volume services.web.volumes.[0] is missing a mount target", ("CO035", 5, 9)),
    "device-mapping": ("services:\n  web:\n" + IMAGE + "    devices:\n      - /dev/a:/dev/b:rwm:x\n",
                       "confusing device mapping, please use long syntax: /dev/a:/dev/b:rwm:x", ("CO035", 5, 9)),
    "duration": ("services:\n  web:\n" + IMAGE + "    healthcheck:\n      test: [\"CMD\", \"true\"]\n"
                 "      interval: 30x\n",
                 "'services[web].healthcheck.interval' time: unknown unit \"x\" in duration \"30x\"", ("CO035", 6, 7)),
    "byte-size": ("services:\n  web:\n" + IMAGE + "    mem_limit: 512zb\n",
                  "'services[web].mem_limit' invalid suffix: 'zb'", ("CO035", 4, 5)),
    "cpus-not-a-number": ("services:\n  web:\n" + IMAGE + "    deploy:\n      resources:\n        limits:\n"
                          "          cpus: half\n",
                          "'services[web].deploy.resources.limits.cpus' strconv.ParseFloat: parsing \"half\": invalid "
                          "syntax", ("CO035", 7, 11)),
    "extra-host-without-ip": ("services:\n  web:\n" + IMAGE + "    extra_hosts:\n      - db.local\n",
                              "'services[web].extra_hosts' invalid additional host, missing IP: db.local",
                              ("CO035", 5, 9)),
    "negative-scale": ("services:\n  web:\n" + IMAGE + "    scale: -1\n",
                       "services.web.scale: must be greater than or equal to 0", ("CO035", 4, 5)),
    "gpu-count-and-ids": ("services:\n  web:\n" + IMAGE + "    gpus:\n      - count: 1\n        device_ids: [\"0\"]\n",
                          'services.web.gpus.[]: "count" and "device_ids" attributes are exclusive',
                          ("CO035", 5, 9)),
    "watch-path-blank": ("services:\n  web:\n" + IMAGE + "    develop:\n      watch:\n        - path: \"\"\n"
                         "          action: rebuild\n",
                         "services.web.develop.watch.[].path: value can't be blank", ("CO035", 6, 11)),
    "watch-target-missing": ("services:\n  web:\n" + IMAGE + "    develop:\n      watch:\n        - path: ./src\n"
                             "          action: sync\n",
                             "services.web.develop.watch: target is required for non-rebuild actions: invalid compose "
                             "project", ("CO035", 6, 11)),
    "tmpfs-and-volume-at-one-target": ("services:\n  web:\n" + IMAGE + "    tmpfs: /cache\n    volumes:\n"
                                       "      - ./cache:/cache\n",
                                       "services.web.volumes[0]: target /cache already mounted as "
                                       "services.web.tmpfs[0]", ("CO035", 6, 9)),
    "container-name-with-replicas": ("services:\n  web:\n" + IMAGE + "    container_name: web\n    deploy:\n"
                                     "      replicas: 2\n",
                                     "services.web: can't set container_name and deploy.replicas as container name "
                                     "must be unique: invalid compose project", ("CO035", 4, 5)),
    "dockerfile-and-inline": ("services:\n  web:\n    build:\n      context: .\n      dockerfile: Dockerfile\n"
                              "      dockerfile_inline: FROM scratch\n",
                              'service "web" declares mutualy exclusive dockerfile and dockerfile_inline: invalid '
                              "compose project", ("CO035", 6, 7)),
    "additional-context-unknown-service": ("services:\n  web:\n    build:\n      context: .\n"
                                           "      additional_contexts:\n        base: service:base\n",
                                           'service "web" declares unknown service "base" as additional contexts base',
                                           ("CO035", 6, 9)),
    "cpus-set-twice": ("services:\n  web:\n" + IMAGE + "    cpus: 1\n    deploy:\n      resources:\n"
                       "        limits:\n          cpus: \"2\"\n",
                       "services.web: can't set distinct values on 'cpus' and 'deploy.resources.limits.cpus': invalid "
                       "compose project", ("CO035", 4, 5)),
    "memory-set-twice": ("services:\n  web:\n" + IMAGE + "    mem_limit: 1g\n    deploy:\n      resources:\n"
                         "        limits:\n          memory: 2g\n",
                         "services.web: can't set distinct values on 'mem_limit' and 'deploy.resources.limits.memory': "
                         "invalid compose project", ("CO035", 4, 5)),
    "undefined-model": ("services:\n  web:\n" + IMAGE + "    models:\n      - llm\n",
                        'service "web" refers to undefined model llm: invalid compose project', ("CO035", 5, 9)),
    "config-two-sources": ("services:\n  web:\n" + IMAGE + "    configs: [nginx]\nconfigs:\n  nginx:\n"
                           "    file: ./nginx.conf\n    content: \"server {}\"\n",
                           "configs.nginx: file|environment|content attributes are mutually exclusive",
                           ("CO035", 8, 5)),
    "extends-cycle": ("services:\n  web:\n" + IMAGE + "    extends: worker\n  worker:\n" + IMAGE +
                      "    extends: web\n",
                      "Circular reference: web in compose.yaml extends worker in compose.yaml extends web in "
                      "compose.yaml", ("CO035", 7, 5)),  # at the `extends` that closes the loop
}
# compose words these differently from dockyard: (its words, why)
COMPOSE_WORDS = {
    # compose-go swaps its arguments: `services.deploy.replicas: can't set container_name and web as ...`
    "container-name-with-replicas": "services.deploy.replicas: can't set container_name and web as container name "
                                    "must be unique: invalid compose project",
}


def _render(tmp_path, capsys, *files):
    args = ["env", "render"]
    for f in files:
        args += ["-f", f]
    with chdir(tmp_path):
        code = main(args + ["--format", "json"])
    return code, capsys.readouterr()


@pytest.mark.parametrize("name", sorted(CASES))
def test_render_refuses_with_compose_message(name, tmp_path, capsys):
    text, message, _ = CASES[name]
    write_tree(tmp_path, {"compose.yaml": text})
    code, out = _render(tmp_path, capsys, "compose.yaml")
    assert code == 1 and out.out == ""
    lines = out.err.strip().splitlines()
    if name.startswith("extends"):  # compose names the file the service is looked for in, in full
        message = message.replace("in compose.yaml", f"in {tmp_path / 'compose.yaml'}")
    assert lines == [f"dockyard: {tmp_path / 'compose.yaml'}: {message}"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_reports_it_at_the_offending_key(name, tmp_path):
    text, message, (code, line, column) = CASES[name]
    found = run_files(tmp_path, {"compose.yaml": text}, select=("CO001", "CO002", "CO003", "CO035"))
    assert [(f.code, f.path, f.position.line, f.position.column) for f in found] == [
        (code, "compose.yaml", line, column)]
    # CO001 words an empty file its own way, with what it needs
    assert message in found[0].message or code == "CO001" and found[0].message.startswith("compose file is empty")


@pytest.mark.parametrize("name", ["undefined-dependency", "unknown-key", "empty-file"])
def test_env_check_reports_it(name, tmp_path, capsys):
    text, message, (code, line, column) = CASES[name]
    write_tree(tmp_path, {"compose.yaml": text})
    assert main(["env", "check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"compose.yaml:{line}:{column}: {code} error: " in out
    assert message in out or code == "CO001" and "compose file is empty" in out


def _compose_problem(stderr: str) -> str:
    """compose's last line, without its `validating FILE:` prefix (the file is named by dockyard's own prefix)."""
    last = stderr.strip().splitlines()[-1]
    return re.sub(r"^validating [^:]+: ", "", last).strip()


def _words(text: str) -> set[str]:
    # compose lists unknown properties in Go's random map order
    return set(re.findall(r"[\w.\-/\"']+", text))


@pytest.mark.skipif(not _oracle.available(), reason="docker compose binary missing")
@pytest.mark.parametrize("name", sorted(set(CASES) - {"duplicate-container-name", "extends-unknown-service",
                                                       "extends-cycle"}))
def test_docker_compose_refuses_it_too_with_the_same_message(name, tmp_path):
    text, message, _ = CASES[name]
    write_tree(tmp_path, {"compose.yaml": text})
    rc, _, err = _oracle.run_config(tmp_path, ["compose.yaml"], extra=[])
    assert rc == 1
    assert _words(_compose_problem(err)) == _words(COMPOSE_WORDS.get(name, message).strip())


@pytest.mark.skipif(not _oracle.available(), reason="docker compose binary missing")
def test_docker_compose_words_extends_and_container_names_alike(tmp_path):
    text, message, _ = CASES["extends-unknown-service"]
    write_tree(tmp_path, {"compose.yaml": text})
    rc, _, err = _oracle.run_config(tmp_path, ["compose.yaml"])
    assert rc == 1 and _compose_problem(err) == message.replace("compose.yaml", str(tmp_path / "compose.yaml"))
    text, message, _ = CASES["duplicate-container-name"]
    write_tree(tmp_path, {"compose.yaml": text})
    rc, _, err = _oracle.run_config(tmp_path, ["compose.yaml"])
    # compose names the other service as `{}"` (a formatting slip in compose-go); dockyard names it
    # and reports whichever service Go's map order meets second
    assert rc == 1 and re.match(r'services\.(web|worker): container name "app" is already in use', _compose_problem(err))


ACCEPTED = {
    "drive-letter-volume": "services:\n  web:\n" + IMAGE + "    volumes: [\"c:/data:/data\"]\n",
    "optional-dependency": "services:\n  web:\n" + IMAGE + "    depends_on:\n      db:\n"
                           "        condition: service_started\n        required: false\n  db:\n" + IMAGE +
                           "    profiles: [debug]\n",
    "profile-disabled-pair": "services:\n  web:\n" + IMAGE + "    profiles: [a]\n    depends_on: [db]\n  db:\n" +
                             IMAGE + "    profiles: [b]\n",
    "build-secret-defined": "services:\n  web:\n    build:\n      context: .\n      secrets: [npmrc]\n"
                            "secrets:\n  npmrc:\n    file: ./npmrc\n",
    "extensions-only": "x-common:\n  restart: always\n",
    "port-range-to-one": "services:\n  web:\n" + IMAGE + "    ports: [\"8000-8001:8000\", \"[::1]:81:81\"]\n",
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_what_compose_accepts_renders(name, tmp_path, capsys):
    write_tree(tmp_path, {"compose.yaml": ACCEPTED[name], "npmrc": ""})
    code, out = _render(tmp_path, capsys, "compose.yaml")
    assert code == 0, out.err
    if _oracle.available():
        rc, _, err = _oracle.run_config(tmp_path, ["compose.yaml"])
        assert rc == 0, err


def test_discovery_leaves_other_yaml_alone(tmp_path):
    # a Helm chart and a linter config are no compose files: nothing judges them as one
    found = run_files(tmp_path, {
        "compose.yaml": "services:\n  web:\n" + IMAGE,
        "chart/Chart.yaml": "apiVersion: v2\nname: chart\nversion: 0.1.0\n",
        "chart/values.yaml": "replicaCount: 1\n",
        ".golangci.yml": "linters:\n  enable: [govet]\n",
    }, select="CO")
    assert not [f for f in found if f.path != "compose.yaml"]
    assert not [f for f in found if f.code in ("CO001", "CO002", "CO035")]


def test_render_refuses_a_helm_chart_named_with_f(tmp_path, capsys):
    write_tree(tmp_path, {"Chart.yaml": "apiVersion: v2\nname: chart\nversion: 0.1.0\n"})
    code, out = _render(tmp_path, capsys, "Chart.yaml")
    assert code == 1 and out.err.strip().endswith(": additional properties 'apiVersion' not allowed")


def test_a_refusal_in_an_override_points_into_the_override(tmp_path):
    found = run_files(tmp_path, {
        "docker-compose.base.yml": "services:\n  app:\n" + IMAGE,
        "docker-compose.dev.yml": "services:\n  app:\n    depends_on: [cache]\n",
    }, select="CO035")
    assert [(f.path, f.position.line, f.position.column) for f in found] == [("docker-compose.dev.yml", 3, 18)]
    assert found[0].message == ('compose refuses environment `dev`: service "app" depends on undefined service '
                                '"cache": invalid compose project')


# include and extends, worded as compose words them: (files, the file given to compose, message with {dir})
INCLUDE_EXTENDS = {
    "include-cycle": ({"compose.yaml": "include:\n  - compose.yaml\nservices:\n  web:\n" + IMAGE},
                      "include cycle detected: {dir}/compose.yaml include {dir}/compose.yaml"),
    "extends-without-service": ({"compose.yaml": "services:\n  web:\n" + IMAGE + "    extends:\n"
                                                 "      file: base.yaml\n", "base.yaml": "services: {}\n"},
                                "extends.web.service is required"),
    "extends-missing-file": ({"compose.yaml": "services:\n  web:\n" + IMAGE + "    extends:\n"
                                              "      file: missing.yaml\n      service: base\n"},
                             "open {dir}/missing.yaml: no such file or directory"),
    "include-missing-file": ({"compose.yaml": "include:\n  - missing.yaml\nservices:\n  web:\n" + IMAGE},
                             "open {dir}/missing.yaml: no such file or directory"),
}


@pytest.mark.parametrize("name", sorted(INCLUDE_EXTENDS))
def test_include_and_extends_errors_are_worded_as_compose_words_them(name, tmp_path, capsys):
    files, message = INCLUDE_EXTENDS[name]
    write_tree(tmp_path, files)
    message = message.format(dir=tmp_path)
    code, out = _render(tmp_path, capsys, "compose.yaml")
    assert code == 1 and out.err.strip().splitlines()[0].endswith(f": {message}")
    if _oracle.available():
        rc, _, err = _oracle.run_config(tmp_path, ["compose.yaml"])
        # compose breaks an include cycle over lines: `include cycle detected:\nA\n include A`
        assert rc == 1 and " ".join(err.split()) .endswith(" ".join(message.split()))


def test_check_reports_an_include_cycle_and_an_extends_error(tmp_path):
    found = run_files(tmp_path, {"compose.yaml": "include:\n  - compose.yaml\nservices:\n  web:\n" + IMAGE},
                      select="CO035")
    assert [(f.path, f.position.line, f.position.column, f.message) for f in found] == [
        ("compose.yaml", 2, 5, "compose refuses environment `default`: include cycle detected: compose.yaml include "
                               "compose.yaml")]
    text = INCLUDE_EXTENDS["extends-without-service"][0]["compose.yaml"]
    found = run_files(tmp_path / "ext", {"compose.yaml": text, "base.yaml": "services: {}\n"}, select="CO035")
    assert [(f.path, f.position.line, f.position.column, f.message) for f in found] == [
        ("compose.yaml", 4, 5, "compose refuses environment `default`: extends.web.service is required")]


@pytest.mark.skipif(not _oracle.available(), reason="docker compose binary missing")
def test_docker_compose_words_an_extends_cycle_over_lines(tmp_path):
    text, message, _ = CASES["extends-cycle"]
    write_tree(tmp_path, {"compose.yaml": text})
    rc, _, err = _oracle.run_config(tmp_path, ["compose.yaml"])
    where = tmp_path / "compose.yaml"
    # from whichever service Go's map order gives first
    assert rc == 1 and " ".join(err.split()) in (
        f"Circular reference: web in {where} extends worker in {where} extends web in {where}",
        f"Circular reference: worker in {where} extends web in {where} extends worker in {where}")

"""A property of the whole compose model: for generated compose files over the top-level and service keys (valid
values, in every form the specification allows), dockyard's ``env render --show-secrets --format json`` model
equals the real ``docker compose config --format json`` whenever compose accepts the file, and dockyard refuses
what compose refuses."""

from __future__ import annotations

import json
import posixpath
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from tests.compose import _oracle

from dockyard.compose.loader import load_project  # noqa: E402
from dockyard.compose.normalize import parse_volume  # noqa: E402
from dockyard.compose.render import render  # noqa: E402

ENV = {**_oracle.BASE_ENV, "FROM_SHELL": "shell-value", "API_TOKEN": "t0k3n-value"}
NAMES = ("db", "web", "worker", "cache")
NETWORKS = ("front", "back")
VOLUMES = ("data", "logs")

word = st.sampled_from(("a", "alpha", "x1", "FROM_SHELL", "MISSING", "Z_9"))
scalar = st.one_of(st.sampled_from(("v", "two words", "", "0123", "a=b", "$$HOME")), st.integers(-5, 70000),
                   st.booleans(), st.sampled_from((0.5, 1.0, 1e6, 2.25)))


def list_or_map(keys=word, values=scalar, missing=True):
    entry = st.tuples(keys, st.one_of(values, st.none()) if missing else values)
    as_map = st.dictionaries(keys, st.one_of(values, st.none()) if missing else values, max_size=3)
    as_list = st.lists(entry, max_size=3).map(
        lambda items: [k if v is None else f"{k}={json.dumps(v) if isinstance(v, bool) else v}" for k, v in items])
    return st.one_of(as_map, as_list)


def string_or_list(item):
    return st.one_of(item, st.lists(item, min_size=1, max_size=3, unique=True))


command = st.one_of(st.sampled_from(("run --port 80", "sh -c 'echo \"hi there\"'", "python app.py")),
                    st.lists(st.sampled_from(("python", "-m", "app", "--flag", "two words")), min_size=1, max_size=4))
short_volume = st.sampled_from(("data:/data", "logs:/var/log/", "./src:/app/src", "./a/../b/:/b:ro", "/media/:/media/",
                                "/tmp:/tmp:rw", "./cfg:/cfg:ro,z", "/anon/path", "data:/nocopy:nocopy",
                                "C:\\work\\dir:/win"))
long_volume = st.one_of(
    st.builds(lambda s, t, ro: {"type": "bind", "source": s, "target": t, **({"read_only": True} if ro else {})},
              st.sampled_from(("./rel", "./x/../y/", "/abs/", ".")), st.sampled_from(("/t", "/t/", "/a/./b")),
              st.booleans()),
    st.builds(lambda s, t: {"type": "volume", "source": s, "target": t},
              st.sampled_from(VOLUMES), st.sampled_from(("/v", "/v/"))),
    st.just({"type": "tmpfs", "target": "/scratch", "tmpfs": {"size": 1024}}))
port = st.one_of(st.sampled_from(("80", "8080:80", "127.0.0.1:8000:8000", "9000-9001:9000-9001", "53:53/udp")),
                 st.builds(lambda t, p: {"target": t, **({"published": p} if p else {})},
                           st.integers(1, 9999), st.sampled_from((None, "8081", 8082))))
duration = st.sampled_from(("10s", "90s", "1m30s", "500ms", "2h"))
host_entry = st.sampled_from(("h1=10.0.0.1", "h2:10.0.0.2", "h3=[::1]", "h4=10.0.0.4,10.0.0.5"))


def _target(volume) -> str:  # two mounts at one target are refused (a validation, tested apart)
    return posixpath.normpath(volume["target"] if isinstance(volume, dict) else parse_volume(volume)["target"])


@st.composite
def service(draw, index: int, secrets: list[str], configs: list[str], networks: list[str]):
    earlier = list(NAMES[:index])
    svc: dict = {}
    if draw(st.booleans()):
        svc["image"] = draw(st.sampled_from(("alpine", "python:3.12-slim", "postgres:16")))
    else:
        svc["build"] = draw(st.one_of(st.just("."), st.builds(
            lambda d, args, labels, target: {"context": ".", **d, **args, **labels, **target},
            st.sampled_from(({}, {"dockerfile": "Dockerfile.dev"}, {"dockerfile_inline": "FROM alpine"},
                             {"dockerfile": ""})),
            st.one_of(st.just({}), list_or_map().map(lambda a: {"args": a})),
            st.one_of(st.just({}), list_or_map(missing=False).map(lambda a: {"labels": a})),
            st.sampled_from(({}, {"target": "prod"}, {"target": ""})))))
    optional = {
        "command": command, "entrypoint": command,
        "environment": list_or_map(), "labels": list_or_map(), "annotations": list_or_map(missing=False),
        "expose": st.lists(st.one_of(st.integers(1, 65535), st.sampled_from(("3000", "4000-4001", "53/udp"))),
                           max_size=3),
        "ports": st.lists(port, max_size=3),
        "volumes": st.lists(st.one_of(short_volume, long_volume), max_size=3, unique_by=_target),
        "sysctls": list_or_map(st.sampled_from(("net.core.somaxconn", "kernel.shmmax")), st.integers(1, 4096),
                               missing=False),
        "extra_hosts": st.one_of(st.lists(host_entry, max_size=3, unique=True),
                                 st.dictionaries(st.sampled_from(("m1", "m2")), st.sampled_from(("10.1.1.1", "::2")),
                                                 max_size=2)),
        "dns": string_or_list(st.sampled_from(("8.8.8.8", "1.1.1.1"))),
        "dns_search": string_or_list(st.sampled_from(("example.com", "corp.local"))),
        "tmpfs": string_or_list(st.sampled_from(("/run", "/tmp:size=64m"))),
        "restart": st.sampled_from(("no", "always", "unless-stopped", "on-failure:3")),
        "user": st.sampled_from(("1000", "app:app", "")), "working_dir": st.sampled_from(("/app", "")),
        "hostname": st.sampled_from(("svc", "")), "platform": st.sampled_from(("linux/amd64", "")),
        "stop_signal": st.just("SIGTERM"), "stop_grace_period": duration,
        "healthcheck": st.builds(lambda t, i, r: {"test": t, "interval": i, "retries": r},
                                 st.one_of(st.just("curl -f http://localhost/"), st.just(["CMD", "true"])),
                                 duration, st.integers(1, 5)),
        "deploy": st.builds(lambda c, m, lab: {"resources": {"limits": {"cpus": c, "memory": m}}, "labels": lab},
                            st.sampled_from(("0.5", 1, "2")), st.sampled_from(("512m", "1g", "100M")),
                            list_or_map(missing=False)),
        "ulimits": st.dictionaries(st.sampled_from(("nofile", "nproc")),
                                   st.one_of(st.integers(1, 65535),
                                             st.builds(lambda s: {"soft": s, "hard": s * 2}, st.integers(1, 1000))),
                                   max_size=2),
        "init": st.booleans(), "privileged": st.booleans(), "read_only": st.booleans(), "tty": st.booleans(),
        "cap_add": st.lists(st.sampled_from(("NET_ADMIN", "SYS_TIME")), max_size=2, unique=True),
        "mem_limit": st.sampled_from(("512m", "1g", 1073741824)), "shm_size": st.sampled_from(("64m", "1gb")),
        "post_start": st.lists(command.map(lambda c: {"command": c}), max_size=1),
        "x-note": st.sampled_from(("kept", 1)),
        "pull_policy": st.sampled_from(("always", "if_not_present", "missing", "never")),
        "logging": st.builds(lambda o: {"driver": "json-file", "options": o},
                             st.dictionaries(st.sampled_from(("max-size", "max-file")),
                                             st.sampled_from(("10m", 3, "5")), max_size=2)),
        "devices": st.lists(st.sampled_from(("/dev/sda:/dev/xvda:rwm", "/dev/null", "/dev/fuse:/dev/f")),
                            max_size=2, unique=True),
        "gpus": st.one_of(st.just("all"), st.lists(st.sampled_from(
            ({"driver": "nvidia"}, {"count": 2}, {"count": "all"}, {"device_ids": ["0"]})), max_size=2)),
        "group_add": st.lists(st.sampled_from((100, "audio", "0")), max_size=2, unique=True),
        "cpus": st.sampled_from((0, 0.5, 1.5, "2")), "cpu_shares": st.sampled_from((0, 512)),
        "oom_score_adj": st.sampled_from((0, -500)), "pids_limit": st.sampled_from((0, 100)),
        "blkio_config": st.builds(lambda w, bps, iops: {"weight": w, "device_read_bps": bps,
                                                        "device_write_iops": iops},
                                  st.sampled_from((0, 300)),
                                  st.lists(st.sampled_from(({"path": "/dev/sda", "rate": "1mb"},
                                                            {"path": "/dev/sdb", "rate": 1024})), max_size=1),
                                  st.lists(st.just({"path": "/dev/sda", "rate": 100}), max_size=1)),
        "security_opt": st.just(["no-new-privileges:true"]), "stdin_open": st.booleans(),
        "domainname": st.sampled_from(("example.com", "")), "storage_opt": st.just({"size": "1G"}),
        "env_file": st.sampled_from(("e.env", ["e.env"], [{"path": "e.env", "required": False}],
                                     [{"path": "e.env", "format": "raw"}])),
        "label_file": st.sampled_from(("l.txt", ["l.txt"])),
        "oom_kill_disable": st.booleans(),
    }
    if earlier:
        optional["depends_on"] = st.one_of(
            st.lists(st.sampled_from(earlier), min_size=1, unique=True),
            st.dictionaries(st.sampled_from(earlier), st.sampled_from(
                ({"condition": "service_started"}, {"condition": "service_healthy", "restart": True},
                 {"condition": "service_completed_successfully", "required": False})), min_size=1))
        optional["links"] = st.lists(st.sampled_from(earlier).flatmap(
            lambda n: st.sampled_from((n, f"{n}:{n}-alias"))), max_size=2, unique_by=lambda x: x.split(":")[0])
        optional["volumes_from"] = st.lists(st.sampled_from(earlier).flatmap(
            lambda n: st.sampled_from((n, f"{n}:ro"))), max_size=1)
        optional["ipc"] = st.sampled_from(["host", "shareable"] + [f"service:{n}" for n in earlier])
        optional["pid"] = st.sampled_from(["host"] + [f"service:{n}" for n in earlier])
    if secrets:
        optional["secrets"] = st.lists(st.sampled_from(secrets).flatmap(lambda s: st.sampled_from(
            (s, {"source": s}, {"source": s, "target": "/etc/x", "mode": 0o440}))), max_size=2,
            unique_by=lambda x: x if isinstance(x, str) else x["source"])
    if configs:
        optional["configs"] = st.lists(st.sampled_from(configs), max_size=2, unique=True)
    chosen = draw(st.lists(st.sampled_from(sorted(optional)), max_size=9, unique=True))
    for key in chosen:
        svc[key] = draw(optional[key])
    if "deploy" in svc:  # compose refuses a limit unlike the deploy limit (a validation, tested apart)
        for key in ("mem_limit", "pids_limit", "cpus"):
            svc.pop(key, None)
    if networks and draw(st.booleans()):
        svc["networks"] = draw(st.one_of(
            st.lists(st.sampled_from(networks), min_size=1, unique=True),
            st.dictionaries(st.sampled_from(networks), st.one_of(st.none(), st.builds(
                lambda a: {"aliases": a}, st.lists(st.sampled_from(("al", "b2")), max_size=3)),
                st.just({"priority": 10})), min_size=1)))
    elif earlier and draw(st.integers(0, 4)) == 0:
        svc["network_mode"] = f"service:{draw(st.sampled_from(earlier))}"
    return svc


@st.composite
def compose_file(draw) -> dict:
    secrets = draw(st.lists(st.sampled_from(("s_file", "s_env")), unique=True))
    configs = draw(st.lists(st.sampled_from(("c_file",)), unique=True))
    networks = draw(st.lists(st.sampled_from(NETWORKS), unique=True))
    count = draw(st.integers(1, len(NAMES)))
    doc: dict = {}
    if draw(st.booleans()):
        doc["name"] = draw(st.sampled_from(("demo", "My_Project")))
    doc["services"] = {NAMES[i]: draw(service(i, secrets, configs, networks)) for i in range(count)}
    if networks:
        doc["networks"] = {n: draw(st.sampled_from(({}, None, {"driver": "bridge"}, {"labels": ["tier=a", "x"]},
                                                    {"labels": {"tier": 1}}, {"external": True})))
                           for n in networks}
    doc["volumes"] = {v: draw(st.sampled_from((None, {}, {"labels": ["k=v"]}, {"external": True},
                                               {"driver": "local", "driver_opts": {"type": "none", "o": "bind",
                                                                                   "device": "./store/../data"}})))
                      for v in VOLUMES}
    if secrets:
        doc["secrets"] = {s: ({"file": "./s.txt"} if s == "s_file" else {"environment": "API_TOKEN"})
                          for s in secrets}
    if configs:
        doc["configs"] = {"c_file": {"file": "c.txt"}}
    if draw(st.booleans()):
        doc["x-common"] = {"anchor": draw(scalar)}
    return doc


@settings(max_examples=int(__import__("os").environ.get("CN_EXAMPLES", 60)), deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(compose_file())
def test_dockyard_renders_generated_files_as_compose_does(doc):
    text = yaml.safe_dump(doc, sort_keys=False)
    note(text)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "compose.yaml").write_text(text)
        (root / "s.txt").write_text("secret\n")
        (root / "c.txt").write_text("config\n")
        (root / "e.env").write_text("E1=one\nE2='quoted'\nE3=${FROM_SHELL}\n")
        (root / "l.txt").write_text("tier=from-file\nowner=team\n")
        rc, expected, err = _oracle.run_config(root, files=["compose.yaml"], env=ENV)
        project = load_project([root / "compose.yaml"], environ=dict(ENV))
        if rc != 0:
            note(f"compose refuses: {err}")
            assert not project.ok, f"compose refuses it ({err.strip()}); dockyard loads it"
            return
        assert project.ok, project.problems
        assert json.loads(render(project, "json", mask_secrets=False)) == expected


@settings(max_examples=int(__import__("os").environ.get("CN_EXAMPLES", 60)) // 2, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(compose_file(), compose_file())
def test_dockyard_merges_generated_override_files_as_compose_does(base, override):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, doc in (("compose.yaml", base), ("override.yaml", override)):
            (root / name).write_text(yaml.safe_dump(doc, sort_keys=False))
            note(f"{name}:\n{yaml.safe_dump(doc, sort_keys=False)}")
        for name, text in (("s.txt", "secret\n"), ("c.txt", "config\n"), ("e.env", "E1=one\n"),
                           ("l.txt", "tier=x\n")):
            (root / name).write_text(text)
        files = ["compose.yaml", "override.yaml"]
        rc, expected, err = _oracle.run_config(root, files=files, env=ENV)
        project = load_project([root / f for f in files], environ=dict(ENV))
        if rc != 0:  # two valid files can merge into an invalid model (a list item twice): validation's part
            note(f"compose refuses: {err}")
            return
        assert project.ok, project.problems
        assert json.loads(render(project, "json", mask_secrets=False)) == expected

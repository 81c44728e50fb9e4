"""The loader's last steps on the merged model (ported from compose-go v2.9.1's ``loader`` package; Apache
License 2.0; see THIRD_PARTY_NOTICES.md): the project's name, services that the active profiles leave out
dropped, each service's ``env_file`` values read under its ``environment``, string commands split, the default
network, durations and byte sizes as Go prints them, ``false`` flags left out, then
:func:`dockyard.compose.normalize.finalize`, the resources no service uses pruned, and resource names defaulted.
"""

from __future__ import annotations

from pathlib import Path

from dockyard import TYPE_CHECKING
from dockyard.compose import decoding, normalize, shellwords
from dockyard.compose.canonical import absolute
from dockyard.compose.gotypes import go_bytes, go_duration
from dockyard.compose.load_context import parse_env_data, read_disk
from dockyard.compose.model import LoadProblem
from dockyard.fsutil import NotRegularFile
from dockyard.model import Position

if TYPE_CHECKING:  # pragma: no cover
    from dockyard.compose.load_context import Reader


def finalize(model: dict, name: str, working_dir: Path, environment: dict, profiles: list[str],
             problems: list[LoadProblem], reader: Reader = read_disk, origins: dict | None = None) -> None:
    """The merged ``model`` as ``docker compose config`` prints it, in place (see the module's docstring); the
    env files services name are read with ``reader``, their problems recorded in ``problems``."""
    model["name"] = name
    model.pop("version", None)  # obsolete; compose warns and leaves it out
    services = model.get("services") or {}
    active = set(profiles)
    for sname in list(services):
        svc = services[sname]
        if not isinstance(svc, dict):
            continue
        sp = svc.get("profiles")
        if sp and "*" not in active and not (set(sp) & active):
            del services[sname]
    default_net_needed = False
    for sname, svc in services.items():
        if not isinstance(svc, dict):
            continue
        # env_file values, overridden by environment
        env_from_files: dict = {}
        for ef in svc.pop("env_file", None) or []:
            path = Path(ef["path"])
            try:
                data = reader(path)
            except NotRegularFile as exc:
                problems.append(LoadProblem(f"env file {path}: {exc.strerror}", path, kind="env-file"))
                continue
            except OSError:
                if ef.get("required", True):
                    problems.append(LoadProblem(f"env file {path} not found: stat {path}: no such file or "
                                                f"directory", path, kind="env-file"))
                continue
            if ef.get("format") not in (None, "", ".env"):  # docker compose registers one more: `raw`
                try:
                    env_from_files.update(normalize.raw_env_file(data, environment.get, ef["format"]))
                except ValueError as e:
                    problems.append(LoadProblem(f"failed to parse env_file {path}: {e}", path, kind="env-file"))
                continue
            parsed = parse_env_data(data, environment.get)
            for err in parsed.errors:
                problems.append(LoadProblem(f"failed to read {path}: {err.message}", path,
                                            Position(err.line, err.column),
                                            kind="budget" if err.kind == "budget" else "env-file",
                                            redacted=f"failed to read {path}: {err.safe_message}"))
            env_from_files.update(parsed.as_dict())
        env = svc.get("environment")
        if env_from_files or env is not None:
            merged_env = dict(env_from_files)
            for k, v in (env or {}).items():
                if v is None:
                    v = environment.get(k)
                    if v is None and k in env_from_files:
                        continue
                merged_env[k] = v
            svc["environment"] = merged_env
        for key in ("command", "entrypoint"):
            v = svc.get(key)
            if isinstance(v, str):
                svc[key] = shellwords.words(v)
            elif key not in svc:
                svc[key] = None
        for path, v in decoding.shell_commands(svc):
            if isinstance(v, str) and len(path) > 1:  # the hooks' and the watch actions' commands
                holder = svc
                for key in path[:-1]:
                    holder = holder[key]
                holder[path[-1]] = shellwords.words(v)
        if "networks" not in svc and "network_mode" not in svc and "provider" not in svc:
            svc["networks"] = {"default": None}
        if isinstance(svc.get("networks"), dict) and "default" in svc["networks"]:
            default_net_needed = True
        hc = svc.get("healthcheck")
        if isinstance(hc, dict):
            for k in ("interval", "timeout", "start_period", "start_interval"):
                if k in hc:
                    hc[k] = go_duration(hc[k])
        for k in ("stop_grace_period",):
            if k in svc:
                svc[k] = go_duration(svc[k])
        deploy = svc.get("deploy")
        if isinstance(deploy, dict):
            res = deploy.get("resources")
            if isinstance(res, dict):
                for part in ("limits", "reservations"):
                    r = res.get(part)
                    if isinstance(r, dict):
                        if "cpus" in r:
                            try:
                                r["cpus"] = float(r["cpus"])
                            except (TypeError, ValueError):
                                pass
                        if "memory" in r:
                            r["memory"] = go_bytes(r["memory"])
            deploy.setdefault("placement", {})
            deploy.setdefault("resources", {})
        for key in ("mem_limit", "mem_reservation", "memswap_limit", "shm_size"):
            if key in svc:
                svc[key] = go_bytes(svc[key])
        # boolean flags compose omits when false (`omitempty` in compose-go's types)
        _drop_false(svc, ("privileged", "read_only", "tty", "stdin_open", "oom_kill_disable"))
        if isinstance(hc, dict):
            _drop_false(hc, ("disable",))
        for vol in svc.get("volumes") or []:
            if isinstance(vol, dict):
                _drop_false(vol, ("read_only",))
                if isinstance(vol.get("volume"), dict):
                    _drop_false(vol["volume"], ("nocopy",))
    normalize.finalize(model, environment, origins, reader)
    nets = model.get("networks")
    if default_net_needed:
        nets = model.setdefault("networks", {}) if nets is not None else model.setdefault("networks", {})
        if nets is None:
            nets = model["networks"] = {}
        nets.setdefault("default", None)
    _prune_unused(model)
    for kind in ("networks", "volumes"):
        section = model.get(kind)
        if not isinstance(section, dict):
            continue
        for key in list(section):
            spec = section[key]
            spec = dict(spec) if isinstance(spec, dict) else {}
            _drop_false(spec, ("external", "internal", "attachable"))
            if spec.get("external"):
                spec.setdefault("name", key)
            else:
                spec.setdefault("name", f"{name}_{key}")
            if kind == "networks":
                spec.setdefault("ipam", {})
            section[key] = spec
    for kind in ("secrets", "configs"):
        section = model.get(kind)
        if isinstance(section, dict):
            for key, spec in section.items():
                if isinstance(spec, dict):
                    if "file" in spec:
                        spec["file"] = absolute(str(spec["file"]), working_dir)
                    _drop_false(spec, ("external",))
                    spec.setdefault("name", key if spec.get("external") else f"{name}_{key}")
    for svc in (model.get("services") or {}).values():  # a service's secret is mounted at /run/secrets/<name>
        for item in (svc.get("secrets") or ()) if isinstance(svc, dict) else ():
            if isinstance(item, dict) and isinstance(item.get("source"), str) and "target" not in item:
                item["target"] = f"/run/secrets/{item['source']}"


def _drop_false(mapping: dict, keys: tuple[str, ...]) -> None:
    for key in keys:
        if mapping.get(key) is False:
            del mapping[key]


def _prune_unused(model: dict) -> None:
    """compose-go's WithoutUnnecessaryResources: drop networks/volumes/secrets/configs no enabled service
    uses."""
    used: dict[str, set] = {"networks": set(), "volumes": set(), "secrets": set(), "configs": set()}
    for svc in (model.get("services") or {}).values():
        if not isinstance(svc, dict):
            continue
        used["networks"].update((svc.get("networks") or {}).keys())
        for v in svc.get("volumes") or []:
            if isinstance(v, dict) and v.get("type") == "volume" and v.get("source"):
                used["volumes"].add(v["source"])
        build = svc.get("build") if isinstance(svc.get("build"), dict) else {}
        for kind, items in (("secrets", svc.get("secrets")), ("configs", svc.get("configs")),
                            ("secrets", build.get("secrets"))):
            for s in items or []:
                if isinstance(s, dict) and s.get("source"):
                    used[kind].add(s["source"])
    for kind, names in used.items():
        section = model.get(kind)
        if isinstance(section, dict):
            for key in list(section):
                if key not in names:
                    del section[key]
            if not section:
                del model[kind]

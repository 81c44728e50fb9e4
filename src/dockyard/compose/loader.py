"""Load a compose project as ``docker compose config`` does: environment, interpolation, include, extends,
multi-file merge, normalisation. Problems are collected as values (:class:`LoadProblem`), never raised.

``load_project(files, env_files=None, project_dir=None, environ=None, profiles=None) -> Project``
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Mapping

from dockyard.compose.model import LoadProblem, Project
from dockyard.model import Position

_NAME_BAD = re.compile(r"[^a-z0-9_-]")
_SERVICE_LISTS_TO_MAP = ("labels", "annotations")


def normalize_project_name(name: str) -> str:
    name = _NAME_BAD.sub("", name.lower())
    return name.lstrip("_-")


def read_env_files(paths: list[Path], environ: Mapping[str, str],
                   problems: list[LoadProblem] | None = None) -> dict[str, str]:
    """Values of ``--env-file`` files (later files win); each file's expansions see the shell first,
    then earlier files (compose-go's GetEnvFromFile)."""
    from dockyard.parsers.dotenv import parse_env_bytes

    env: dict[str, str] = {}
    for p in paths:
        try:
            data = Path(p).read_bytes()
        except OSError as e:
            if problems is not None:
                problems.append(LoadProblem(f"couldn't read env file {p}: {e.strerror}", Path(p), kind="env-file"))
            continue

        def lookup(k: str) -> str | None:
            v = environ.get(k)
            return v if v is not None else env.get(k)

        parsed = parse_env_bytes(data, lookup)
        for err in parsed.errors:
            if problems is not None:
                problems.append(LoadProblem(f"failed to read {p}: {err.message}", Path(p),
                                            Position(err.line, err.column), kind="env-file"))
        env.update(parsed.as_dict())
    return env


class _Ctx:
    def __init__(self, environment: dict[str, str], problems: list[LoadProblem],
                 origins: dict, working_dir: Path) -> None:
        self.environment = environment
        self.problems = problems
        self.origins = origins
        self.working_dir = working_dir
        self.seen_files: set[Path] = set()


def load_project(files: list[str | Path], env_files: list[str | Path] | None = None,
                 project_dir: str | Path | None = None, environ: Mapping[str, str] | None = None,
                 profiles: list[str] | None = None) -> Project:
    environ = dict(os.environ if environ is None else environ)
    paths = [Path(f).absolute() for f in files]
    working_dir = Path(project_dir).absolute() if project_dir else (paths[0].parent if paths else Path.cwd())
    problems: list[LoadProblem] = []
    if env_files:
        ef = [Path(e).absolute() for e in env_files]
    else:
        default = working_dir / ".env"
        ef = [default] if default.is_file() else []
    file_env = read_env_files(ef, environ, problems)
    environment = dict(file_env)
    environment.update(environ)  # the shell wins over env files
    origins: dict = {}
    ctx = _Ctx(environment, problems, origins, working_dir)

    merged: dict = {}
    from dockyard.compose.merge import merge_models

    for p in paths:
        model = _load_file(p, ctx, working_dir)
        if model is None:
            continue
        merge_models(merged, model)

    if profiles is None:
        cp = environment.get("COMPOSE_PROFILES", "")
        profiles = [x for x in cp.split(",") if x] if cp else []
    name = merged.get("name") or environment.get("COMPOSE_PROJECT_NAME") or working_dir.name
    name = normalize_project_name(str(name))
    try:
        _finalize(merged, name, working_dir, environment, profiles, problems)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as e:
        problems.append(LoadProblem(f"invalid project: {e}", paths[0] if paths else None, kind="load"))
    return Project(name, working_dir, tuple(paths), tuple(ef), environment, merged, problems, origins,
                   tuple(profiles))


# --------------------------------------------------------------------------- per file


def _record_origins(node: Any, path: tuple, file: Path, origins: dict) -> None:
    from dockyard.parsers.yamlpos import YMap, YSeq

    stack = [(node, path)]
    while stack:
        n, p = stack.pop()
        if isinstance(n, YMap):
            for k, v in n.items():
                kp = n.key_pos(k)
                vp = n.value_pos(k)
                if kp is not None and vp is not None:
                    origins[p + (k,)] = (file, Position(kp.line, kp.column, vp.end_line, vp.end_column))
                stack.append((v, p + (k,)))
        elif isinstance(n, YSeq):
            for i, v in enumerate(n):
                ip = n.item_pos(i)
                if ip is not None:
                    origins[p + (i,)] = (file, ip)
                stack.append((v, p + (i,)))


def _interpolate(node: Any, path: tuple, ctx: _Ctx, file: Path) -> Any:
    from dockyard.parsers.interpolation import InterpolationError, substitute
    from dockyard.parsers.yamlpos import YMap, YSeq

    if isinstance(node, str):
        if "$" not in node:
            return node
        try:
            return substitute(node, ctx.environment.get)
        except InterpolationError as e:
            origin = ctx.origins.get(path)
            ctx.problems.append(LoadProblem(e.compose_message(".".join(str(x) for x in path)), file,
                                            origin[1] if origin else Position(), kind="interpolation"))
            return node
    if isinstance(node, YMap):
        for k in list(node.keys()):
            dict.__setitem__(node, k, _interpolate(node[k], path + (k,), ctx, file))
        return node
    if isinstance(node, YSeq):
        for i in range(len(node)):
            node[i] = _interpolate(node[i], path + (i,), ctx, file)
        return node
    if isinstance(node, dict):
        return {k: _interpolate(v, path + (k,), ctx, file) for k, v in node.items()}
    if isinstance(node, list):
        return [_interpolate(v, path + (i,), ctx, file) for i, v in enumerate(node)]
    return node


def _read_yaml(p: Path, ctx: _Ctx) -> Any:
    from dockyard.parsers.yamlpos import YMap, load_yaml_bytes

    try:
        data = p.read_bytes()
    except OSError as e:
        ctx.problems.append(LoadProblem(f"open {p}: {e.strerror}", p, kind="load"))
        return None
    doc = load_yaml_bytes(data)
    for err in doc.errors:
        ctx.problems.append(LoadProblem(err.message, p, err.position, kind="yaml"))
    if not doc.ok:
        return None
    root = doc.root
    if root is None:
        root = YMap()
    if not isinstance(root, dict):
        ctx.problems.append(LoadProblem("Top-level object must be a mapping", p, doc.root_pos, kind="yaml"))
        return None
    for extra in doc.documents[1:]:  # compose merges the documents of one file
        if isinstance(extra, dict):
            from dockyard.compose.merge import merge_models

            merge_models(root, extra)
    return root


def _load_file(p: Path, ctx: _Ctx, base_dir: Path, depth: int = 0) -> dict | None:
    if depth > 20:
        ctx.problems.append(LoadProblem(f"include cycle or chain too deep at {p}", p, kind="include"))
        return None
    root = _read_yaml(p, ctx)
    if root is None:
        return None
    _record_origins(root, (), p, ctx.origins)
    _interpolate(root, (), ctx, p)
    includes = root.pop("include", None)
    services = root.get("services") or {}
    if isinstance(services, dict):
        for sname in list(services):
            svc = services[sname]
            if svc is None:
                svc = services[sname] = {}
            if isinstance(svc, dict) and "extends" in svc:
                services[sname] = _resolve_extends(svc, sname, p, ctx, base_dir, depth)
        for sname, svc in services.items():
            if isinstance(svc, dict):
                try:
                    _canonical_service(svc, base_dir, ctx)
                except (ValueError, TypeError, AttributeError, KeyError, IndexError) as e:
                    origin = ctx.origins.get(("services", sname))
                    ctx.problems.append(LoadProblem(f"services.{sname}: invalid value ({e})", p,
                                                    origin[1] if origin else Position(), kind="load"))
    if includes:
        try:
            _apply_includes(root, includes, p, ctx, depth)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as e:
            ctx.problems.append(LoadProblem(f"invalid include ({e})", p, kind="include"))
    return root


def _resolve_extends(svc: dict, sname: str, file: Path, ctx: _Ctx, base_dir: Path, depth: int) -> dict:
    try:
        return _resolve_extends_inner(svc, sname, file, ctx, base_dir, depth)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as e:
        ctx.problems.append(LoadProblem(f"services.{sname}: invalid extends ({e})", file, kind="extends"))
        svc.pop("extends", None)
        return svc


def _resolve_extends_inner(svc: dict, sname: str, file: Path, ctx: _Ctx, base_dir: Path, depth: int) -> dict:
    from dockyard.compose.merge import merge_models

    ext = svc.pop("extends")
    if depth > 20:
        ctx.problems.append(LoadProblem(f"extends chain too deep for service {sname}", file, kind="extends"))
        return svc
    if isinstance(ext, str):
        ext = {"service": ext}
    target = ext.get("service")
    ext_file = Path(ext["file"]) if ext.get("file") else None
    if ext_file is not None:
        ext_path = (file.parent / ext_file).resolve() if not ext_file.is_absolute() else ext_file
        root = _read_yaml(ext_path, ctx)
        if root is None:
            return svc
        _record_origins(root, ("__extends__", str(ext_path)), ext_path, ctx.origins)
        _interpolate(root, (), ctx, ext_path)
        src_file, src_dir = ext_path, ext_path.parent
    else:
        root = None
        src_file, src_dir = file, base_dir
    services = (root if root is not None else {}).get("services") or {}
    if root is None:
        # same-file extends: re-read the file's services (already interpolated copy)
        r2 = _read_yaml(file, ctx)
        if r2 is None:
            return svc
        _interpolate(r2, (), ctx, file)
        services = r2.get("services") or {}
    base = services.get(target)
    if not isinstance(base, dict):
        ctx.problems.append(LoadProblem(f"cannot extend service {sname!r}: service {target!r} not found"
                                        f" in {src_file.name}", file, kind="extends"))
        return svc
    if "extends" in base:
        base = _resolve_extends(base, target, src_file, ctx, src_dir, depth + 1)
    import copy

    base = copy.deepcopy(base)
    _canonical_service(base, src_dir, ctx)
    _canonical_service(svc, ctx.working_dir, ctx)
    wrapped = {"services": {sname: base}}
    merge_models(wrapped, {"services": {sname: svc}})
    return wrapped["services"][sname]


def _apply_includes(root: dict, includes: Any, file: Path, ctx: _Ctx, depth: int) -> None:
    from dockyard.compose.merge import merge_models

    if not isinstance(includes, list):
        includes = [includes]
    for inc in includes:
        if isinstance(inc, str):
            inc = {"path": [inc]}
        paths = inc.get("path")
        if isinstance(paths, str):
            paths = [paths]
        inc_files = [(file.parent / x).resolve() for x in paths or []]
        if not inc_files:
            continue
        pdir = inc.get("project_directory")
        inc_dir = (file.parent / pdir).resolve() if pdir else inc_files[0].parent
        env_files = inc.get("env_file")
        if isinstance(env_files, str):
            env_files = [env_files]
        env_paths = [(file.parent / e).resolve() for e in env_files] if env_files else (
            [inc_dir / ".env"] if (inc_dir / ".env").is_file() else [])
        # the included project's variables: the parent's environment wins over its env files
        env = read_env_files(env_paths, ctx.environment, ctx.problems)
        env.update(ctx.environment)
        sub = _Ctx(env, ctx.problems, ctx.origins, inc_dir)
        model: dict = {}
        for f in inc_files:
            m = _load_file(f, sub, inc_dir, depth + 1)
            if m is not None:
                merge_models(model, m)
        for section in ("services", "networks", "volumes", "secrets", "configs"):
            src = model.get(section) or {}
            if not src:
                continue
            dst = root.setdefault(section, {})
            if dst is None:
                dst = root[section] = {}
            for k, v in src.items():
                if k in dst and section == "services":
                    ctx.problems.append(LoadProblem(
                        f"services.{k} conflicts with imported resource", file, kind="include"))
                    continue
                dst.setdefault(k, v)


# --------------------------------------------------------------------------- canonical forms


def _abs(path: str, base: Path) -> str:
    if path.startswith("~"):
        path = os.path.expanduser(path)
    p = Path(path)
    if not p.is_absolute():
        p = base / p
    return os.path.normpath(str(p))


def _is_url_context(ctx: str) -> bool:
    return "://" in ctx or ctx.startswith("git@") or ctx.startswith("github.com/")


def _list_to_map(value: Any, sep: str = "=", missing: Any = "") -> dict:
    if isinstance(value, dict):
        return {str(k): _scalar_str(v) for k, v in value.items()}
    out: dict = {}
    for item in value or []:
        s = str(item)
        if sep in s:
            k, _, v = s.partition(sep)
            out[k] = v
        else:
            out[s] = missing
    return out


def _scalar_str(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _canonical_service(svc: dict, base: Path, ctx: _Ctx) -> None:
    if isinstance(svc.get("environment"), list):
        env: dict = {}
        for item in svc["environment"]:
            s = str(item)
            if "=" in s:
                k, _, v = s.partition("=")
                env[k] = v
            else:
                env[s] = None
        svc["environment"] = env
    elif isinstance(svc.get("environment"), dict):
        svc["environment"] = {str(k): _scalar_str(v) for k, v in svc["environment"].items()}
    for key in _SERVICE_LISTS_TO_MAP:
        if key in svc and svc[key] is not None:
            svc[key] = _list_to_map(svc[key])
    if "ports" in svc and isinstance(svc["ports"], list):
        ports: list = []
        for p in svc["ports"]:
            ports.extend(_parse_port(p))
        svc["ports"] = ports
    if "volumes" in svc and isinstance(svc["volumes"], list):
        svc["volumes"] = [_parse_volume(v, base) for v in svc["volumes"]]
    if "depends_on" in svc:
        svc["depends_on"] = _depends_on(svc["depends_on"])
    if isinstance(svc.get("networks"), list):
        svc["networks"] = {str(n): None for n in svc["networks"]}
    build = svc.get("build")
    if isinstance(build, str):
        svc["build"] = build = {"context": build}
    if isinstance(build, dict):
        c = str(build.get("context", "."))
        build["context"] = c if _is_url_context(c) else _abs(c, base)
        if "args" in build:
            build["args"] = _list_to_map(build["args"], missing=None)
        if "labels" in build:
            build["labels"] = _list_to_map(build["labels"])
    if "env_file" in svc:
        ef = svc["env_file"]
        items = [ef] if isinstance(ef, (str, dict)) else list(ef or [])
        norm = []
        for it in items:
            if isinstance(it, str):
                norm.append({"path": _abs(it, base), "required": True})
            elif isinstance(it, dict):
                d = dict(it)
                d["path"] = _abs(str(d.get("path", "")), base)
                d.setdefault("required", True)
                norm.append(d)
        svc["env_file"] = norm
    hc = svc.get("healthcheck")
    if isinstance(hc, dict) and isinstance(hc.get("test"), str):
        hc["test"] = ["CMD-SHELL", hc["test"]]
    for key in ("secrets", "configs"):
        if isinstance(svc.get(key), list):
            svc[key] = [{"source": s} if isinstance(s, str) else s for s in svc[key]]


def _depends_on(value: Any) -> dict:
    out: dict = {}
    if isinstance(value, list):
        for name in value:
            out[str(name)] = {"condition": "service_started", "required": True}
        return out
    for name, spec in (value or {}).items():
        spec = dict(spec or {})
        spec.setdefault("condition", "service_started")
        spec.setdefault("required", True)
        out[str(name)] = spec
    return out


def _port_range(text: str) -> list[int] | None:
    if not text:
        return None
    if "-" in text:
        a, _, b = text.partition("-")
        return list(range(int(a), int(b) + 1))
    return [int(text)]


def _parse_port(p: Any) -> list[dict]:
    if isinstance(p, dict):
        d = dict(p)
        d.setdefault("mode", "ingress")
        d.setdefault("protocol", "tcp")
        if "target" in d:
            d["target"] = int(d["target"])
        if d.get("published") is not None:
            d["published"] = str(d["published"])
        return [d]
    s = str(p)
    proto = "tcp"
    if "/" in s:
        s, _, proto = s.rpartition("/")
    host_ip = None
    if s.startswith("["):
        end = s.index("]")
        host_ip, s = s[1:end], s[end + 2:]
    parts = s.split(":")
    if len(parts) == 3:
        host_ip, published, target = parts
    elif len(parts) == 2:
        published, target = parts
    else:
        published, target = "", parts[0]
    targets = _port_range(target) or []
    pubs = _port_range(published) if published else None
    out = []
    for i, t in enumerate(targets):
        d: dict = {"mode": "ingress"}
        if host_ip:
            d["host_ip"] = host_ip
        d["target"] = t
        if pubs is not None:
            if len(pubs) == len(targets):
                d["published"] = str(pubs[i])
            elif len(targets) == 1:
                d["published"] = published
            else:
                d["published"] = str(pubs[i]) if i < len(pubs) else published
        d["protocol"] = proto
        out.append(d)
    return out


def _parse_volume(v: Any, base: Path) -> dict:
    if isinstance(v, dict):
        d = dict(v)
        if d.get("type") == "bind" and d.get("source"):
            d["source"] = _abs(str(d["source"]), base)
        return d
    s = str(v)
    parts = s.split(":")
    if len(parts) == 1:
        return {"type": "volume", "target": parts[0], "volume": {}}
    src, target = parts[0], parts[1]
    mode = parts[2] if len(parts) > 2 else ""
    d: dict = {}
    is_bind = src.startswith((".", "/", "~")) or src == ""
    d["type"] = "bind" if is_bind else "volume"
    d["source"] = _abs(src, base) if is_bind else src
    d["target"] = target
    opts = [o for o in mode.split(",") if o]
    if "ro" in opts:
        d["read_only"] = True
    if is_bind:
        bind: dict = {"create_host_path": True}
        for o in opts:
            if o in ("z", "Z"):
                bind["selinux"] = o
            elif o in ("shared", "rshared", "slave", "rslave", "private", "rprivate"):
                bind["propagation"] = o
        d["bind"] = bind
    else:
        vol: dict = {}
        if "nocopy" in opts:
            vol["nocopy"] = True
        d["volume"] = vol
    return d


# --------------------------------------------------------------------------- finalisation

_UNITS = {"b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3,
          "t": 1024**4, "tb": 1024**4}
_DUR = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_DUR_NS = {"ns": 1, "us": 10**3, "µs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


def _bytes(v: Any) -> Any:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(int(v))
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(v))
    if not m or m.group(2).lower() not in _UNITS and m.group(2):
        return v
    return str(int(float(m.group(1)) * _UNITS.get(m.group(2).lower(), 1)))


def go_duration(text: Any) -> Any:
    """Reformat a duration the way Go's time.Duration prints it (``90s`` -> ``1m30s``)."""
    if not isinstance(text, str):
        return text
    s = text.strip()
    if not s or not _DUR.fullmatch(s.replace("", "") if False else s) and not re.fullmatch(
            r"(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+", s):
        return text
    total = 0.0
    for num, unit in _DUR.findall(s):
        total += float(num) * _DUR_NS[unit]
    ns = int(round(total))
    if ns == 0:
        return "0s"
    if ns < 10**9:
        for unit, size in (("ms", 10**6), ("µs", 10**3), ("ns", 1)):
            if ns >= size:
                v = ns / size
                return (f"{v:.9f}".rstrip("0").rstrip(".")) + unit
    h, rem = divmod(ns, 3600 * 10**9)
    m, rem = divmod(rem, 60 * 10**9)
    secs = rem / 10**9
    sec_txt = f"{secs:.9f}".rstrip("0").rstrip(".") + "s"
    out = ""
    if h:
        out += f"{h}h"
    if h or m:
        out += f"{m}m"
    return out + sec_txt


def _finalize(model: dict, name: str, working_dir: Path, environment: dict, profiles: list[str],
              problems: list[LoadProblem]) -> None:
    import shlex

    from dockyard.parsers.dotenv import parse_env_bytes

    model["name"] = name
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
                data = path.read_bytes()
            except OSError:
                if ef.get("required", True):
                    problems.append(LoadProblem(f"env file {path} not found: stat {path}: no such file or "
                                                f"directory", path, kind="env-file"))
                continue
            parsed = parse_env_bytes(data, environment.get)
            for err in parsed.errors:
                problems.append(LoadProblem(f"failed to read {path}: {err.message}", path,
                                            Position(err.line, err.column), kind="env-file"))
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
                try:
                    svc[key] = shlex.split(v)
                except ValueError:
                    svc[key] = v.split()
            elif key not in svc:
                svc[key] = None
        if "networks" not in svc and "network_mode" not in svc:
            svc["networks"] = {"default": None}
        if isinstance(svc.get("networks"), dict) and "default" in svc["networks"]:
            default_net_needed = True
        build = svc.get("build")
        if isinstance(build, dict):
            build.setdefault("dockerfile", "Dockerfile")
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
                            r["memory"] = _bytes(r["memory"])
            deploy.setdefault("placement", {})
        for key in ("mem_limit", "mem_reservation", "memswap_limit", "shm_size"):
            if key in svc:
                svc[key] = _bytes(svc[key])
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
                if isinstance(spec, dict) and "file" in spec:
                    spec["file"] = _abs(str(spec["file"]), working_dir)


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
        for kind in ("secrets", "configs"):
            for s in svc.get(kind) or []:
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

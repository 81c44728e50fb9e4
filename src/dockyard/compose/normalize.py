"""Compose's normalisation of a loaded model: the shapes, defaults and implicit values ``docker compose config``
prints, applied by :mod:`dockyard.compose.loader` (each file's, with :mod:`dockyard.compose.canonical`) and
:mod:`dockyard.compose.finalize` (the merged model's).

A port of compose-go v2.9.1 (https://github.com/compose-spec/compose-go, Apache License 2.0):
``loader/normalize.go`` (implicit ``depends_on`` from ``links``, ``network_mode``/``ipc``/``pid``/``uts``/
``cgroup: service:X`` and ``volumes_from``; ``build.dockerfile`` default; build args resolved from the
environment), ``format/volume.go`` (short volume syntax), ``paths/resolve.go``, ``paths/unix.go``,
``paths/windows_path.go`` (relative bind sources and ``driver_opts.device`` of local bind volumes resolved,
Windows paths kept), ``transform/canonical.go``, ``transform/services.go``, ``transform/secrets.go``,
``transform/volume.go``, ``transform/mapping.go``, ``transform/devices.go``, ``transform/gpus.go``,
``transform/device.go`` (string-or-list and list-or-map fields in one form, device mappings and requests),
``override/uncity.go`` (the lists kept unique), ``loader/omitEmpty.go``, ``types/project.go``
(``WithServicesLabelsResolved``: ``label_file``), and the decoders of ``types/`` (``Labels``, ``Mapping``,
``Options``, ``MultiOptions``, ``HostsList``, ``StringList``, ``StringOrNumberList``, ``ShellCommand``,
``FileMode``, ``UnitBytes``, ``DeviceCount``), whose ``omitempty`` tags decide what is left out. The ``raw``
env file format is docker/compose v2.40.3's (``cmd/compose/compose.go``, Apache License 2.0).

Entry points, each in place:

* :func:`keyed_list_origins` – before a service's ``NAME=value`` lists become mappings, each entry's origin is
  recorded under its name;
* :func:`service` – one service of one file, after the loader's own canonical forms (per file, so that files
  merge in compose's shapes);
* :func:`document` – the top-level resources of one file (paths resolve against that file's project directory);
* :func:`finalize` – the merged model; with ``origins`` (the loader's path -> (file, Position) record), every
  value it synthesises from another (an implicit ``depends_on`` entry) is recorded at the source it came from.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path

from dockyard import TYPE_CHECKING
from dockyard.compose.gotypes import go_bytes, go_float
from dockyard.parsers.dotenv import parse_env, parse_env_bytes

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

SERVICE_PREFIX = "service:"
CONTAINER_PREFIX = "container:"

# StringList / StringOrNumberList fields: a single string is a one-item list
_SERVICE_STRING_LISTS = ("dns", "dns_search", "tmpfs", "label_file")
_BUILD_STRING_LISTS = ("cache_from", "cache_to", "tags", "platforms")
# string fields compose leaves out when empty (`omitempty` in types.ServiceConfig / types.BuildConfig)
_SERVICE_OMIT_EMPTY = ("cgroup_parent", "cgroup", "cpuset", "container_name", "domainname", "hostname", "image",
                       "ipc", "isolation", "log_driver", "mac_address", "net", "network_mode", "pid", "platform",
                       "pull_policy", "restart", "runtime", "stop_signal", "user", "userns_mode", "uts",
                       "volume_driver", "working_dir")
_BUILD_OMIT_EMPTY = ("dockerfile", "dockerfile_inline", "provenance", "sbom", "isolation", "network", "target")
_IMPLICIT_NAMESPACES = ("network_mode", "ipc", "pid", "uts", "cgroup")
_RESOURCES = ("networks", "volumes", "secrets", "configs")


def go_string(value: Any) -> str:
    """``fmt.Sprint`` of a YAML scalar (``None`` prints as an empty string, as compose's decoders treat it)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    return str(value)


def to_mapping(value: Any, missing: Any = "") -> Any:
    """A list-or-map field (``Labels``, ``Mapping``) as a mapping of strings: ``[a=1, b]`` -> ``{a: "1", b: ""}``."""
    if isinstance(value, dict):
        return {str(k): missing if v is None else go_string(v) for k, v in value.items()}
    if isinstance(value, list):
        out: dict = {}
        for item in value:
            key, sep, val = go_string(item).partition("=")
            out[key] = val if sep else missing
        return out
    return value


_KEYED_LISTS = (("environment",), ("labels",), ("annotations",), ("sysctls",), ("build", "args"),
                ("build", "labels"), ("deploy", "labels"))


def keyed_list_origins(svc: dict, where: tuple, origins: dict) -> None:
    """Before a service's ``NAME=value`` lists become mappings: record each entry's origin under its name too
    (``services.app.sysctls.net.core.somaxconn`` is where ``- net.core.somaxconn=1024`` was written)."""
    for path in _KEYED_LISTS:
        node: Any = svc
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        for i, item in enumerate(node if isinstance(node, list) else ()):
            origin = origins.get(where + path + (i,))
            if origin is not None:
                origins[where + path + (go_string(item).partition("=")[0],)] = origin


def _string_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


# --------------------------------------------------------------------------- volumes (format/volume.go)


def _is_windows_drive(buffer: str, char: str) -> bool:
    return char == ":" and len(buffer) == 1 and buffer.isalpha()


def _is_file_path(source: str) -> bool:
    if not source:
        return False
    if source[0] in ".~/" or source.startswith("\\\\"):
        return True
    return len(source) > 1 and _is_windows_drive(source[0], source[1])


def is_windows_abs(path: str) -> bool:
    """paths.IsWindowsAbs, for the forms compose files use: ``C:\\x``, ``C:/x``, ``\\\\server\\share``."""
    if len(path) >= 2 and path[0] in "\\/" and path[1] in "\\/":
        return True
    return len(path) >= 3 and path[1] == ":" and path[0].isalpha() and path[2] in "\\/"


_PROPAGATIONS = ("rprivate", "private", "rshared", "shared", "rslave", "slave")


def parse_volume(spec: str) -> dict:
    """``format.ParseVolume``: a short volume spec as compose's long form (without path resolution).
    Raises ValueError with compose's message for a malformed spec."""
    if not spec:
        raise ValueError("invalid empty volume spec")
    volume: dict = {}
    if len(spec) <= 2:
        return {"type": "volume", "target": spec, "volume": {}}
    fields: dict = {}
    options: dict = {}
    buffer = ""
    depth = 0
    end = "\0"
    for i, char in enumerate(spec + end):
        if char == "$" and i + 1 < len(spec) and spec[i + 1] == "{":
            depth += 1
            buffer += char
            continue
        if char == "}" and depth > 0:
            depth -= 1
            buffer += char
            continue
        if _is_windows_drive(buffer, char):
            buffer += char
        elif char in (":", end) and depth == 0:
            if not buffer:
                raise ValueError(f"invalid spec: {spec}: empty section between colons")
            if "source" not in fields and char == end:
                fields["target"] = buffer
            elif "source" not in fields:
                fields["source"] = buffer
            elif "target" not in fields:
                fields["target"] = buffer
            elif char == ":":
                raise ValueError(f"invalid spec: {spec}: too many colons")
            else:
                for option in buffer.split(","):
                    if option == "ro":
                        options["read_only"] = True
                    elif option == "rw":
                        options["read_only"] = False
                    elif option == "nocopy":
                        options["nocopy"] = True
                    elif option in _PROPAGATIONS:
                        options.setdefault("bind", {})["propagation"] = option
                    elif option in ("z", "Z"):
                        options.setdefault("bind", {})["selinux"] = option
            buffer = ""
        else:
            buffer += char
    source = fields.get("source", "")
    bind = options.get("bind")
    if _is_file_path(source):
        volume["type"] = "bind"
        bind = dict(bind or {})
        bind["create_host_path"] = True
    else:
        volume["type"] = "volume"
    if source:
        volume["source"] = source
    volume["target"] = clean_target(fields.get("target", ""))
    if options.get("read_only"):
        volume["read_only"] = True
    if bind is not None:
        volume["bind"] = bind
    if volume["type"] == "volume" or options.get("nocopy"):
        volume["volume"] = {"nocopy": True} if options.get("nocopy") else {}
    return volume


def clean_target(target: str) -> str:
    return posixpath.normpath(target) if target else target


def resolve_host_path(path: str, base: Path) -> str:
    """``paths.maybeUnixPath``: ``~`` expanded, a relative path joined to ``base`` and cleaned, an absolute
    POSIX or Windows path kept exactly as written."""
    if path.startswith("~"):
        path = os.path.expanduser(path)
    if path.startswith("/") or is_windows_abs(path):
        return path
    return os.path.normpath(os.path.join(str(base), path))


def _volume(item: Any, base: Path) -> Any:
    volume = parse_volume(item) if isinstance(item, str) else item
    if not isinstance(volume, dict):
        return volume
    if isinstance(volume.get("target"), str):
        volume["target"] = clean_target(volume["target"])
    if volume.get("type") == "bind" and isinstance(volume.get("source"), str):
        volume["source"] = resolve_host_path(volume["source"], base)
    return volume


def _device(item: Any) -> Any:
    """transform/devices.go: ``SRC[:DST[:PERMISSIONS]]`` in long form."""
    if not isinstance(item, str):
        return item
    parts = item.split(":")
    if len(parts) > 3:
        raise ValueError(f"confusing device mapping, please use long syntax: {item}")
    source = parts[0]
    target = parts[1] if len(parts) > 1 and parts[1] else source
    return {"source": source, "target": target, "permissions": parts[2] if len(parts) == 3 else "rwm"}


def _device_count(request: Any) -> Any:
    """transform/device.go and types.DeviceCount: a device request without ``count`` or ``device_ids`` asks for
    every device; ``all`` is -1, a number string its number; 0 is left out."""
    if not isinstance(request, dict):
        return request
    if "count" not in request and "device_ids" not in request:
        request["count"] = "all"
    count = request.get("count")
    if isinstance(count, str):
        if count.lower() == "all":
            request["count"] = -1
        elif re.fullmatch(r"[+-]?[0-9]+", count):
            request["count"] = int(count)
        else:
            raise ValueError(f'invalid value "{count}", the only value allowed is \'all\' or a number')
    if request.get("count") == 0:
        del request["count"]
    if "options" in request:
        request["options"] = to_mapping(request["options"])
    return request


# --------------------------------------------------------------------------- per file


def service(svc: dict, base: Path) -> None:
    """compose-go's per-file transforms of one service (``base``: the directory relative paths start from)."""
    for key in _SERVICE_STRING_LISTS:
        if key in svc:
            svc[key] = _string_list(svc[key])
    if isinstance(svc.get("expose"), (list, str, int)):
        expose = svc["expose"]
        svc["expose"] = [go_string(e) for e in (expose if isinstance(expose, list) else [expose])]
    if "sysctls" in svc:
        svc["sysctls"] = to_mapping(svc["sysctls"])
    for key in ("secrets", "configs"):
        if isinstance(svc.get(key), list):
            svc[key] = [{"source": s} if isinstance(s, str) else s for s in svc[key]]
    if svc.get("networks") in ({}, []):  # declared but empty: the default network (normalizeNetworks)
        svc["networks"] = {"default": None}
    if isinstance(svc.get("devices"), list):
        svc["devices"] = [_device(d) for d in svc["devices"]]
    if isinstance(svc.get("gpus"), str):  # transform/gpus.go
        svc["gpus"] = [{"count": "all"}]
    if "label_file" in svc:
        svc["label_file"] = [resolve_host_path(str(f), base) for f in _string_list(svc["label_file"]) or ()]
    if isinstance(svc.get("models"), list):
        svc["models"] = {str(m): None for m in svc["models"]}
    if isinstance(svc.get("volumes"), list):
        svc["volumes"] = [_volume(v, base) for v in svc["volumes"]]
    build = svc.get("build")
    if isinstance(build, dict):
        for key in _BUILD_STRING_LISTS:
            if key in build:
                build[key] = _string_list(build[key])
        if "additional_contexts" in build:
            build["additional_contexts"] = to_mapping(build["additional_contexts"])
        if isinstance(build.get("secrets"), list):
            build["secrets"] = [{"source": s} if isinstance(s, str) else s for s in build["secrets"]]
    deploy = svc.get("deploy")
    if isinstance(deploy, dict) and "labels" in deploy:
        deploy["labels"] = to_mapping(deploy["labels"])
    develop = svc.get("develop")
    for watch in (develop.get("watch") or ()) if isinstance(develop, dict) else ():
        if isinstance(watch, dict):
            for key in ("include", "ignore"):
                if key in watch:
                    watch[key] = _string_list(watch[key])


def document(root: dict, base: Path) -> None:
    """compose-go's per-file transforms of the top-level resources (``paths.volumeDriverOpts``: the
    ``device`` of a ``local`` volume mounted with ``o: bind`` resolves against ``base``)."""
    for kind in _RESOURCES:  # labels in one form, so that a list and a mapping merge (mergeToSequence)
        section = root.get(kind)
        for spec in section.values() if isinstance(section, dict) else ():
            if isinstance(spec, dict) and "labels" in spec:
                spec["labels"] = to_mapping(spec["labels"])
    volumes = root.get("volumes")
    for spec in volumes.values() if isinstance(volumes, dict) else ():
        if not isinstance(spec, dict) or spec.get("driver") != "local":
            continue
        opts = spec.get("driver_opts")
        if isinstance(opts, dict) and opts.get("o") == "bind" and "device" in opts:
            device = opts["device"]
            opts["device"] = resolve_host_path(device, base) if isinstance(device, str) else device


# --------------------------------------------------------------------------- the merged model


def _implicit(depends_on: dict, name: str, restart: bool) -> bool:
    if name in depends_on:
        return False
    depends_on[name] = {"condition": "service_started", "restart": restart, "required": True}
    return True


def implicit_depends_on(sname: str, svc: dict, origins: dict | None = None) -> None:
    """``loader.Normalize``: a service that shares another's network, IPC, PID, UTS or cgroup namespace, links
    to it or mounts its volumes depends on it (``restart`` except for ``volumes_from``)."""
    depends_on = svc.get("depends_on")
    depends_on = dict(depends_on) if isinstance(depends_on, dict) else {}
    where = ("services", sname)
    sources: list[tuple[str, tuple]] = []
    for i, link in enumerate(svc["links"] if isinstance(svc.get("links"), list) else ()):
        parts = str(link).split(":")
        target = parts[0] if len(parts) == 2 else str(link)
        if _implicit(depends_on, target, True):
            sources.append((target, where + ("links", i)))
    for key in _IMPLICIT_NAMESPACES:
        ref = svc.get(key)
        if isinstance(ref, str) and ref.startswith(SERVICE_PREFIX):
            target = ref[len(SERVICE_PREFIX):]
            if _implicit(depends_on, target, True):
                sources.append((target, where + (key,)))
    for i, ref in enumerate(svc["volumes_from"] if isinstance(svc.get("volumes_from"), list) else ()):
        ref = str(ref)
        if not ref.startswith(CONTAINER_PREFIX):
            target = ref.split(":")[0]
            if _implicit(depends_on, target, False):
                sources.append((target, where + ("volumes_from", i)))
    if depends_on:
        svc["depends_on"] = depends_on
    if origins is not None:
        for target, source in sources:
            origin = origins.get(source)
            if origin is not None:
                origins.setdefault(where + ("depends_on", target), origin)


def _hosts(value: Any) -> Any:
    """``HostsList``: ``host=ip`` strings, sorted, one per address, brackets of IPv6 addresses removed."""
    pairs: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for host, ips in value.items():
            for ip in ips if isinstance(ips, list) else [ips]:
                pairs.append((str(host), go_string(ip)))
    elif isinstance(value, list):
        for item in value:
            text = go_string(item)
            sep = "=" if "=" in text else ":"
            host, _, ips = text.partition(sep)
            pairs.extend((host, ip) for ip in ips.split(","))
    else:
        return value
    out = []
    for host, ip in pairs:
        if len(ip) > 2 and ip[0] == "[" and ip[-1] == "]":
            ip = ip[1:-1]
        out.append(f"{host}={ip}")
    return sorted(out)


def _file_mode(value: Any) -> Any:
    """``FileMode``: printed in octal with a leading 0 (``0440``); a string is read as octal (ValueError with
    compose's message when it is not one)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        if re.fullmatch(r"[+-]?[0-7]+", value) is None:
            raise ValueError(f'strconv.ParseInt: parsing "{value}": invalid syntax')
        value = int(value, 8)
    if isinstance(value, int):
        return f"0{value:o}" if value >= 0 else f"-0{-value:o}"
    return value


def _build(build: dict, environment: dict) -> None:
    if build.get("dockerfile") is None and build.get("dockerfile_inline") is None:
        build["dockerfile"] = "Dockerfile"
    args = build.get("args")
    if isinstance(args, dict):  # an arg without a value takes the environment's, or is left out
        build["args"] = {k: environment[k] if v is None else v for k, v in args.items()
                         if v is not None or k in environment}
    if "extra_hosts" in build:
        build["extra_hosts"] = _hosts(build["extra_hosts"])
    for key in _BUILD_OMIT_EMPTY:
        if build.get(key) == "":
            del build[key]


# Go map fields of compose-go's types: printed only when not empty (`omitempty`); an empty structure is printed
_GO_MAPS = frozenset(("environment", "labels", "annotations", "sysctls", "extra_hosts", "ulimits", "depends_on",
                      "driver_opts", "options", "args", "additional_contexts", "storage_opt", "models"))
_NEVER_OMITTED = frozenset(("command", "entrypoint"))  # ShellCommand is printed even when empty


def _drop_empty(node: Any) -> None:
    """Go's ``omitempty``: an empty list, or an empty mapping of a map-typed field, is left out."""
    if isinstance(node, list):
        for item in node:
            _drop_empty(item)
        return
    if not isinstance(node, dict):
        return
    for key in list(node):
        value = node[key]
        if isinstance(key, str) and key.startswith("x-"):
            continue
        if value == [] and key not in _NEVER_OMITTED or value == {} and key in _GO_MAPS:
            del node[key]
        elif key not in _GO_MAPS or key in ("depends_on", "ulimits"):
            _drop_empty(value)


def _unit_bytes(svc: dict) -> None:
    """``UnitBytes`` fields: a byte count printed as a string, left out when 0 (``omitempty``)."""
    holders: list[tuple[Any, str]] = [(svc, k) for k in ("mem_limit", "mem_reservation", "memswap_limit",
                                                         "mem_swappiness", "shm_size")]
    holders.append((svc.get("build"), "shm_size"))
    for volume in svc.get("volumes") or () if isinstance(svc.get("volumes"), list) else ():
        holders.append((volume.get("tmpfs") if isinstance(volume, dict) else None, "size"))
    resources = (svc.get("deploy") or {}).get("resources") if isinstance(svc.get("deploy"), dict) else None
    for part in ("limits", "reservations"):
        holders.append(((resources or {}).get(part) if isinstance(resources, dict) else None, "memory"))
    for holder, key in holders:
        if isinstance(holder, dict) and key in holder and not isinstance(holder[key], bool):
            value = go_bytes(holder[key])
            if value in ("0", 0):
                del holder[key]
            else:
                holder[key] = value


def _key_value(item: Any) -> str:
    return item.partition("=")[0] if isinstance(item, str) else repr(item)


def _port_key(item: Any) -> str:
    if not isinstance(item, dict):
        return repr(item)
    return (f"{item.get('host_ip') or '0.0.0.0'}:{item.get('published')}:{item.get('target')}/"
            f"{item.get('protocol') or 'tcp'}")


def _mount_key(default: str):
    def key(item: Any) -> str:
        if isinstance(item, dict):
            return str(item["target"]) if "target" in item else f"{default}/{item.get('source')}"
        return f"{default}/{item}"
    return key


def _device_key(item: Any) -> str:
    if isinstance(item, dict):
        return str(item.get("target"))
    parts = str(item).split(":")
    return parts[0] if len(parts) == 1 else parts[1]


# override/uncity.go: in these lists an entry with the key of an earlier one replaces it, in its place
_UNIQUE = {("cap_add",): _key_value, ("cap_drop",): _key_value, ("dns",): _key_value, ("dns_opt",): _key_value,
           ("dns_search",): _key_value, ("expose",): str, ("links",): _key_value, ("profiles",): _key_value,
           ("tmpfs",): _key_value, ("build", "tags"): _key_value, ("ports",): _port_key,
           ("volumes",): lambda v: str(v.get("target")) if isinstance(v, dict) else repr(v),
           ("secrets",): _mount_key("/run/secrets"), ("configs",): _mount_key(""), ("devices",): _device_key}


def unique_by(items: list, key: Any) -> list:
    """``items`` with each entry whose ``key`` an earlier one has taking that one's place (uncity.go)."""
    out: list = []
    index: dict = {}
    for item in items:
        k = key(item)
        if k in index:
            out[index[k]] = item
        else:
            index[k] = len(out)
            out.append(item)
    return out


def enforce_unicity(svc: dict) -> None:
    if isinstance(svc.get("dns"), list):  # loader/omitEmpty.go
        svc["dns"] = [d for d in svc["dns"] if d not in (None, "")]
    for path, key in _UNIQUE.items():
        parent: Any = svc
        for part in path[:-1]:
            parent = parent.get(part) if isinstance(parent, dict) else None
        if isinstance(parent, dict) and isinstance(parent.get(path[-1]), list):
            parent[path[-1]] = unique_by(parent[path[-1]], key)
    for attachment in (svc.get("networks") or {}).values() if isinstance(svc.get("networks"), dict) else ():
        for key in ("aliases", "link_local_ips"):
            if isinstance(attachment, dict) and isinstance(attachment.get(key), list):
                attachment[key] = unique_by(attachment[key], _key_value)


# numbers and flags compose leaves out when 0 / false (non-pointer fields with `omitempty`)
_SERVICE_OMIT_ZERO = ("cpu_count", "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime",
                      "cpus", "cpu_shares", "oom_score_adj", "pids_limit", "use_api_socket")
_THROTTLES = ("device_read_bps", "device_read_iops", "device_write_bps", "device_write_iops")


def _service_values(svc: dict, reader: Any = None) -> None:
    if svc.get("pull_policy") == "if_not_present":
        svc["pull_policy"] = "missing"
    for key in _SERVICE_OMIT_ZERO:
        if key in svc and not isinstance(svc[key], str) and svc[key] in (0, False):
            del svc[key]
    logging = svc.get("logging")
    if isinstance(logging, dict) and "options" in logging:
        logging["options"] = to_mapping(logging["options"])
    if isinstance(svc.get("gpus"), list):
        svc["gpus"] = [_device_count(r) for r in svc["gpus"]]
    deploy = svc.get("deploy") if isinstance(svc.get("deploy"), dict) else {}
    reservations = (deploy.get("resources") or {}).get("reservations") if isinstance(
        deploy.get("resources"), dict) else None
    if isinstance(reservations, dict) and isinstance(reservations.get("devices"), list):
        reservations["devices"] = [_device_count(r) for r in reservations["devices"]]
    blkio = svc.get("blkio_config")
    if isinstance(blkio, dict):  # ThrottleDevice and WeightDevice carry no JSON names: Go prints `Path`, `Rate`
        if blkio.get("weight") == 0:
            del blkio["weight"]
        for key in _THROTTLES:
            if isinstance(blkio.get(key), list):
                blkio[key] = [{"Path": d.get("path", ""), "Rate": go_bytes(d.get("rate", 0))}
                              if isinstance(d, dict) else d for d in blkio[key]]
        if isinstance(blkio.get("weight_device"), list):
            blkio["weight_device"] = [{"Path": d.get("path", ""), "Weight": d.get("weight", 0)}
                                      if isinstance(d, dict) else d for d in blkio["weight_device"]]
    if "label_file" in svc:
        _label_files(svc, reader)


def _label_files(svc: dict, reader: Any) -> None:
    """``WithServicesLabelsResolved``: the labels of every ``label_file`` (dotenv syntax, later files win, each
    seeing the labels read before it), overridden by the service's own ``labels``."""
    labels: dict = {}
    for path in svc.pop("label_file") or ():
        try:
            data = reader(Path(path)) if reader is not None else Path(path).read_bytes()
        except OSError:
            raise ValueError(f"label file {path} not found: stat {path}: no such file or directory") from None
        parsed = (parse_env if isinstance(data, str) else parse_env_bytes)(data, labels.get)
        if parsed.errors:
            raise ValueError(f"failed to read {path}: line {parsed.errors[0].line}")
        labels.update(parsed.as_dict())
    labels.update(svc.get("labels") or {})
    if labels:
        svc["labels"] = labels


def finalize(model: dict, environment: dict, origins: dict | None = None, reader: Any = None) -> None:
    """compose-go's normalisation of the merged model (after the loader's own): see the module docstring."""
    services = model.get("services")
    if services is None:
        services = model["services"] = {}  # compose always prints `services`
    for sname, svc in services.items() if isinstance(services, dict) else ():
        if not isinstance(svc, dict):
            continue
        enforce_unicity(svc)
        implicit_depends_on(sname, svc, origins)
        for dependency in (svc.get("depends_on") or {}).values() if isinstance(svc.get("depends_on"), dict) else ():
            if isinstance(dependency, dict) and dependency.get("restart") is False:  # `omitempty`
                del dependency["restart"]
        if isinstance(svc.get("build"), dict):
            _build(svc["build"], environment)
        if "extra_hosts" in svc:
            svc["extra_hosts"] = _hosts(svc["extra_hosts"])
        if isinstance(svc.get("group_add"), list):  # after the merge: `100` and `"100"` are two entries until then
            svc["group_add"] = [go_string(g) for g in svc["group_add"]]
        for key in ("secrets", "configs"):
            for item in svc.get(key) or () if isinstance(svc.get(key), list) else ():
                if isinstance(item, dict) and "mode" in item:
                    item["mode"] = _file_mode(item["mode"])
        provider = svc.get("provider")
        if isinstance(provider, dict) and isinstance(provider.get("options"), dict):
            provider["options"] = {k: [go_string(x) for x in (v if isinstance(v, list) else [v])]
                                   for k, v in provider["options"].items()}
        for key in _SERVICE_OMIT_EMPTY:
            if svc.get(key) == "":
                del svc[key]
        _unit_bytes(svc)
        _service_values(svc, reader)
        _drop_empty(svc)
    for kind in _RESOURCES:
        section = model.get(kind)
        for spec in section.values() if isinstance(section, dict) else ():
            if isinstance(spec, dict) and "labels" in spec:
                spec["labels"] = to_mapping(spec["labels"])
            if isinstance(spec, dict) and isinstance(spec.get("driver_opts"), dict):  # Options: strings
                spec["driver_opts"] = to_mapping(spec["driver_opts"])


# --------------------------------------------------------------------------- env_file `format: raw`


def raw_env_file(data: bytes | str, lookup: Any, format: str = "raw") -> dict[str, str]:
    """An env file of ``format: raw``, which docker compose registers (``cmd/compose/compose.go``: read as
    ``docker run --env-file`` reads one, docker/cli's ``kvfile``): every ``KEY=value`` line verbatim (no quotes
    removed, no interpolation), a bare ``KEY`` takes the environment's value or is left out, blank lines and
    ``#`` comments skipped. Raises ValueError (compose's message) for another format or a malformed line."""
    if format != "raw":
        raise ValueError(f"unsupported env_file format {format!r}".replace("'", '"'))
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("invalid utf8 bytes") from None
    out: dict[str, str] = {}
    for number, line in enumerate(data.split("\n"), 1):
        line = line.removesuffix("\r")
        if number == 1:
            line = line.removeprefix("\ufeff")
        line = line.lstrip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not name:
            raise ValueError(f"no variable name on line '{line}'")
        if any(c in name for c in " \t\n\v\f\r"):
            raise ValueError(f"variable '{name}' contains whitespaces")
        if sep:
            out[name] = value
        else:
            found = lookup(line)
            if found is not None:
                out[name] = found
    return out

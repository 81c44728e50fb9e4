"""What compose refuses as it reads values written as text: the short syntaxes of ports, volumes, devices and
``build.ssh`` entries, the entries the merge keys by target, and the decoding into compose-go's types (durations,
byte sizes, CPU counts, extra hosts), worded as compose words it. Each function returns one
:class:`dockyard.compose.validate.Refusal` (or an error message) or ``None``; :mod:`dockyard.compose.validate`
has the rest of compose's validation.

Ported from compose-go v2.9.1 (Apache License 2.0; see THIRD_PARTY_NOTICES.md): ``override/uncity.go``
(``EnforceUnicity``), ``format/volume.go``, ``transform/device.go``, ``transform/ssh.go``, the decoders of
``types/`` (``types/hostList.go``), with Go's ``time.ParseDuration`` and ``strconv.ParseFloat``, docker/go-units'
``RAMInBytes`` and docker/go-connections' port parsing.
"""

from __future__ import annotations

import ipaddress

from dockyard import TYPE_CHECKING
from dockyard.compose import shellwords
from dockyard.compose.normalize import parse_volume
from dockyard.compose.validate import Refusal, value_at
from dockyard.regex import lazy_compile

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any


_DURATION_UNITS = ("ns", "us", "µs", "μs", "ms", "s", "m", "h")


_DURATION_NUMBER = lazy_compile(r"([0-9]*)(?:\.([0-9]*))?")
_DURATION_UNIT = lazy_compile(r"[^0-9.]*")


def go_duration_error(text: str) -> str | None:
    """Go's ``time.ParseDuration`` error for ``text``, or None when it parses."""
    invalid = f'time: invalid duration "{text}"'
    rest = text
    if rest[:1] in ("+", "-"):
        rest = rest[1:]
    if rest == "0":
        return None
    if rest == "":
        return invalid
    while rest:
        m = _DURATION_NUMBER.match(rest)
        if not m or not m.group(1) and not m.group(2):
            return invalid
        rest = rest[m.end():]
        unit = _DURATION_UNIT.match(rest).group(0)
        if unit == "":
            return f'time: missing unit in duration "{text}"'
        if unit not in _DURATION_UNITS:
            return f'time: unknown unit "{unit}" in duration "{text}"'
        rest = rest[len(unit):]
    return None


def go_size_error(text: str) -> str | None:
    """docker/go-units ``RAMInBytes`` error for ``text``, or None when it parses."""
    sep = max(text.rfind(c) for c in "01234567890. ")
    if sep == -1:
        return f"invalid size: '{text}'"
    number, suffix = text[: sep + 1], text[sep + 1:]
    try:
        if float(number.strip()) < 0:
            return f"invalid size: '{text}'"
    except ValueError:
        return f"invalid size: '{text}'"
    if not suffix:
        return None
    if len(suffix) > 3:
        return f"invalid suffix: '{suffix}'"
    low = suffix.lower()
    if low[0] == "b":
        return None if len(low) == 1 else f"invalid suffix: '{low}'"
    if low[0] not in "kmgtp" or len(low) == 2 and low[1] != "b" or len(low) == 3 and low[1:] != "ib":
        return f"invalid suffix: '{low}'"
    return None


_SERVICE_DURATIONS = (("healthcheck", "interval"), ("healthcheck", "timeout"), ("healthcheck", "start_period"),
                      ("healthcheck", "start_interval"), ("stop_grace_period",))
_SERVICE_SIZES = (("mem_limit",), ("mem_reservation",), ("memswap_limit",), ("shm_size",),
                  ("deploy", "resources", "limits", "memory"), ("deploy", "resources", "reservations", "memory"))


def decode_refusal(services: dict) -> Refusal | None:
    """What compose-go's decoding into its types refuses (mapstructure hooks): durations, byte sizes, CPU counts,
    commands that do not split as shell words, extra hosts, worded ``'services[web].healthcheck.interval' time: unknown unit "x" in duration "10x"``."""
    for name, svc in services.items():
        if not isinstance(svc, dict):
            continue
        for paths, error in ((_SERVICE_DURATIONS, go_duration_error), (_SERVICE_SIZES, go_size_error)):
            for path in paths:
                value = value_at(svc, path)
                bad = error(value) if isinstance(value, str) else None
                if bad:
                    return Refusal(f"'services[{name}].{'.'.join(path)}' {bad}", ("services", name) + path,
                                   kind="consistency")
        for part in ("limits", "reservations"):
            path = ("deploy", "resources", part, "cpus")
            value = value_at(svc, path)
            if isinstance(value, str):
                try:
                    float(value)
                except ValueError:
                    return Refusal(f"'services[{name}].{'.'.join(path)}' strconv.ParseFloat: parsing "
                                   f'"{value}": invalid syntax', ("services", name) + path, kind="consistency")
        for path, value in shell_commands(svc):
            if isinstance(value, str) and shellwords.split(value) is None:
                where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)
                return Refusal(f"'services[{name}]{where}' invalid command line string", ("services", name) + path,
                               kind="consistency")
        hosts = svc.get("extra_hosts")
        for i, entry in enumerate(hosts) if isinstance(hosts, list) else ():
            if isinstance(entry, str) and "=" not in entry and ":" not in entry:
                return Refusal(f"'services[{name}].extra_hosts' invalid additional host, missing IP: {entry}",
                               ("services", name, "extra_hosts", i), kind="consistency")
    return None


def shell_commands(svc: dict):
    """(path, value) of the commands compose splits as shell words (``ShellCommand``): `command`, `entrypoint`,
    the lifecycle hooks' and the watch actions' `command`."""
    for key in ("command", "entrypoint"):
        if key in svc:
            yield (key,), svc[key]
    for hook in ("post_start", "pre_stop"):
        for i, item in enumerate(svc.get(hook) or ()) if isinstance(svc.get(hook), list) else ():
            if isinstance(item, dict) and "command" in item:
                yield (hook, i, "command"), item["command"]
    develop = svc.get("develop")
    watch = develop.get("watch") if isinstance(develop, dict) else None
    for i, item in enumerate(watch) if isinstance(watch, list) else ():
        action = item.get("exec") if isinstance(item, dict) else None
        if isinstance(action, dict) and "command" in action:
            yield ("develop", "watch", i, "exec", "command"), action["command"]


def volume_spec_refusal(spec: str) -> str | None:
    """compose-go's ``format.ParseVolume`` errors for a short volume syntax (:func:`normalize.parse_volume`, the
    port of it), or None."""
    try:
        parse_volume(spec)
    except ValueError as exc:
        return str(exc)
    return None


def split_port_spec(spec: str) -> tuple[str, str, str, str]:
    """(host IP, published, target, protocol) of a short port syntax, split as docker/go-connections'
    ``nat.ParsePortSpec`` splits it: ``[::1]:8080:80``, ``::1:8080:80`` (an IPv6 address before the last two
    parts), ``127.0.0.1::80/udp``. The parts are not checked: see :func:`port_spec_refusal`."""
    text, protocol = spec, "tcp"
    if "/" in text:
        text, _, protocol = text.rpartition("/")
    host_ip = ""
    if text.startswith("["):
        end = text.find("]")
        if end > 0:
            host_ip, text = text[1:end], text[end + 1:].lstrip(":")
    parts = text.split(":")
    if len(parts) > 3 and not host_ip:
        host_ip = ":".join(parts[:-2])
        parts = parts[-2:]
    if len(parts) == 3:
        host_ip, published, target = parts
    elif len(parts) == 2:
        published, target = parts
    else:
        published, target = "", parts[0]
    return host_ip, published, target, protocol


def port_spec_refusal(spec: str) -> str | None:
    """docker/go-connections' ``nat.ParsePortSpec`` errors for a short port syntax, or None."""
    host_ip, published, target, _protocol = split_port_spec(spec)
    if host_ip:
        try:
            ipaddress.ip_address(host_ip)
        except ValueError:
            return f"invalid IP address: {host_ip}"
    t_range = _port_range(target)
    if t_range is None:
        return f"invalid containerPort: {target}"
    if published:
        p_range = _port_range(published)
        if p_range is None:
            return f"invalid hostPort: {published}"
        if p_range[1] - p_range[0] != t_range[1] - t_range[0] and t_range[0] != t_range[1]:
            return f"invalid ranges specified for container and host Ports: {target} and {published}"
    return None


def _port_range(text: str) -> tuple[int, int] | None:
    low, sep, high = text.partition("-")
    if not low.isdigit() or sep and not high.isdigit():
        return None
    a, b = int(low), int(high) if sep else int(low)
    if not (0 <= a <= 65535 and 0 <= b <= 65535) or b < a:
        return None
    return a, b


def ssh_spec_refusal(entry: Any) -> str | None:
    """compose-go's ``transform/ssh.go``: each entry of ``build.ssh`` in list form is ``default`` or ``ID=path``."""
    if not isinstance(entry, str):
        return f"invalid ssh key type {_go_type(entry)}"
    if entry != "default" and "=" not in entry:
        return f"invalid ssh key {_go_quote(entry)}"
    return None


def _go_type(value: Any) -> str:
    return {bool: "bool", int: "int", float: "float64", dict: "map[string]interface {}",
            list: "[]interface {}"}.get(type(value), "string") if value is not None else "<nil>"


def _go_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unicity_refusal(document: dict) -> Refusal | None:
    """compose-go's ``override.EnforceUnicity``, before the schema: the entries it indexes by target must have
    one (long-form ports, volumes and devices), and short volumes must parse."""
    services = document.get("services")
    for name, svc in services.items() if isinstance(services, dict) else ():
        if not isinstance(svc, dict):
            continue
        at = ("services", name)
        for key, what, field in (("volumes", "service volume", "a mount target"),
                                 ("devices", "service device", "a mount target"),
                                 ("ports", "service ports", "a target port")):
            items = svc.get(key)
            for i, item in enumerate(items) if isinstance(items, list) else ():
                if isinstance(item, dict) and (item.get("target") is None if key == "ports"
                                               else not isinstance(item.get("target"), str)):
                    return Refusal(f"{what} services.{name}.{key}.[{i}] is missing {field}", at + (key, i),
                                   kind="spec")
                if key == "volumes" and isinstance(item, str):
                    bad = volume_spec_refusal(item)
                    if bad:
                        return Refusal(bad, at + (key, i), kind="spec")
    return None


def document_spec_refusal(document: dict) -> Refusal | None:
    """The short syntaxes of one document compose cannot parse (its ``transform.Canonical`` step): ports, devices,
    ``build.ssh`` entries."""
    services = document.get("services")
    if not isinstance(services, dict):
        return None
    for name, svc in services.items():
        if not isinstance(svc, dict):
            continue
        at = ("services", name)
        for i, port in enumerate(svc.get("ports") or ()) if isinstance(svc.get("ports"), list) else ():
            bad = port_spec_refusal(port) if isinstance(port, str) else None
            if bad:
                return Refusal(bad, at + ("ports", i), kind="spec")
        watches = value_at(svc, ("develop", "watch"))
        for i, watch in enumerate(watches) if isinstance(watches, list) else ():
            if isinstance(watch, dict) and watch.get("path") == "":  # validation.Validate, before paths resolve
                return Refusal(f"services.{name}.develop.watch.[].path: value can't be blank",
                               at + ("develop", "watch", i, "path"), kind="validation")
        for i, dev in enumerate(svc.get("devices") or ()) if isinstance(svc.get("devices"), list) else ():
            if isinstance(dev, str) and len(dev.split(":")) > 3:
                return Refusal(f"confusing device mapping, please use long syntax: {dev}", at + ("devices", i),
                               kind="spec")
        build = svc.get("build")
        ssh = build.get("ssh") if isinstance(build, dict) else None
        for i, entry in enumerate(ssh) if isinstance(ssh, list) else ():
            bad = ssh_spec_refusal(entry)
            if bad:
                return Refusal(bad, at + ("build", "ssh", i), kind="spec")
    return None


# The service lists the schema keeps unique (`uniqueItems`) that compose's merge appends to without making them
# unique (neither override.EnforceUnicity nor a merge of its own): an override repeating an entry of its base makes
# the model merged so far invalid, and compose validates that model after each file.
MERGED_UNIQUE = ("device_cgroup_rules", "external_links", "group_add", "security_opt", "volumes_from")


def merged_unicity_refusal(model: dict) -> Refusal | None:
    """What compose's schema refuses in the model merged so far: an entry of a list in :data:`MERGED_UNIQUE` twice
    (``services.web.security_opt items at 0 and 2 are equal``), pointing at the list."""
    services = model.get("services")
    for name, svc in services.items() if isinstance(services, dict) else ():
        for key in MERGED_UNIQUE:
            items = svc.get(key) if isinstance(svc, dict) else None
            if not isinstance(items, list):
                continue
            first: dict = {}
            for j, item in enumerate(items):
                # JSON's equality: `100` and `"100"` differ, `1` and `1.0` do not
                ident = ("number", float(item)) if isinstance(item, (int, float)) else ("text", str(item))
                if ident in first:
                    return Refusal(f"services.{name}.{key} items at {first[ident]} and {j} are equal",
                                   ("services", name, key), kind="merged-schema")
                first[ident] = j
    return None

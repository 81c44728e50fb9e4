"""Compose's validation: what ``docker compose config`` refuses, worded as compose words it.

Ported from compose-go v2.9.1 (the release docker compose v2.40.3 uses):

* ``schema/schema.go``: every file is validated against the Compose Specification JSON schema that compose-go
  embeds (vendored unchanged in ``compose/schema/``), once interpolated (compose validates the files merged so
  far after each file; the loader validates each document, and rule CO003 the merged environment); the error
  reported is the *most specific* one (the deepest instance location, an unknown property counting
  one deeper), worded as compose words it (``services.web additional properties 'foo' not allowed``,
  ``services.web.restart must be a string``, ``services.web must be a mapping``).
* ``validation/validation.go``, ``validation/external.go``: checks of the merged model (``secrets.s: one of
  file|environment must be set``, ``volumes.v: conflicting parameters "external" and "driver" specified``).
* ``loader/validate.go`` (``checkConsistency``) and ``graph/cycle.go``: the project must be consistent: each
  service has an image or a build, refers only to defined networks, volumes, secrets and configs, depends only
  on defined services (``depends_on``, and what compose makes dependencies: ``links``, ``volumes_from``,
  ``network_mode: service:``), and ``depends_on`` has no cycle.
* ``loader/loader.go`` (``convertToStringKeysRecursive``), ``loader/extends.go``: what compose cannot read in one
  file before its schema (a non-string key, an ``extends`` that names no service).

What compose refuses as it reads values written as text (short syntaxes, the entries the merge keys by target,
durations, byte sizes, CPU counts, extra hosts) is in :mod:`dockyard.compose.decoding`.

Each message is compose's own; where compose's message spans lines (``include cycle detected:``), dockyard
puts it on one.

Compose stops at the first error; so do these functions: each returns one :class:`Refusal` or ``None``. Where
compose reports the first error in Go's random map order, dockyard takes the file's order.

Checking a valid file costs one call of the compiled validator (:mod:`dockyard.schemas`, cached on disk); the
``jsonschema`` library, slower, is only imported to word the error of a file that is invalid.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

from dockyard import TYPE_CHECKING
from dockyard.compose.normalize import unique_by
from dockyard.records import record
from dockyard.schemas import SchemaViolation, validator

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

SCHEMA_FILE = Path(__file__).with_name("schema") / "compose-spec.json"
SCHEMA_NAME = "compose-go-spec"  # the name :mod:`dockyard.schemas` caches its validator under

_STATE: dict[str, Any] = {}


@record(frozen=True, slots=True)
class Refusal:
    """Why compose refuses a model: its message and where in the model (keys and list indices) the offending
    value is; ``key``: the offending key inside the mapping at ``path`` (an unknown property), when one."""

    message: str
    path: tuple = ()
    key: Any = None
    kind: str = "schema"  # schema (a file's) | merged-schema (the model merged so far) | validation | consistency


# --------------------------------------------------------------------------- the JSON schema


def schema_refusal(document: Any) -> Refusal | None:
    """The schema error compose reports for one (interpolated) compose document, or None when it is valid."""
    try:
        validator(SCHEMA_NAME)(document)
        return None
    except SchemaViolation:
        pass
    except Exception:  # noqa: BLE001 - a value the compiled validator cannot handle: let the full one decide
        pass
    # compose validates after the merge's EnforceUnicity: lists it keeps unique (`cap_add`, `ports`...) may hold
    # duplicates that the schema's `uniqueItems` would refuse; only a failing document pays for this copy
    return _worded_error(_unique_lists(_plain(document)))


def _kv_index(v: Any) -> str:
    if not isinstance(v, str):
        raise TypeError(type(v).__name__)
    return v.split("=", 1)[0]


def _target_index(v: Any) -> str:
    if isinstance(v, dict):
        return str(v["target"])
    if isinstance(v, str):
        parts = v.split(":")
        return parts[0] if len(parts) == 1 else parts[1]
    return ""


def _expose_index(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, (str, int)):
        raise TypeError(type(v).__name__)
    return str(v)


def _mount_index(default: str):
    def index(v: Any) -> str:
        if isinstance(v, str):
            return f"{default}/{v}"
        if isinstance(v, dict):
            return str(v["target"]) if "target" in v else f"{default}/{v.get('source')}"
        raise TypeError(type(v).__name__)
    return index


def _port_index(v: Any) -> str:
    if isinstance(v, dict):
        return f"{v.get('host_ip', '0.0.0.0')}:{v.get('published')}:{v['target']}/{v.get('protocol', 'tcp')}"
    return str(v)


def _env_file_index(v: Any) -> str:
    return str(v["path"]) if isinstance(v, dict) else str(v)


# override/uncity.go (compose-go v2.9.1): the lists EnforceUnicity keeps unique, and the key of an entry;
# a later entry with an earlier one's key takes its place. Volumes are keyed by their target, as the device
# mappings are (compose parses short volume syntax there; a target is the second field of both).
_UNIQUE_PATHS: dict[tuple, Any] = {
    ("networks", "*", "labels"): _kv_index, ("networks", "*", "ipam", "options"): _kv_index,
    **{("services", "*", *key): _kv_index for key in (
        ("annotations",), ("build", "args"), ("build", "additional_contexts"), ("build", "platform"),
        ("build", "tags"), ("build", "labels"), ("cap_add",), ("cap_drop",), ("deploy", "labels"), ("dns",),
        ("dns_opt",), ("dns_search",), ("environment",), ("labels",), ("links",), ("networks", "*", "aliases"),
        ("networks", "*", "link_local_ips"), ("profiles",), ("sysctls",), ("tmpfs",))},
    ("services", "*", "devices"): _target_index, ("services", "*", "volumes"): _target_index,
    ("services", "*", "configs"): _mount_index(""), ("services", "*", "secrets"): _mount_index("/run/secrets"),
    ("services", "*", "env_file"): _env_file_index, ("services", "*", "expose"): _expose_index,
    ("services", "*", "ports"): _port_index,
}


def _unique_lists(node: Any, path: tuple = ()) -> Any:
    """``node`` (plain, a copy) with the lists ``override.EnforceUnicity`` keeps unique made unique; a list whose
    entries cannot be keyed stays as written (compose refuses it, and the checks say why)."""
    if isinstance(node, dict):
        for k, v in node.items():
            node[k] = _unique_lists(v, path + (k,))
        return node
    if isinstance(node, list):
        for pattern, index in _UNIQUE_PATHS.items():
            if len(pattern) == len(path) and all(p in ("*", q) for p, q in zip(pattern, path)):
                try:
                    return unique_by(node, index)
                except (KeyError, TypeError, ValueError):
                    return node
    return node


def _plain(value: Any) -> Any:
    """A positioned tree as plain JSON-like data, keys as strings (compose-go's convertToStringKeysRecursive)."""
    if isinstance(value, dict):
        return {k if isinstance(k, str) else _key_text(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _key_text(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def _draft7() -> Any:
    if "draft7" not in _STATE:
        import json

        import jsonschema

        schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
        _STATE["draft7"] = jsonschema.Draft7Validator(schema)
    return _STATE["draft7"]


def _worded_error(document: Any) -> Refusal | None:
    try:
        errors = list(_draft7().iter_errors(document))
    except Exception as exc:  # noqa: BLE001 - a schema the library cannot apply must not crash a check
        return Refusal(f"could not be validated: {type(exc).__name__}")
    best = None
    best_score = -1
    for err in errors:
        leaf = _most_specific(err)
        score = _specificity(leaf)
        if score > best_score:
            best, best_score = leaf, score
    return None if best is None else _refusal_of(best)


def _most_specific(err: Any) -> Any:
    """compose-go's getMostSpecificError: the deepest error among the causes (``oneOf`` branches)."""
    if not err.context:
        return err
    best, best_score = None, -1
    for cause in err.context:
        leaf = _most_specific(cause)
        score = _specificity(leaf)
        if score > best_score:
            best, best_score = leaf, score
    return best


def _specificity(err: Any) -> int:
    return len(err.absolute_path) + (1 if err.validator == "additionalProperties" else 0)


def _quote(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value + "'"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _type_name(names: list[str]) -> str:
    human = sorted("mapping" if n == "object" else n for n in names)
    if len(human) == 1:
        return human[0]
    return f"{', '.join(human[:-1])} or {human[-1]}"


def _extra_keys(err: Any) -> list[str]:
    schema, instance = err.schema, err.instance
    props = schema.get("properties") or {}
    patterns = list((schema.get("patternProperties") or {}).keys())
    return [k for k in instance if k not in props and not any(re.search(p, k) for p in patterns)]


def _refusal_of(err: Any) -> Refusal:
    path = tuple(err.absolute_path)
    where = ".".join(str(p) for p in path)
    kind, want, instance = err.validator, err.validator_value, err.instance
    key = None
    if kind == "type":
        text = f"{where} must be a {_type_name(want if isinstance(want, list) else [want])}"
    elif kind == "minimum":
        text = f"{where} must be greater than or equal to {want}"
    elif kind == "maximum":
        text = f"{where} must be less than or equal to {want}"
    elif kind == "additionalProperties":
        extra = _extra_keys(err)
        key = extra[0] if extra else None
        text = f"{where} additional properties {', '.join(_quote(k) for k in extra)} not allowed"
    elif kind == "required":
        missing = [r for r in want if r not in instance]
        text = f"{where} missing propert{'y' if len(missing) == 1 else 'ies'} " + ", ".join(map(_quote, missing))
    elif kind == "enum":
        text = f"{where} value must be one of {', '.join(_quote(v) for v in want)}"
    elif kind == "pattern":
        text = f"{where} {_quote(instance)} does not match pattern {_quote(want)}"
    elif kind == "uniqueItems":
        pair = next(((i, j) for j in range(len(instance)) for i in range(j) if instance[i] == instance[j]), (0, 1))
        text = f"{where} items at {pair[0]} and {pair[1]} are equal"
    else:
        text = f"{where} {err.message}"
    return Refusal(text.lstrip(), path, key, "schema")  # compose writes a top-level error after a space


# --------------------------------------------------------------------------- the merged model


def model_refusal(model: dict) -> Refusal | None:
    """compose-go's ``validation.Validate`` over the merged model, before normalisation (and, as normalisation
    gives a build its default Dockerfile, ``dockerfile`` beside ``dockerfile_inline``)."""
    services = model.get("services")
    for name, svc in services.items() if isinstance(services, dict) else ():
        if not isinstance(svc, dict):
            continue
        at, where = ("services", name), f"services.{name}"
        for i, port in enumerate(svc.get("ports") or ()) if isinstance(svc.get("ports"), list) else ():
            ip = port.get("host_ip") if isinstance(port, dict) else None
            if isinstance(ip, str) and not _is_ip(ip):
                return Refusal(f"{where}.ports.[]: invalid ip address: {ip}", at + ("ports", i), kind="validation")
        deploy = svc.get("deploy") if isinstance(svc.get("deploy"), dict) else {}
        resources = deploy.get("resources") if isinstance(deploy.get("resources"), dict) else {}
        reservations = resources.get("reservations") if isinstance(resources.get("reservations"), dict) else {}
        for label, items, path in ((f"{where}.deploy.resources.reservations.devices.[]", reservations.get("devices"),
                                    ("deploy", "resources", "reservations", "devices")),
                                   (f"{where}.gpus.[]", svc.get("gpus"), ("gpus",))):
            for i, dev in enumerate(items) if isinstance(items, list) else ():
                if isinstance(dev, dict) and "count" in dev and "device_ids" in dev:
                    return Refusal(f'{label}: "count" and "device_ids" attributes are exclusive', at + path + (i,),
                                   kind="validation")
        build = svc.get("build") if isinstance(svc.get("build"), dict) else {}
        if build.get("dockerfile_inline") and build.get("dockerfile"):
            return Refusal(f'service "{name}" declares mutualy exclusive dockerfile and dockerfile_inline: invalid '
                           "compose project", at + ("build", "dockerfile_inline"), kind="consistency")
    for kind in ("volumes", "networks", "configs", "secrets"):
        section = model.get(kind)
        if not isinstance(section, dict):
            continue
        for name, spec in section.items():
            if not isinstance(spec, dict):
                continue
            where = f"{kind}.{name}"
            if kind in ("volumes",) and spec.get("external") is True:
                for k in spec:
                    if k not in ("name", "external") and not str(k).startswith("x-"):
                        return Refusal(f'{where}: conflicting parameters "external" and "{k}" specified',
                                       (kind, name, k), kind="validation")
            if kind in ("configs", "secrets"):
                keys = ("file", "environment", "content") if kind == "configs" else ("file", "environment")
                present = [k for k in keys if k in spec]
                if len(present) > 1:
                    return Refusal(f"{where}: {'|'.join(keys)} attributes are mutually exclusive",
                                   (kind, name, present[1]), kind="validation")
                if not present and "driver" not in spec and "external" not in spec:
                    return Refusal(f"{where}: one of {'|'.join(keys)} must be set", (kind, name), kind="validation")
    return None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def value_at(mapping: Any, path: tuple) -> Any:
    """The value at ``path`` (keys) in nested mappings, or None."""
    for key in path:
        if not isinstance(mapping, dict) or key not in mapping:
            return None
        mapping = mapping[key]
    return mapping


# --------------------------------------------------------------------------- one document, before the schema


def key_refusal(node: Any, prefix: str = "", path: tuple = ()) -> Refusal | None:
    """compose-go's ``convertToStringKeysRecursive``, the first step: every mapping key is a string."""
    if isinstance(node, dict):
        for key, value in node.items():
            if not isinstance(key, str):
                where = f"in {prefix}" if prefix else "at top level"
                return Refusal(f"non-string key {where}: {_key_text(key)}", path, key, kind="spec")
            found = key_refusal(value, f"{prefix}.{key}" if prefix else key, path + (key,))
            if found:
                return found
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found = key_refusal(value, f"{prefix}[{i}]", path + (i,))
            if found:
                return found
    return None


def extends_refusal(document: dict) -> Refusal | None:
    """compose-go's ``ApplyExtends``, which runs before the schema: an ``extends`` mapping must name its service."""
    services = document.get("services")
    for name, svc in services.items() if isinstance(services, dict) else ():
        ext = svc.get("extends") if isinstance(svc, dict) else None
        if isinstance(ext, dict) and ext.get("service") is None:
            return Refusal(f"extends.{name}.service is required", ("services", name, "extends"), kind="extends")
    return None


# --------------------------------------------------------------------------- consistency


def _dependencies(svc: dict) -> list[tuple[str, tuple, bool]]:
    """(service, path of what names it, required) for each service ``svc`` depends on, as compose-go's
    normalisation adds them: ``depends_on``, then ``links``, ``network_mode: service:``, ``volumes_from``."""
    out: list[tuple[str, tuple, bool]] = []
    deps = svc.get("depends_on")
    if isinstance(deps, dict):
        for name, spec in deps.items():
            required = not (isinstance(spec, dict) and spec.get("required") is False)
            out.append((str(name), ("depends_on", name), required))
    elif isinstance(deps, list):
        out.extend((str(name), ("depends_on", i), True) for i, name in enumerate(deps))
    for link in svc.get("links") or ():
        if isinstance(link, str):
            out.append((link.partition(":")[0], ("links", link.partition(":")[0]), True))
    mode = svc.get("network_mode")
    if isinstance(mode, str) and mode.startswith("service:"):
        out.append((mode[len("service:"):], ("network_mode",), True))
    for source in svc.get("volumes_from") or ():
        if isinstance(source, str) and not source.startswith("container:"):
            out.append((source.partition(":")[0], ("volumes_from", source.partition(":")[0]), True))
    return out


def defined_resources(model: dict) -> dict[str, dict]:
    """The top-level networks, volumes, secrets and configs a model defines (name -> definition)."""
    return {kind: dict(model[kind]) if isinstance(model.get(kind), dict) else {}
            for kind in ("networks", "volumes", "secrets", "configs")}


def project_refusal(model: dict, disabled: dict | None = None, defined: dict | None = None) -> Refusal | None:
    """compose-go's ``checkConsistency`` and ``graph.CheckCycle`` over the merged, normalised model of the enabled
    services, then ``CheckContainerNameUnicity`` (what ``docker compose config`` checks last); the loader asks
    :func:`dockyard.compose.decoding.decode_refusal` first, before normalising, as compose decodes the model into
    its types before that. ``disabled``: the services profiles left out (name -> their profiles); ``defined``:
    :func:`defined_resources` of the model before unused resources were dropped (default: the model's own)."""
    services = model.get("services") if isinstance(model.get("services"), dict) else {}
    disabled = disabled or {}
    own = defined_resources(model)
    for kind, names in (defined or {}).items():  # normalisation adds (the default network) and drops (unused)
        own[kind] = {**names, **own[kind]}
    networks, volumes, secrets, configs = own["networks"], own["volumes"], own["secrets"], own["configs"]
    models = model.get("models") if isinstance(model.get("models"), dict) else {}
    for name, svc in services.items():
        if not isinstance(svc, dict):
            continue
        at = ("services", name)
        build = svc.get("build") if isinstance(svc.get("build"), dict) else None
        if build is None and not svc.get("image") and svc.get("provider") is None:
            return Refusal(f'service "{name}" has neither an image nor a build context specified: invalid compose '
                           "project", at, kind="consistency")
        if build is not None:
            contexts = build.get("additional_contexts")
            for label, ctx in contexts.items() if isinstance(contexts, dict) else ():
                if isinstance(ctx, str) and ctx.startswith("service:"):
                    target = ctx[len("service:"):]
                    if target not in services:
                        return Refusal(f'service "{name}" declares unknown service "{target}" as additional contexts '
                                       f"{label}", at + ("build", "additional_contexts", label), kind="consistency")
                    if not isinstance(services[target], dict) or not isinstance(services[target].get("build"), dict):
                        return Refusal(f'service "{name}" declares non-buildable service "{target}" as additional '
                                       f"contexts {label}", at + ("build", "additional_contexts", label),
                                       kind="consistency")
            platforms = build.get("platforms")
            platform = svc.get("platform")
            if platforms and platform and platform not in platforms:
                return Refusal(f'service.build.platforms MUST include service.platform "{platform}": invalid compose '
                               "project", at + ("platform",), kind="consistency")
        if svc.get("network_mode") and isinstance(svc.get("networks"), dict) and svc["networks"]:
            return Refusal(f"service {name} declares mutually exclusive `network_mode` and `networks`: invalid "
                           "compose project", at + ("network_mode",), kind="consistency")
        for net in svc.get("networks") or () if isinstance(svc.get("networks"), dict) else ():
            if net not in networks:
                return Refusal(f'service "{name}" refers to undefined network {net}: invalid compose project',
                               at + ("networks", net), kind="consistency")
        hc = svc.get("healthcheck")
        if isinstance(hc, dict) and isinstance(hc.get("test"), list) and hc["test"] and \
                hc["test"][0] not in ("CMD", "CMD-SHELL", "NONE"):
            return Refusal('healthcheck.test must start either by "CMD", "CMD-SHELL" or "NONE"',
                           at + ("healthcheck", "test"), kind="consistency")
        for dep, where, required in _dependencies(svc):
            if dep in services:
                continue
            if dep in disabled and required:
                return Refusal(f'service "{dep}" is required by "{name}" but is disabled. Can be enabled by profiles '
                               f"[{' '.join(disabled[dep])}]", at + where, kind="consistency")
            if not (dep in disabled and not required):
                return Refusal(f'service "{name}" depends on undefined service "{dep}": invalid compose project',
                               at + where, kind="consistency")
        for i, vol in enumerate(svc.get("volumes") or ()):
            if isinstance(vol, dict) and vol.get("type") == "volume" and vol.get("source") and \
                    vol["source"] not in volumes and not _drive_letter(vol["source"]):
                return Refusal(f'service "{name}" refers to undefined volume {vol["source"]}: invalid compose project',
                               at + ("volumes", i), kind="consistency")
        for i, item in enumerate(build.get("secrets") or () if build is not None else ()):
            source = item.get("source") if isinstance(item, dict) else item
            if source not in secrets:
                return Refusal(f'service "{name}" refers to undefined build secret {source}: invalid compose project',
                               at + ("build", "secrets", i), kind="consistency")
        for kind, section in (("config", configs), ("model", models), ("secret", secrets)):
            items = svc.get(kind + "s") or ()
            for i, item in enumerate(items):
                source = item.get("source") if isinstance(item, dict) else item
                if source not in section:
                    where = at + (kind + "s", source if isinstance(items, dict) else i)
                    return Refusal(f'service "{name}" refers to undefined {kind} {source}: invalid compose project',
                                   where, kind="consistency")
        found = _scale_refusal(name, svc)
        if found:
            return found
    for name, spec in secrets.items():
        if isinstance(spec, dict) and not spec.get("external") and not spec.get("file") and \
                not spec.get("environment"):
            return Refusal(f'secret "{name}" must declare either `file` or `environment`: invalid compose project',
                           ("secrets", name), kind="consistency")
    return cycle_refusal(services) or container_name_refusal(services)


def _scale_refusal(name: str, svc: dict) -> Refusal | None:
    """The rest of checkConsistency for one service: scale and replicas, resources given twice, a fixed container
    name for several replicas, watch targets, two mounts at one target."""
    at, where = ("services", name), f"services.{name}"
    deploy = svc.get("deploy") if isinstance(svc.get("deploy"), dict) else None
    scale = svc.get("scale")
    replicas = deploy.get("replicas") if deploy is not None else None
    if scale is not None and replicas is not None and scale != replicas:
        return Refusal(f"{where}: can't set distinct values on 'scale' and 'deploy.replicas': invalid compose "
                       "project", at + ("scale",), kind="consistency")
    if deploy is not None and scale is not None:
        replicas = scale
    if isinstance(scale, int) and scale < 0:
        return Refusal(f"{where}.scale: must be greater than or equal to 0", at + ("scale",), kind="consistency")
    if isinstance(replicas, int) and replicas < 0:
        return Refusal(f"{where}.deploy.replicas: must be greater than or equal to 0", at + ("deploy", "replicas"),
                       kind="consistency")
    limits = value_at(deploy, ("resources", "limits"))
    reservations = value_at(deploy, ("resources", "reservations"))
    for key, section, field, label in (("cpus", limits, "cpus", "limits.cpus"),
                                       ("mem_limit", limits, "memory", "limits.memory"),
                                       ("mem_reservation", reservations, "memory", "reservations.memory"),
                                       ("pids_limit", limits, "pids", "limits.pids")):
        mine = svc.get(key)
        if mine in (None, 0, "0", 0.0) or not isinstance(section, dict):
            continue
        theirs = section.get(field)
        same = theirs is not None and (float(mine) == float(theirs) if key == "cpus" and _number(theirs)
                                       else str(mine) == str(theirs))
        if not same:
            return Refusal(f"{where}: can't set distinct values on '{key}' and 'deploy.resources.{label}': invalid "
                           "compose project", at + (key,), kind="consistency")
    count = scale if scale is not None else replicas if replicas is not None else 1
    if isinstance(count, int) and count > 1 and svc.get("container_name"):
        attr = "scale" if scale is not None else "deploy.replicas"
        return Refusal(f"services.{name}: can't set container_name and {attr} as container name must be unique: "
                       "invalid compose project", at + ("container_name",), kind="consistency")
    watches = value_at(svc, ("develop", "watch"))
    for i, watch in enumerate(watches) if isinstance(watches, list) else ():
        if isinstance(watch, dict) and not watch.get("target") and watch.get("action") not in ("rebuild", "restart"):
            return Refusal(f"{where}.develop.watch: target is required for non-rebuild actions: invalid compose "
                           "project", at + ("develop", "watch", i), kind="consistency")
    mounts: dict[str, str] = {}
    tmpfs = svc.get("tmpfs")
    for i, entry in enumerate([tmpfs] if isinstance(tmpfs, str) else tmpfs if isinstance(tmpfs, list) else ()):
        target = str(entry).partition(":")[0]
        if target in mounts:
            return Refusal(f"{where}.tmpfs[{i}]: target {target} already mounted as {mounts[target]}",
                           at + ("tmpfs",), kind="consistency")
        mounts[target] = f"{where}.tmpfs[{i}]"
    for i, vol in enumerate(svc.get("volumes") or ()):  # two volumes at one target: the merge keeps the last
        target = vol.get("target") if isinstance(vol, dict) else None
        if isinstance(target, str) and target in mounts:
            return Refusal(f"{where}.volumes[{i}]: target {target} already mounted as {mounts[target]}",
                           at + ("volumes", i), kind="consistency")
    return None


def _number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def container_name_refusal(services: dict) -> Refusal | None:
    """Two services given the same ``container_name``."""
    owners: dict[str, str] = {}
    for name, svc in services.items():
        cname = svc.get("container_name") if isinstance(svc, dict) else None
        if isinstance(cname, str) and cname:
            if cname in owners:
                return Refusal(f'services.{name}: container name "{cname}" is already in use by service '
                               f'"{owners[cname]}"', ("services", name, "container_name"), kind="consistency")
            owners[cname] = name
    return None


def _drive_letter(source: Any) -> bool:
    """``c`` of ``c:/data:/data``: compose reads a one-letter source as a Windows drive (the target's path), no
    volume name."""
    return isinstance(source, str) and len(source) == 1 and source.isalpha()


def cycle_refusal(services: dict) -> Refusal | None:
    """graph.CheckCycle: services visited in name order, each one's dependencies in name order."""
    children: dict[str, list[str]] = {}
    for name, svc in services.items():
        if isinstance(svc, dict):
            children[name] = sorted({dep for dep, _where, _required in _dependencies(svc) if dep in services})

    acyclic: set[str] = set()  # explored without a cycle (compose-go explores again; the result is the same)

    def search(path: list[str]) -> Refusal | None:
        for child in children.get(path[-1], ()):
            if child in acyclic:
                continue
            if child in path:
                cycle = path[path.index(child):]
                return Refusal(f"dependency cycle detected: {' -> '.join(cycle)} -> {child}",
                               ("services", path[-1], "depends_on", child), kind="consistency")
            found = search(path + [child])
            if found:
                return found
        acyclic.add(path[-1])
        return None

    for name in sorted(children):
        found = search([name])
        if found:
            return found
    return None

"""The Compose Specification check used by the compose rules, on top of :mod:`dockyard.schemas`.

:mod:`dockyard.schemas` compiles and caches the vendored ``compose-spec`` validator. Two things are added
here: the violation is mapped back to a path in the document (keys containing dots included), and unknown
service keys are reported, because fastjsonschema does not implement ``unevaluatedProperties`` (which the
schema uses for service keys).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_SCHEMA = "compose-spec"
_STATE: dict[str, frozenset[str]] = {}
_PROPS = re.compile(r"must not contain \{(.*)\} properties")


@dataclass(frozen=True, slots=True)
class SchemaError:
    path: tuple  # where in the document (keys and list indices)
    message: str
    keys: tuple = ()  # offending property names, for "must not contain" errors


def _service_keys() -> frozenset[str]:
    """Properties a service definition may evaluate (service, container_spec, workload_spec)."""
    if "service_keys" not in _STATE:
        import json

        from dockyard.schemas import schema_text

        defs = json.loads(schema_text(_SCHEMA)).get("$defs", {})
        keys: set[str] = set()
        for name in ("service", "container_spec", "workload_spec"):
            keys.update((defs.get(name) or {}).get("properties", {}))
        _STATE["service_keys"] = frozenset(keys)
    return _STATE["service_keys"]


def _split_path(tokens: list[str], data: Any) -> tuple:
    """fastjsonschema's dotted path back to keys, joining tokens when a key itself contains dots."""
    out: list[Any] = []
    node = data
    i = 1 if tokens and tokens[0] == "data" else 0
    while i < len(tokens):
        if isinstance(node, list):
            try:
                idx = int(tokens[i])
            except ValueError:
                break
            out.append(idx)
            node = node[idx] if 0 <= idx < len(node) else None
            i += 1
            continue
        if not isinstance(node, dict):
            break
        for j in range(len(tokens), i, -1):
            cand = ".".join(tokens[i:j])
            if cand in node:
                out.append(cand)
                node = node[cand]
                i = j
                break
        else:
            break
    return tuple(out)


def validate(data: Any) -> SchemaError | None:
    """The first schema violation of ``data`` (a plain or positioned compose document), or None."""
    import fastjsonschema

    from dockyard.schemas import validator

    try:
        validator(_SCHEMA)(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        path = _split_path(list(exc.path), data)
        m = _PROPS.search(exc.message)
        keys: tuple = ()
        if m:
            keys = tuple(re.findall(r"'((?:[^'\\]|\\.)*)'", m.group(1)))
        where = ".".join(str(p) for p in path)
        message = exc.message
        if message.startswith("data"):
            message = (where or "top level") + message[len(exc.name):] if exc.name.startswith("data") else message
        return SchemaError(path, message, keys)
    except Exception as exc:  # a validator bug must not hide the file's other findings
        return SchemaError((), f"could not be validated: {type(exc).__name__}")
    services = data.get("services") if isinstance(data, dict) else None
    if isinstance(services, dict):
        service_keys = _service_keys()
        for name, svc in services.items():
            if not isinstance(svc, dict):
                continue
            unknown = [k for k in svc if isinstance(k, str) and k not in service_keys and not k.startswith("x-")]
            if unknown:
                return SchemaError(("services", name), f"services.{name} must not contain "
                                   f"{{{', '.join(repr(k) for k in unknown)}}} properties", tuple(unknown))
    return None

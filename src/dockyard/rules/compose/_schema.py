"""The Compose Specification JSON schema (as vendored by check-jsonschema), compiled once.

Compiling the schema with fastjsonschema takes about a second, so the generated validator's code object is
cached on disk (``$XDG_CACHE_HOME/dockyard``), keyed by the schema's hash and the fastjsonschema and Python
versions; without a writable cache it is compiled in memory, once per process.

fastjsonschema does not implement ``unevaluatedProperties`` (which the schema uses for service keys), so
unknown service keys are checked here against the properties the service definition may evaluate.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

_STATE: dict[str, Any] = {}


@dataclass(frozen=True, slots=True)
class SchemaError:
    path: tuple  # where in the document (keys and list indices)
    message: str
    keys: tuple = ()  # offending property names, for "must not contain" errors


def _schema_text() -> str:
    from importlib.resources import files

    return files("check_jsonschema.builtin_schemas.vendor").joinpath("compose-spec.json").read_text("utf-8")


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dockyard"


def _compile(text: str) -> Callable[[Any], Any]:
    import fastjsonschema

    schema = json.loads(text)
    key = hashlib.sha256(
        (text + fastjsonschema.VERSION + sys.version).encode("utf-8")).hexdigest()[:20]
    cache = _cache_dir() / f"compose-spec-{key}.marshal"
    code = None
    try:
        code = marshal.loads(cache.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        code = None
    if code is None:
        source = fastjsonschema.compile_to_code(schema)
        code = compile(source, "<compose-spec validator>", "exec")
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=".compose-spec-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(marshal.dumps(code))
            os.replace(tmp, cache)
        except OSError:
            pass
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # the validator fastjsonschema generated from the vendored schema
    name = next(k for k in namespace if k.startswith("validate") and "___" not in k)
    _STATE["service_keys"] = _service_keys(schema)
    return namespace[name]


def _service_keys(schema: dict) -> frozenset[str]:
    defs = schema.get("$defs", {})
    keys: set[str] = set()
    for name in ("service", "container_spec", "workload_spec"):
        keys.update((defs.get(name) or {}).get("properties", {}))
    return frozenset(keys)


def validator() -> tuple[Callable[[Any], Any], frozenset[str]]:
    if "validate" not in _STATE:
        _STATE["validate"] = _compile(_schema_text())
    return _STATE["validate"], _STATE["service_keys"]


_PROPS = re.compile(r"must not contain \{(.*)\} properties")


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

    check, service_keys = validator()
    try:
        check(data)
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
        for name, svc in services.items():
            if not isinstance(svc, dict):
                continue
            unknown = [k for k in svc if isinstance(k, str) and k not in service_keys and not k.startswith("x-")]
            if unknown:
                return SchemaError(("services", name), f"services.{name} must not contain "
                                   f"{{{', '.join(repr(k) for k in unknown)}}} properties", tuple(unknown))
    return None

"""Merging compose files the way compose-go does (override/merge.go), on canonical per-file models.

* mappings deep-merge; scalars are replaced;
* ``command``, ``entrypoint``, ``healthcheck.test`` are replaced (never concatenated);
* ``ports`` are concatenated then de-duplicated (identical entries collapse);
* ``volumes`` are keyed by container path, ``secrets``/``configs`` by source: an override replaces;
* other sequences (``dns``, ``expose``, ``env_file``, ``profiles``, ...) are concatenated without duplicates;
* ``!reset`` removes the value, ``!override`` replaces it wholesale (tags kept by :mod:`yamlpos`).
"""

from __future__ import annotations

import json
from typing import Any

_REPLACE = frozenset(("command", "entrypoint"))
_KEYED = {"volumes": ("target",), "secrets": ("source",), "configs": ("source",),
          "devices": ("target", "container_path")}


def _key(item: Any, fields: tuple[str, ...]) -> str:
    if isinstance(item, dict):
        for f in fields:
            if f in item:
                return f"{f}={item[f]}"
    return json.dumps(item, sort_keys=True, default=str)


def _ident(item: Any) -> str:
    return json.dumps(item, sort_keys=True, default=str)


def merge_models(base: dict, override: dict) -> dict:
    """Merge ``override`` into ``base`` (both canonical models); returns ``base``."""
    return _merge_map(base, override, ())


def _merge_map(base: dict, override: dict, path: tuple) -> dict:
    tags = getattr(override, "tags", {}) or {}
    for k, v in override.items():
        tag = tags.get(k)
        if tag == "!reset":
            base.pop(k, None)
            continue
        if tag == "!override" or k not in base:
            base[k] = v
            continue
        base[k] = _merge_value(base[k], v, path + (k,))
    return base


def _in_service(path: tuple) -> bool:
    return len(path) >= 3 and path[0] == "services"


def _merge_value(base: Any, override: Any, path: tuple) -> Any:
    if _in_service(path) and len(path) == 3 and path[2] in _REPLACE:
        return override
    if _in_service(path) and path[2:] == ("healthcheck", "test"):
        return override
    if isinstance(base, dict) and isinstance(override, dict):
        return _merge_map(base, override, path)
    if isinstance(base, list) and isinstance(override, list):
        name = path[-1] if path else None
        if _in_service(path) and len(path) == 3 and name in _KEYED:
            fields = _KEYED[name]
            merged: dict[str, Any] = {}
            for item in base:
                merged[_key(item, fields)] = item
            for item in override:
                merged[_key(item, fields)] = item
            return list(merged.values())
        out = list(base)
        seen = {_ident(x) for x in out}
        for item in override:
            ident = _ident(item)
            if ident not in seen:
                seen.add(ident)
                out.append(item)
        return out
    return override

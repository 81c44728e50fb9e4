"""Merging compose files the way compose-go does, on canonical per-file models: a port of compose-go v2.9.1's
``override`` package (``merge.go``; Apache License 2.0; see THIRD_PARTY_NOTICES.md).

* mappings deep-merge; scalars are replaced;
* ``command``, ``entrypoint``, ``healthcheck.test`` are replaced (never concatenated);
* ``logging`` merges only when the driver is unchanged (or one side names none); otherwise it is replaced;
* ``ports`` are concatenated then de-duplicated (identical entries collapse);
* ``volumes`` are keyed by container path (long or short syntax), ``secrets``/``configs`` by source: an
  override replaces;
* other sequences (``dns``, ``expose``, ``env_file``, ``profiles``, ...) are concatenated (without duplicates in
  the tracked models; :mod:`dockyard.compose.normalize` makes unique the lists compose keeps unique);
* ``!reset`` removes the value, ``!override`` replaces it wholesale (tags kept by :mod:`yamlpos`).

Provenance: when the models are made of :class:`TrackedMap` / :class:`TrackedSeq` (each entry carrying
where it was written, ``prov[key or index] = (last, first)``), the merge keeps it: an entry an override sets
takes the override's ``last`` origin and keeps the base's ``first`` one.
"""

from __future__ import annotations

import json

from dockyard import TYPE_CHECKING
from dockyard.compose.normalize import go_string

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

_REPLACE = frozenset(("command", "entrypoint"))
_KEYED = {"volumes": ("target",), "secrets": ("source",), "configs": ("source",),
          "devices": ("target", "container_path")}


class TrackedMap(dict):
    """A mapping whose entries know where they were written: ``prov[key] = (last, first)``."""

    __slots__ = ("prov", "tags")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.prov: dict = {}
        self.tags: dict = {}


class TrackedSeq(list):
    """A sequence whose items know where they were written: ``prov[i] = (last, first)``."""

    __slots__ = ("prov",)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.prov: list = []


def split_volume(spec: str) -> tuple[str | None, str, str]:
    """A short volume spec as ``(source or None, target, mode)``; handles Windows drive letters."""
    parts = spec.split(":")
    if len(parts) >= 2 and len(parts[0]) == 1 and parts[0].isalpha() and parts[1].startswith(("\\", "/")):
        parts = [parts[0] + ":" + parts[1]] + parts[2:]
    if len(parts) == 1:
        return None, parts[0], ""
    if len(parts) == 2:
        return parts[0], parts[1], ""
    return parts[0], parts[1], ":".join(parts[2:])


def _key(item: Any, fields: tuple[str, ...], name: str) -> str:
    if isinstance(item, dict):
        for f in fields:
            if f in item:
                return f"{f}={item[f]}"
    elif isinstance(item, str):
        if name == "volumes":
            return f"target={split_volume(item)[1]}"
        if name in ("secrets", "configs"):
            return f"source={item}"
    return json.dumps(item, sort_keys=True, default=str)


def _ident(item: Any) -> str:
    return json.dumps(item, sort_keys=True, default=str)


def merge_models(base: dict, override: dict) -> dict:
    """Merge ``override`` into ``base`` (both canonical models); returns ``base``."""
    return _merge_map(base, override, ())


def _merge_map(base: dict, override: dict, path: tuple) -> dict:
    tags = getattr(override, "tags", {}) or {}
    bprov = getattr(base, "prov", None)
    oprov = getattr(override, "prov", None)
    for k, v in override.items():
        tag = tags.get(k)
        if tag == "!reset":
            base.pop(k, None)
            if bprov is not None:
                bprov.pop(k, None)
            continue
        if tag == "!override" or k not in base:
            base[k] = v
            if bprov is not None and oprov is not None and k in oprov:
                bprov[k] = oprov[k]
            continue
        base[k] = _merge_value(base[k], v, path + (k,))
        if bprov is not None and oprov is not None and k in oprov:
            old = bprov.get(k)
            bprov[k] = (oprov[k][0], old[1] if old else oprov[k][1])
    return base


def _in_service(path: tuple) -> bool:
    return len(path) >= 3 and path[0] == "services"


def _like(base: list) -> list:
    return TrackedSeq() if isinstance(base, TrackedSeq) else []


# where compose appends only the override's entries the base does not hold, as written (mergeExtraHosts)
_HOSTS = (("extra_hosts",), ("build", "extra_hosts"))
# mappings compose merges as `KEY=value` sequences (override/merge.go mergeToSequence): a null there is data
_SEQUENCE_MAPS = frozenset(("environment", "labels", "annotations", "args", "sysctls", "additional_contexts"))


def _host_sequence(value: Any) -> list:
    """compose-go's ``convertIntoSequence``: a list as written; a mapping as sorted ``host=ip`` entries (one per
    address when it lists several, the bare host when it has none)."""
    if isinstance(value, list):
        return list(value)
    entries = []
    for host, ip in value.items():
        if ip is None:
            entries.append(str(host))
        else:
            entries.extend(f"{host}={go_string(x)}" for x in (ip if isinstance(ip, list) else [ip]))
    return sorted(entries)


def _merge_value(base: Any, override: Any, path: tuple) -> Any:
    if override is None and not (len(path) >= 2 and path[-2] in _SEQUENCE_MAPS):
        return base  # mergeYaml: a null override keeps what it overrides (`!reset` removes it)
    if _in_service(path) and path[2:] in _HOSTS and getattr(base, "prov", None) is None \
            and isinstance(base, (dict, list)) and isinstance(override, (dict, list)):
        hosts = _host_sequence(base)  # mergeExtraHosts: the base, then the override's entries it does not hold
        return hosts + [item for item in _host_sequence(override) if item not in hosts]
    if _in_service(path) and len(path) == 3 and path[2] in _REPLACE:
        return override
    if _in_service(path) and path[2:] == ("healthcheck", "test"):
        return override
    if isinstance(base, dict) and isinstance(override, dict):
        if _in_service(path) and len(path) == 3 and path[2] == "logging":
            bd, od = base.get("driver"), override.get("driver")
            if bd is not None and od is not None and bd != od:
                return override
        return _merge_map(base, override, path)
    if isinstance(base, list) and isinstance(override, list):
        name = path[-1] if path else None
        bprov = getattr(base, "prov", None)
        oprov = getattr(override, "prov", None)
        tracked = bprov is not None and oprov is not None
        out = _like(base)
        if _in_service(path) and len(path) == 3 and name in _KEYED:
            fields = _KEYED[name]
            merged: dict[str, tuple] = {}
            for i, item in enumerate(base):
                merged[_key(item, fields, name)] = (item, bprov[i] if tracked else None)
            for i, item in enumerate(override):
                merged[_key(item, fields, name)] = (item, oprov[i] if tracked else None)
            for item, prov in merged.values():
                out.append(item)
                if tracked:
                    out.prov.append(prov)
            return out
        out.extend(base)
        if not tracked:  # compose appends; the lists it keeps unique are made so after the merge (normalize.py)
            out.extend(override)
            return out
        out.prov.extend(bprov)
        seen = {_ident(x) for x in out}
        for i, item in enumerate(override):
            ident = _ident(item)
            if ident not in seen:
                seen.add(ident)
                out.append(item)
                if tracked:
                    out.prov.append(oprov[i])
        return out
    return override


def merge_service(base: dict, override: dict, name: str) -> dict:
    """Merge one service definition over another (``extends``); returns ``base``."""
    return _merge_map(base, override, ("services", name))

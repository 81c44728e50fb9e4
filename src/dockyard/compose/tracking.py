"""The tracked layer of a load: each document's tree, interpolated but not normalised, as
:class:`dockyard.compose.merge.TrackedMap`/``TrackedSeq`` whose entries carry their :class:`Origin` (where they were
written, and their value as written). The environment-scoped rules read it (``ComposeProject.raw_model``); list
forms that compose reads as mappings are given their mapping shape, values unchanged.
"""

from __future__ import annotations

from pathlib import Path

from dockyard import TYPE_CHECKING
from dockyard.compose.load_context import LoadContext
from dockyard.compose.merge import TrackedMap, TrackedSeq
from dockyard.compose.model import Origin
from dockyard.model import Position
from dockyard.parsers.yamlpos import YMap, YSeq

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any


def track(node: Any, raw: Any, file: str, pos: Position) -> Any:
    """An interpolated positioned tree as TrackedMap/TrackedSeq whose entries carry their Origin (``raw``
    is the same tree before interpolation)."""
    if isinstance(node, dict):
        out = TrackedMap()
        tags = getattr(node, "tags", None)
        if tags:
            out.tags = dict(tags)
        for k, v in node.items():
            kp = (node.key_pos(k) if isinstance(node, YMap) else None) or pos
            vp = (node.value_pos(k) if isinstance(node, YMap) else None) or kp
            r = raw.get(k) if isinstance(raw, dict) else None
            out[k] = track(v, r, file, kp)
            o = Origin(file, kp, vp, r)
            out.prov[k] = (o, o)
        return out
    if isinstance(node, list):
        seq = TrackedSeq()
        for i, v in enumerate(node):
            ip = (node.item_pos(i) if isinstance(node, YSeq) else None) or pos
            r = raw[i] if isinstance(raw, list) and i < len(raw) else None
            seq.append(track(v, r, file, ip))
            o = Origin(file, ip, ip, r)
            seq.prov.append((o, o))
        return seq
    return node


def _kv_map(seq: Any, sep: str = "=") -> Any:
    """``["A=1", "B"]`` -> ``{"A": "1", "B": None}``, each entry keeping its item's origin."""
    if not isinstance(seq, TrackedSeq):
        return seq
    out = TrackedMap()
    for item, prov in zip(seq, seq.prov):
        if isinstance(item, str):
            k, s, v = item.partition(sep)
            k = k.strip()
            out[k] = v if s else None
            out.prov[k] = prov
        elif isinstance(item, TrackedMap):  # odd input: keep it visible
            out.update(item)
            out.prov.update(item.prov)
    return out


def _name_map(seq: Any, condition: bool) -> Any:
    """``["a", "b"]`` -> ``{"a": ..., "b": ...}`` (depends_on with its default condition, networks)."""
    if not isinstance(seq, TrackedSeq):
        return seq
    out = TrackedMap()
    for item, prov in zip(seq, seq.prov):
        if isinstance(item, str):
            value = None
            if condition:
                value = TrackedMap({"condition": "service_started"})
                value.prov["condition"] = prov
            out[item] = value
            out.prov[item] = prov
    return out


def shape_service(svc: Any) -> None:
    """Compose's shapes without changing values: list forms of ``environment``/``labels``/``annotations``/
    ``build.args`` as mappings, ``depends_on``/``networks`` as mappings, ``env_file`` a list, ``build`` a
    mapping."""
    if not isinstance(svc, TrackedMap):
        return
    for key in ("environment", "labels", "annotations"):
        if key in svc:
            svc[key] = _kv_map(svc[key])
    if "depends_on" in svc:
        svc["depends_on"] = _name_map(svc["depends_on"], True)
    if "networks" in svc:
        svc["networks"] = _name_map(svc["networks"], False)
    if isinstance(svc.get("env_file"), str):
        seq = TrackedSeq([svc["env_file"]])
        seq.prov.append(svc.prov["env_file"])
        svc["env_file"] = seq
    build = svc.get("build")
    if isinstance(build, str):
        m = TrackedMap({"context": build})
        m.prov["context"] = svc.prov["build"]
        svc["build"] = m
    elif isinstance(build, TrackedMap) and "args" in build:
        build["args"] = _kv_map(build["args"])


def tracked_tree(root: Any, raw: Any, file: Path, ctx: LoadContext) -> Any:
    """A document's tracked tree: ``root`` interpolated, ``raw`` as written; ``include`` left out, services in
    compose's shapes."""
    tracked = track(root, raw, ctx.label(file), Position())
    tracked.pop("include", None)
    services = tracked.get("services")
    if isinstance(services, dict):
        for svc in services.values():
            shape_service(svc)
    return tracked


def include_sections(tracked: Any, tmodel: dict) -> None:
    """What an ``include`` brings into a tracked tree: the included project's resources its own file does not
    define."""
    for section in ("services", "networks", "volumes", "secrets", "configs"):
        src = tmodel.get(section)
        if not isinstance(src, dict) or not src:
            continue
        dst = tracked.get(section)
        if not isinstance(dst, TrackedMap):
            dst = tracked[section] = TrackedMap()
            if section in getattr(tmodel, "prov", {}):
                tracked.prov[section] = tmodel.prov[section]
        for k, v in src.items():
            if k not in dst:
                dst[k] = v
                if k in getattr(src, "prov", {}):
                    dst.prov[k] = src.prov[k]

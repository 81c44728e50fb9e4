"""The canonical forms compose-go's loader gives each service of each file before files merge (ported from its
v2.9.1 ``loader`` package; Apache License 2.0; see THIRD_PARTY_NOTICES.md): list forms of
``environment``, ``labels``, ``annotations``, ``build.args`` as mappings, short ports in long form, ``depends_on``
and ``networks`` as mappings, ``build`` and ``env_file`` entries as mappings with absolute paths, a string
``healthcheck.test`` as ``CMD-SHELL``, ``secrets``/``configs`` entries as mappings, ``develop.watch`` paths.
"""

from __future__ import annotations

import os
from pathlib import Path

from dockyard import TYPE_CHECKING
from dockyard.compose import normalize
from dockyard.compose.decoding import split_port_spec
from dockyard.compose.gotypes import go_float

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

_SERVICE_LISTS_TO_MAP = ("labels", "annotations")


def absolute(path: str, base: Path) -> str:
    """``path`` resolved against ``base`` (``~`` expanded), as compose resolves a relative path."""
    if path.startswith("~"):
        path = os.path.expanduser(path)
    p = Path(path)
    if not p.is_absolute():
        p = base / p
    return os.path.normpath(str(p))


def _is_url_context(ctx: str) -> bool:
    return "://" in ctx or ctx.startswith("git@") or ctx.startswith("github.com/")


def _list_to_map(value: Any, sep: str = "=", missing: Any = "") -> dict:
    if isinstance(value, dict):  # a null value is what an item without `=` is (`""` for labels)
        return {str(k): missing if v is None else _scalar_str(v) for k, v in value.items()}
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
    if isinstance(v, float):
        return go_float(v)
    return str(v)


def canonical_service(svc: dict, base: Path) -> None:
    """One service of one file in compose's canonical forms, in place (``base``: the folder its relative paths
    resolve against), then :func:`dockyard.compose.normalize.service`."""
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
    if "depends_on" in svc:
        svc["depends_on"] = _depends_on(svc["depends_on"])
    if isinstance(svc.get("networks"), list):
        svc["networks"] = {str(n): None for n in svc["networks"]}
    build = svc.get("build")
    if isinstance(build, str):
        svc["build"] = build = {"context": build}
    if isinstance(build, dict):
        c = str(build.get("context", "."))
        build["context"] = c if _is_url_context(c) else absolute(c, base)
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
                norm.append({"path": absolute(it, base), "required": True})
            elif isinstance(it, dict):
                d = dict(it)
                d["path"] = absolute(str(d.get("path", "")), base)
                d.setdefault("required", True)
                norm.append(d)
        svc["env_file"] = norm
    hc = svc.get("healthcheck")
    if isinstance(hc, dict) and isinstance(hc.get("test"), str):
        hc["test"] = ["CMD-SHELL", hc["test"]]
    for key in ("secrets", "configs"):
        if isinstance(svc.get(key), list):
            svc[key] = [{"source": s} if isinstance(s, str) else s for s in svc[key]]
    develop = svc.get("develop")
    if isinstance(develop, dict) and isinstance(develop.get("watch"), list):
        for watch in develop["watch"]:
            if isinstance(watch, dict):
                if "path" in watch:
                    watch["path"] = absolute(str(watch["path"]), base)
                watch.setdefault("exec", {"command": None})
    normalize.service(svc, base)


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
    host_ip, published, target, proto = split_port_spec(str(p))
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

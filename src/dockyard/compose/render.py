"""Render a loaded project as ``docker compose config`` prints it (``$`` doubled), optionally masked.

``render(project, format='json'|'yaml', mask_secrets=True) -> str``. With ``mask_secrets=False`` and
``format='json'`` the content equals ``docker compose config --format json`` (key order aside).
Masking replaces values of secret-looking keys (environment, build args, labels, ``x-`` fields) and
credentials inside URLs (``scheme://user:pass@host``) anywhere.
"""

from __future__ import annotations

import json
import re
from typing import Any


def _escape(value: Any, mask: bool, key: str | None = None) -> Any:
    if isinstance(value, str):
        if mask:
            from dockyard.secrets import mask as mask_value

            name = _item_name(value) if key is None else None
            if name is not None:
                value = f"{name}={mask_value(value[len(name) + 1:], name)}"
            else:
                value = mask_value(value, key)
        return value.replace("$", "$$")
    if isinstance(value, dict):
        return {k: _escape(v, mask, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_escape(v, mask, None) for v in value]
    return value


def _item_name(value: str) -> str | None:
    """The variable a list item ``NAME=value`` sets (list-form ``environment``/``args``, also in ``x-`` fields)."""
    name, sep, _ = value.partition("=")
    return name if sep and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", name) else None


def to_output(project: Any, mask_secrets: bool = True) -> dict:
    """The printable model (a new object)."""
    return _escape(project.model, mask_secrets)


def render(project: Any, format: str = "json", mask_secrets: bool = True) -> str:
    data = to_output(project, mask_secrets)
    if format == "json":
        return json.dumps(data, indent=2, ensure_ascii=False)
    if format == "yaml":
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, default_flow_style=False)
    raise ValueError(f"unknown format {format!r} (expected json or yaml)")

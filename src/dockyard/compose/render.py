"""Render a loaded project as ``docker compose config`` prints it (``$`` doubled), optionally masked.

``render(project, format='json'|'yaml', mask_secrets=True) -> str``. With ``mask_secrets=False`` and
``format='json'`` the content equals ``docker compose config --format json`` (key order aside).
Masking (:mod:`dockyard.secrets`) replaces the values of secret-looking keys (environment, build args, labels,
``x-`` fields, map and ``NAME=value`` list forms) and the arguments of secret flags in command lists; masks
credentials (URL passwords and tokens, secret query parameters, well-known token shapes) in every string; and
masks, wherever they appear, the values known to be secret: those of the secret variables of the interpolation
environment (env files and shell), of the variables compose ``secrets:`` read, and of the model's secret keys,
so that ``APP_CONFIG: "key=${SECRET_KEY}"`` is masked too.
"""

from __future__ import annotations

import json
import re

from dockyard import TYPE_CHECKING
from dockyard.secrets import MASK, Redactor, collect_tree, is_secret_name, mask_argv

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any


def _escape(value: Any, redactor: Any, key: str | None = None) -> Any:
    if isinstance(value, str):
        if redactor is not None:
            name = _item_name(value) if key is None else None
            if name is not None:
                rest = value[len(name) + 1:]
                value = f"{name}={MASK if rest and is_secret_name(name, rest) else redactor(rest)}"
            elif key is not None and value and is_secret_name(key, value):
                value = MASK
            elif value != MASK:
                value = redactor(value)
        return value.replace("$", "$$")
    if isinstance(value, dict):
        return {k: _escape(v, redactor, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        if redactor is not None and value and all(isinstance(v, str) for v in value):
            value = mask_argv(value)  # a command: `--requirepass` and its value are two items
        return [_escape(v, redactor, None) for v in value]
    return value


def _item_name(value: str) -> str | None:
    """The variable a list item ``NAME=value`` sets (list-form ``environment``/``args``, also in ``x-`` fields)."""
    name, sep, _ = value.partition("=")
    return name if sep and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", name) else None


def redactor_for(project: Any):
    """What masks the project's output: every value known to be secret in its interpolation environment, in the
    variables its ``secrets:`` read, and in its model."""
    redactor = Redactor()
    environment = project.environment or {}
    for name, value in environment.items():
        redactor.add_secrets_of(name, value)
    secrets = project.model.get("secrets") if isinstance(project.model, dict) else None
    for spec in (secrets.values() if isinstance(secrets, dict) else ()):
        if isinstance(spec, dict) and isinstance(spec.get("environment"), str):
            value = environment.get(spec["environment"])
            if value:
                redactor.add((value,))
    collect_tree(project.model, redactor)
    return redactor


def to_output(project: Any, mask_secrets: bool = True) -> dict:
    """The printable model (a new object)."""
    return _escape(project.model, redactor_for(project) if mask_secrets else None)


# the mappings whose keys are names or data, not fields: an `x-` key in them is kept in JSON
_NAMED = frozenset(("services", "networks", "volumes", "secrets", "configs", "depends_on", "models", "ulimits"))
_DATA = frozenset(("environment", "labels", "annotations", "args", "sysctls", "driver_opts", "additional_contexts",
                   "options", "aux_addresses"))


def json_view(data: dict) -> dict:
    """What compose's JSON rendering leaves out of the model (compose-go's ``Project.MarshalJSON`` and
    ``json:"-"`` tags): the top-level ``models``, and the ``x-`` extensions of every structure below the top
    level (a service's, a network's, a watch rule's...); top-level extensions are printed."""
    out = {k: _without_extensions(v, k in _NAMED) for k, v in data.items() if k != "models"}
    return out


def _without_extensions(value: Any, named: bool = False) -> Any:
    if isinstance(value, list):
        return [_without_extensions(v) for v in value]
    if not isinstance(value, dict):
        return value
    if named:
        return {k: _without_extensions(v) for k, v in value.items()}
    return {k: v if k in _DATA else _without_extensions(v, k in _NAMED) for k, v in value.items()
            if not (isinstance(k, str) and k.startswith("x-"))}


def render(project: Any, format: str = "json", mask_secrets: bool = True) -> str:
    data = to_output(project, mask_secrets)
    if format == "json":
        data = json_view(data)
        return json.dumps(data, indent=2, ensure_ascii=False)
    if format == "yaml":
        import yaml

        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, default_flow_style=False)
    raise ValueError(f"unknown format {format!r} (expected json or yaml)")

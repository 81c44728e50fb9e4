"""Environments of a project: a name, its compose files (base + override) and its env file.

Conventions, in order:
* ``docker-compose.base.yml`` (or ``.yaml``) + ``docker-compose.<env>.yml`` per environment;
* ``compose.yaml`` (or ``compose.yml``/``docker-compose.yml``) + ``compose.<env>.yaml`` (``.yml``) per
  environment; ``compose.override.yaml`` alone makes a ``default`` environment (compose's own default).
The env file is ``.env.<env>``, falling back to the template ``.env.<env>.example``.
An override mapping (``[tool.dockyard.environments]``: ``{name: {compose: [...], env_file: "..."}}``)
replaces discovery when given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

_BASE_NAMES = ("docker-compose.base.yml", "docker-compose.base.yaml")
_MAIN_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
_ENV_RE = re.compile(r"^(?:docker-)?compose\.([A-Za-z0-9_-]+)\.ya?ml$")
_NOT_ENVS = frozenset(("base", "override"))


@dataclass(frozen=True, slots=True)
class Environment:
    name: str
    compose_files: tuple[Path, ...]
    env_file: Path | None
    env_file_is_template: bool = False


def _env_file(directory: Path, name: str) -> tuple[Path | None, bool]:
    real = directory / f".env.{name}"
    if real.is_file():
        return real, False
    template = directory / f".env.{name}.example"
    if template.is_file():
        return template, True
    return None, False


def discover_environments(directory: str | Path,
                          overrides: Mapping[str, Mapping[str, Any]] | None = None) -> list[Environment]:
    directory = Path(directory)
    if overrides:
        out = []
        for name, spec in overrides.items():
            compose = spec.get("compose") or spec.get("compose_files") or []
            if isinstance(compose, str):
                compose = [compose]
            env_file = spec.get("env_file")
            if env_file:
                ef: Path | None = directory / env_file
                is_template = str(env_file).endswith(".example")
            else:
                ef, is_template = _env_file(directory, name)
            out.append(Environment(name, tuple(directory / c for c in compose), ef, is_template))
        return out
    try:
        names = sorted(p.name for p in directory.iterdir() if p.is_file())
    except OSError:
        return []
    base = next((n for n in _BASE_NAMES if n in names), None)
    main = base or next((n for n in _MAIN_NAMES if n in names), None)
    if main is None:
        return []
    prefix = "docker-compose." if main.startswith("docker-compose") else "compose."
    envs: list[Environment] = []
    for n in names:
        m = _ENV_RE.match(n)
        if not m or not n.startswith(prefix) or n == main:
            continue
        env = m.group(1)
        if env in _NOT_ENVS:
            continue
        ef, tmpl = _env_file(directory, env)
        envs.append(Environment(env, (directory / main, directory / n), ef, tmpl))
    if not envs:
        override = next((n for n in ("compose.override.yaml", "compose.override.yml",
                                     "docker-compose.override.yml", "docker-compose.override.yaml")
                         if n in names), None)
        files = (directory / main,) + ((directory / override,) if override else ())
        ef = directory / ".env"
        envs.append(Environment("default", files, ef if ef.is_file() else None, False))
    return envs

"""Environments of a project: a name, its compose files (base + override) and its env file.

Conventions, per folder (the shallowest first), in order:
* ``docker-compose.base.yml`` (or ``.yaml``) + ``docker-compose.<env>.yml`` per environment;
* ``compose.yaml`` (``.yml``) + ``compose.<env>.yaml`` per environment;
* ``docker-compose.yml`` (``.yaml``) + ``docker-compose.<env>.yml`` per environment.
When none matches, a lone ``compose.yaml`` / ``docker-compose.yml`` (or the base file), with compose's
``compose.override.yaml`` / ``docker-compose.override.yml`` when present, is one environment ``default``
whose env file is the folder's ``.env``.
The env file is ``.env.<env>``, falling back to the template ``.env.<env>.example``; in a sub-folder, the
root's when the folder has neither. Environments of a sub-folder are named ``<folder>/<env>``.

An override mapping (``[tool.dockyard.environments]``: ``{name: {compose: [...], env_file: "..."}}``)
replaces discovery when given; a configured env file that does not exist falls back to its ``.example``.

``discover_environments(directory, overrides=None, files=None)``: with ``files`` (the project's discovered
files, relative POSIX paths) nothing is read from the disk and sub-folders are searched; without, the
folder ``directory`` itself is listed.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from dockyard.source import FileKind, classify

_EXTS = (".yml", ".yaml")
# (base stem, override stem): docker-compose.base.yml + docker-compose.<env>.yml, ...
_CONVENTIONS = (("docker-compose.base", "docker-compose"), ("compose", "compose"),
                ("docker-compose", "docker-compose"))
_NOT_ENVS = frozenset(("base", "override"))


@dataclass(frozen=True, slots=True)
class Environment:
    name: str
    compose_files: tuple[Path, ...]
    env_file: Path | None
    env_file_is_template: bool = False


def _env_file(exists: Callable[[str], bool], folder: str, name: str) -> tuple[str | None, bool]:
    for cand, template in ((f".env.{name}", False), (f".env.{name}.example", True)):
        rel = posixpath.join(folder, cand) if folder else cand
        if exists(rel):
            return rel, template
    return None, False


def _configured(directory: Path, overrides: Mapping[str, Mapping[str, Any]],
                exists: Callable[[str], bool]) -> list[Environment]:
    out = []
    for name, spec in overrides.items():
        compose = spec.get("compose") or spec.get("compose_files") or []
        if isinstance(compose, str):
            compose = [compose]
        env_file = spec.get("env_file")
        if env_file:
            env_file = str(env_file)
            template = env_file.endswith(".example")
            if not exists(env_file) and exists(env_file + ".example"):
                env_file, template = env_file + ".example", True
        else:
            env_file, template = _env_file(exists, "", name)
        out.append(Environment(name, tuple(directory / c for c in compose),
                               directory / env_file if env_file else None, template))
    return out


def _folder(names: set[str], folder: str, exists: Callable[[str], bool]) -> list[tuple[str, tuple, str | None, bool]]:
    prefix = f"{folder}/" if folder else ""
    for base_stem, over_stem in _CONVENTIONS:
        base = next((base_stem + e for e in _EXTS if base_stem + e in names), None)
        if base is None:
            continue
        envs = []
        for n in sorted(names):
            for e in _EXTS:
                if n.startswith(over_stem + ".") and n.endswith(e):
                    env = n[len(over_stem) + 1: -len(e)]
                    if env and "." not in env and env not in _NOT_ENVS:
                        envs.append((env, n))
        if not envs:
            continue
        out = []
        for env, over in envs:
            env_file, template = _env_file(exists, folder, env)
            if env_file is None and folder:
                env_file, template = _env_file(exists, "", env)
            out.append((prefix + env, (prefix + base, prefix + over), env_file, template))
        return out
    single = next((s + e for s in ("compose", "docker-compose", "docker-compose.base") for e in _EXTS
                   if s + e in names), None)
    if single is None:
        return []
    files = [prefix + single]
    for e in _EXTS:
        for s in ("compose.override", "docker-compose.override"):
            if s + e in names:
                files.append(prefix + s + e)
    dot_env = prefix + ".env"
    return [(prefix + "default", tuple(files), dot_env if exists(dot_env) else None, False)]


def discover_environments(directory: str | Path, overrides: Mapping[str, Mapping[str, Any]] | None = None,
                          files: Iterable[str] | None = None) -> list[Environment]:
    directory = Path(directory)
    if files is not None:
        known = set(files)
        exists: Callable[[str], bool] = known.__contains__
        listing = known
    else:
        exists = lambda rel: (directory / rel).is_file()  # noqa: E731
        try:
            listing = {p.name for p in directory.iterdir() if p.is_file()}
        except OSError:
            listing = set()
    if overrides:
        return _configured(directory, overrides, exists)
    by_dir: dict[str, set[str]] = {}
    for rel in listing:
        folder, _, base = rel.rpartition("/")
        if classify(base, tuple(folder.split("/")) if folder else ()) == FileKind.COMPOSE:
            by_dir.setdefault(folder, set()).add(base)
    out: list[Environment] = []
    for folder in sorted(by_dir, key=lambda d: (d.count("/") if d else -1, d)):
        for name, compose, env_file, template in _folder(by_dir[folder], folder, exists):
            out.append(Environment(name, tuple(directory / c for c in compose),
                                   directory / env_file if env_file else None, template))
    return out

"""Configuration: ``[tool.dockyard]`` in pyproject.toml, or a ``dockyard.toml``. Strict: unknown keys are errors."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from pathlib import Path

from dockyard import TYPE_CHECKING
from dockyard.fsutil import read_regular
from dockyard.model import Severity, UsageError
from dockyard.parsers.tomlfile import TOMLError, parse_toml
from dockyard.records import field, record

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

KNOWN_KEYS = ("select", "ignore", "per-file-ignores", "severity", "exclude", "fail-on", "environments", "init", "level",
              "baseline")
LEVELS = ("required", "recommended", "all")  # see dockyard.levels
ENV_KEYS = ("compose", "env-file")


def _closest(word: str, choices: Iterable[str]) -> str:
    import difflib  # only for an error message: not on the path of a valid configuration

    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f" (did you mean {match[0]!r}?)" if match else ""


@record
class Config:
    source: str | None = None  # the file it came from, for messages
    select: tuple[str, ...] = ("",)  # code prefixes; "" selects every rule
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)  # glob -> prefixes
    severity: dict[str, Severity] = field(default_factory=dict)  # code prefix -> severity
    exclude: tuple[str, ...] = ()
    fail_on: Severity = Severity.INFO  # findings at or above this fail the run (exit 1)
    environments: dict[str, dict[str, Any]] = field(default_factory=dict)
    level: str = "all"  # checklist levels to enforce: required, recommended or all (see dockyard.levels)
    baseline: Path | None = None  # findings recorded by `check --write-baseline`, not reported again

    # -- decisions -----------------------------------------------------------------------------
    def enabled(self, code: str) -> bool:
        best, enabled = -1, False
        for prefix in self.select:
            if code.startswith(prefix) and len(prefix) > best:
                best, enabled = len(prefix), True
        for prefix in self.ignore:
            # on equal length, ignore wins (as in ruff)
            if code.startswith(prefix) and len(prefix) >= best:
                best, enabled = len(prefix), False
        return enabled

    def severity_for(self, code: str, default: Severity) -> Severity:
        best, result = -1, default
        for prefix, sev in self.severity.items():
            if code.startswith(prefix) and len(prefix) > best:
                best, result = len(prefix), sev
        return result

    def ignored_in_file(self, code: str, path: str) -> bool:
        for pattern, prefixes in self.per_file_ignores.items():
            if _glob_match(path, pattern) and any(code.startswith(p) for p in prefixes):
                return True
        return False

    def excluded(self, path: str) -> bool:
        return any(_glob_match(path, pattern) for pattern in self.exclude)


def _glob_match(path: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    if fnmatch.fnmatchcase(path, pattern):
        return True
    # a pattern without a slash matches a file name anywhere, and a directory pattern its contents
    if "/" not in pattern and fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], pattern):
        return True
    return any(fnmatch.fnmatchcase("/".join(path.split("/")[: i + 1]), pattern) for i in range(path.count("/")))


def find_config(start: Path) -> Path | None:
    """The nearest dockyard.toml or pyproject.toml with a [tool.dockyard] table, from start upwards."""
    start = start if start.is_dir() else start.parent
    for folder in (start, *start.parents):
        candidate = folder / "dockyard.toml"
        if candidate.is_file():
            return candidate
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                if "[tool.dockyard" in candidate.read_text(encoding="utf-8", errors="replace"):
                    return candidate
            except OSError:
                continue
        if (folder / ".git").exists():
            break
    return None


def load_config(path: Path | None, known_codes: Iterable[str] | None = None) -> Config:
    if path is None:
        return Config()
    try:
        data = parse_toml(read_regular(path).decode("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read configuration: {exc}") from None
    except TOMLError as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}") from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("dockyard", {})
    else:
        table = data.get("tool", {}).get("dockyard", data)
    return parse_config(table, str(path), known_codes)


def parse_config(table: dict, source: str, known_codes: Iterable[str] | None = None) -> Config:
    if not isinstance(table, dict):
        raise UsageError(f"{source}: [tool.dockyard] must be a table")
    cfg = Config(source=source)
    for key in table:
        if key not in KNOWN_KEYS:
            raise UsageError(f"{source}: unknown key {key!r} in [tool.dockyard]{_closest(key, KNOWN_KEYS)}")
    codes = sorted(known_codes) if known_codes is not None else None

    def prefixes(value: Any, key: str) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise UsageError(f"{source}: {key} must be a list of rule codes or code prefixes")
        out = []
        for v in value:
            v = v.strip().upper()
            if v == "ALL":
                v = ""
            if codes is not None and v and not any(c.startswith(v) for c in codes):
                raise UsageError(f"{source}: {key}: unknown rule code {v!r}{_closest(v, codes)}")
            out.append(v)
        return tuple(out)

    if "select" in table:
        cfg.select = prefixes(table["select"], "select")
    if "ignore" in table:
        cfg.ignore = prefixes(table["ignore"], "ignore")
    pfi = table.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise UsageError(f"{source}: per-file-ignores must be a table of glob = [codes]")
    cfg.per_file_ignores = {glob: prefixes(v, f"per-file-ignores.{glob!r}") for glob, v in pfi.items()}
    sev = table.get("severity", {})
    if not isinstance(sev, dict):
        raise UsageError(f"{source}: severity must be a table of CODE = \"error|warning|info\"")
    for code, value in sev.items():
        (prefix,) = prefixes([code], "severity")
        try:
            cfg.severity[prefix] = Severity.parse(str(value))
        except ValueError as exc:
            raise UsageError(f"{source}: severity.{code}: {exc}") from None
    exclude = table.get("exclude", [])
    if isinstance(exclude, str):
        exclude = [exclude]
    if not isinstance(exclude, list) or not all(isinstance(v, str) for v in exclude):
        raise UsageError(f"{source}: exclude must be a list of globs")
    cfg.exclude = tuple(exclude)
    if "fail-on" in table:
        try:
            cfg.fail_on = Severity.parse(str(table["fail-on"]))
        except ValueError as exc:
            raise UsageError(f"{source}: fail-on: {exc}") from None
    if "level" in table:
        if table["level"] not in LEVELS:
            raise UsageError(f"{source}: level must be one of {', '.join(LEVELS)}, not {table['level']!r}")
        cfg.level = table["level"]
    if "baseline" in table:
        if not isinstance(table["baseline"], str) or not table["baseline"]:
            raise UsageError(f"{source}: baseline must be the path of a baseline file (relative to {source})")
        cfg.baseline = Path(source).parent / table["baseline"]
    envs = table.get("environments", {})
    if not isinstance(envs, dict):
        raise UsageError(f"{source}: environments must be a table of name = {{compose = [...], env-file = ...}}")
    for name, spec in envs.items():
        if not isinstance(spec, dict):
            raise UsageError(f"{source}: environments.{name} must be a table")
        for k in spec:
            if k not in ENV_KEYS:
                raise UsageError(f"{source}: unknown key {k!r} in environments.{name}{_closest(k, ENV_KEYS)}")
        if "compose" not in spec:
            raise UsageError(f"{source}: environments.{name}.compose is missing: list the environment's compose "
                             "files, e.g. compose = [\"compose.yaml\", \"compose.qa.yaml\"]")
        compose = spec["compose"]
        if isinstance(compose, str):
            raise UsageError(f"{source}: environments.{name}.compose must be a list of compose files, not a string: "
                             f"write compose = [{_toml_string(compose)}]")
        if not isinstance(compose, list) or not all(isinstance(c, str) and c for c in compose):
            raise UsageError(f"{source}: environments.{name}.compose must be a list of compose file names")
        if not compose:
            raise UsageError(f"{source}: environments.{name}.compose is empty: list the environment's compose files")
        env_file = spec.get("env-file")
        if env_file is not None and not (isinstance(env_file, str) and env_file):
            raise UsageError(f"{source}: environments.{name}.env-file must be a file name")
        cfg.environments[name] = {"compose": compose, "env_file": env_file}
    return cfg


def _toml_string(value: str) -> str:
    import json

    return json.dumps(value)  # a TOML basic string is a JSON string


def check_environment_files(cfg: Config, root: Path) -> None:
    """Every compose file the configured environments name exists under ``root`` (the checked tree, which their
    paths are relative to). Their env files may be absent: a real env file is rarely in a checkout, so a missing
    one falls back to its ``.example`` template, and a missing template is a finding (EN002), not an error."""
    for name, spec in cfg.environments.items():
        for rel in spec.get("compose") or ():
            if not (root / rel).is_file():
                where = "it is a directory" if (root / rel).is_dir() else "no such file"
                raise UsageError(f"{cfg.source}: environments.{name}.compose: {rel}: {where} "
                                 f"(paths are relative to {root})")

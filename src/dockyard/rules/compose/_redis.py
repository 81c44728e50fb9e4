"""How a redis-family service (redis, valkey, keydb, redis-stack, bitnami's images) is configured.

The settings come, in the order the server applies them, from a configuration file the command loads
(``redis-server /usr/local/etc/redis/redis.conf``) when that file is mounted from the project, then from
``--name value`` arguments on the command line (``command``/``entrypoint``, with ``sh -c "..."`` opened up,
and the ``REDIS_ARGS``/``*_EXTRA_FLAGS`` variables some images append), and for bitnami's images from
their environment variables (``REDIS_PASSWORD``, ``ALLOW_EMPTY_PASSWORD``, ``REDIS_AOF_ENABLED``).

How the password is given (``RedisSettings.password``):

* ``"required"``: a compose variable that must be set (``${REDIS_PASSWORD:?...}``);
* ``"optional"``: a compose variable that may be empty or defaulted (``${REDIS_PASSWORD}``, ``${P:-x}``);
* ``"container"``: a variable of the container's environment a shell expands (``sh -c "... $$P"``);
* ``"unexpanded"``: ``$$P`` with no shell to expand it: the password is the text ``$P`` itself;
* ``"literal"``: written in the file;
* ``"config"``: set in the mounted configuration file; ``"image"``: through the image's variables (bitnami);
* ``None``: no password.
"""

from __future__ import annotations

import posixpath
import shlex

from dockyard import TYPE_CHECKING
from dockyard.compose.merge import split_volume
from dockyard.images import image_path
from dockyard.parsers.interpolation import scan
from dockyard.records import field, record
from dockyard.regex import lazy_compile
from dockyard.rules.compose._common import raw_entry

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh"})
_PLACEHOLDER = lazy_compile("\x01([0-9]+)\x02")
_TRUE = frozenset({"yes", "true", "1", "on"})


@record
class RedisSettings:
    """``known``: False when the command loads a configuration file dockyard cannot read (nothing is judged).
    ``values``: directive -> value (``appendonly`` -> ``yes``), the command line over the file.
    ``raw_password``: the password as written (``${REDIS_PASSWORD:?...}``), when given on the command line
    or in a bitnami image's variable; ``password_setting``: where it is (``--requirepass``, ``REDIS_PASSWORD``).
    ``config``: the project file the configuration was read from, if any."""

    known: bool = True
    values: dict[str, str] = field(default_factory=dict)
    password: str | None = None
    raw_password: str | None = None
    password_setting: str = "--requirepass"
    config: str | None = None


def split_words(text: str) -> list[str]:
    """Words of a command line as compose (or a shell) splits them, quotes removed, each ``${...}`` kept whole."""
    refs = [r for r in scan(text).refs if r.depth == 0]
    pieces, pos = [], 0
    for i, r in enumerate(refs):
        if r.start < pos:
            continue
        pieces += [text[pos:r.start], f"\x01{i}\x02"]
        pos = r.end
    pieces.append(text[pos:])
    protected = "".join(pieces)
    try:
        words = shlex.split(protected)
    except ValueError:  # unbalanced quotes: compose refuses it anyway
        words = protected.split()
    return [_PLACEHOLDER.sub(lambda m: text[refs[int(m[1])].start:refs[int(m[1])].end], w) for w in words]


def argv(command: Any, entrypoint: Any = None) -> tuple[list[str], bool]:
    """The words a container runs (``entrypoint`` then ``command``, as written), with a ``sh -c SCRIPT`` replaced
    by the script's words; and whether a shell runs them (and so expands ``$VAR``)."""
    words: list[str] = []
    for part in (entrypoint, command):
        if isinstance(part, list):
            words += [str(w) for w in part if w is not None]
        elif isinstance(part, str):
            words += split_words(part)
    for i, w in enumerate(words[:-2]):
        if posixpath.basename(w) in SHELLS and words[i + 1].startswith("-") and "c" in words[i + 1]:
            return words[:i] + split_words(words[i + 2]), True
    return words, False


def _flags(words: list[str], into: dict[str, str], raw: dict[str, str]) -> str | None:
    """``--name value...`` arguments into ``into``; returns the configuration file named first, if any."""
    config = None
    name = None
    for i, w in enumerate(words):
        if w.startswith("--") and len(w) > 2:
            name = w[2:].lower()
            into[name] = ""
            raw[name] = ""
        elif name is not None:
            into[name] = f"{into[name]} {w}".strip()
            raw[name] = f"{raw[name]} {w}".strip()
        elif config is None and w.endswith(".conf") and i <= 1:
            config = w
    return config


def _config_source(view, svc: dict, target: str) -> str | None:
    """The project path mounted at ``target`` (a bind mount of the file or of a folder holding it, or a
    compose ``config``), relative to the project folder; None when it does not come from the project."""
    folder = posixpath.dirname(view.compose_files[0].path) if view.compose_files else ""
    for item in svc.get("volumes") or []:
        if isinstance(item, dict):
            src, dst = item.get("source"), str(item.get("target") or "")
            if item.get("type", "volume") != "bind":
                continue
        else:
            src, dst, _mode = split_volume(str(item))
        if not isinstance(src, str) or not src.startswith((".", "/")) or src.startswith("/"):
            continue
        dst = dst.rstrip("/")
        if target == dst:
            return posixpath.normpath(posixpath.join(folder, src))
        if target.startswith(dst + "/"):
            return posixpath.normpath(posixpath.join(folder, src, target[len(dst) + 1:]))
    configs = view.top("configs")
    for item in svc.get("configs") or []:
        name = item.get("source") if isinstance(item, dict) else item
        dst = item.get("target") if isinstance(item, dict) else f"/{item}"
        spec = configs.get(name) if isinstance(name, str) else None
        if dst == target and isinstance(spec, dict) and isinstance(spec.get("file"), str):
            return posixpath.normpath(posixpath.join(folder, spec["file"]))
    return None


def _read_config(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            parts = shlex.split(line)
        except ValueError:
            parts = line.split()
        if parts:
            key = parts[0].lower()
            value = " ".join(parts[1:])
            if key == "user" and ">" in value:  # an ACL user with a password
                out["requirepass"] = out.get("requirepass") or "(acl)"
            else:
                out[key] = value
    return out


def _classify(raw: str, shell: bool) -> str:
    refs = [r for r in scan(raw).refs if r.depth == 0]
    if refs:
        return "required" if all(r.required for r in refs) else "optional"
    if "$$" in raw:
        return "container" if shell else "unexpanded"
    return "literal"


def _bitnami(svc: dict) -> bool:
    path = "/" + image_path(svc.get("image")).lower()
    return "/bitnami/" in path or "/bitnamilegacy/" in path


def redis_settings(project, view, name: str, svc: dict) -> RedisSettings:
    out = RedisSettings()
    base = ("services", name)
    raw_cmd = view.raw(base + ("command",))
    raw_ep = view.raw(base + ("entrypoint",))
    words, shell = argv(raw_cmd if raw_cmd is not None else svc.get("command"),
                        raw_ep if raw_ep is not None else svc.get("entrypoint"))
    env = svc.get("environment") if isinstance(svc.get("environment"), dict) else {}
    for var in ("REDIS_ARGS", "REDIS_EXTRA_FLAGS", "VALKEY_EXTRA_FLAGS"):
        raw = raw_entry(view, base + ("environment", var))
        value = raw if isinstance(raw, str) else env.get(var)
        if isinstance(value, str):
            words += split_words(value)
    flags: dict[str, str] = {}
    raw_flags: dict[str, str] = {}
    config = _flags(words, flags, raw_flags)
    if config is not None:
        rel = _config_source(view, svc, config) if config.startswith("/") else None
        sf = project.include(rel) if rel and not rel.startswith("../") else None
        if sf is None or sf.text is None:
            out.known = False
            return out
        out.config = sf.path
        out.values.update(_read_config(sf.text))
        if out.values.get("requirepass"):
            out.password = "config"
    out.values.update(flags)
    if flags.get("requirepass"):
        out.raw_password = raw_flags["requirepass"]
        out.password = _classify(out.raw_password, shell)
    elif _bitnami(svc) and out.password is None:
        prefix = "VALKEY" if "valkey" in image_path(svc.get("image")) else "REDIS"
        empty_ok = str(env.get("ALLOW_EMPTY_PASSWORD", "")).lower() in _TRUE
        raw = raw_entry(view, base + ("environment", f"{prefix}_PASSWORD"))
        if isinstance(raw, str) and raw:
            out.password, out.raw_password = _classify(raw, False), raw
            out.password_setting = f"{prefix}_PASSWORD"
        elif env.get(f"{prefix}_PASSWORD") or env.get(f"{prefix}_PASSWORD_FILE") or not empty_ok:
            out.password = "image"  # bitnami refuses to start without a password unless it is allowed
        if str(env.get(f"{prefix}_AOF_ENABLED", "yes")).lower() in _TRUE:
            out.values.setdefault("appendonly", "yes")
    return out

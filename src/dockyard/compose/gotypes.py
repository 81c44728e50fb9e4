"""Compose-go's Go-typed values: the casts interpolation applies to the values of typed fields (Go's ``strconv``),
and Go's printing of floats, durations and byte sizes. Ported from compose-go v2.9.1's ``loader`` package
(``interpolateTypeCastMapping``; Apache License 2.0; see THIRD_PARTY_NOTICES.md).

* :func:`cast_for` – the cast of a model path (``services.*.cpus`` a float, ``services.*.init`` a boolean, ...);
  a cast that fails raises :class:`dockyard.parsers.interpolation.InterpolationError` (kind ``cast``) worded as
  compose words it;
* :func:`go_float`, :func:`go_duration`, :func:`go_bytes` – a float, a duration, a byte size as compose prints it.
"""

from __future__ import annotations

import re

from dockyard import TYPE_CHECKING
from dockyard.parsers.interpolation import InterpolationError

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any, Callable


def _go_int(name: str, bits: int) -> Callable[[str], int]:
    def cast(value: str) -> int:
        if re.fullmatch(r"[+-]?[0-9]+", value) is None:
            raise _cast_error(f'strconv.{name}: parsing "{value}": invalid syntax')
        n = int(value)
        if not -(1 << (bits - 1)) <= n < (1 << (bits - 1)):
            raise _cast_error(f'strconv.{name}: parsing "{value}": value out of range')
        return n
    return cast


def _go_float(value: str) -> float:
    if re.fullmatch(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", value) is None:
        raise _cast_error(f'strconv.ParseFloat: parsing "{value}": invalid syntax')
    return float(value)


def _go_bool(value: str) -> bool:
    low = value.lower()
    if low in ("y", "yes", "true", "on"):
        return True
    if low in ("n", "no", "false", "off"):
        return False
    raise _cast_error(f"invalid boolean: {value}")


def _cast_error(message: str) -> Exception:
    return InterpolationError(f"failed to cast to expected type: {message}", kind="cast")


# compose-go's interpolateTypeCastMapping: after interpolation, these values take the schema's type
# ("*" any key, "[]" any list index). Byte sizes and durations are normalised later by finalize.
_TO_INT, _TO_INT64 = _go_int("Atoi", 64), _go_int("ParseInt", 64)
_CASTS: tuple[tuple[tuple[str, ...], Callable[[str], Any]], ...] = tuple(
    [(("services", "*") + tuple(k.split(".")), c) for k, c in (
        ("cpu_count", _TO_INT64), ("cpu_percent", _go_float), ("cpu_period", _TO_INT64), ("cpu_quota", _TO_INT64),
        ("cpu_rt_period", _TO_INT64), ("cpu_rt_runtime", _TO_INT64), ("cpus", _go_float), ("cpu_shares", _TO_INT64),
        ("init", _go_bool), ("deploy.replicas", _TO_INT), ("deploy.update_config.parallelism", _TO_INT),
        ("deploy.update_config.max_failure_ratio", _go_float), ("deploy.rollback_config.parallelism", _TO_INT),
        ("deploy.rollback_config.max_failure_ratio", _go_float), ("deploy.restart_policy.max_attempts", _TO_INT),
        ("deploy.placement.max_replicas_per_node", _TO_INT), ("healthcheck.retries", _TO_INT),
        ("healthcheck.disable", _go_bool), ("oom_kill_disable", _go_bool), ("oom_score_adj", _TO_INT64),
        ("pids_limit", _TO_INT64), ("privileged", _go_bool), ("read_only", _go_bool), ("scale", _TO_INT),
        ("stdin_open", _go_bool), ("tty", _go_bool), ("ulimits.*", _TO_INT), ("ulimits.*.hard", _TO_INT),
        ("ulimits.*.soft", _TO_INT), ("volumes.[].read_only", _go_bool), ("volumes.[].volume.nocopy", _go_bool),
    )]
    + [((kind, "*", key), _go_bool) for kind, key in (
        ("networks", "external"), ("networks", "internal"), ("networks", "attachable"), ("networks", "enable_ipv6"),
        ("volumes", "external"), ("secrets", "external"), ("configs", "external"),
    )]
)


_CASTS_BY_LENGTH: dict[int, list] = {}
for _pattern, _cast in _CASTS:
    _CASTS_BY_LENGTH.setdefault(len(_pattern), []).append((_pattern, _cast))


def cast_for(path: tuple) -> Callable[[str], Any] | None:
    """The cast compose applies to the interpolated string at ``path`` (a model path), or None."""
    for pattern, cast in _CASTS_BY_LENGTH.get(len(path), ()):
        if len(pattern) == len(path) and all(
                p == "*" and not isinstance(x, int) or p == "[]" and isinstance(x, int) or p == x
                for p, x in zip(pattern, path)):
            return cast
    return None


def go_float(v: float) -> str:
    """A float as compose writes it into a string (Go's ``strconv.FormatFloat(v, 'g', -1, 64)``): the shortest
    digits, in exponent form below 1e-4 and from 1e6 (``1e+06``, ``1.5e-05``), ``+Inf``, ``-Inf``, ``NaN``."""
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "+Inf" if v > 0 else "-Inf"
    if v == 0:
        return "-0" if str(v).startswith("-") else "0"
    from decimal import Decimal

    sign, digits, exponent = Decimal(repr(v)).normalize().as_tuple()
    text = "".join(map(str, digits))
    point = len(text) + exponent  # where the decimal point falls in the digits
    minus = "-" if sign else ""
    if point - 1 < -4 or point - 1 >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{minus}{mantissa}e{'-' if point - 1 < 0 else '+'}{abs(point - 1):02d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{text}"
    if point >= len(text):
        return minus + text + "0" * (point - len(text))
    return f"{minus}{text[:point]}.{text[point:]}"


_UNITS = {"b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3, "gb": 1024**3,
          "t": 1024**4, "tb": 1024**4}
_DUR = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_DURATION = re.compile(r"(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+")  # Go's time.ParseDuration
_DUR_NS = {"ns": 1, "us": 10**3, "µs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


def go_bytes(v: Any) -> Any:
    """A byte size as compose stores it, a count of bytes in a string (``"1g"`` -> ``"1073741824"``); a value
    it cannot read is left as it is."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(int(v))
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(v))
    if not m or m.group(2).lower() not in _UNITS and m.group(2):
        return v
    return str(int(float(m.group(1)) * _UNITS.get(m.group(2).lower(), 1)))


def go_duration(text: Any) -> Any:
    """Reformat a duration the way Go's time.Duration prints it (``90s`` -> ``1m30s``)."""
    if not isinstance(text, str):
        return text
    s = text.strip()
    if not s or not _DURATION.fullmatch(s):
        return text
    total = 0.0
    for num, unit in _DUR.findall(s):
        total += float(num) * _DUR_NS[unit]
    ns = int(round(total))
    if ns == 0:
        return "0s"
    if ns < 10**9:
        for unit, size in (("ms", 10**6), ("µs", 10**3), ("ns", 1)):
            if ns >= size:
                v = ns / size
                return (f"{v:.9f}".rstrip("0").rstrip(".")) + unit
    h, rem = divmod(ns, 3600 * 10**9)
    m, rem = divmod(rem, 60 * 10**9)
    secs = rem / 10**9
    sec_txt = f"{secs:.9f}".rstrip("0").rstrip(".") + "s"
    out = ""
    if h:
        out += f"{h}h"
    if h or m:
        out += f"{m}m"
    return out + sec_txt

"""Environment files: naming conventions, placeholders, secret strength, and the work behind ``dockyard env``.

The env rules (``dockyard.rules.env``) and the ``env`` commands share these definitions, so that what
``env init`` generates is exactly what the rules accept:

* a *template* is a committed ``.env.<env>.example`` (``.sample``/``.template``/``.dist`` are recognised as
  templates too, but only ``*.example`` is the standard's name); every other ``.env``/``.env.*`` is *real*;
* a *placeholder* is a value starting with ``CHANGE_ME`` (any case, underscore optional);
* a secret is *weak* when it is shorter than 32 characters, low in entropy, uses a single character class,
  repeats a pattern, runs a sequence, or contains a common word.

Nothing here prints; values handed back for display are masked (:mod:`dockyard.secrets`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from dockyard.parsers.dotenv import EnvEntry, EnvFile

MIN_SECRET_LENGTH = 32
MIN_ENTROPY_BITS = 3.0  # Shannon entropy per character; token_urlsafe output is about 5
TEMPLATE_SUFFIX = ".example"
OTHER_TEMPLATE_SUFFIXES = (".sample", ".template", ".dist", ".tmpl")
# Environments where a leftover placeholder is tolerated in the real file (nothing is deployed from them).
LOCAL_ENVIRONMENTS = frozenset({"dev", "development", "local", "test", "testing", "ci"})

_PLACEHOLDER = re.compile(r"change_?me", re.IGNORECASE)
_COMMON_WORDS = (
    "password", "passwd", "secret", "changeme", "change_me", "letmein", "qwerty", "admin", "welcome",
    "default", "example", "dummy", "insecure", "sample", "abc123", "123456", "iloveyou", "monkey", "dragon",
)
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_REPEATED_UNIT = re.compile(r"^(.{1,16}?)\1+$", re.DOTALL)
_RUN = re.compile(r"(.)\1{3,}", re.DOTALL)


# -- names ------------------------------------------------------------------------------------------------
def is_env_file_name(name: str) -> bool:
    return name == ".env" or name.startswith(".env.")


def is_template(path: str) -> bool:
    name = PurePosixPath(path).name
    return is_env_file_name(name) and name.endswith((TEMPLATE_SUFFIX, *OTHER_TEMPLATE_SUFFIXES))


def environment_of(path: str) -> str | None:
    """``.env.prod`` and ``.env.prod.example`` -> ``prod``; ``.env`` and ``.env.example`` -> None."""
    name = PurePosixPath(path).name
    if not is_env_file_name(name) or name == ".env":
        return None
    rest = name[len(".env."):]
    for suffix in (TEMPLATE_SUFFIX, *OTHER_TEMPLATE_SUFFIXES):
        if rest.endswith(suffix):
            rest = rest[: -len(suffix)]
            break
        if ("." + rest) == suffix:
            return None
    return rest or None


def template_name(env: str) -> str:
    return f".env.{env}{TEMPLATE_SUFFIX}"


def real_name(env: str) -> str:
    return f".env.{env}"


def is_local_environment(env: str | None) -> bool:
    return env is None or env.lower() in LOCAL_ENVIRONMENTS


# -- values ------------------------------------------------------------------------------------------------
def is_placeholder(value: str | None) -> bool:
    """A template's stand-in for a secret: ``CHANGE_ME...`` (the whole value starts with it)."""
    return bool(value) and _PLACEHOLDER.match(value.strip()) is not None


def contains_placeholder(value: str | None) -> bool:
    return bool(value) and _PLACEHOLDER.search(value) is not None


def shannon_entropy(value: str) -> float:
    """Bits per character."""
    if not value:
        return 0.0
    counts: dict[str, int] = {}
    for ch in value:
        counts[ch] = counts.get(ch, 0) + 1
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _character_classes(value: str) -> int:
    return sum((
        any(c.islower() for c in value),
        any(c.isupper() for c in value),
        any(c.isdigit() for c in value),
        any(not c.isalnum() for c in value),
    ))


def _has_sequence(lower: str, length: int = 6) -> bool:
    for seq in _SEQUENCES:
        for s in (seq, seq[::-1]):
            for i in range(len(s) - length + 1):
                if s[i : i + length] in lower:
                    return True
    return False


def weakness(value: str) -> str | None:
    """Why a secret value is weak, or None when it is strong. The reason never quotes the value."""
    if len(value) < MIN_SECRET_LENGTH:
        return f"{len(value)} characters (at least {MIN_SECRET_LENGTH} required)"
    if _REPEATED_UNIT.match(value):
        return "a repeated pattern"
    if _RUN.search(value):
        return "the same character four or more times in a row"
    lower = value.lower()
    for word in _COMMON_WORDS:
        if word in lower:
            return "a common word"
    if _has_sequence(lower):
        return "a keyboard or alphabet sequence"
    if _character_classes(value) < 2:
        return "a single character class (mix letters, digits and symbols)"
    entropy = shannon_entropy(value)
    if entropy < MIN_ENTROPY_BITS:
        return f"low entropy ({entropy:.1f} bits per character, at least {MIN_ENTROPY_BITS:.0f} expected)"
    return None


def generate_secret(nbytes: int = 32) -> str:
    """A URL-safe random secret (43 characters for 32 bytes) that :func:`weakness` accepts."""
    import secrets

    while True:
        token = secrets.token_urlsafe(nbytes)
        if weakness(token) is None and not token.startswith("-"):
            return token


def is_reference_only(raw: str) -> bool:
    """A value made only of ``${...}``/``$X`` references (and literal glue without letters or digits)."""
    if "$" not in raw:
        return False
    from dockyard.parsers.interpolation import scan

    refs = [r for r in scan(raw).refs if r.depth == 0]
    if not refs:
        return False
    rest, last = [], 0
    for r in sorted(refs, key=lambda r: r.start):
        rest.append(raw[last : r.start])
        last = r.end
    rest.append(raw[last:])
    return not any(ch.isalnum() for ch in "".join(rest))


# -- parsing -------------------------------------------------------------------------------------------------
def parse_env_tolerant(text: str) -> "EnvFile":
    """Parse as compose does with an empty shell, except that a ``${X:?msg}`` naming a variable the file does
    not define before it is assumed to come from the shell (so one such reference does not hide the rest of
    the file). Other errors stop the parse as in compose."""
    from dockyard.parsers.dotenv import parse_env

    assumed: dict[str, str] = {}
    result = parse_env(text)
    for _ in range(64):
        err = result.errors[0] if result.errors else None
        if err is None or err.kind != "interpolation":
            return result
        m = re.match(r"required variable (\S+) is missing a value", err.message)
        if m is None or m.group(1) in assumed:
            return result
        assumed[m.group(1)] = "assumed-from-shell"
        result = parse_env(text, assumed.get)
    return result


def value_span(text: str, entry: "EnvEntry") -> tuple[int, int]:
    """Character offsets of an entry's value as written, without its quotes."""
    starts = _line_starts(text)
    start = starts[entry.value_line - 1] + entry.value_column - 1
    end = starts[entry.end_line - 1] + entry.end_column - 1
    if entry.quoted:
        return start + 1, max(start + 1, end - 1)
    return start, end


def _line_starts(text: str) -> list[int]:
    starts = [0]
    i = text.find("\n")
    while i != -1:
        starts.append(i + 1)
        i = text.find("\n", i + 1)
    return starts


@dataclass(frozen=True)
class EnvFileRef:
    """An env file named on the command line or by environment name, resolved to a path."""

    label: str
    path: str

"""Environment files: naming conventions, placeholders, secret strength, and the work behind ``dockyard env``.

The env rules (``dockyard.rules.env``) and the ``env`` commands share these definitions, so that what
``env init`` generates is exactly what the rules accept (what ``env check`` runs is :mod:`dockyard.envcheck`'s):

* a *template* is a committed ``.env.<env>.example`` (``.sample``/``.template``/``.dist`` are recognised as
  templates too, but only ``*.example`` is the standard's name); every other ``.env``/``.env.*`` is *real*;
* a *placeholder* is a value starting with ``CHANGE_ME`` (any case, underscore optional);
* a secret is *weak* when it is shorter than 32 characters, low in entropy, uses a single character class,
  repeats a pattern, runs a sequence, or contains a common word.

Nothing here prints; values handed back for display are masked (:mod:`dockyard.secrets`).
"""

from __future__ import annotations

import re
from pathlib import Path
from pathlib import PurePosixPath

from dockyard import TYPE_CHECKING
from dockyard.compose.environments import DEVELOPMENT_NAMES, TEST_NAMES
from dockyard.fsutil import read_regular
from dockyard.lines import line_starts
from dockyard.model import UsageError
from dockyard.records import record
from dockyard.regex import lazy_compile
from dockyard.secrets import MASK, Redactor, is_secret_name, url_has_credentials
from dockyard.source import is_env_name

if TYPE_CHECKING:  # pragma: no cover
    from dockyard.parsers.dotenv import EnvEntry, EnvFile

MIN_SECRET_LENGTH = 32
MIN_ENTROPY_BITS = 3.0  # Shannon entropy per character; token_urlsafe output is about 5
TEMPLATE_SUFFIX = ".example"
OTHER_TEMPLATE_SUFFIXES = (".sample", ".template", ".dist", ".tmpl")
# Environments where a leftover placeholder is tolerated in the real file (nothing is deployed from them):
# development ones, and tests.
LOCAL_ENVIRONMENTS = DEVELOPMENT_NAMES | TEST_NAMES

_PLACEHOLDER = lazy_compile(r"change_?me", re.IGNORECASE)
_COMMON_WORDS = (
    "password", "passwd", "secret", "changeme", "change_me", "letmein", "qwerty", "admin", "welcome",
    "default", "example", "dummy", "insecure", "sample", "abc123", "123456", "iloveyou", "monkey", "dragon",
)
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_REPEATED_UNIT = lazy_compile(r"^(.{1,16}?)\1+$", re.DOTALL)
_RUN = lazy_compile(r"(.)\1{3,}", re.DOTALL)


# -- names ------------------------------------------------------------------------------------------------
def is_env_file_name(name: str) -> bool:
    return is_env_name(name)


# Prefixes of the variables frontend build tools put into the bundle they ship to every browser: public by design.
PUBLIC_BUILD_PREFIXES = ("VITE_", "NEXT_PUBLIC_", "REACT_APP_", "NUXT_PUBLIC_", "PUBLIC_", "EXPO_PUBLIC_",
                         "GATSBY_", "VUE_APP_")


def holds_secret(entries) -> bool:
    """Whether env entries hold a secret: a secret-named key with a value, or a URL with credentials."""
    for e in entries:
        value = e.value or ""
        if (is_secret_name(e.key) and value.strip()) or url_has_credentials(value):
            return True
    return False


def is_public_build_config(entries, frontend: bool) -> bool:
    """An env file of public build settings, meant to be committed: every key is a public build variable
    (``VITE_API_URL``), or the file sits in a frontend project (``frontend``: a ``package.json`` beside it) and
    holds no secret."""
    keys = [e.key for e in entries]
    if not keys:
        return False
    if all(k.startswith(PUBLIC_BUILD_PREFIXES) for k in keys):
        return not holds_secret(entries)
    return frontend and not holds_secret(entries)


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
    import math  # only a run that judges a secret's strength needs it

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
    from dockyard.parsers.interpolation import scan  # lazy: a check of a lone Dockerfile runs without it

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
    from dockyard.parsers.dotenv import parse_env  # lazy: a check of a lone Dockerfile runs without it

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


def value_span(text: str, entry: "EnvEntry", starts: list[int] | None = None) -> tuple[int, int]:
    """Character offsets of an entry's value as written, without its quotes. ``starts``: the text's line start
    offsets when the caller has them (``SourceFile.line_starts``): asking for every entry then reads the text
    once, not once per entry."""
    starts = starts if starts is not None else line_starts(text)
    start = starts[entry.value_line - 1] + entry.value_column - 1
    end = starts[entry.end_line - 1] + entry.end_column - 1
    if entry.quoted:
        return start + 1, max(start + 1, end - 1)
    return start, end




# -- env diff ------------------------------------------------------------------------------------------------
@record
class EnvDiff:
    a: str
    b: str
    only_a: list[str]
    only_b: list[str]
    different: list[tuple[str, str | None, str | None]]  # key, shown value in a, shown value in b

    @property
    def keys_differ(self) -> bool:
        return bool(self.only_a or self.only_b)


def resolve_env_file(spec: str, root: Path) -> Path:
    """An env file path, or an environment name: ``.env.<name>``, else its template."""
    direct = Path(spec)
    if direct.exists() and not direct.is_dir():  # a pipe or a socket too: read_env says what it is, unopened
        return direct
    if not direct.is_absolute() and (root / spec).is_file():
        return root / spec
    if "/" not in spec and not spec.startswith("."):
        for candidate in (root / real_name(spec), root / template_name(spec)):
            if candidate.is_file():
                return candidate
        raise UsageError(f"no env file for environment {spec!r}: neither {real_name(spec)} nor "
                         f"{template_name(spec)} exists in {root}")
    raise UsageError(f"no such env file: {spec}")


def read_env(path: Path) -> "EnvFile":
    try:
        data = read_regular(path)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    return parse_env_tolerant(data.decode("utf-8", errors="replace").lstrip("\ufeff"))


def diff_env_files(a_label: str, a: "EnvFile", b_label: str, b: "EnvFile", show_values: bool) -> EnvDiff:
    da, db = a.as_dict(), b.as_dict()
    redactor = Redactor()  # a secret of either file shown inside another value is masked too
    for values in (da, db):
        for key, value in values.items():
            redactor.add_secrets_of(key, value)

    def mask(value: str, key: str) -> str:
        return (MASK if value else "") if is_secret_name(key, value) else redactor(value)

    ka, kb = a.keys(), b.keys()
    only_a = [k for k in ka if k not in set(kb)]
    only_b = [k for k in kb if k not in set(ka)]
    different = []
    in_b = set(kb)
    for key in ka:
        if key in in_b and da.get(key) != db.get(key):
            if show_values:
                va = mask(da[key], key) if key in da else None
                vb = mask(db[key], key) if key in db else None
            else:
                va = MASK if key in da else None
                vb = MASK if key in db else None
            different.append((key, va, vb))
    return EnvDiff(a_label, b_label, only_a, only_b, different)


# -- env init --------------------------------------------------------------------------------------------------
@record
class InitResult:
    text: str
    generated: list[str]  # keys whose secret was generated
    remaining: list[tuple[str, int]]  # placeholders left for a person to fill in: (key, line)


def fill_template(template_text: str) -> InitResult:
    """The template with every placeholder secret replaced by a generated one; everything else (comments,
    order, quoting, line endings) kept byte for byte. The same placeholder text gets the same secret."""
    env = parse_env_tolerant(template_text)
    by_placeholder: dict[str, str] = {}
    edits: list[tuple[int, int, str]] = []
    generated: list[str] = []
    remaining: list[tuple[str, int]] = []
    starts = line_starts(template_text)
    for entry in env.entries:
        if entry.inherited:
            continue
        raw = entry.raw_value
        start, end = value_span(template_text, entry, starts)
        if is_placeholder(raw) and is_secret_name(entry.key):
            secret = by_placeholder.setdefault(raw, generate_secret())
            edits.append((start, end, secret))
            generated.append(entry.key)
            continue
        replaced = False
        if "://" in raw and contains_placeholder(raw):
            m = re.search(r"://[^:/@\s]*:(CHANGE_?ME[A-Za-z0-9_]*)@", raw, re.IGNORECASE)
            if m is not None:
                secret = by_placeholder.setdefault(m.group(1), generate_secret())
                edits.append((start + m.start(1), start + m.end(1), secret))
                generated.append(entry.key)
                replaced = contains_placeholder(raw[: m.start(1)] + raw[m.end(1):]) is False
        if not replaced and contains_placeholder(raw):
            remaining.append((entry.key, entry.line))
    out, last = [], 0
    for s, e, rep in sorted(edits):
        out.append(template_text[last:s])
        out.append(rep)
        last = e
    out.append(template_text[last:])
    return InitResult("".join(out), generated, remaining)

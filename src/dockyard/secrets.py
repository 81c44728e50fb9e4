"""Recognising and masking secrets. No message, report, rendered file, diff or error ever shows a secret value
unless the user asks for it (``env render --show-secrets``, ``env diff --show-values`` for non-secret keys).

What is a secret:

* the value of a variable whose *name* says so (:func:`is_secret_name`: ``*PASSWORD*``, ``*_TOKEN``, ``*_KEY``,
  ``*_PAT``, ``JWT``...), unless the value is a public identifier (a key fingerprint, a checksum) or the path of a
  mounted secret file;
* a value *shaped* like a well-known credential (:func:`looks_like_token`: ``ghp_...``, ``AKIA...``,
  ``sk_live_...``, ``xoxb-...``, a private key block...), whatever its name;
* what sits where a credential goes: the password (or a lone token) of a URL's user information, a query
  parameter such as ``?password=`` or ``&token=``, and the argument of a flag such as ``--requirepass``,
  ``--password=`` or ``--db-password`` (and ``-p`` of the MySQL and MongoDB clients, ``-a`` of ``redis-cli``,
  ``curl -u user:password``).

How it is masked:

* :func:`mask` shows one value (of a named variable) as it may be printed;
* :func:`mask_text` masks every credential the patterns above find in free text (messages, errors, lines of a
  file);
* a :class:`Redactor` also masks, wherever they appear, the values known to be secret in the project (collected
  by :func:`project_redactor` from env files, compose files and Dockerfiles), so that a secret interpolated into
  another variable (``APP_CONFIG: "key=${SECRET_KEY}"``) is masked too. Only *distinctive* values are masked by
  value (:func:`distinctive`: six characters or more mixing character classes, or sixteen or more): a weak
  password such as ``postgres`` also names the image, the user and the database, and masking every
  ``postgres`` would hide what findings are about. Such values are still masked by name and by position.

The shapes of well-known tokens are those of detect-secrets 1.5.0 (https://github.com/Yelp/detect-secrets,
Apache License 2.0; see THIRD_PARTY_NOTICES.md), plugins ``aws``, ``github_token``, ``gitlab_token``, ``slack``, ``stripe``, ``private_key``,
``jwt``, ``npm``, ``pypi_token``, ``openai``, ``sendgrid``, ``square_oauth``, ``azure_storage_key``, ``mailchimp``,
and ``twilio``; fixed lengths are taken as minimum lengths, Stripe test keys are included.
Added from the vendors' documented formats: GitHub fine-grained tokens (``github_pat_``), npm tokens
(``npm_``) and Google API keys (``AIza``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from dockyard import TYPE_CHECKING
from dockyard.records import replace
from dockyard.regex import lazy_compile
from dockyard.source import FileKind

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

MASK = "********"


_SECRET_NAME = lazy_compile(
    r"(PASSWORD|PASSWD|PASSPHRASE|SECRET|(?<!TIK)TOKEN(?!IZER)|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|_KEY$|^KEY$|DSN|SALT|SIGNING"
    r"|(?:^|_)(?:PW|PASS|PAT|SK|JWT|AUTH|AUTHORIZATION)$|_PWD$|_AUTH_CONFIG$)",
    re.IGNORECASE,
)
# settings about a secret rather than the secret (POSTGRES_HOST_AUTH_METHOD=trust, AUTH_TYPE=md5, TOKEN_TYPE=bearer,
# a port, a host, a flag, a folder or a size named after one,
# MYSQL_RANDOM_ROOT_PASSWORD=yes, OAUTH_TOKEN_URL=https://...); public keys; and Sentry's DSN, which holds the
# project's public key: Sentry ships it to browsers (an old-style DSN's secret part is still masked as a URL
# password)
_NOT_SECRET_NAME = lazy_compile(r"(_FILE$|_PATH$|_ALGORITHM$|_EXPIRE|_EXPIRY|_TTL$|_LENGTH$|_HEADER$|_ENABLED$|_URL_KEY$|"
                              # where a service listens and switches (MCP_API_KEY_TEST_PORT, USE_IAM_AUTH=false)
                              r"_PORT$|_HOST$|_TIMEOUT$|_DISABLED$|^USE_|^ENABLE_|^DISABLE_|"
                              # where a library keeps its files, and how much of something (TOKEN_CACHE_DIR,
                              # MAX_TOKENS)
                              r"_DIR$|_DIRECTORY$|^MAX_|_LIMIT$|_COUNT$|_SIZE$|"
                              # a duration in a unit (TOKEN_TTL_SECONDS, CREDENTIAL_CACHE_TTL_MINUTES)
                              r"_(?:SECONDS|SECS|SEC|MS|MILLIS|MILLISECONDS|MINUTES|MINS|HOURS|DAYS)$|"
                              # a question about one (IS_ALLOWED_CREDENTIALS, CORS_ALLOW_CREDENTIALS, HAS_API_KEY)
                              r"^(?:IS|HAS|ALLOW|ALLOWED|SHOULD|REQUIRE|REQUIRES)_|_ALLOW_CREDENTIALS$|"
                              r"_METHOD$|_TYPE$|_MODE$|_PLUGIN$|SENTRY_DSN|_URLS?$|_URIS?$|_ENDPOINTS?$|"
                              r"PUBLIC_?KEYS?$|PUBLISHABLE_?KEYS?$|ALLOW_EMPTY_PASSWORD$|RANDOM_ROOT_PASSWORD$)",
                              re.IGNORECASE)
# Names of public identifiers: key fingerprints and IDs (`ENV GPG_KEY 7169605F...` in the official images,
# `NODE_GPG_KEYS`, `REPO_KEY_ID`) and checksums (`PYTHON_SHA256`, `APP_CHECKSUM`). Their value is hex.
_PUBLIC_ID_NAME = lazy_compile(
    r"(^|_)((GPG|PGP)_?KEYS?|FINGERPRINTS?|KEY_?IDS?|SHA(1|224|256|384|512)(_?SUMS?)?|SHASUMS?|CHECKSUMS?|DIGESTS?)$",
    re.IGNORECASE,
)
_HEX_WORD = lazy_compile(r"(?:0x|sha(?:1|224|256|384|512):)?[0-9a-f]+", re.IGNORECASE)


def is_public_identifier(name: str, value: str) -> bool:
    """A key fingerprint, key ID or checksum: a name such as ``GPG_KEY``, ``*_FINGERPRINT``, ``*_KEY_ID``,
    ``*_SHA256``, ``*_CHECKSUM`` holding hex (one value or several separated by blanks or commas, `0x` or
    `sha256:` prefixes allowed, at least 8 hex digits)."""
    if not _PUBLIC_ID_NAME.search(name):
        return False
    words = [w for w in re.split(r"[\s,;]+", value.strip()) if w]
    if not words or not all(_HEX_WORD.fullmatch(w) for w in words):
        return False
    digits = sum(len(w.rsplit(":", 1)[-1]) - (2 if w[:2].lower() == "0x" else 0) for w in words)
    return digits >= 8


_SECRET_FILE = lazy_compile(r"/(?:var/)?run/secrets/[^\s]+")
# the path of a key file (`/path/to/device.pem`, `./certs/key.pem`): where the secret is, not the secret
_FILE_PATH = lazy_compile(r"(?:/|\./|\.\./|~/)[\w.-]+(?:/[\w.-]+)+")


# a switch's value: no credential is spelt `true` (`IS_ALLOWED_CREDENTIALS=True`, `AUTH_TOKEN_REQUIRED=false`)
_SWITCH_WORDS = frozenset({"true", "false", "yes", "no", "on", "off"})


def is_secret_name(name: str, value: str | None = None) -> bool:
    """Whether a variable called ``name`` holds a secret. With its ``value``, a public identifier that the name
    alone would make look secret (``GPG_KEY`` holding a fingerprint) is not one, nor is the path of a mounted
    secret file (``DATABASE_PASSWORD=/run/secrets/db-password``: the application reads the secret from it) or of a
    key file (``DEVICE_KEY=/path/to/device.pem``), nor a switch (``true``, ``off``); and
    a value shaped like a well-known credential (``ghp_...``) is one whatever the name."""
    if value is not None and looks_like_token(value):
        return True
    if not _SECRET_NAME.search(name) or _NOT_SECRET_NAME.search(name):
        return False
    if value is not None and (_SECRET_FILE.fullmatch(value.strip()) or _FILE_PATH.fullmatch(value.strip().strip("\"'"))
                              or value.strip().strip("\"'").lower() in _SWITCH_WORDS):
        return False
    return value is None or not is_public_identifier(name, value)


# -- shapes of well-known credentials ---------------------------------------------------------------------------
_PRIVATE_KEY_BEGIN = (r"-----BEGIN (?:DSA |EC |OPENSSH |RSA |ENCRYPTED |SSH2 ENCRYPTED )?PRIVATE KEY-----"
                      r"|-----BEGIN PGP PRIVATE KEY BLOCK-----|PuTTY-User-Key-File-2")
_PRIVATE_KEY_END = r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
# (hints, pattern): a pattern runs only on a text holding one of its hints (a plain substring search), and its
# match must not continue a word on the left
_TOKENS: tuple[tuple[tuple[str, ...], Any], ...] = tuple((hints, lazy_compile(pattern, re.DOTALL)) for hints, pattern in (
    (("A3T", "ABIA", "ACCA", "AKIA", "ASIA"), r"(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16,}"),  # AWS key ID
    (("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), r"gh[pousr]_[A-Za-z0-9_]{36,}"),  # GitHub
    (("github_pat_",), r"github_pat_[A-Za-z0-9_]{22,}"),  # GitHub fine-grained
    (("glpat-", "gldt-", "glft-", "glsoat-", "glrt-"), r"(?:glpat|gldt|glft|glsoat|glrt)-[A-Za-z0-9_\-]{20,50}(?!\w)"),
    (("GR1348941",), r"GR1348941[A-Za-z0-9_\-]{20,50}(?!\w)"),  # GitLab...
    (("glcbt-",), r"glcbt-(?:[0-9a-fA-F]{2}_)?[A-Za-z0-9_\-]{20,50}(?!\w)"),
    (("glimt-",), r"glimt-[A-Za-z0-9_\-]{25}(?!\w)"),
    (("glptt-",), r"glptt-[A-Za-z0-9_\-]{40}(?!\w)"),
    (("glagent-",), r"glagent-[A-Za-z0-9_\-]{50,1024}(?!\w)"),
    (("gloas-",), r"gloas-[A-Za-z0-9_\-]{64}(?!\w)"),
    (("xox", "XOX"), r"(?i:xox[abposr]-(?:\d+-)+[a-z0-9]+)"),  # Slack
    (("hooks.slack.com",), r"https://hooks\.slack\.com/services/T[a-zA-Z0-9_]+/B[a-zA-Z0-9_]+/[a-zA-Z0-9_]+"),
    (("k_live_", "k_test_"), r"[rs]k_(?:live|test)_[0-9a-zA-Z]{24,}"),  # Stripe
    (("eyJ",), r"eyJ[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.?[A-Za-z0-9_.+/=-]*"),  # JWT
    (("npm_",), r"npm_[A-Za-z0-9]{36,}"),  # npm
    (("pypi-",), r"pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{70,}"),  # PyPI
    (("T3BlbkFJ",), r"sk-[A-Za-z0-9_-]*[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}"),  # OpenAI
    (("SG.",), r"SG\.[a-zA-Z0-9_-]{22}\.[a-zA-Z0-9_-]{43}"),  # SendGrid
    (("sq0csp-",), r"sq0csp-[0-9A-Za-z\\_-]{43}"),  # Square
    (("AccountKey=",), r"(?<=AccountKey=)[a-zA-Z0-9+/=]{88}"),  # Azure storage
    (("-us",), r"[0-9a-z]{32}-us[0-9]{1,2}\b"),  # Mailchimp
    (("SK",), r"SK[0-9a-z]{32}\b"),  # Twilio API key
    (("AIza",), r"AIza[0-9A-Za-z_-]{35}"),  # Google API key
    # a private key block, through its end marker (or the end of the text when it is cut)
    (("PRIVATE KEY", "PuTTY-User-Key-File-2"), rf"(?:{_PRIVATE_KEY_BEGIN})(?:.*?(?:{_PRIVATE_KEY_END})|.*)"),
))
_PRIVATE_KEY_START = lazy_compile(_PRIVATE_KEY_BEGIN)
_PRIVATE_KEY_STOP = lazy_compile(_PRIVATE_KEY_END)
_TOKEN_HINTS = tuple(h for hints, _ in _TOKENS for h in hints)


def _token_spans(text: str) -> Iterator[tuple[int, int]]:
    if not any(h in text for h in _TOKEN_HINTS):
        return
    for hints, pattern in _TOKENS:
        if any(h in text for h in hints):
            for m in pattern.finditer(text):
                if m.start() == 0 or not (text[m.start() - 1].isalnum() or text[m.start() - 1] == "_") \
                        or pattern.pattern.startswith("(?<="):
                    yield m.span()


def looks_like_token(value: str) -> bool:
    """Whether ``value`` holds a credential of a well-known shape (see the module's docstring)."""
    return bool(value) and next(_token_spans(value), None) is not None


# -- URLs ---------------------------------------------------------------------------------------------------------
# user information: the password runs to the last `@` before the host (an unencoded `@` or space in a password is
# still the password); a lone user name long enough to be a token (`https://TOKEN@github.com`) is a secret too
_URL_CREDENTIALS = lazy_compile(
    r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s?#\"'`]*):"
    r"(?P<password>[^/?#\s@\"'`]+(?:[@ ][^/?#\s@\"'`]+)*?)@(?=[^\s@/?#\"'`]*(?:[/?#\s\"'`]|$))")
_URL_USER_TOKEN = lazy_compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s?#\"'`]{12,})@")
# the public-key user of a Sentry DSN (`https://<public key>@o0.ingest.sentry.io/0`) is no secret
_PUBLIC_URL_USER_NAME = lazy_compile(r"SENTRY_DSN", re.IGNORECASE)


def url_credentials(value: str) -> Iterator[re.Match]:
    """Each ``scheme://user:password@`` in ``value`` (regex matches with groups scheme, user, password)."""
    return _URL_CREDENTIALS.finditer(value)


def url_has_credentials(value: str) -> bool:
    return bool(_URL_CREDENTIALS.search(value))


def mask_url_credentials(value: str) -> str:
    """``value`` with the passwords of its URLs (``scheme://user:********@``) masked."""
    return _URL_CREDENTIALS.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:{MASK}@", value)


# -- assignments, query parameters and command-line flags in free text ------------------------------------------
# `NAME=value` (env lines, `ENV`/`ARG`, connection strings `Password=...;`, query strings `?token=...&`)
_ASSIGNMENT = lazy_compile(r"(?<![\w.-])(?P<name>[A-Za-z_][\w.\-\[\]]*)="
                    r"(?:\"(?P<dq>[^\"\n]*)\"?|'(?P<sq>[^'\n]*)'?|(?P<value>(?:\$\{[^}\n]*\}|[^\s\"'`&;])+))")
# query parameters that carry a signature, whatever else they are called
_NAME_PUNCTUATION = lazy_compile(r"[-.\[\]]")
_SIGNATURE_PARAMETER = lazy_compile(r"(?:^|[_-])(?:sig|signature)$", re.IGNORECASE)
# a line that sets a variable: `KEY=value`, `export KEY=value`, `- KEY=value`, `KEY: value` (YAML), `ENV KEY value`,
# `ENV A=1 KEY=value` (and a continuation line of one); a trailing line continuation is not part of the value
_LINE_SETTING = lazy_compile(
    r"^(?P<lead>\s*(?:-\s+)?(?:export\s+)?)(?P<quote>[\"']?)(?P<name>[A-Za-z_][\w.\-]*)(?P=quote)"
    r"(?P<sep>\s*:[ \t]+|\s*=)(?P<value>.*?)\s*(?:\s\\)?\s*$")
_DOCKERFILE_SETTING = lazy_compile(r"^(?P<lead>\s*(?:ENV|ARG)\s+)(?P<name>[A-Za-z_]\w*)(?P<sep>[ \t]+)"
                            r"(?P<value>[^=\s].*?)\s*(?:\s\\)?\s*$", re.IGNORECASE)
_DOCKERFILE_PAIRS = lazy_compile(r"^\s*(?:ENV|ARG|LABEL)\s+(?=[\"']?[A-Za-z_][\w.-]*[\"']?=)", re.IGNORECASE)
_PAIR = lazy_compile(r"(?P<name>[A-Za-z_][\w.-]*)[\"']?=(?P<value>.*?)(?=\s+[\"']?[A-Za-z_][\w.-]*[\"']?=|\s*(?:\s\\)?\s*$)")
# what a line holding a credential contains (lower case): a quick filter before the patterns above
_LINE_HINTS = ("pass", "pwd", "_pw", "pw=", "pw:", "secret", "token", "key", "auth", "cred", "://", "sig", "dsn",
               "salt", "jwt", "_pat", "_sk", "mysql", "mariadb", "mongo", "redis-cli", "curl", "wget")
# `--password X`, `--password=X`, `--db-password X`, `--requirepass X`, `-pass X`, `--api-key X`... (not the
# switches `--no-password`, `--disabled-password`, `--ask-password`, `--random-password`...)
_SECRET_FLAG_NAME = lazy_compile(r"^(?!(?:NO|DISABLED?|ASK|PROMPT|EMPTY|RANDOM|SKIP|REQUIRED?|FORCE|ALLOW|USE|WITH|WITHOUT|"
                          r"SHOW|PRINT|GENERATE|EXPIRE|LOCK|UNLOCK)_)(?:\w+_)?(?:PASSWORD|PASSWD|PASS|PWD|TOKEN|"
                          r"SECRET|REQUIREPASS|MASTERAUTH|API_?KEY|ACCESS_?KEY|SECRET_?KEY|CREDENTIALS?)$",
                          re.IGNORECASE)
_FLAG = lazy_compile(r"(?<![\w-])(?P<flag>--?[A-Za-z][\w-]*)(?P<sep>=|[ \t]+)"
              r"(?P<value>\"[^\"\n]*\"|'[^'\n]*'|(?:\$\{[^}\n]*\}|[^\s\"'`;&|])+)")
# programs whose short flag takes a password: flag, and whether the password may follow it after a blank
_PROGRAM_PASSWORD_FLAGS = {
    **{p: ("-p", False) for p in ("mysql", "mysqladmin", "mysqldump", "mysqlcheck", "mysqlimport", "mysqlshow",
                                  "mysqlpump", "mariadb", "mariadb-admin", "mariadb-dump", "mariadb-check")},
    **{p: ("-p", True) for p in ("mongo", "mongosh", "mongodump", "mongorestore", "mongoexport", "mongoimport",
                                 "sshpass")},
    "redis-cli": ("-a", True),
}
_PROGRAM = lazy_compile(r"(?<![\w.-])(?:[\w./-]*/)?(?P<program>" + "|".join(
    re.escape(p) for p in sorted(_PROGRAM_PASSWORD_FLAGS, key=len, reverse=True)) + r")(?![\w.-])")
_PROGRAM_HINTS = ("mysql", "mariadb", "mongo", "sshpass", "redis-cli", "curl", "wget")
_COMMAND_END = lazy_compile(r"&&|\|\||[;|\n]")
_CURL_USER = lazy_compile(r"(?<![\w-])(?:curl|wget)\b[^\n;|&]*?(?:-u|--user)(?:=|[ \t]+)[\"']?[^\s:\"']*:(?P<value>[^\s\"']+)")


# -- stand-ins for a secret ----------------------------------------------------------------------------------
_PLACEHOLDER = lazy_compile(r"change_?me", re.IGNORECASE)
# other spellings of "fill me in": a whole value that is only a marker word, maybe dressed in punctuation
# (`__UNSET__`, `*** REPLACE ***`, `<<FILL_ME_IN>>`, `your-api-key`, `xxxx`). Unlike a dummy (`test`, `secret`), it is
# no value anyone would run with
_MARKER = lazy_compile(
    r"[\W_]*(?:change[-_ .]?me|replace(?:[-_ .]?me)?|fill[-_ .]?me(?:[-_ .]?in)?|set[-_ .]?me|unset|not[-_ .]?set"
    r"|todo|tbd|fixme|placeholder|redacted|your[-_ .][\w.-]*|x{3,}|\*{3,}"
    # words around the word itself: `__SKYVERN_API_KEY_PLACEHOLDER__` (an entrypoint replaces it at start)
    r"|(?:[A-Za-z0-9]+[-_ .]+)*placeholder(?:[-_ .]+[A-Za-z0-9]+)*)[\W_]*",
    re.IGNORECASE)
# a name in capitals standing for the credential to paste (`LNBITS_ADMIN_KEY`, `ALBY_ACCESS_TOKEN`, `KEY`): a
# variable's name, never a generated secret
_NAMED_MARKER = lazy_compile(r"(?:[A-Z][A-Z0-9]*_)*(?:KEY|TOKEN|SECRET|PASSWORD|PASS|PWD|APIKEY)(?:_[A-Z0-9]+)*")


def is_placeholder(value: str | None) -> bool:
    """A template's stand-in for a secret: ``CHANGE_ME...`` (the whole value starts with it), or a value that is only
    another marker saying "fill me in" (``__UNSET__``, ``*** REPLACE ***``)."""
    return bool(value) and (_PLACEHOLDER.match(value.strip()) is not None or is_marker(value))


def is_marker(value: str | None) -> bool:
    """A value that is only a word saying "fill me in" (``__UNSET__``, ``*** REPLACE ***``, ``your-api-key``), or
    the name, in capitals, of the credential to paste (``LNBITS_ADMIN_KEY``). (``my-secret-key`` works as a value:
    a weak secret, not a marker.)"""
    if not value:
        return False
    named = value.strip().strip("\"'")
    # (a name is short: the bound keeps the pattern's backtracking small on a long value)
    return _MARKER.fullmatch(value.strip()) is not None or (len(named) <= 64 and _NAMED_MARKER.fullmatch(named) is not None)


def contains_placeholder(value: str | None) -> bool:
    """``CHANGE_ME`` anywhere in the value (a URL's password), or a value that is only a marker (see
    :func:`is_placeholder`)."""
    return bool(value) and (_PLACEHOLDER.search(value) is not None or is_marker(value))


def _value_is_shown(value: str) -> bool:
    """A value that may be shown even for a secret name: empty, already masked, a `CHANGE_ME` placeholder, or
    made only of `${...}` references (it says how the secret is passed, not what it is)."""
    v = value.strip().strip("\"'")
    if not v or v == MASK or set(v) <= {"*"}:
        return True
    if "$" not in v and "change" not in v.lower():
        return False
    from dockyard.envtools import is_reference_only  # lazy: a check of a named Dockerfile runs without it

    # `$NAME`, `$$NAME` (compose's escape: a shell expands it in the container), `${NAME...}`
    return is_placeholder(v) or is_reference_only(v) or re.fullmatch(r"\$+\{?[A-Za-z_]\w*\}?", v) is not None


def secret_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` (free text: a message, an error, a line of a file) holds a credential: URL passwords and
    token users, values of secret-named assignments and query parameters, arguments of secret flags, and
    well-known token shapes. Sorted, not merged."""
    spans: list[tuple[int, int]] = []
    spans.extend(_token_spans(text))
    if "://" in text:
        for m in _URL_CREDENTIALS.finditer(text):
            if not _value_is_shown(m.group("password")):
                spans.append(m.span("password"))
        for m in _URL_USER_TOKEN.finditer(text):
            if not _value_is_shown(m.group("user")):
                spans.append(m.span("user"))
    if "=" in text:
        for m in _ASSIGNMENT.finditer(text):
            group = "value" if m.group("value") is not None else "dq" if m.group("dq") is not None else "sq"
            name, value = m.group("name"), m.group(group)
            if not value:
                continue
            if _SIGNATURE_PARAMETER.search(name) or (
                    is_secret_name(_NAME_PUNCTUATION.sub("_", name), value) and not _value_is_shown(value)):
                spans.append(m.span(group))
    if "-" in text:
        for m in _FLAG.finditer(text):
            value = m.group("value")
            if _SECRET_FLAG_NAME.match(m.group("flag").lstrip("-").replace("-", "_")) \
                    and not value.startswith("-") and not _value_is_shown(value):
                spans.append(m.span("value"))
        spans.extend(_program_password_spans(text))
    return sorted(spans)


def _program_password_spans(text: str) -> Iterator[tuple[int, int]]:
    if not any(p in text for p in _PROGRAM_HINTS):
        return
    for m in _PROGRAM.finditer(text):
        flag, separate = _PROGRAM_PASSWORD_FLAGS[m.group("program")]
        end = _COMMAND_END.search(text, m.end())
        stop = end.start() if end else len(text)
        pattern = re.compile(rf"(?<![\w-]){re.escape(flag)}(?P<value>[^\s\"'`;&|]+)" + (
            rf"|(?<![\w-]){re.escape(flag)}[ \t]+(?P<apart>[^\s\"'`;&|-][^\s\"'`;&|]*)" if separate else ""))
        for f in pattern.finditer(text, m.end(), stop):
            group = "value" if f.group("value") is not None else "apart"
            if not _value_is_shown(f.group(group)):
                yield f.span(group)
    if ("curl" in text or "wget" in text) and ("-u" in text or "--user" in text):
        for m in _CURL_USER.finditer(text):
            if not _value_is_shown(m.group("value")):
                yield m.span("value")


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _apply(text: str, spans: Iterable[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in _merged(spans):
        out.append(text[last:start])
        out.append(MASK)
        last = end
    out.append(text[last:])
    return "".join(out)


def mask_text(text: str) -> str:
    """Free text with every credential :func:`secret_spans` finds masked."""
    spans = secret_spans(text)
    return _apply(text, spans) if spans else text


def mask(value: str, name: str | None = None) -> str:
    """The value as it may be shown: fully masked for secret names (and token shapes), its credentials masked
    otherwise (URL passwords, secret query parameters and flags)."""
    if name is not None and is_secret_name(name, value):
        return MASK if value else ""
    if name is not None and _PUBLIC_URL_USER_NAME.search(name):
        return mask_url_credentials(value)
    return mask_text(value)


def mask_argv(argv: list[Any]) -> list[Any]:
    """A command as a list of arguments (``["redis-server", "--requirepass", "pw"]``), with the argument of each
    secret flag masked (a flag and its value are two items here, which free text cannot tell)."""
    out = list(argv)
    program = None
    for i, item in enumerate(argv):
        if not isinstance(item, str):
            continue
        base = item.rsplit("/", 1)[-1]
        if base in _PROGRAM_PASSWORD_FLAGS:
            program = base
            continue
        short, separate = _PROGRAM_PASSWORD_FLAGS[program] if program else ("", False)
        if short and item.startswith(short) and len(item) > len(short) and not _value_is_shown(item[len(short):]):
            out[i] = short + MASK
            continue
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        if not isinstance(nxt, str) or nxt.startswith("-") or _value_is_shown(nxt):
            continue
        takes_secret = (item.startswith("-") and "=" not in item
                        and _SECRET_FLAG_NAME.match(item.lstrip("-").replace("-", "_")) is not None)
        if takes_secret or (separate and item == short):
            out[i + 1] = MASK
    return [mask_text(x) if isinstance(x, str) and MASK not in x else x for x in out]


def _setting_value_spans(line: str) -> list[tuple[int, int]]:
    """Where one line of an env file, a compose file or a Dockerfile sets a secret-named variable: the span of
    the value (without its quotes) of ``KEY=value``, ``KEY: value``, ``- KEY=value``, ``ENV KEY value``, ``ENV A=1
    KEY=value``."""
    spans = []
    pairs = _DOCKERFILE_PAIRS.match(line)
    settings = [(m.group("name"), m.span("value")) for m in _PAIR.finditer(line, pairs.end())] if pairs else []
    if not settings:
        m = _LINE_SETTING.match(line) or _DOCKERFILE_SETTING.match(line)
        settings = [(m.group("name"), m.span("value"))] if m is not None else []
    for name, (start, end) in settings:
        if not _SECRET_NAME.search(name):
            continue
        value = line[start:end]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            start, end, value = start + 1, end - 1, value[1:-1]
        if value and is_secret_name(name, value) and not _value_is_shown(value):
            spans.append((start, end))
    return spans


def setting_spans(line: str) -> list[tuple[int, int]]:
    """:func:`secret_spans` of one line of a file, where the value of a secret-named setting is also one."""
    return sorted(_setting_value_spans(line) + secret_spans(line))


def mask_setting_line(line: str) -> str:
    spans = setting_spans(line)
    return _apply(line, spans) if spans else line


# -- values known to be secret ---------------------------------------------------------------------------------
def distinctive(value: str) -> bool:
    """A value that can be masked wherever it appears without hiding other text: at least 6 characters mixing
    two character classes (lower case, upper case, digits, others), or 16 characters and more."""
    if len(value) < 6 or _value_is_shown(value):
        return False
    if len(value) >= 16:
        return True
    classes = (any(c.islower() for c in value), any(c.isupper() for c in value), any(c.isdigit() for c in value),
               any(not c.isalnum() for c in value))
    return sum(classes) >= 2


class Redactor:
    """Masks free text: the values known to be secret wherever they appear (the distinctive ones, longest
    first), then every credential :func:`mask_text` finds."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self.values: set[str] = set()
        self._pattern: re.Pattern | None = None
        self.add(values)

    def add(self, values: Iterable[str]) -> None:
        for value in values:
            for piece in (value.splitlines() if "\n" in value else (value,)):
                piece = piece.strip()
                if distinctive(piece) and piece != MASK:
                    self.values.add(piece)
        self._pattern = None

    def add_secrets_of(self, name: str, value: str | None) -> None:
        """The value of variable ``name`` if it is a secret, and the credentials it holds otherwise."""
        if not value:
            return
        if is_secret_name(name, value) and not _value_is_shown(value):
            self.add((value,))
        else:
            self.add(value[a:b] for a, b in secret_spans(value))

    def add_secrets_in(self, text: str) -> None:
        """Every credential the patterns find in a file's ``text``, and the values of its secret-named
        settings, read line by line (only the lines with a hint of one: a file is mostly other text)."""
        self.add(text[a:b] for a, b in _token_spans(text))
        for line in text.splitlines():
            lower = line.lower()
            if any(h in lower for h in _LINE_HINTS):
                self.add(line[a:b] for a, b in _merged(setting_spans(line)))

    def _compiled(self) -> re.Pattern | None:
        if self._pattern is None and self.values:
            self._pattern = re.compile("|".join(re.escape(v) for v in sorted(self.values, key=len, reverse=True)))
        return self._pattern

    def __call__(self, text: str) -> str:
        if not text:
            return text
        pattern = self._compiled()
        if pattern is not None:
            text = pattern.sub(MASK, text)
        return mask_text(text)

    def diff(self, text: str) -> str:
        """A unified diff with the content of its lines masked (the ``---``/``+++``/``@@`` lines and each
        line's first column kept, so it still reads as a diff)."""
        out = []
        in_key = False
        for line in text.splitlines(keepends=True):
            if line.startswith(("--- ", "+++ ", "@@")):
                out.append(line)
                continue
            prefix, body = line[:1], line[1:]
            content = body.rstrip("\r\n")
            ending = body[len(content):]
            if in_key:
                if _PRIVATE_KEY_STOP.search(content):
                    in_key = False
                out.append(prefix + (MASK if content.strip() else content) + ending)
                continue
            start = _PRIVATE_KEY_START.search(content)
            if start is not None and not _PRIVATE_KEY_STOP.search(content, start.end()):
                in_key = True
            out.append(prefix + self(mask_setting_line(content)) + ending)
        return "".join(out)


def project_redactor(project) -> Redactor:
    """The values known to be secret in a project's env files, compose files and Dockerfiles: secret-named
    settings (also in compose's ``environment``/``args`` map and list forms, and the variables compose
    ``secrets:`` read from the environment), and every credential the patterns find in them."""
    def build() -> Redactor:
        redactor = Redactor()
        env_values: dict[str, list[str]] = {}
        secret_variables: set[str] = set()
        for sf in project.files:
            if sf.text is None or sf.kind not in (FileKind.ENV, FileKind.COMPOSE, FileKind.DOCKERFILE):
                continue
            redactor.add_secrets_in(sf.text)
            if sf.kind == FileKind.ENV:
                env = project.model(sf)
                for e in env.entries:
                    for value in {e.value, e.raw_value}:
                        redactor.add_secrets_of(e.key, value)
                    if e.value:
                        env_values.setdefault(e.key, []).append(e.value)
            elif sf.kind == FileKind.COMPOSE:
                doc = project.model(sf)
                root = getattr(doc, "root", None)
                collect_tree(root, redactor)
                for spec in ((root.get("secrets") or {}).values() if isinstance(root, dict)
                             and isinstance(root.get("secrets"), dict) else ()):
                    if isinstance(spec, dict) and isinstance(spec.get("environment"), str):
                        secret_variables.add(spec["environment"])
            else:
                for ins in project.dockerfile(sf).instructions:
                    if ins.keyword in ("ENV", "ARG"):
                        for key, value in ins.key_values():
                            redactor.add_secrets_of(key, value)
        for name in secret_variables:
            redactor.add(v for v in env_values.get(name, ()) if not _value_is_shown(v))
        return redactor

    return project.memo("secrets.redactor", build)


def collect_tree(node: Any, redactor: Redactor, depth: int = 0) -> None:
    """Secrets in a YAML (or compose model) tree: values of secret-named keys and ``KEY=value`` items, arguments
    of secret flags in command lists, and credentials in every string."""
    if depth > 64:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                redactor.add_secrets_of(str(key), str(value))
            else:
                collect_tree(value, redactor, depth + 1)
    elif isinstance(node, list):
        strings = [x for x in node if isinstance(x, str)]
        if len(strings) == len(node) and strings:
            masked = mask_argv(strings)
            redactor.add(orig for orig, shown in zip(strings, masked) if shown == MASK and orig != MASK)
        for item in node:
            if isinstance(item, str):
                name, sep, value = item.partition("=")
                if sep and re.fullmatch(r"[A-Za-z_][\w.\-]*", name):
                    redactor.add_secrets_of(name, value)
                else:
                    redactor.add(item[a:b] for a, b in secret_spans(item))
            else:
                collect_tree(item, redactor, depth + 1)


def redact_result(project, result) -> None:
    """Mask the messages of a run's findings (and its scope explanations) in place."""
    if not result.findings and not result.scope:
        return
    redactor = project_redactor(project)
    result.findings = [f if (m := redactor(f.message)) == f.message else replace(f, message=m)
                       for f in result.findings]
    if result.scope:
        result.scope = [e if (r := redactor(e.reason)) == e.reason else replace(e, reason=r) for e in result.scope]

"""Recognising and masking secrets. No message, report or rendered file ever shows a secret value."""

from __future__ import annotations

import re

MASK = "********"
_SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|AUTH|_KEY$|^KEY$|DSN|SALT|SIGNING"
    r"|(?:^|_)(?:PW|PASS)$|_PWD$)",
    re.IGNORECASE,
)
# settings about a secret rather than the secret (POSTGRES_HOST_AUTH_METHOD=trust, AUTH_TYPE=md5, TOKEN_TYPE=bearer);
# and Sentry's DSN, which holds the project's public key: Sentry ships it to browsers (an old-style DSN's secret
# part is still masked as a URL password)
_NOT_SECRET_NAME = re.compile(r"(_FILE$|_PATH$|_ALGORITHM$|_EXPIRE|_EXPIRY|_TTL$|_LENGTH$|_HEADER$|_ENABLED$|_URL_KEY$|"
                              r"_METHOD$|_TYPE$|_MODE$|_PLUGIN$|SENTRY_DSN)", re.IGNORECASE)
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<password>[^@/\s]+)@")
# Names of public identifiers: key fingerprints and IDs (`ENV GPG_KEY 7169605F...` in the official images,
# `NODE_GPG_KEYS`, `REPO_KEY_ID`) and checksums (`PYTHON_SHA256`, `APP_CHECKSUM`). Their value is hex.
_PUBLIC_ID_NAME = re.compile(
    r"(^|_)((GPG|PGP)_?KEYS?|FINGERPRINTS?|KEY_?IDS?|SHA(1|224|256|384|512)(_?SUMS?)?|SHASUMS?|CHECKSUMS?|DIGESTS?)$",
    re.IGNORECASE,
)
_HEX_WORD = re.compile(r"(?:0x|sha(?:1|224|256|384|512):)?[0-9a-f]+", re.IGNORECASE)


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


_SECRET_FILE = re.compile(r"/(?:var/)?run/secrets/[^\s]+")


def is_secret_name(name: str, value: str | None = None) -> bool:
    """Whether a variable called ``name`` holds a secret. With its ``value``, a public identifier that the name
    alone would make look secret (``GPG_KEY`` holding a fingerprint) is not one, nor is the path of a mounted
    secret file (``DATABASE_PASSWORD=/run/secrets/db-password``: the application reads the secret from it)."""
    if not _SECRET_NAME.search(name) or _NOT_SECRET_NAME.search(name):
        return False
    if value is not None and _SECRET_FILE.fullmatch(value.strip()):
        return False
    return value is None or not is_public_identifier(name, value)


def url_credentials(value: str):
    """Each ``scheme://user:password@`` in ``value`` (regex matches with groups scheme, user, password)."""
    return _URL_CREDENTIALS.finditer(value)


def url_has_credentials(value: str) -> bool:
    return bool(_URL_CREDENTIALS.search(value))


def mask_url_credentials(value: str) -> str:
    return _URL_CREDENTIALS.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:{MASK}@", value)


def mask(value: str, name: str | None = None) -> str:
    """The value as it may be shown: fully masked for secret names, URL passwords masked otherwise."""
    if name is not None and is_secret_name(name, value):
        return MASK if value else ""
    return mask_url_credentials(value)

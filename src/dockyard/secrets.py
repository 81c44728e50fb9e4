"""Recognising and masking secrets. No message, report or rendered file ever shows a secret value."""

from __future__ import annotations

import re

MASK = "********"
_SECRET_NAME = re.compile(
    r"(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|AUTH|_KEY$|^KEY$|DSN|SALT|SIGNING"
    r"|(?:^|_)(?:PW|PASS)$|_PWD$)",
    re.IGNORECASE,
)
_NOT_SECRET_NAME = re.compile(r"(_FILE$|_PATH$|_ALGORITHM$|_EXPIRE|_EXPIRY|_TTL$|_LENGTH$|_HEADER$|_ENABLED$|_URL_KEY$)", re.IGNORECASE)
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^:/@\s]*):(?P<password>[^@/\s]+)@")


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name)) and not _NOT_SECRET_NAME.search(name)


def url_credentials(value: str):
    """Each ``scheme://user:password@`` in ``value`` (regex matches with groups scheme, user, password)."""
    return _URL_CREDENTIALS.finditer(value)


def url_has_credentials(value: str) -> bool:
    return bool(_URL_CREDENTIALS.search(value))


def mask_url_credentials(value: str) -> str:
    return _URL_CREDENTIALS.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:{MASK}@", value)


def mask(value: str, name: str | None = None) -> str:
    """The value as it may be shown: fully masked for secret names, URL passwords masked otherwise."""
    if name is not None and is_secret_name(name):
        return MASK if value else ""
    return mask_url_credentials(value)

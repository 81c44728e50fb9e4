"""Which variables hold secrets, and how their values are shown."""

from __future__ import annotations

import pytest

from dockyard.secrets import MASK, is_public_identifier, is_secret_name, mask

FINGERPRINT = "7169605F62C751356D054A26A821E680E5FA6305"


@pytest.mark.parametrize("name,value", [
    ("GPG_KEY", FINGERPRINT),
    ("GPG_KEYS", f"{FINGERPRINT} 141F07595B7B3FFE74309A937405533BE57C7D57"),
    ("NODE_GPG_KEY", FINGERPRINT.lower()),
    ("PGP_KEY", f"0x{FINGERPRINT}"),
    ("RELEASE_FINGERPRINT", "7169 605F 62C7 5135 6D05  4A26 A821 E680 E5FA 6305"),
    ("REPO_KEY_ID", "0xA8D3785C"),
    ("SIGNING_KEYID", "A8D3785C"),
    ("APP_SHA256", "143b1dddefaec3bd2e21e3b839b34a2b7fb9842272883c576420d605e9f30c63"),
    ("TOKEN_SHA512", "ab" * 64),
    ("APP_CHECKSUM", "sha256:" + "e3" * 32),
    ("AUTH_SHASUM", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
])
def test_public_identifiers_holding_hex_are_not_secrets(name, value):
    assert is_public_identifier(name, value)
    assert not is_secret_name(name, value)
    assert mask(value, name) == value


@pytest.mark.parametrize("name,value", [
    ("API_KEY", FINGERPRINT),  # a key that happens to be hex is still a key
    ("SECRET_KEY", FINGERPRINT),
    ("PRIVATE_KEY", FINGERPRINT),
    ("GPG_PRIVATE_KEY", FINGERPRINT),
    ("GPG_PASSPHRASE", FINGERPRINT),
    ("GPG_KEY", "-----BEGIN PGP PRIVATE KEY BLOCK-----"),  # not hex: key material
    ("GPG_KEY", "abc123"),  # too short to be a fingerprint or key ID
    ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
    ("DB_PASSWORD", "deadbeefdeadbeef"),
])
def test_secrets_stay_secret(name, value):
    assert is_secret_name(name, value)
    assert mask(value, name) == MASK


def test_without_a_value_the_name_decides():
    assert is_secret_name("GPG_KEY")
    assert is_secret_name("API_KEY")
    assert not is_secret_name("PYTHON_SHA256")
    assert not is_secret_name("SECRET_KEY_FILE", "/run/secrets/key")


@pytest.mark.parametrize("name", ["SENTRY_DSN", "NEXT_PUBLIC_SENTRY_DSN", "VITE_SENTRY_DSN", "SENTRY_DSN_FRONTEND"])
def test_a_sentry_dsn_is_a_public_key_not_a_secret(name):
    assert not is_secret_name(name)
    assert mask("https://examplePublicKey@o0.ingest.sentry.io/0", name) == \
        "https://examplePublicKey@o0.ingest.sentry.io/0"
    assert mask("https://public:oldsecret@sentry.example.com/1", name) == f"https://public:{MASK}@sentry.example.com/1"
    assert is_secret_name("DATABASE_DSN") and is_secret_name("PG_DSN")  # a database DSN carries its password


def test_the_path_of_a_mounted_secret_file_is_no_secret():
    from dockyard.secrets import is_secret_name

    assert not is_secret_name("DATABASE_PASSWORD", "/run/secrets/db-password")
    assert not is_secret_name("DB_PASSWORD", "/var/run/secrets/db_password")
    assert is_secret_name("DATABASE_PASSWORD", "s3cr3t")
    assert is_secret_name("DATABASE_PASSWORD")

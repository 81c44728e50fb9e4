"""Which variables hold secrets, and how their values are shown."""

from __future__ import annotations

import pytest

from dockyard.secrets import (
    MASK, Redactor, distinctive, is_public_identifier, is_secret_name, looks_like_token, mask, mask_argv,
    mask_setting_line, mask_text,
)

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


# -- names ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [
    "DB_PASS", "DB_PWD", "GITHUB_PAT", "GH_PAT", "STRIPE_SK", "JWT", "APP_JWT", "BASIC_AUTH", "REDIS_AUTH",
    "DOCKER_AUTH_CONFIG", "HTTP_AUTHORIZATION", "SENTRY_AUTH_TOKEN", "SMOKESHOW_AUTH_KEY",
])
def test_secret_names(name):
    assert is_secret_name(name)
    assert is_secret_name(name, "Zq8vL2xN7mK4pR9s")


@pytest.mark.parametrize("name,value", [
    ("POSTGRES_HOST_AUTH_METHOD", "trust"),  # a name with AUTH is not always a secret
    ("AUTH_TYPE", "md5"), ("AUTH_PROVIDER", "github"), ("OAUTH_CLIENT_ID", "my-app"), ("AUTHOR", "me"),
    ("co_authored_by", "someone"), ("JWT_ALGORITHM", "HS256"), ("JWT_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----"),
    ("STRIPE_PUBLISHABLE_KEY", "pk_live_abc"), ("OAUTH_TOKEN_URL", "https://auth.example.com/token"),
    ("ALLOW_EMPTY_PASSWORD", "yes"), ("MYSQL_RANDOM_ROOT_PASSWORD", "yes"), ("PWD", "/app"),
    ("DB_PASSWORD_FILE", "/run/secrets/db_password"), ("DB_PASSWORD", "/run/secrets/db_password"),
    ("TASK", "x"), ("DISK", "x"), ("PATH", "/usr/bin"),
])
def test_settings_about_secrets_are_not_secrets(name, value):
    assert not is_secret_name(name, value)
    assert mask(value, name) == value


# -- shapes of well-known credentials -------------------------------------------------------------------------------
TOKENS = [
    "ghp_" + "A1b2C3d4E5f6G7h8I9j0" * 2, "gho_" + "x" * 36, "github_pat_11ABCDEFG0" + "a1B2c3D4e5" * 3,
    "sk_live_" + "a1B2c3D4e5F6" * 2, "rk_test_" + "a1B2c3D4e5F6" * 2, "AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE",
    "xoxb-123456789012-1234567890123-abcdefghij", "xoxp-1-2-3-abc", "glpat-" + "a1B2c3D4e5" * 2,
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "npm_" + "a1B2c3" * 6, "SG." + "a" * 22 + "." + "b" * 43,
    "AIza" + "a1B2c3D4e5" * 3 + "abcde", "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----",
    "-----BEGIN OPENSSH PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----", "-----BEGIN PGP PRIVATE KEY BLOCK-----",
    "https://hooks.slack.com/services/T000/B000/XXXXabcd",
]


@pytest.mark.parametrize("value", TOKENS)
def test_well_known_token_shapes_are_secrets_whatever_the_name(value):
    assert looks_like_token(value)
    assert is_secret_name("SOME_SETTING", value)
    assert mask(value, "SOME_SETTING") == MASK
    assert MASK in mask_text(f"value: {value} (end)") and value not in mask_text(f"value: {value} (end)")


@pytest.mark.parametrize("value", [
    FINGERPRINT, "sha256:" + "e3" * 32, "7169605f62c751356d054a26a821e680e5fa6305", "python:3.12-slim",
    "ghp_short", "-----BEGIN PUBLIC KEY-----", "-----BEGIN CERTIFICATE-----", "TASK_QUEUE", "ASK_ME",
    "https://example.com:8443/path", "registry.example.com/api:1.0",
])
def test_public_values_are_no_tokens(value):
    assert not looks_like_token(value)
    assert mask_text(value) == value


# -- credentials in free text ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,shown", [
    ("postgresql://app:p@ss@db:5432/app", f"postgresql://app:{MASK}@db:5432/app"),  # unencoded `@`
    ("postgresql://app:my pass@db:5432/app", f"postgresql://app:{MASK}@db:5432/app"),  # a blank
    ("redis://:s3cret@redis:6379/0", f"redis://:{MASK}@redis:6379/0"),
    ("https://ghs_token_value_1234@github.com/org/repo.git", f"https://{MASK}@github.com/org/repo.git"),
    ("https://git@github.com/org/repo.git", "https://git@github.com/org/repo.git"),  # a user name, no token
    ("https://api.example.com/v1?user=bob&password=s3cr3t&page=1",
     f"https://api.example.com/v1?user=bob&password={MASK}&page=1"),
    ("https://api.example.com/v1?token=abc123", f"https://api.example.com/v1?token={MASK}"),
    ("https://api.example.com/v1?a=1&secret=abc&access_token=def",
     f"https://api.example.com/v1?a=1&secret={MASK}&access_token={MASK}"),
    ("https://x.blob.core.windows.net/c?sv=2020&sig=abcDEF%2B",
     f"https://x.blob.core.windows.net/c?sv=2020&sig={MASK}"),
    ("https://api.example.com/v1?token_type=bearer&page=2", "https://api.example.com/v1?token_type=bearer&page=2"),
    ("Server=db;Database=app;Password=s3cr3t;", f"Server=db;Database=app;Password={MASK};"),
    ("redis-server --requirepass s3cr3t --port 6379", f"redis-server --requirepass {MASK} --port 6379"),
    ("app --password=s3cr3t --db-password s3cr3t2 --api-key k",
     f"app --password={MASK} --db-password {MASK} --api-key {MASK}"),
    ("mysqladmin ping -uroot -ps3cr3t", f"mysqladmin ping -uroot -p{MASK}"),
    ("mongosh -u root -p s3cr3t", f"mongosh -u root -p {MASK}"),
    ("redis-cli -a s3cr3t ping", f"redis-cli -a {MASK} ping"),
    ("curl -u admin:s3cr3t https://x", f"curl -u admin:{MASK} https://x"),
    # not secrets: references, switches, ports, a `-p` that is no password, URLs without credentials
    ("postgresql://app:${DB_PASSWORD}@db/app", "postgresql://app:${DB_PASSWORD}@db/app"),
    ("redis-server --requirepass $$REDIS_PASSWORD", "redis-server --requirepass $$REDIS_PASSWORD"),
    ("app --password=${DB_PASSWORD:?required} --token $TOKEN",
     "app --password=${DB_PASSWORD:?required} --token $TOKEN"),
    ("adduser -u 1000 --disabled-password app", "adduser -u 1000 --disabled-password app"),
    ("psql --no-password mydb", "psql --no-password mydb"),
    ("docker run -p 8000:8000 app", "docker run -p 8000:8000 app"), ("mysql -p mydb", "mysql -p mydb"),
    ("uvicorn app:app --port 8000", "uvicorn app:app --port 8000"),
    ("https://example.com:8443/path?page=2", "https://example.com:8443/path?page=2"),
    ("SECRET_KEY=CHANGE_ME_SECRET_KEY POSTGRES_HOST_AUTH_METHOD=trust", "SECRET_KEY=CHANGE_ME_SECRET_KEY "
     "POSTGRES_HOST_AUTH_METHOD=trust"),
])
def test_credentials_in_free_text(text, shown):
    assert mask_text(text) == shown


def test_command_lists_mask_the_argument_of_a_secret_flag():
    assert mask_argv(["redis-server", "--requirepass", "s3cr3t", "--port", "6379"]) == \
        ["redis-server", "--requirepass", MASK, "--port", "6379"]
    assert mask_argv(["app", "--password=s3cr3t", "--db-password", "x1", "--token", "${TOKEN}"]) == \
        ["app", f"--password={MASK}", "--db-password", MASK, "--token", "${TOKEN}"]
    assert mask_argv(["mysql", "-uroot", "-ps3cr3t"]) == ["mysql", "-uroot", f"-p{MASK}"]
    assert mask_argv(["redis-cli", "-a", "s3cr3t", "ping"]) == ["redis-cli", "-a", MASK, "ping"]
    assert mask_argv(["uvicorn", "app:app", "-p", "8000"]) == ["uvicorn", "app:app", "-p", "8000"]
    assert mask_argv(["adduser", "--disabled-password", "app"]) == ["adduser", "--disabled-password", "app"]


@pytest.mark.parametrize("line,shown", [
    ("SECRET_KEY=abc123", f"SECRET_KEY={MASK}"), ('      API_KEY: "s3cr3t"', f'      API_KEY: "{MASK}"'),
    ("    - AUTH_TOKEN=xyz", f"    - AUTH_TOKEN={MASK}"), ("export DB_PASS=x1", f"export DB_PASS={MASK}"),
    ("ENV API_TOKEN abc def", f"ENV API_TOKEN {MASK}"), ("ENV A=1 API_TOKEN=x B=2", f"ENV A=1 API_TOKEN={MASK} B=2"),
    ("ENV API_TOKEN=abc def B=2", f"ENV API_TOKEN={MASK} B=2"), ("    API_TOKEN=abc \\", f"    API_TOKEN={MASK} \\"),
    ("SECRET_KEY=CHANGE_ME_SECRET_KEY", "SECRET_KEY=CHANGE_ME_SECRET_KEY"), ("ENV PORT 8000", "ENV PORT 8000"),
    ("POSTGRES_HOST_AUTH_METHOD: trust", "POSTGRES_HOST_AUTH_METHOD: trust"),
    ("DATABASE_PASSWORD=/run/secrets/db", "DATABASE_PASSWORD=/run/secrets/db"),
    ("      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?Variable not set}",
     "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?Variable not set}"),
])
def test_a_line_of_a_file_masks_the_value_of_a_secret_setting(line, shown):
    assert mask_setting_line(line) == shown


# -- values known to be secret --------------------------------------------------------------------------------------
def test_a_redactor_masks_known_values_wherever_they_appear():
    redactor = Redactor()
    redactor.add_secrets_of("SECRET_KEY", "Zq8v-L2xN")
    redactor.add_secrets_of("DATABASE_URL", "postgresql://app:Hy7Lm2Qp@db/app")
    redactor.add_secrets_of("POSTGRES_PASSWORD", "postgres")  # weak and common: not masked by value
    redactor.add_secrets_of("PORT", "8150")
    assert redactor("APP_CONFIG=key-Zq8v-L2xN and Hy7Lm2Qp") == f"APP_CONFIG=key-{MASK} and {MASK}"
    assert redactor("image `postgres:16` listens on 8150") == "image `postgres:16` listens on 8150"


@pytest.mark.parametrize("value,expected", [
    ("Zq8v-L2xN", True), ("hunter2!", True), ("ZqvLxNmKpRsTwYbCd", True), ("postgres", False), ("changethis", False),
    ("8150", False), ("12345678", False), ("abc1", False), ("CHANGE_ME_SECRET_KEY", False), ("${SECRET}", False),
])
def test_which_values_are_distinctive_enough_to_mask_by_value(value, expected):
    assert distinctive(value) is expected


def test_a_diff_keeps_its_shape_and_masks_its_lines():
    diff = ("--- a/.env.example\n+++ b/.env.example\n@@ -1,6 +1,6 @@\n-SECRET_KEY=realvalue1\n"
            "+SECRET_KEY=CHANGE_ME_SECRET_KEY\n CERT_BUNDLE=\"-----BEGIN RSA PRIVATE KEY-----\n MIIBOgIBAAJBAKj34\n"
            " -----END RSA PRIVATE KEY-----\"\n APP=uses-Zq8v-L2xN\n PORT=8150\n")
    redactor = Redactor(["Zq8v-L2xN"])
    assert redactor.diff(diff) == (
        "--- a/.env.example\n+++ b/.env.example\n@@ -1,6 +1,6 @@\n-SECRET_KEY=********\n"
        "+SECRET_KEY=CHANGE_ME_SECRET_KEY\n CERT_BUNDLE=\"********\n ********\n ********\n APP=uses-********\n"
        " PORT=8150\n")


# -- a run's findings -----------------------------------------------------------------------------------------------
def test_a_run_masks_its_findings_by_the_values_it_knows(tmp_path):
    from dockyard.engine import Result
    from dockyard.model import Finding, Position, Severity
    from dockyard.project import Project
    from dockyard.secrets import redact_result
    from tests.helpers import write_tree

    write_tree(tmp_path, {
        ".env": "SECRET_KEY=Zq8v-L2xN-env\n",
        "compose.yaml": "services:\n  app:\n    image: nginx:1.27\n    environment:\n      API_KEY: Hy7L-m2Qp-map\n"
                        "    command: [\"app\", \"--token\", \"Wq3e-R5ty-arg\"]\n"
                        "  db:\n    image: redis:7\n    environment: [AUTH_TOKEN=Ui8o-P0as-list]\n"
                        "secrets:\n  db:\n    environment: DB_ROOT\n",
        ".env.prod": "DB_ROOT=Df4g-H6jk-root\n",
        "Dockerfile": "FROM python:3.12-slim\nENV API_TOKEN=Lz1x-C2vb-env\nARG GITHUB_PAT=Nm3b-V4cx-arg\n",
    })
    project = Project.discover(tmp_path)
    values = ["Zq8v-L2xN-env", "Hy7L-m2Qp-map", "Wq3e-R5ty-arg", "Ui8o-P0as-list", "Df4g-H6jk-root", "Lz1x-C2vb-env",
              "Nm3b-V4cx-arg"]
    result = Result(tmp_path, findings=[Finding("XX001", "x", Severity.ERROR, f"quotes {v} here", "f", Position())
                                        for v in values])
    redact_result(project, result)
    assert [f.message for f in result.findings] == [f"quotes {MASK} here"] * len(values)


@pytest.mark.parametrize("name", ["MCP_API_KEY_TEST_PORT", "USE_IAM_AUTH", "ENABLE_TOKEN_AUTH", "AUTH_TIMEOUT",
                                  "SECRET_STORE_HOST", "DISABLE_PASSWORD_LOGIN", "TOKEN_CACHE_DIR", "MAX_TOKENS",
                                  "PASSWORD_MIN_LENGTH", "SECRETS_DIRECTORY", "TOKEN_LIMIT",
                                  "TRACECAT__EXECUTOR_TOKEN_TTL_SECONDS", "CREDENTIAL_CACHE_TTL_MINUTES",
                                  "SESSION_TOKEN_EXPIRY_MS"])
def test_a_port_a_host_or_a_flag_named_after_a_secret_is_none(name):
    assert not is_secret_name(name)


@pytest.mark.parametrize("name", ["API_KEY", "JWT_AUTH", "DISCORD_BOT_TOKEN", "S3_AWS_SECRET_ACCESS_KEY",
                                  "GITHUB_TOKEN", "HF_TOKEN", "ACCESSTOKEN"])
def test_the_secrets_beside_them_still_are(name):
    assert is_secret_name(name)


def test_the_path_of_a_key_file_is_no_secret():
    assert not is_secret_name("BREEZ_GREENLIGHT_DEVICE_KEY", "/path/to/breezsdk/device.pem")
    assert not is_secret_name("TLS_KEY", "./certs/server.key")
    # one word, or base64 that only starts with a slash, is no path
    assert is_secret_name("API_KEY", "/Zq8vL2xN4kT+q==") and is_secret_name("API_KEY", "/abcdef")


@pytest.mark.parametrize("name", ["TIKTOKEN_ENCODINGS_BASE", "TOKENIZERS_PARALLELISM", "HF_TOKENIZER"])
def test_tokenizers_hold_no_token(name):
    # tiktoken and Hugging Face's tokenizers are libraries that split text into tokens: their settings are not
    # credentials
    assert not is_secret_name(name)
